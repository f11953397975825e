"""Inventory from command results: DeviceInformation, SecurityInfo, apps, profiles, certificates.

Each function is the result handler of its command module (`devices.commands`).

Called by services inside the result transaction; the response is kept on the queue row. For a
User Enrollment the services first remove what it may not tell
(`capabilities.user_enrollment_result`), and it is never recorded as supervised.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, router
from django.utils import timezone

from devices import hotpath, protocol
from devices.models import (
    Enrollment,
    InstalledApplication,
    InstalledCertificate,
    InstalledProfile,
    fit,
)
from mdm_server.pki import certificates
from mdm_server.prepared import PreparedQuery

MAX_ITEMS = 5000


@dataclass(frozen=True, slots=True)
class DeviceFields:
    """What an Acknowledged result changes on its Device alone (`CommandSpec.on_result_fields`):
    the fields, already set on the enrollment's Device, and the summary for the device log."""

    fields: tuple[str, ...]
    summary: dict[str, Any]


_Row = TypeVar("_Row", InstalledApplication, InstalledProfile, InstalledCertificate)


def _comparable(values: Iterable[Any]) -> tuple[Any, ...]:
    """A row's values as a hashable tuple (a JSON list as a tuple)."""
    return tuple([tuple(v) if isinstance(v, list) else v for v in values])


# The stored rows a list result is compared with, for each (model, compared fields): one SELECT
# compiled once (`mdm_server.prepared`) instead of by the ORM on every list result (compiling
# it was a fifth of `_replace_rows`'s CPU for a ProfileList of 30 profiles).
_STORED_ROWS: dict[tuple[type[Any], tuple[str, ...]], PreparedQuery] = {}


def _stored_rows(model: type[_Row], enrollment_id: int, fields: Sequence[str]) -> list[Any]:
    """`model.objects.filter(enrollment_id=enrollment_id).values_list(*fields)`, as tuples."""
    key = (model, tuple(fields))
    query = _STORED_ROWS.get(key)
    if query is None:
        names = key[1]
        query = _STORED_ROWS.setdefault(
            key,
            PreparedQuery(
                lambda pk: model.objects.filter(enrollment_id=pk).values_list(*names), int
            ),
        )
    return query.all(enrollment_id)


def _one_writer_at_a_time(model: type[_Row], enrollment_id: int) -> None:
    """Inside a transaction on PostgreSQL: wait for any other transaction replacing this
    channel's rows of `model` to end. Two results of one kind at once (an administrator's
    command and the inventory's) would otherwise both delete what they saw and insert their
    own: the later one's DELETE waits for the earlier's rows, but does not see the rows the
    earlier wrote, and its INSERT fails on the rows' key (or, without one, both lists stay).
    After the wait the DELETE reads what the earlier committed. A lock of its own (not the
    channel row's), taken last, so it waits on no lock order of other writers."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
            [model._meta.db_table, enrollment_id % 2_147_483_647],
        )


def _replace_rows(
    model: type[_Row],
    enrollment: Enrollment,
    rows: Sequence[dict[str, Any]],
    fields: Sequence[str],
) -> bool:
    """Make the enrollment's rows of `model` the reported `rows` (field values by name; a field
    left out takes its default): deleted and written again when they differ in any of `fields`
    (any order), left alone when the device reports what is stored already, as a periodic
    inventory mostly does (one SELECT instead of a DELETE and an INSERT of every row). Model
    instances are made only to write them: making one for each of 30 profiles cost more than
    the comparison. Whether anything was written."""
    stored = Counter([_comparable(row) for row in _stored_rows(model, enrollment.pk, fields)])
    defaults = {f.name: f.get_default() for f in model._meta.concrete_fields if f.name in fields}
    reported = Counter(
        [_comparable([row[f] if f in row else defaults[f] for f in fields]) for row in rows]
    )
    if stored == reported:
        return False
    _one_writer_at_a_time(model, enrollment.pk)
    model.objects.filter(enrollment=enrollment).delete()
    model.objects.bulk_create([model(enrollment=enrollment, **row) for row in rows])
    return True


def device_information(enrollment: Enrollment, raw: dict[str, Any]) -> dict[str, Any]:
    responses = raw.get("QueryResponses")
    if not isinstance(responses, dict):
        return {"note": "no QueryResponses"}
    kept = responses
    safe = protocol.to_json_safe(kept)
    device = enrollment.device
    # The first answer on supervision (a bootstrap token may have been taken before it).
    first_supervision = "IsSupervised" not in device.device_information
    device.device_information = {**device.device_information, **safe}
    device.inventory_at = timezone.now()
    fields = ["device_information", "inventory_at"]
    for key, attr in (
        ("OSVersion", "os_version"),
        ("BuildVersion", "build_version"),
        ("ProductName", "product_name"),
        ("Model", "model"),
        ("ModelName", "model_name"),
        ("DeviceName", "device_name"),
    ):
        if isinstance(kept.get(key), str):
            device.set_reported(**{attr: kept[key]})
            fields.append(attr)
    summary: dict[str, Any] = {"keys": len(kept)}
    if isinstance(kept.get("IsSupervised"), bool) and not enrollment.is_user_enrollment:
        device.supervised = kept["IsSupervised"]
        fields.append("supervised")
        if first_supervision and not device.supervised and enrollment.bootstrap_token:
            # Taken before supervision was known (check-in): Apple keeps bootstrap-token escrow
            # to supervised Macs, so a token from one that is not is not kept.
            enrollment.bootstrap_token = None
            hotpath.save_enrollment_fields(enrollment, ["bootstrap_token"])
            summary["discarded"] = "bootstrap token: the device is not supervised"
    if not enrollment.is_user_enrollment and isinstance(kept.get("SerialNumber"), str):
        device.set_reported(serial_number=kept["SerialNumber"])
        fields.append("serial_number")
    hotpath.save_device_fields(device, fields)
    return summary


def security_info(enrollment: Enrollment, raw: dict[str, Any]) -> DeviceFields:
    """Device columns only: written by the services with the result."""
    info = raw.get("SecurityInfo")
    if not isinstance(info, dict):
        return DeviceFields(fields=(), summary={"note": "no SecurityInfo"})
    enrollment.device.security_info = protocol.to_json_safe(info)
    return DeviceFields(fields=("security_info",), summary={"keys": len(info)})


def installed_application_list(enrollment: Enrollment, raw: dict[str, Any]) -> dict[str, Any]:
    items = raw.get("InstalledApplicationList")
    if not isinstance(items, list):
        return {"note": "no InstalledApplicationList"}
    rows = {}
    for item in items[:MAX_ITEMS]:
        if not isinstance(item, dict) or not isinstance(item.get("Identifier"), str):
            continue
        # Keyed as stored (cut to the column): two identifiers alike in their first 255
        # characters are one row, as the table's key has it.
        identifier = fit(InstalledApplication, "identifier", item["Identifier"])
        rows[identifier] = {
            "identifier": identifier,
            "name": fit(InstalledApplication, "name", str(item.get("Name", ""))),
            "version": fit(InstalledApplication, "version", str(item.get("Version", ""))),
            "short_version": fit(
                InstalledApplication, "short_version", str(item.get("ShortVersion", ""))
            ),
            # A User Enrollment reports only apps the organisation manages.
            "is_managed": enrollment.is_user_enrollment or bool(item.get("IsManaged", False)),
        }
    _replace_rows(
        InstalledApplication,
        enrollment,
        list(rows.values()),
        ("identifier", "name", "version", "short_version", "is_managed", "status"),
    )
    return {"apps": len(rows)}


def managed_application_list(enrollment: Enrollment, raw: dict[str, Any]) -> dict[str, Any]:
    items = raw.get("ManagedApplicationList")
    if not isinstance(items, dict):
        return {"note": "no ManagedApplicationList"}
    count = 0
    for identifier, info in list(items.items())[:MAX_ITEMS]:
        if not isinstance(info, dict):
            continue
        InstalledApplication.objects.update_or_create(
            enrollment=enrollment,
            identifier=fit(InstalledApplication, "identifier", str(identifier)),
            defaults={
                "is_managed": True,
                "status": fit(InstalledApplication, "status", str(info.get("Status", ""))),
            },
        )
        count += 1
    return {"managed_apps": count}


def profile_list(enrollment: Enrollment, raw: dict[str, Any]) -> dict[str, Any]:
    items = raw.get("ProfileList")
    if not isinstance(items, list):
        return {"note": "no ProfileList"}
    rows = {}
    for item in items[:MAX_ITEMS]:
        if not isinstance(item, dict) or not isinstance(item.get("PayloadIdentifier"), str):
            continue
        content = item.get("PayloadContent")
        if not isinstance(content, list):  # a device's bytes: Apple's type, or nothing read
            content = []
        identifier = fit(InstalledProfile, "identifier", item["PayloadIdentifier"])  # as stored
        rows[identifier] = {
            "identifier": identifier,
            "uuid": fit(InstalledProfile, "uuid", str(item.get("PayloadUUID", ""))),
            "display_name": fit(
                InstalledProfile, "display_name", str(item.get("PayloadDisplayName", ""))
            ),
            "organization": fit(
                InstalledProfile, "organization", str(item.get("PayloadOrganization", ""))
            ),
            "is_managed": bool(item.get("IsManaged", True)),
            "payload_types": [
                str(p.get("PayloadType", "")) for p in content if isinstance(p, dict)
            ][:100],
        }
    _replace_rows(
        InstalledProfile,
        enrollment,
        list(rows.values()),
        ("identifier", "uuid", "display_name", "organization", "is_managed", "payload_types"),
    )
    return {"profiles": len(rows)}


def certificate_list(enrollment: Enrollment, raw: dict[str, Any]) -> dict[str, Any]:
    items = raw.get("CertificateList")
    if not isinstance(items, list):
        return {"note": "no CertificateList"}
    rows = []
    for item in items[:MAX_ITEMS]:
        if not isinstance(item, dict):
            continue
        data = item.get("Data")
        not_after: dt.datetime | None = None
        fingerprint = ""
        if isinstance(data, bytes):
            try:
                cert = certificates.load_der_from_peer(data)
            except ValueError:
                cert = None
            if cert is not None:
                fingerprint = certificates.fingerprint(cert)
                not_after = cert.not_valid_after_utc
        rows.append(
            {
                "common_name": fit(
                    InstalledCertificate, "common_name", str(item.get("CommonName", ""))
                ),
                "is_identity": bool(item.get("IsIdentity", False)),
                "fingerprint": fingerprint,
                "not_after": not_after,
            }
        )
    _replace_rows(
        InstalledCertificate,
        enrollment,
        rows,
        ("common_name", "is_identity", "fingerprint", "not_after"),
    )
    return {"certificates": len(rows)}
