"""The device page's Install button for an available app, in headless Chromium: the panel
offers the app with what will not apply on the device, the confirmation page asks once, and
the install reaches the device."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from devices.managed_apps import services
from devices.managed_apps.models import AppAssignment, AppInstall
from mdm_server.models import AuditEvent
from tests.console.test_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_install_an_available_app_from_the_device_page(
    page: Any, live_server: Any, admin_user: User, live_device: Any, shot: Any
) -> None:
    base = live_server.url
    device, phone = live_device(platform="iOS", user_enrollment=True)
    app = services.add_custom_app(
        name="Field Notes",
        manifest_url="https://apps.example.com/notes.plist",
        bundle_id="com.example.notes",
    )
    services.assign_app(
        app=app,
        scope=AppAssignment.Scope.ENROLLMENT_TYPE,
        enrollment_type="user",
        mode=AppAssignment.Mode.AVAILABLE,
        removable=False,
    )
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/devices/{phone.public_id}/")
    row = page.locator('#device-available-apps tr[data-available="com.example.notes"]')
    assert "Field Notes" in row.inner_text()
    shot("70-device-page-available-app")
    row.get_by_role("link", name="Install").click()
    page.wait_for_url(re.compile(r".*/console/apps/assignments/.*/install/.*/$"))
    button = page.locator("#install-confirm button[type=submit]")
    assert button.inner_text() == f"Install Field Notes on {phone.display_name}"
    assert not AppInstall.objects.exists()
    shot("71-install-confirm")
    button.click()
    page.wait_for_url(re.compile(rf".*/console/devices/{phone.public_id}/$"))
    assert "Field Notes will be installed on" in page.inner_text(".messages")
    installed = page.locator('#device-managed-apps tr[data-app="com.example.notes"]')
    assert installed.get_attribute("data-status") == "installing"
    assert page.locator("#device-available-apps").count() == 0
    assert AuditEvent.objects.filter(action="apps.install_requested").count() == 1
    handled = device.run()
    command = next(r for r in handled if r.request_type == "InstallApplication")
    assert command.command["ManifestURL"] == "https://apps.example.com/notes.plist"
