"""The Apps area of the console and /api/v1/apps/: what an admin sees and does, strict input."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from devices.managed_apps import services
from devices.managed_apps.models import App, AppAssignment, AppInstall, AppsBooksToken
from devices.models import Enrollment
from tests.channels import create_channel
from tests.managed_apps.fake_appsbooks import ICON_PNG, FakeAppsBooks, make_vpptoken

pytestmark = pytest.mark.django_db

MAIL = "361309726"


def api(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, data=body or {}, content_type="application/json")


def user_enrollment(apple_id: str) -> Enrollment:
    return create_channel(
        channel_key=f"surf:{apple_id}",
        enrollment_type="user",
        platform="iOS",
        os_version="18.2",
        status=Enrollment.Status.ENROLLED,
        enrollment_id=f"EID-{apple_id}",
        managed_apple_id=apple_id,
        device_name=f"{apple_id.split('@')[0]}'s iPhone",
    )


@pytest.fixture
def location(fake_vpp: FakeAppsBooks, admin_client: Client) -> AppsBooksToken:
    upload = io.BytesIO(fake_vpp.stoken.encode())
    upload.name = "hq.vpptoken"
    response = admin_client.post("/console/apps/locations/", {"name": "HQ", "token": upload})
    assert response.status_code == 302
    token = AppsBooksToken.objects.get()
    assert admin_client.post(f"/console/apps/locations/{token.pk}/sync/").status_code == 302
    return token


def test_console_shows_locations_catalogue_icons_and_licences(
    location: AppsBooksToken, admin_client: Client
) -> None:
    page = admin_client.get("/console/apps/").content.decode()
    assert 'data-location="HQ"' in page and "2027-06-01" in page
    assert "Work Mail" in page and "com.example.workmail" in page
    app = App.objects.get(adam_id=MAIL)
    assert f'<img src="/console/apps/{app.pk}/icon/"' in page  # served by us: CSP img-src 'self'
    icon = admin_client.get(f"/console/apps/{app.pk}/icon/")
    assert (icon["Content-Type"], icon.content) == ("image/png", ICON_PNG)
    assert "0 / 3 / 3" in page  # used / free / total


def test_a_bad_token_upload_is_a_form_error(fake_vpp: FakeAppsBooks, admin_client: Client) -> None:
    upload = io.BytesIO(make_vpptoken("not-ours").encode())
    upload.name = "other.vpptoken"
    response = admin_client.post("/console/apps/locations/", {"name": "HQ", "token": upload})
    assert response.status_code == 400
    assert "Login required. (Apps and Books error 9601)" in response.content.decode()
    assert not AppsBooksToken.objects.exists()


def test_console_assign_tells_what_will_not_apply_and_shows_status(
    location: AppsBooksToken, admin_client: Client
) -> None:
    enrollment = user_enrollment("ann@appleid.example.com")
    app = App.objects.get(adam_id=MAIL)
    response = admin_client.post(
        f"/console/apps/{app.pk}/assign/",
        {
            "scope": "enrollment_type",
            "enrollment_type": "user",
            "mode": "required",
            "configuration": '{"account": "${EMAIL}"}',
            "vpn_uuid": "VPN-1",
            "removable": "unknown",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "1 device(s) will get it" in page
    assert "macOS User Enrollment: ManagementFlags left out" in page
    install = AppInstall.objects.get(enrollment=enrollment)
    assert f'data-device="{enrollment.public_id}"' in page
    assert install.status in page


def test_console_refuses_a_shortage_with_the_reason(
    location: AppsBooksToken, admin_client: Client
) -> None:
    user_enrollment("ann@appleid.example.com")
    user_enrollment("ben@appleid.example.com")
    chat = App.objects.get(adam_id="408709785")
    response = admin_client.post(
        f"/console/apps/{chat.pk}/assign/",
        {"scope": "enrollment_type", "enrollment_type": "user", "mode": "required"},
    )
    assert response.status_code == 400
    assert "not enough licences for Team Chat: 2 needed, 1 free" in response.content.decode()
    assert not AppAssignment.objects.exists()


def test_console_form_errors(location: AppsBooksToken, admin_client: Client) -> None:
    app = App.objects.get(adam_id=MAIL)
    response = admin_client.post(
        f"/console/apps/{app.pk}/assign/",
        {"scope": "device", "mode": "required", "configuration": "[1"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not JSON" in page and "Required for this scope" in page


def test_helpdesk_reads_but_cannot_assign(location: AppsBooksToken, helpdesk_user: User) -> None:
    client = Client()
    client.force_login(helpdesk_user)
    app = App.objects.get(adam_id=MAIL)
    assert client.get(f"/console/apps/{app.pk}/").status_code == 200
    response = client.post(
        f"/console/apps/{app.pk}/assign/", {"scope": "enrollment_type", "mode": "required"}
    )
    assert response.status_code == 403


def test_api_catalogue_assign_installs_and_unassign(
    location: AppsBooksToken, admin_client: Client
) -> None:
    enrollment = user_enrollment("ann@appleid.example.com")
    listing = admin_client.get("/api/v1/apps/").json()
    mail = next(a for a in listing["results"] if a["adam_id"] == MAIL)
    assert (mail["licences_available"], mail["location"]) == (3, "HQ")
    response = api(
        admin_client,
        "post",
        f"/api/v1/apps/{mail['id']}/assign/",
        {
            "scope": "device",
            "device": str(enrollment.public_id),
            "configuration": {"user": "${MANAGED_APPLE_ID}"},
            "vpn_uuid": "VPN-1",
            "associated_domains": ["applinks:example.com"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["requested"] == 1
    assert any("macOS" in w for w in body["warnings"])
    installs = admin_client.get(f"/api/v1/apps/{mail['id']}/installs/").json()
    assert installs["count"] == 1
    assert installs["results"][0]["device"] == str(enrollment.public_id)
    assignment = body["assignment"]["id"]
    assert admin_client.delete(f"/api/v1/apps/assignments/{assignment}/").status_code == 204
    assert not AppAssignment.objects.exists()
    from mdm_server.models import AuditEvent

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"apps.location_uploaded", "apps.assigned", "apps.unassigned"} <= actions


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "device"}, "device"),
        ({"scope": "everyone"}, "scope"),
        ({"scope": "enrollment_type", "enrollment_type": "user", "colour": "red"}, "colour"),
        ({"scope": "group"}, "group"),
    ],
)
def test_api_input_is_strict(
    location: AppsBooksToken, admin_client: Client, body: dict[str, Any], field: str
) -> None:
    app = App.objects.get(adam_id=MAIL)
    response = api(admin_client, "post", f"/api/v1/apps/{app.pk}/assign/", body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_api_refuses_a_configuration_a_device_cannot_get(
    location: AppsBooksToken, admin_client: Client
) -> None:
    app = App.objects.get(adam_id=MAIL)
    body = {"scope": "enrollment_type", "enrollment_type": "user", "configuration": {"a": None}}
    response = api(admin_client, "post", f"/api/v1/apps/{app.pk}/assign/", body)
    assert response.status_code == 400
    assert "a is null" in response.json()["error"]["message"]
    assert not AppAssignment.objects.exists()


def test_api_refusals_are_clear(location: AppsBooksToken, admin_client: Client) -> None:
    app = App.objects.get(adam_id="377298193")  # no licences
    user_enrollment("ann@appleid.example.com")
    response = api(
        admin_client,
        "post",
        f"/api/v1/apps/{app.pk}/assign/",
        {"scope": "enrollment_type", "enrollment_type": "user"},
    )
    assert response.status_code == 400
    assert "not enough licences for Expenses" in response.json()["error"]["message"]
    bad = api(admin_client, "post", "/api/v1/apps/locations/", {"name": "X", "token": "!!"})
    assert bad.status_code == 400 and "base64" in bad.json()["error"]["message"]


def test_api_available_app_installed_on_request(
    location: AppsBooksToken, admin_client: Client
) -> None:
    enrollment = user_enrollment("ann@appleid.example.com")
    app = App.objects.get(adam_id=MAIL)
    result = services.assign_app(
        app=app, scope="enrollment_type", enrollment_type="user", mode="available"
    )
    assert not AppInstall.objects.exists()  # available: nothing until asked
    response = api(
        admin_client,
        "post",
        f"/api/v1/apps/assignments/{result.assignment.public_id}/install/",
        {"device": str(enrollment.public_id)},
    )
    assert response.status_code == 202
    assert AppInstall.objects.get().enrollment == enrollment


def test_api_custom_app_needs_https(admin_client: Client) -> None:
    bad = api(
        admin_client,
        "post",
        "/api/v1/apps/",
        {"name": "LOB", "manifest_url": "http://apps.example.com/lob.plist"},
    )
    assert bad.status_code == 400 and "https://" in bad.json()["error"]["message"]
    good = api(
        admin_client,
        "post",
        "/api/v1/apps/",
        {"name": "LOB", "manifest_url": "https://apps.example.com/lob.plist", "enterprise": True},
    )
    assert good.status_code == 201 and good.json()["kind"] == "enterprise"


def test_dashboard_warns_about_a_token_used_elsewhere(
    location: AppsBooksToken, fake_vpp: FakeAppsBooks, admin_client: Client
) -> None:
    fake_vpp.mdm_info = {"id": "another-mdm", "name": "Other MDM", "metadata": "other.example.com"}
    with pytest.raises(services.ManagedAppsError):
        services.sync_token(token=location)
    page = admin_client.get("/console/").content.decode()
    assert "Apps and Books location HQ: another MDM server (Other MDM) uses this content" in page
