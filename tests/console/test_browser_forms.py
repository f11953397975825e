"""Forms an admin can use, in headless Chromium: enrollment settings in sections with named
AccessRights, a DeviceInformation checklist with what a personal device may not be asked greyed,
and confirm buttons that count the devices."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from enrollment.models import EnrollmentSettings
from tests.console.test_browser import _sign_in
from tests.devices._rows import bulk_devices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrollment_settings_sections_and_named_access_rights(
    page: Any, live_server: Any, admin_user: User, shot: Any, server_pki: Any
) -> None:
    base = live_server.url
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/enrollment/")
    sections = page.locator("#enrollment-settings fieldset.settings-section legend")
    titles = sections.all_inner_texts()
    assert titles[:3] == [
        "User Enrollment (personal devices)",
        "Sign-in and token lifetimes",
        "Device Enrollment (organisation-owned devices)",
    ]
    rights = page.locator("[data-field=device_access_rights] input[type=checkbox]")
    assert rights.count() == 13
    erase = page.locator("[data-field=device_access_rights] label", has_text="Allow device erase")
    assert erase.locator("input").is_checked()
    erase.locator("input").uncheck()
    page.locator(
        "[data-field=device_access_rights] label",
        has_text="Allow inspection of installed configuration profiles",
    ).locator("input").uncheck()
    page.click("#enrollment-settings button[type=submit]")
    # Removing profiles needs inspecting them: refused with both rights named, nothing saved.
    error = page.locator("[data-field=device_access_rights] .errorlist").inner_text()
    assert "needs 1 (Allow inspection of installed configuration profiles)" in error
    assert EnrollmentSettings.load().device_access_rights == 8191
    shot("50-enrollment-settings-access-rights-error")
    page.locator(
        "[data-field=device_access_rights] label",
        has_text="Allow inspection of installed configuration profiles",
    ).locator("input").check()
    page.locator("[data-field=device_access_rights] label", has_text="Allow device erase").locator(
        "input"
    ).uncheck()
    page.click("#enrollment-settings button[type=submit]")
    page.wait_for_selector(".messages")
    assert EnrollmentSettings.load().device_access_rights == 8191 - 8
    shot("51-enrollment-settings-sections")


def test_device_information_checklist_and_counted_confirms(
    page: Any, live_server: Any, admin_user: User, live_device: Any, shot: Any
) -> None:
    base = live_server.url
    _, ue = live_device(platform="iOS", user_enrollment=True)
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/devices/{ue.public_id}/actions/DeviceInformation/")
    serial = page.locator("[data-field=Queries] input[value=SerialNumber]")
    assert serial.is_disabled()
    assert "User Enrollment" in (serial.get_attribute("title") or "")
    os_version = page.locator("[data-field=Queries] input[value=OSVersion]")
    assert os_version.is_enabled()
    os_version.check()
    button = page.locator("#action-form button[type=submit]")
    assert button.inner_text() == f"Refresh device information on {ue.display_name}"
    shot("52-device-information-checklist")
    button.click()
    page.wait_for_url(re.compile(r".*\?tab=commands$"))

    bulk_devices(5)  # two personal devices among them: with ours, three of six may not be erased
    page.goto(f"{base}/console/devices/")
    page.check("#bulk-form input[name=all_matching]")
    page.select_option("#bulk-form select[name=action]", "EraseDevice")
    page.click("#bulk-form .bulkbar button")
    page.wait_for_url(re.compile(r".*/console/devices/bulk/.*"))
    confirm = page.locator("#bulk-confirm button[type=submit]")
    assert confirm.get_attribute("data-confirm-count") == "3"
    assert confirm.inner_text() == "Erase device on 3 devices (skip 3)"
    assert "Yes, erase on 3 devices" in page.inner_text("#bulk-confirm")
    shot("53-bulk-confirm-count")
    # The options of the selected devices' platforms, each saying for how many it applies.
    pin = page.locator("#bulk-confirm [data-field=PIN]")
    assert "For 1 of 3 devices. 2 have no such option on their platform" in pin.inner_text()
    plan = page.locator("#bulk-confirm [data-field=PreserveDataPlan]")
    assert "For 2 of 3 devices. 1 has no such option on its platform" in plan.inner_text()
    shot("54-bulk-erase-options-per-platform")

    # DeviceInformation on every device: queries only some may be asked are counted, and
    # the personal devices' limits are named.
    page.goto(f"{base}/console/devices/")
    page.check("#bulk-form input[name=all_matching]")
    page.select_option("#bulk-form select[name=action]", "DeviceInformation")
    page.click("#bulk-form .bulkbar button")
    page.wait_for_url(re.compile(r".*/console/devices/bulk/.*"))
    queries = page.locator("#bulk-confirm [data-field=Queries]")
    assert "SerialNumber (3 of 6 devices)" in queries.inner_text()
    assert page.locator("#bulk-confirm input[value=OSVersion]").is_enabled()
    shot("55-bulk-device-information-counted-queries")
