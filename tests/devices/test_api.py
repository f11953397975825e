"""Devices REST API: token auth and roles, filters, cursor pages, commands, logs, audit, errors."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from mdm_server import api_tokens
from mdm_server.models import ApiToken, AuditEvent
from tests.devices._rows import bulk_devices, enrolled, later_commands, later_deliveries
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]


def _client(user: User) -> APIClient:
    token = api_tokens.create_api_token(user=user, actor=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def admin_api(admin_user: User) -> APIClient:
    return _client(admin_user)


@pytest.fixture
def helpdesk_api(helpdesk_user: User) -> APIClient:
    return _client(helpdesk_user)


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


# --- auth ----------------------------------------------------------------------------------------


def test_anonymous_and_bad_tokens_are_refused() -> None:
    client = APIClient()
    assert client.get("/api/v1/devices/").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/devices/")
    assert response.status_code == 401
    assert _error(response)["message"]


def test_token_of_a_user_without_role_cannot_be_issued(outsider_user: User) -> None:
    with pytest.raises(api_tokens.TokenError, match="no console role"):
        api_tokens.create_api_token(user=outsider_user, actor=None)


def test_revoked_token_stops_working(admin_user: User) -> None:
    client = _client(admin_user)
    assert client.get("/api/v1/devices/").status_code == 200
    api_tokens.revoke_api_token(user=admin_user, actor=None)
    assert client.get("/api/v1/devices/").status_code == 401


# --- devices -------------------------------------------------------------------------------------


def test_device_list_filters_and_hides_hardware_ids_of_ue(helpdesk_api: APIClient) -> None:
    bulk_devices(6)
    body = helpdesk_api.get("/api/v1/devices/", {"enrollment_type": "user"}).json()
    assert len(body["results"]) == 2
    for row in body["results"]:
        assert row["enrollment_type"] == "user"
        assert row["user_enrollment_enrolled"] is True
        assert not {"udid", "serial_number", "imei"} & set(row)
    de = helpdesk_api.get("/api/v1/devices/", {"enrollment_type": "device"}).json()["results"]
    assert len(de) == 2
    assert all(r["serial_number"].startswith("SER") for r in de)


def test_device_list_bad_filter_is_400_with_the_field(helpdesk_api: APIClient) -> None:
    response = helpdesk_api.get("/api/v1/devices/", {"platform": "Windows", "seen_within": "x"})
    assert response.status_code == 400
    assert {"platform", "seen_within"} <= set(_error(response)["fields"])


def test_device_list_cursor_pages(helpdesk_api: APIClient) -> None:
    bulk_devices(120)
    seen: list[str] = []
    url: str | None = "/api/v1/devices/?page_size=50"
    while url:
        body = helpdesk_api.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 120
    assert "count" not in body  # no COUNT(*) over the table


def test_device_list_query_count_does_not_grow(helpdesk_api: APIClient) -> None:
    bulk_devices(300)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert helpdesk_api.get("/api/v1/devices/", {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    bulk_devices(1200)
    assert queries() == small <= 6


def test_device_detail_and_unknown_id(helpdesk_api: APIClient, make_device: MakeDevice) -> None:
    _, ue = enrolled(make_device)
    body = helpdesk_api.get(f"/api/v1/devices/{ue.public_id}/").json()
    assert body["id"] == str(ue.public_id) and "udid" not in body
    missing = helpdesk_api.get("/api/v1/devices/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"


def test_capabilities_endpoint_explains_refusals(
    helpdesk_api: APIClient, make_device: MakeDevice
) -> None:
    _, ue = enrolled(make_device)
    body = helpdesk_api.get(f"/api/v1/devices/{ue.public_id}/capabilities/").json()
    assert body["EraseDevice"]["allowed"] is False and body["EraseDevice"]["reason"]
    assert body["DeviceInformation"]["allowed"] is True


# --- commands ------------------------------------------------------------------------------------


def test_queue_command_then_read_result_and_logs(
    admin_api: APIClient, admin_user: User, make_device: MakeDevice
) -> None:
    sim, ue = enrolled(make_device)
    response = admin_api.post(
        "/api/v1/commands/",
        {"command": "DeviceInformation", "devices": [str(ue.public_id)]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["queued"] == [str(ue.public_id)] and body["refused"] == {}
    uuid = body["commands"][0]["uuid"]
    audit = AuditEvent.objects.get(action="devices.command_queued")
    assert audit.actor == admin_user and audit.details["origin"] == "api"
    sim.run()
    detail = admin_api.get(f"/api/v1/commands/{uuid}/").json()
    assert detail["progress"]["acknowledged"] == 1 and detail["progress"]["total"] == 1
    deliveries = admin_api.get(f"/api/v1/devices/{ue.public_id}/commands/").json()["results"]
    assert deliveries[0]["status"] == "acknowledged"
    assert deliveries[0]["result"]["QueryResponses"]["DeviceName"].startswith("Simulated")
    logs = admin_api.get(
        f"/api/v1/devices/{ue.public_id}/logs/", {"action": "DeviceInformation"}
    ).json()["results"]
    assert {e["status"] for e in logs} == {"sent", "acknowledged"}
    bad = admin_api.get(f"/api/v1/devices/{ue.public_id}/logs/", {"since": "nope"})
    assert bad.status_code == 400 and "since" in _error(bad)["fields"]


def test_refused_command_is_400_with_the_reason(
    admin_api: APIClient, make_device: MakeDevice
) -> None:
    _, ue = enrolled(make_device)
    response = admin_api.post(
        "/api/v1/commands/",
        {"command": "EraseDevice", "devices": [str(ue.public_id)], "confirm": True},
        format="json",
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "refused" and "not allowed" in error["message"]
    assert error["refused"][str(ue.public_id)]
    assert not later_commands().exists()


def test_partial_refusal_queues_the_rest(admin_api: APIClient, make_device: MakeDevice) -> None:
    _, ue = enrolled(make_device, user_enrollment=True)
    _, de = enrolled(make_device, user_enrollment=False)
    response = admin_api.post(
        "/api/v1/commands/",
        {"command": "EraseDevice", "devices": [str(ue.public_id), str(de.public_id)],
         "confirm": True},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert body["queued"] == [str(de.public_id)] and str(ue.public_id) in body["refused"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"command": "Nope", "devices": ["00000000-0000-0000-0000-000000000001"]}, "command"),
        ({"command": "DeviceInformation", "devices": []}, "devices"),
        ({"command": "DeviceInformation", "devices": ["not-a-uuid"]}, "devices.0"),
        ({"command": "EraseDevice", "devices": ["00000000-0000-0000-0000-000000000001"]}, "confirm"),
        ({"command": "InstallApplication", "devices": ["@"], "params": {}}, "devices.0"),
        ({"command": "RemoveProfile", "params": {"Bogus": 1}, "devices": ["00000000-0000-0000-0000-000000000001"]}, "params"),
        ({"command": "InstallProfile", "params": {"Payload": "%%%"}, "devices": ["00000000-0000-0000-0000-000000000001"]}, "params.Payload"),
    ],
)  # fmt: skip
def test_bad_command_input_is_400_with_the_field(
    admin_api: APIClient, payload: dict[str, Any], field: str
) -> None:
    response = admin_api.post("/api/v1/commands/", payload, format="json")
    assert response.status_code == 400
    assert field in _error(response)["fields"], response.json()


def _profile_with_a_payload_nested(depth: int) -> bytes:
    payload = (
        "<dict><key>PayloadType</key><string>com.apple.wifi.managed</string>"
        "<key>PayloadIdentifier</key><string>com.ex.wifi</string>"
        "<key>PayloadUUID</key><string>9A2E5C3B-1A2B-4C3D-8E9F-0A1B2C3D4E5F</string>"
        "<key>PayloadVersion</key><integer>1</integer>"
        f"<key>SSID_STR</key>{'<array>' * depth}{'</array>' * depth}</dict>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
        f"<key>PayloadContent</key><array>{payload}</array>"
        "<key>PayloadType</key><string>Configuration</string>"
        "<key>PayloadIdentifier</key><string>com.ex.deep</string>"
        "<key>PayloadUUID</key><string>1A2E5C3B-1A2B-4C3D-8E9F-0A1B2C3D4E5F</string>"
        "<key>PayloadVersion</key><integer>1</integer></dict></plist>"
    ).encode()


def test_a_profile_nested_too_deeply_is_refused_with_the_reason(
    admin_api: APIClient, make_device: MakeDevice
) -> None:
    """InstallProfile's Payload was read with plistlib (an XML plist of any depth parses) and
    then walked: 5,000 nested arrays in a payload were a RecursionError, a 500 (the console's
    action too)."""
    _, de = enrolled(make_device, user_enrollment=False)
    response = admin_api.post(
        "/api/v1/commands/",
        {"command": "InstallProfile", "devices": [str(de.public_id)],
         "params": {"Payload": base64.b64encode(_profile_with_a_payload_nested(5000)).decode()}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "nested more than" in str(_error(response)["fields"]["params.Payload"])
    assert not later_commands().exists()


def test_builder_errors_name_the_parameter(admin_api: APIClient, make_device: MakeDevice) -> None:
    _, de = enrolled(make_device, user_enrollment=False)
    response = admin_api.post(
        "/api/v1/commands/",
        {"command": "InstallApplication", "devices": [str(de.public_id)],
         "params": {"ManifestURL": "http://x.example/a.plist"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "params.ManifestURL" in _error(response)["fields"]
    response = admin_api.post(
        "/api/v1/commands/",
        {"command": "InstallProfile", "devices": [str(de.public_id)],
         "params": {"Payload": base64.b64encode(b"not a profile").decode()}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "params.Payload" in _error(response)["fields"]


def test_unknown_device_in_command_is_404(admin_api: APIClient) -> None:
    unknown = "00000000-0000-0000-0000-000000000009"
    response = admin_api.post(
        "/api/v1/commands/", {"command": "DeviceInformation", "devices": [unknown]}, format="json"
    )
    assert response.status_code == 404
    error = _error(response)
    assert error["code"] == "not_found" and "unknown device" in error["message"]
    assert error["fields"] == {"devices": [f"unknown device {unknown}"]}
    assert not later_commands().exists()


def test_helpdesk_cannot_queue(helpdesk_api: APIClient, make_device: MakeDevice) -> None:
    _, ue = enrolled(make_device)
    response = helpdesk_api.post(
        "/api/v1/commands/",
        {"command": "DeviceInformation", "devices": [str(ue.public_id)]},
        format="json",
    )
    assert response.status_code == 403 and _error(response)["code"] == "permission_denied"
    assert not later_deliveries().exists()


def test_command_types_list_the_registry(helpdesk_api: APIClient) -> None:
    rows = {r["name"]: r for r in helpdesk_api.get("/api/v1/command-types/").json()}
    assert rows["EraseDevice"]["destructive"] is True
    assert rows["Unenroll"]["request_type"] == "RemoveProfile"


# --- audit log and tokens ----------------------------------------------------------------------


def test_audit_api_filters(helpdesk_api: APIClient, admin_user: User) -> None:
    from mdm_server import audit

    audit.record(actor=admin_user, action="devices.command_queued", details={"x": 1})
    audit.record(actor=None, action="apns.certificate_expiring")
    rows = helpdesk_api.get("/api/v1/audit/", {"actor": "alice"}).json()["results"]
    assert [r["action"] for r in rows] == ["devices.command_queued"]
    bad = helpdesk_api.get("/api/v1/audit/", {"since": "2026-02-02", "until": "2026-01-01"})
    assert bad.status_code == 400 and "until" in _error(bad)["fields"]


def test_token_api_is_for_administrators(
    admin_api: APIClient, helpdesk_api: APIClient, helpdesk_user: User
) -> None:
    assert helpdesk_api.get("/api/v1/tokens/").status_code == 403
    created = admin_api.post("/api/v1/tokens/", {"username": helpdesk_user.username})
    assert created.status_code == 201
    key = created.json()["key"]
    assert created["Cache-Control"] == "no-store"
    listed = admin_api.get("/api/v1/tokens/").json()
    assert {t["username"] for t in listed} == {helpdesk_user.username, "alice-admin"}
    assert all("key" not in t for t in listed)
    assert api_tokens.token_for_key(key).user == helpdesk_user
    assert admin_api.post("/api/v1/tokens/", {"username": "ghost"}).status_code == 400
    assert admin_api.delete(f"/api/v1/tokens/{helpdesk_user.username}/").status_code == 204
    assert admin_api.delete(f"/api/v1/tokens/{helpdesk_user.username}/").status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"api.token_created", "api.token_revoked"} <= actions


def test_api_token_management_command(helpdesk_user: User, capsys: Any) -> None:
    call_command("api_token", "create", helpdesk_user.username)
    key = capsys.readouterr().out.strip()
    assert api_tokens.token_for_key(key).user == helpdesk_user
    call_command("api_token", "list")
    assert helpdesk_user.username in capsys.readouterr().out
    call_command("api_token", "revoke", helpdesk_user.username)
    assert not ApiToken.objects.filter(user=helpdesk_user).exists()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no API token"):
        call_command("api_token", "revoke", helpdesk_user.username)
    with pytest.raises(CommandError, match="no user named"):
        call_command("api_token", "create", "ghost")


def test_console_token_section_creates_and_revokes(
    admin_client: Any, helpdesk_client: Any, helpdesk_user: User
) -> None:
    settings_page = admin_client.get("/console/settings/").content.decode()
    assert 'id="api-tokens"' in settings_page
    assert 'id="api-tokens"' not in helpdesk_client.get("/console/settings/").content.decode()
    response = admin_client.post("/console/settings/tokens/", {"username": helpdesk_user.username})
    assert response.status_code == 200
    body = response.content.decode()
    key = body.split('id="token-key" class="token">', 1)[1].split("<", 1)[0]
    assert api_tokens.token_for_key(key).user == helpdesk_user
    assert response["Cache-Control"] == "no-store"
    assert key not in admin_client.get("/console/settings/").content.decode()
    bad = admin_client.post("/console/settings/tokens/", {"username": "ghost"})
    assert bad.status_code == 400 and "No user named" in bad.content.decode()
    assert helpdesk_client.post("/console/settings/tokens/", {"username": "x"}).status_code == 403
    revoke = admin_client.post(f"/console/settings/tokens/{helpdesk_user.pk}/revoke/")
    assert revoke.status_code == 302 and not ApiToken.objects.filter(user=helpdesk_user).exists()


def test_console_audit_page_filters(admin_client: Any, admin_user: User) -> None:
    from mdm_server import audit

    audit.record(actor=admin_user, action="devices.command_queued")
    audit.record(actor=None, action="apns.certificate_expiring")
    page = admin_client.get("/console/audit/", {"action": "apns"}).content.decode()
    assert 'data-action="apns.certificate_expiring"' in page
    assert 'data-action="devices.command_queued"' not in page
    page = admin_client.get("/console/audit/", {"since": "bad"}).content.decode()
    assert "Enter a valid date" in page


def test_openapi_schema_lists_device_endpoints(helpdesk_api: APIClient) -> None:
    response = helpdesk_api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/devices/", "/api/v1/commands/", "/api/v1/audit/", "/api/v1/tokens/"):
        assert path in paths


def test_cancel_pending_command_over_the_api(
    admin_api: APIClient, helpdesk_api: APIClient, make_device: MakeDevice
) -> None:
    _, de = enrolled(make_device, user_enrollment=False)
    admin_api.post(
        "/api/v1/commands/",
        {"command": "SecurityInfo", "devices": [str(de.public_id)]},
        format="json",
    )
    delivery = later_deliveries().get()
    url = f"/api/v1/devices/{de.public_id}/commands/{delivery.pk}/cancel/"
    assert helpdesk_api.post(url).status_code == 403
    response = admin_api.post(url)
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    again = admin_api.post(url)
    assert again.status_code == 409 and "already canceled" in _error(again)["message"]
    missing = admin_api.post(f"/api/v1/devices/{de.public_id}/commands/999999/cancel/")
    assert missing.status_code == 404
