"""Reads of the devices app for the console and the API: lists, pages, dashboard counts, results.

Lists stay fast at 100k devices: keyset pages over the primary key and counts capped at COUNT_CAP.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import plistlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from devices import capabilities, commands, disclosure, hooks, services
from devices.models import (
    Command,
    DeviceEvent,
    Enrollment,
    InstalledApplication,
    InstalledCertificate,
    InstalledProfile,
    QueuedCommand,
)
from mdm_server.selectors import (
    COUNT_CAP,
    KeysetPage,
    capped_count,
    keyset_page,
    list_total,
    sorted_keyset_page,
)

__all__ = [
    "COUNT_CAP",
    "KeysetPage",
    "capped_count",
    "keyset_page",
    "list_total",
    "sorted_keyset_page",
]

# Hardware identifiers a User Enrollment never has: never shown, exported or serialised for one.
HARDWARE_FIELDS = ("udid", "serial_number", "imei", "meid")


def devices() -> QuerySet[Enrollment]:
    """Device channels (a user channel is shown inside its device)."""
    return Enrollment.objects.filter(parent__isnull=True).select_related("device")


# --- dashboard ---------------------------------------------------------------------------------


@dataclass
class Bar:
    """One bar of a dashboard chart."""

    label: str
    count: int
    percent: float
    query: str = ""  # filter query string for the device list


def _bars(rows: Sequence[tuple[str, str, int]]) -> list[Bar]:
    top = max((n for _, _, n in rows), default=0) or 1
    return [Bar(label, n, round(100.0 * n / top, 1), query) for label, query, n in rows]


@dataclass
class Dashboard:
    """Everything the dashboard shows, computed with a fixed number of grouped queries."""

    enrolled: int
    by_type: list[Bar]
    by_platform: list[Bar]
    by_os: list[Bar]
    stale: int
    stale_days: int
    pending_commands: dict[str, int]
    recent: list[Enrollment]


def dashboard(*, stale_days: int = 7, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    enrolled = devices().filter(status=Enrollment.Status.ENROLLED)
    labels = dict(Enrollment.Type.choices)
    by_type = [
        (labels.get(r["enrollment_type"], r["enrollment_type"]), f"enrollment_type={r['enrollment_type']}", r["n"])
        for r in enrolled.values("enrollment_type").annotate(n=Count("id")).order_by("-n")
    ]  # fmt: skip
    by_platform = [
        (r["platform"] or "unknown", f"platform={r['platform']}", r["n"])
        for r in enrolled.values(platform=F("device__platform"))
        .annotate(n=Count("id"))
        .order_by("-n", "platform")
    ]
    os_rows = (
        enrolled.values(platform=F("device__platform"), os_version=F("device__os_version"))
        .annotate(n=Count("id"))
        .order_by("-n", "platform", "os_version")[:12]
    )
    by_os = [
        (
            f"{r['platform'] or '?'} {r['os_version'] or '?'}",
            f"platform={r['platform']}&os_version={r['os_version']}",
            r["n"],
        )
        for r in os_rows
    ]
    stale = enrolled.filter(
        Q(last_seen_at__lt=now - dt.timedelta(days=stale_days)) | Q(last_seen_at__isnull=True)
    ).count()
    pending = dict(
        QueuedCommand.objects.filter(status__in=QueuedCommand.PENDING)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    recent = list(
        enrolled.filter(enrolled_at__isnull=False)
        .select_related("device__directory_user")
        .order_by("-enrolled_at")[:10]
    )
    return Dashboard(
        enrolled=sum(n for _, _, n in by_type),
        by_type=_bars(by_type),
        by_platform=_bars(by_platform),
        by_os=_bars(by_os),
        stale=stale,
        stale_days=stale_days,
        pending_commands={s: pending.get(s, 0) for s in QueuedCommand.PENDING},
        recent=recent,
    )


# --- detail ------------------------------------------------------------------------------------


def channels_of(enrollment: Enrollment) -> list[Enrollment]:
    """The device channel and its user channels: commands and logs of a device cover all."""
    return [enrollment, *enrollment.user_channels.all()]


def deliveries_for(enrollment: Enrollment) -> QuerySet[QueuedCommand]:
    return (
        QueuedCommand.objects.filter(Q(enrollment=enrollment) | Q(enrollment__parent=enrollment))
        .select_related("command", "command__created_by")
        .order_by("-id")
    )


def events_for(enrollment: Enrollment) -> QuerySet[DeviceEvent]:
    return DeviceEvent.objects.filter(
        Q(enrollment=enrollment) | Q(enrollment__parent=enrollment)
    ).order_by("-id")


def event_actions(enrollment: Enrollment) -> list[str]:
    """Distinct action names in a device's log (for the Logs tab's filter menu)."""
    return sorted(
        set(events_for(enrollment).order_by().values_list("action", flat=True).distinct()[:200])
    )


def _progress(rows: dict[str, int]) -> dict[str, int]:
    out = {status: rows.get(status, 0) for status in QueuedCommand.Status.values}
    out["total"] = sum(rows.values())
    out["pending"] = sum(rows.get(s, 0) for s in QueuedCommand.PENDING)
    return out


def command_progress(command: Command) -> dict[str, int]:
    """Counts of a command's deliveries by status, plus 'total' (for bulk-action progress)."""
    return commands_progress([command.pk])[command.pk]


def commands_progress(command_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Counts by status of each command's deliveries: one GROUP BY query for the whole page."""
    rows: dict[int, dict[str, int]] = {pk: {} for pk in command_ids}
    grouped = (
        QueuedCommand.objects.filter(command_id__in=list(command_ids))
        .order_by()
        .values_list("command_id", "status")
        .annotate(n=Count("id"))
    )
    for command_id, status, n in grouped:
        rows[command_id][status] = n
    return {pk: _progress(counts) for pk, counts in rows.items()}


def commands_overview() -> QuerySet[Command]:
    """Every command, newest first, with who queued it (the console's commands page)."""
    return Command.objects.select_related("created_by").defer("body")


def command_targets(command: Command) -> QuerySet[QueuedCommand]:
    """A command's deliveries with the device each went to (device channel for a user channel)."""
    return (
        command.deliveries.select_related(
            "enrollment__device", "enrollment__parent__device"
        )
        .defer("result", "enrollment__device__device_information",
               "enrollment__device__security_info", "enrollment__ddm_status",
               "enrollment__parent__device__device_information",
               "enrollment__parent__device__security_info", "enrollment__parent__ddm_status")
    )  # fmt: skip


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes | bytearray):
        if len(value) > 256:
            return f"<{len(value)} bytes>"
        return "base64:" + base64.b64encode(value).decode()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def result_document(delivery: QueuedCommand) -> Any:
    """The device's result plist as JSON-safe data (None when there is none or it is unreadable)."""
    if not delivery.result:
        return None
    try:
        data = plistlib.loads(bytes(delivery.result))
    except Exception:  # plistlib raises assorted errors; a stored result is shown, never trusted
        return {"unreadable": f"<{len(delivery.result)} bytes that are not a property list>"}
    if isinstance(data, dict):
        # These keys are shown separately (status, uuid) or identify the channel only.
        data = {
            k: v
            for k, v in data.items()
            if k not in ("CommandUUID", "Status", "UDID", "EnrollmentID", "UserID")
        }
    return _json_safe(data)


def readable_lines(value: Any, indent: int = 0) -> list[str]:
    """A nested result as indented 'Key: value' lines, for people rather than machines."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:")
                lines += readable_lines(item, indent + 1)
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}-")
                lines += readable_lines(item, indent + 1)
            else:
                lines.append(f"{pad}- {scalar(item)}")
    else:
        lines.append(pad + scalar(value))
    return lines


def scalar(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value in ({}, []):
        return "(empty)"
    return str(value)


# --- actions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    spec: commands.CommandSpec
    allowed: bool
    reason: str
    deprecated: bool = False  # allowed, but Apple deprecated it on this device's OS release


def actions_for(device: Enrollment) -> list[Action]:
    """Every registry command, with whether the capability filter allows it for this device."""
    target = services.target_for(device)
    out = []
    for spec in commands.REGISTRY.values():
        if device.status == Enrollment.Status.UNENROLLED:
            out.append(Action(spec, False, "the device is unenrolled"))
        elif target is None:
            out.append(Action(spec, False, "the device has not reported its platform yet"))
        else:
            decision = spec.decide(target)
            out.append(Action(spec, decision.allowed, decision.reason, decision.deprecated))
    return out


def enqueue_details(
    *,
    spec: commands.CommandSpec,
    result: services.EnqueueResult,
    origin: str,
    targets: Sequence[Enrollment] = (),
) -> dict[str, Any]:
    """The audit-log details of one enqueue (console and API record the same shape)."""
    details: dict[str, Any] = {
        "command": spec.name,
        "request_type": spec.request_type,
        "origin": origin,
        "queued": len(result.queued),
        "refused": len(result.refused),
        "commands": [c.uuid for c in result.commands],
    }
    if targets:
        details["devices"] = [str(t.public_id) for t in list(targets)[:20]]
    return details


def refusal_preview(
    spec: commands.CommandSpec, targets: Iterable[Enrollment]
) -> tuple[int, dict[str, int], dict[capabilities.Target, int]]:
    """Before a bulk action: how many devices the capability filter allows, why others not, and
    the allowed ones by kind ({target: devices}: the form offers the options they have)."""
    allowed = 0
    refused: dict[str, int] = {}
    kinds: dict[capabilities.Target, int] = {}
    for device in targets:
        target = services.target_for(device)
        if device.status == Enrollment.Status.UNENROLLED:
            reason = "the device is unenrolled"
        elif target is None:
            reason = "the device has not reported its platform yet"
        else:
            decision = spec.decide(target)
            reason = "" if decision.allowed else decision.reason
        if reason or target is None:
            refused[reason] = refused.get(reason, 0) + 1
        else:
            allowed += 1
            kinds[target] = kinds.get(target, 0) + 1
    return allowed, refused, kinds


# --- the privacy page of the person who enrolled -----------------------------------------------


@dataclass
class PersonalDevice:
    """One of a person's enrolled devices, as their privacy page shows it."""

    enrollment: Enrollment
    disclosure: disclosure.Disclosure | None  # None while the device has not said what it is
    personal: bool  # a User Enrollment (BYOD): the person may remove management
    apps: list[InstalledApplication]
    profiles: list[InstalledProfile]
    certificates: list[InstalledCertificate]
    accounts: list[str]
    removal_pending: bool


def unenroll_pending(enrollment: Enrollment) -> bool:
    """Is an Unenroll (RemoveProfile of the enrollment profile) waiting for this device?"""
    return QueuedCommand.objects.filter(
        services.ends_enrollment_filter(), enrollment=enrollment, status__in=QueuedCommand.PENDING
    ).exists()


def devices_of_person(directory_user_id: int) -> list[PersonalDevice]:
    """The person's enrolled (or enrolling) devices with what the organisation sees and can do."""
    rows = (
        devices()
        .filter(device__directory_user_id=directory_user_id)
        .exclude(status=Enrollment.Status.UNENROLLED)
        .prefetch_related("apps", "profiles", "certificates")
        .order_by("-id")
    )
    out = []
    for device in rows:
        target = services.target_for(device)
        profiles = [p for p in device.profiles.all() if p.is_managed]
        accounts = [a for p in profiles for a in disclosure.accounts_in(list(p.payload_types))]
        out.append(
            PersonalDevice(
                enrollment=device,
                disclosure=(
                    disclosure.disclose(target, hooks.declaration_check())
                    if target is not None
                    else None
                ),
                personal=device.is_user_enrollment,
                apps=[a for a in device.apps.all() if a.is_managed or device.is_user_enrollment],
                profiles=profiles,
                certificates=list(device.certificates.all()),
                accounts=list(dict.fromkeys(accounts)),
                removal_pending=unenroll_pending(device),
            )
        )
    return out


def server_certificate_alerts(*, now: dt.datetime | None = None) -> list[str]:
    """Dashboard warnings: the server CA or profile-signing certificate expires within the
    administrator's warning period, and devices still waiting for a renewal after a rollover."""
    from devices.models import LifecycleSettings
    from devices.services import renewal
    from mdm_server import clock
    from mdm_server.pki import services as pki

    moment = now or clock.now()
    warn = LifecycleSettings.load().server_certificate_warning_days
    names = {"ca": "The server CA", "signing": "The profile-signing certificate"}
    alerts = [
        f"{names.get(a.kind, a.kind)} (generation {a.generation}) expires on "
        f"{a.not_after:%Y-%m-%d}, in {a.days_left} day{'s' if a.days_left != 1 else ''}: roll it "
        f"over with `manage.py pki_rollover {'ca' if a.kind == 'ca' else 'signing'}`."
        for a in pki.expiry_alerts(warn_days=warn, now=moment)
    ]
    waiting = renewal.devices_on_older_generations()
    if waiting:
        alerts.append(
            f"{waiting} enrolled device(s) still hold an identity of an older CA generation; "
            "they are renewed automatically (`manage.py pki_rollover status`)."
        )
    return alerts


def audit_names(values: Iterable[str]) -> dict[str, tuple[str, str]]:
    """What the audit log's details refer to, by the id they store: device public ids and
    command UUIDs become (name, console URL). Two queries for a whole page of events."""
    ids: set[uuid.UUID] = set()
    for value in values:
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            ids.add(uuid.UUID(value))
    if not ids:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for device in Enrollment.objects.filter(public_id__in=ids).select_related(
        "device__directory_user"
    ):
        url = reverse("devices-detail", args=[device.public_id])
        out[str(device.public_id)] = (device.display_name, url)
    texts = {str(i) for i in ids} | {str(i).upper() for i in ids}
    for command in Command.objects.filter(uuid__in=texts).only("pk", "uuid", "request_type"):
        url = reverse("devices-command-detail", args=[command.pk])
        out[str(uuid.UUID(command.uuid))] = (f"{command.request_type} command", url)
    return out
