"""REST API of declarations: build, refuse with reasons, assign, read status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from devices.models import Enrollment
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def test_build_assign_and_read_device_status(
    admin_client: Client, make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    enrollment = Enrollment.objects.get()
    bad = _post(
        admin_client,
        "/api/v1/declarations/",
        {"declaration_type": ENFORCEMENT, "identifier": "com.ex.up", "payload": {"X": 1}},
    )
    assert bad.status_code == 400
    assert "TargetOSVersion: is required" in bad.json()["error"]["fields"]["payload"]
    created = _post(
        admin_client,
        "/api/v1/declarations/",
        {
            "declaration_type": ENFORCEMENT,
            "identifier": "com.ex.up",
            "payload": {"TargetOSVersion": "18.3", "TargetLocalDateTime": "2026-12-24T18:00:00"},
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    ios_user = [v for v in body["verdicts"] if v["platform"] == "iOS" and v["kind"] == "user"]
    assert "User Enrollments" in ios_user[0]["refused"]
    passcode = _post(
        admin_client,
        "/api/v1/declarations/",
        {
            "declaration_type": "com.apple.configuration.passcode.settings",
            "identifier": "com.ex.pass",
            "payload": {"RequirePasscode": True},
        },
    )
    assert passcode.status_code == 201
    unknown = _post(
        admin_client, "/api/v1/declaration-sets/", {"name": "w", "declarations": ["com.ex.none"]}
    )
    assert unknown.status_code == 400 and "com.ex.none" in unknown.content.decode()
    work = _post(
        admin_client,
        "/api/v1/declaration-sets/",
        {"name": "w", "declarations": ["com.ex.up", "com.ex.pass"]},
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        assigned = _post(
            admin_client,
            f"/api/v1/declaration-sets/{work['id']}/assignments/",
            {"kind": "enrollment", "enrollment": str(enrollment.public_id)},
        )
    assert assigned.status_code == 201, assigned.content
    no_target = _post(
        admin_client, f"/api/v1/declaration-sets/{work['id']}/assignments/", {"kind": "group"}
    )
    assert no_target.status_code == 400
    phone.run()
    status = admin_client.get(f"/api/v1/declarations/devices/{enrollment.public_id}/").json()
    assert status["stale"] is False and status["os_version"] == "18.2"
    assert "com.ex.pass" in status["served"] and "com.ex.up" not in status["served"]
    assert "User Enrollments" in status["withheld"]["com.ex.up"]
    states = {s["identifier"]: s for s in status["states"]}
    assert states["com.ex.pass"]["active"] is True and states["com.ex.pass"]["valid"] == "valid"
    per_declaration = admin_client.get(f"/api/v1/declarations/{passcode.json()['id']}/status/")
    assert per_declaration.json()["results"][0]["enrollment"] == str(enrollment.public_id)
    changed = admin_client.patch(
        f"/api/v1/declarations/{passcode.json()['id']}/",
        {"payload": {"RequirePasscode": True, "MinimumLength": 6}},
        content_type="application/json",
    )
    assert changed.json()["version"] == 2
    assert changed.json()["server_token"] != passcode.json()["server_token"]


def test_hostile_status_report_is_a_400_and_keeps_what_was_stored(make_device: MakeDevice) -> None:
    import json

    phone = make_device()
    phone.enroll()
    phone.sync_declarations()  # a first full status report
    from profiles.declarations.models import ChannelStatus

    before = ChannelStatus.objects.get().os_version
    for data in (b"[1]", b"{", json.dumps({"StatusItems": [1]}).encode()):
        status, body = phone.checkin(
            {
                "MessageType": "DeclarativeManagement",
                "Endpoint": "status",
                "Data": data,
                **phone.ids(),
            }
        )
        assert status == 400 and body
    assert ChannelStatus.objects.get().os_version == before == "18.2"
    raw = Enrollment.objects.get().ddm_status  # the raw report kept by the check-in
    assert raw["StatusItems"]["device"]["operating-system"]["version"] == "18.2"
    status, _ = phone.checkin(
        {"MessageType": "DeclarativeManagement", "Endpoint": "declaration/profile/x", **phone.ids()}
    )
    assert status == 400
