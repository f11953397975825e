"""The declaration editor in headless Chromium: fields generated from Apple's declarative schema,
folded help, the keys a User Enrollment does not get marked while editing, a server-side error
shown on its field, and the JSON as the advanced view."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from profiles.declarations.models import Declaration
from tests.console.test_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSCODE = "com.apple.configuration.passcode.settings"
ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"


def _key(page: Any, path: str) -> Any:
    return page.locator(f"#payload-fields .key[data-key='{path}']")


def test_generated_declaration_editor(
    page: Any, live_server: Any, admin_user: User, shot: Any
) -> None:
    base = live_server.url
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/declarations/new/?type={PASSCODE}")
    length = _key(page, "MinimumLength")
    assert "Minimum Passcode Length" in length.locator(".key-head").inner_text()
    assert length.locator("input").get_attribute("max") == "16"  # Apple's range
    assert length.locator("details.help").get_attribute("open") is None  # help folded
    require = _key(page, "RequirePasscode").locator("select")
    assert "(not set: No)" in require.inner_text()  # Apple's default, shown, not filled in
    regex = _key(page, "CustomRegex.Regex")
    assert regex.is_hidden()  # its fieldset is closed
    page.locator("details.key-group[data-group=CustomRegex] > summary").click()
    assert "personal iPhone/iPad" in regex.locator(".ue-mark").inner_text()
    live = page.locator("[data-ue-live]")
    assert live.is_hidden()
    regex.locator("input").fill("^[0-9]+$")
    assert live.is_visible() and "CustomRegex.Regex" in live.inner_text()
    shot("60-declaration-editor")

    page.goto(f"{base}/console/declarations/new/?type={ENFORCEMENT}")
    page.fill("input[name=identifier]", "com.example.ios-18-3")
    _key(page, "TargetOSVersion").locator("input").fill("18.3")
    _key(page, "TargetLocalDateTime").locator("input").fill("next Tuesday")
    page.click("#declaration-form button[type=submit]")
    page.wait_for_selector("#payload-fields .key.has-error")
    error = _key(page, "TargetLocalDateTime").locator(".errorlist")
    assert "yyyy-mm-ddThh:mm:ss" in error.inner_text()
    assert not Declaration.objects.exists()
    shot("61-declaration-editor-error")
    _key(page, "TargetLocalDateTime").locator("input").fill("2026-12-24T18:00:00")
    page.click("#declaration-form button[type=submit]")
    page.wait_for_selector("#payload")
    row = Declaration.objects.get()
    assert row.payload == {"TargetOSVersion": "18.3", "TargetLocalDateTime": "2026-12-24T18:00:00"}
    # The advanced view holds the same payload as JSON.
    page.locator("#advanced > summary").click()
    assert '"TargetOSVersion": "18.3"' in page.locator("#advanced textarea").input_value()
    shot("62-declaration-detail")
