"""List results (profiles, apps, certificates) replace the inventory only when it changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devices import inventory
from devices.models import Enrollment, InstalledApplication, InstalledCertificate
from tests.channels import new_channel, save_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment() -> Enrollment:
    return save_channel(
        new_channel(channel_key="udid:INVENTORY-1", enrollment_type="device", platform="iOS")
    )


def _profiles(*names: str) -> dict[str, Any]:
    return {
        "ProfileList": [
            {
                "PayloadIdentifier": f"com.example.{name}",
                "PayloadUUID": f"UUID-{name}",
                "PayloadDisplayName": name.title(),
                "PayloadOrganization": "Example",
                "IsManaged": True,
                "PayloadContent": [{"PayloadType": "com.apple.wifi.managed"}],
            }
            for name in names
        ]
    }


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"].split(" ", 1)[0]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]


def test_an_unchanged_profile_list_writes_nothing(enrollment: Enrollment) -> None:
    inventory.profile_list(enrollment, _profiles("wifi", "vpn", "mail"))
    before = dict(enrollment.profiles.values_list("identifier", "id"))
    assert len(before) == 3
    # The same profiles, in another order: read, compared, left as they are.
    with CaptureQueriesContext(connection) as queries:
        assert inventory.profile_list(enrollment, _profiles("mail", "wifi", "vpn")) == {
            "profiles": 3
        }
    assert _writes(queries) == []
    assert dict(enrollment.profiles.values_list("identifier", "id")) == before


@pytest.mark.parametrize(
    "change",
    ["a removed profile", "an added profile", "a renamed profile", "other payload types"],
)
def test_any_change_replaces_the_profile_list(enrollment: Enrollment, change: str) -> None:
    inventory.profile_list(enrollment, _profiles("wifi", "vpn"))
    reported = _profiles("wifi", "vpn")
    if change == "a removed profile":
        reported["ProfileList"].pop()
    elif change == "an added profile":
        reported["ProfileList"].append(_profiles("mail")["ProfileList"][0])
    elif change == "a renamed profile":
        reported["ProfileList"][0]["PayloadDisplayName"] = "Corporate Wi-Fi"
    else:
        reported["ProfileList"][1]["PayloadContent"] = [{"PayloadType": "com.apple.vpn.managed"}]
    with CaptureQueriesContext(connection) as queries:
        inventory.profile_list(enrollment, reported)
    assert "DELETE" in _writes(queries) and "INSERT" in _writes(queries)
    stored = sorted(enrollment.profiles.values_list("identifier", "display_name", "payload_types"))
    expected = sorted(
        (
            p["PayloadIdentifier"],
            p["PayloadDisplayName"],
            [c["PayloadType"] for c in p["PayloadContent"]],
        )
        for p in reported["ProfileList"]
    )
    assert stored == expected


def test_an_app_list_replaces_what_a_managed_app_list_added(enrollment: Enrollment) -> None:
    """As before: an InstalledApplicationList rewrites the rows, the managed-app status too,
    unless nothing at all differs."""
    apps = {"InstalledApplicationList": [{"Identifier": "com.example.app", "Name": "App"}]}
    inventory.installed_application_list(enrollment, apps)
    with CaptureQueriesContext(connection) as queries:
        inventory.installed_application_list(enrollment, apps)
    assert _writes(queries) == []
    inventory.managed_application_list(
        enrollment, {"ManagedApplicationList": {"com.example.app": {"Status": "Managed"}}}
    )
    assert InstalledApplication.objects.get(enrollment=enrollment).status == "Managed"
    inventory.installed_application_list(enrollment, apps)
    row = InstalledApplication.objects.get(enrollment=enrollment)
    assert (row.status, row.is_managed) == ("", False)


def test_certificate_lists_compare_their_dates_too(enrollment: Enrollment) -> None:
    from cryptography.hazmat.primitives import serialization

    from mdm_server.pki import services as pki
    from tests.simulator import issue_identity

    pki.ensure_server_pki(organisation="Inventory")
    cert, _key = issue_identity(pki.active_identity("ca"))
    der = cert.public_bytes(serialization.Encoding.DER)
    reported = {
        "CertificateList": [
            {"CommonName": "Identity", "IsIdentity": True, "Data": der},
            {"CommonName": "Unreadable", "IsIdentity": False, "Data": b"junk"},
        ]
    }
    inventory.certificate_list(enrollment, reported)
    stored = InstalledCertificate.objects.get(enrollment=enrollment, common_name="Identity")
    assert stored.not_after == cert.not_valid_after_utc
    with CaptureQueriesContext(connection) as queries:
        inventory.certificate_list(enrollment, reported)
    assert _writes(queries) == []
    InstalledCertificate.objects.filter(pk=stored.pk).update(
        not_after=cert.not_valid_after_utc - dt.timedelta(days=1)
    )
    inventory.certificate_list(enrollment, reported)
    assert InstalledCertificate.objects.get(
        enrollment=enrollment, common_name="Identity"
    ).not_after == (cert.not_valid_after_utc)


def test_the_stored_rows_are_read_without_compiling_sql(
    enrollment: Enrollment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every list result reads the stored rows: that SELECT is compiled once, not by the ORM on
    every result, and reads the same rows (each list's fields, converted as the ORM does)."""
    from django.db.models.sql.compiler import SQLCompiler

    from mdm_server.pki import services as pki
    from tests.simulator import issue_identity

    pki.ensure_server_pki(organisation="Inventory")
    cert, _key = issue_identity(pki.active_identity("ca"))
    from cryptography.hazmat.primitives import serialization

    der = cert.public_bytes(serialization.Encoding.DER)
    apps = {"InstalledApplicationList": [{"Identifier": "com.example.app", "Name": "App"}]}
    certificates = {"CertificateList": [{"CommonName": "Identity", "Data": der}]}
    for _ in range(2):  # compiled by the first
        inventory.profile_list(enrollment, _profiles("wifi", "vpn"))
        inventory.installed_application_list(enrollment, apps)
        inventory.certificate_list(enrollment, certificates)
    compiled: list[object] = []
    as_sql = SQLCompiler.as_sql

    def counted(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)
    with CaptureQueriesContext(connection) as queries:
        inventory.profile_list(enrollment, _profiles("vpn", "wifi"))
        inventory.installed_application_list(enrollment, apps)
        inventory.certificate_list(enrollment, certificates)
    assert compiled == []
    assert len(queries) == 3 and _writes(queries) == []
