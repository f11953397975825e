"""The device page's "Managed apps" panel offers each available app that applies to the
device with an Install button: a confirmation page (with what will not apply there, from the
capability filter), then the install is requested, audited and delivered to the device."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from devices.managed_apps import services
from devices.managed_apps.models import App, AppAssignment, AppInstall
from mdm_server.models import AuditEvent
from tests.managed_apps.conftest import apps_panel
from tests.managed_apps.fake_appsbooks import FakeAppsBooks
from tests.managed_apps.test_end_to_end import MAIL, drive, enrolled, run
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db

VPN = "9A5E2A3C-7A3B-4C0B-9C55-1E4C5E0C6B11"
Capture = Callable[..., Any]


@pytest.fixture
def catalogue(fake_vpp: FakeAppsBooks) -> App:
    token = services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    services.sync_token(token=token)
    return App.objects.get(adam_id=MAIL)


def panel(client: Client, device: Any) -> str:
    return apps_panel(client.get(f"/console/devices/{device.public_id}/").content.decode())


def test_an_available_app_is_installed_from_the_device_page(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
    admin_client: Client,
) -> None:
    mac, enrollment = enrolled(
        make_device,
        fake_vpp,
        platform="macOS",
        user_enrollment=True,
        apple_id="ann@appleid.example.com",
    )
    result = services.assign_app(
        app=catalogue,
        scope=AppAssignment.Scope.ENROLLMENT_TYPE,
        enrollment_type="user",
        mode=AppAssignment.Mode.AVAILABLE,
        vpn_uuid=VPN,
    )
    assert result.requested == 0  # available: nothing until someone asks
    shown = panel(admin_client, enrollment)
    url = f"/console/apps/assignments/{result.assignment.public_id}/install/{enrollment.public_id}/"
    assert 'data-available="com.example.workmail"' in shown and f'href="{url}"' in shown
    # The capability filter's explanation, for this Mac under User Enrollment.
    assert "ManagementFlags left out" in shown and "Attributes.VPNUUID has no effect" in shown

    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Install Work Mail on" in text and "ManagementFlags left out" in text
    assert not AppInstall.objects.exists()  # asking to confirm changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(url)
    assert done.status_code == 302 and done["Location"].endswith(f"/{enrollment.public_id}/")
    event = AuditEvent.objects.get(action="apps.install_requested")
    assert event.actor_name == "alice-admin" and str(enrollment.public_id) in str(event.details)
    drive()
    install = AppInstall.objects.get()
    assert install.status == AppInstall.Status.INSTALLING and install.licence == "user"
    assert run(mac, django_capture_on_commit_callbacks)[0] == "InstallApplication"
    assert "com.example.workmail" in mac.managed_apps
    # On its way: no second button.
    assert 'data-available="com.example.workmail"' not in panel(admin_client, enrollment)
    again = admin_client.post(url)
    assert again.status_code == 400 and "not available to this device" in again.content.decode()


def test_only_apps_assigned_to_the_device_and_for_its_platform_are_offered(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    admin_client: Client,
) -> None:
    _, phone = enrolled(
        make_device,
        fake_vpp,
        platform="iOS",
        user_enrollment=True,
        apple_id="ann@appleid.example.com",
    )
    package = services.add_custom_app(
        name="Mac Tool", manifest_url="https://apps.example.com/t.plist", platforms=["macOS"]
    )
    services.assign_app(
        app=package,
        scope=AppAssignment.Scope.ENROLLMENT_TYPE,
        enrollment_type="user",
        mode=AppAssignment.Mode.AVAILABLE,
    )
    elsewhere = services.assign_app(
        app=catalogue,
        scope=AppAssignment.Scope.ENROLLMENT_TYPE,
        enrollment_type="device",  # not this User Enrollment
        mode=AppAssignment.Mode.AVAILABLE,
    )
    required = services.assign_app(
        app=App.objects.get(adam_id="408709785"),
        scope=AppAssignment.Scope.DEVICE,
        enrollment=phone,
    )
    shown = panel(admin_client, phone)
    assert "Available to install" not in shown
    assert "Mac Tool" not in shown
    for assignment in (elsewhere.assignment, required.assignment):
        url = f"/console/apps/assignments/{assignment.public_id}/install/{phone.public_id}/"
        response = admin_client.post(url)
        assert response.status_code in (400, 404)
    assert not AuditEvent.objects.filter(action="apps.install_requested").exists()


def test_a_viewer_cannot_install(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    client: Client,
    django_user_model: Any,
) -> None:
    _, phone = enrolled(
        make_device,
        fake_vpp,
        platform="iOS",
        user_enrollment=True,
        apple_id="a@appleid.example.com",
    )
    result = services.assign_app(
        app=catalogue,
        scope=AppAssignment.Scope.DEVICE,
        enrollment=phone,
        mode=AppAssignment.Mode.AVAILABLE,
    )
    url = f"/console/apps/assignments/{result.assignment.public_id}/install/{phone.public_id}/"
    response = client.post(url)  # not signed in
    assert response.status_code in (302, 403)
    assert not AppInstall.objects.exists()
