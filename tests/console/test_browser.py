"""The console end to end in headless Chromium, with a simulated User-Enrollment iPhone over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, base: str, user: User, shot: Callable[[str], Path] | None = None) -> None:
    page.goto(f"{base}/console/login/")
    if shot:
        shot("01-login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-" + user.username)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def test_user_enrollment_device_end_to_end(
    page: Any, live_server: Any, admin_user: User, live_device: Any, shot: Any
) -> None:
    base = live_server.url
    sim, ue = live_device(platform="iOS", user_enrollment=True)
    live_device(platform="macOS", user_enrollment=False, os_version="15.2")

    _sign_in(page, base, admin_user, shot)
    assert page.inner_text("[data-stat=enrolled] .n") == "2"
    assert "User Enrollment" in page.inner_text("[data-chart=type]")
    shot("02-dashboard")

    page.click("nav a[data-nav=devices]")
    page.wait_for_url(f"{base}/console/devices/")
    rows = page.locator("#device-table tbody tr[data-device]")
    assert rows.count() == 2
    shot("03-devices-list")

    page.click(f"tr[data-device='{ue.public_id}'] a")
    page.wait_for_url(re.compile(rf".*/console/devices/{ue.public_id}/$"))
    assert page.is_visible("[data-ue-banner]")
    summary = page.inner_text("#summary")
    assert "Serial number" not in summary and "UDID" not in summary and "IMEI" not in summary
    shot("04-device-summary")

    page.click("#actions-menu summary")
    erase = page.locator("li[data-action=EraseDevice]")
    assert erase.get_attribute("data-allowed") == "no"
    assert erase.locator("a").count() == 0  # no link: it cannot be clicked
    reason = erase.locator(".reason").inner_text()
    assert "User Enrollment" in reason or "not" in reason.lower(), reason
    shot("05-actions-menu")

    page.click("li[data-action=DeviceInformation] a")
    page.wait_for_url(re.compile(r".*/actions/DeviceInformation/$"))
    shot("06-action-form")
    page.click("#action-form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?tab=commands$"))
    # Newest first; the row below it is the inventory asked when the enrollment completed.
    rows = page.locator("tr[data-command=DeviceInformation]")
    assert rows.first.get_attribute("data-status") == "queued"

    handled = sim.run()  # the simulated iPhone polls over HTTP and answers
    assert [h.request_type for h in handled] == ["DeviceInformation"]
    page.reload()
    assert rows.first.get_attribute("data-status") == "acknowledged"
    assert "DeviceName: Simulated" in page.locator("pre.plist").first.inner_text()
    shot("07-commands-result")

    page.click("a[data-tab=logs]")
    page.select_option("#log-filters select[name=action]", "DeviceInformation")
    page.click("#log-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*action=DeviceInformation.*"))
    statuses = page.locator("#logs tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.status)"
    )
    assert "acknowledged" in statuses and "sent" in statuses
    assert all(
        a == "DeviceInformation"
        for a in page.locator("#logs tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.action)"
        )
    )
    shot("08-device-logs")

    from devices import services

    for request_type in (
        "SecurityInfo",
        "ProfileList",
        "CertificateList",
        "ManagedApplicationList",
    ):
        services.enqueue_command(enrollments=[ue], request_type=request_type)
    sim.run()
    page.goto(f"{base}/console/devices/{ue.public_id}/?tab=inventory")
    assert "mdm-identity" in page.inner_text("#certificates")
    assert "PasscodeCompliant" in page.inner_text("#security")
    shot("09-device-inventory")

    page.goto(f"{base}/console/audit/")
    assert page.locator("tr[data-action='devices.command_queued']").count() == 1
    shot("10-audit-log")


def test_bulk_action_progress_updates_live(
    page: Any, live_server: Any, admin_user: User, live_device: Any, shot: Any
) -> None:
    base = live_server.url
    ue_sim, ue = live_device(platform="iOS", user_enrollment=True)
    de_sim, de = live_device(platform="iOS", user_enrollment=False)
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/devices/")
    page.check(f"input[name=ids][value='{ue.public_id}']")
    page.check(f"input[name=ids][value='{de.public_id}']")
    page.select_option("#bulk-form select[name=action]", "SecurityInfo")
    page.click("#bulk-form .bulkbar button")
    page.wait_for_url(re.compile(r".*/console/devices/bulk/.*"))
    assert "on 2 devices" in page.inner_text("h1")
    shot("11-bulk-confirm")
    page.click("#bulk-confirm button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/devices/commands/\?c=.*"))
    assert page.inner_text("[data-n=queued]") == "2"
    ue_sim.run()
    de_sim.run()
    # htmx polls every 2 s and swaps the progress block in place.
    page.wait_for_selector("#progress[data-done=yes]", timeout=8_000)
    assert page.inner_text("[data-n=acknowledged]") == "2"
    shot("12-bulk-progress")


def test_helpdesk_sees_but_cannot_act(
    page: Any, live_server: Any, helpdesk_user: User, live_device: Any, shot: Any
) -> None:
    base = live_server.url
    _, ue = live_device(platform="iOS", user_enrollment=True)
    _sign_in(page, base, helpdesk_user)
    page.goto(f"{base}/console/devices/")
    assert page.locator("#bulk-form select[name=action]").count() == 0
    page.goto(f"{base}/console/devices/{ue.public_id}/")
    page.click("#actions-menu summary")
    assert page.locator("#actions-menu a").count() == 0
    assert "Needs the administrator role" in page.inner_text("#actions-menu")
    page.goto(f"{base}/console/settings/")
    assert page.locator("#api-tokens").count() == 0
    shot("13-helpdesk-settings")


def test_settings_and_token_pages(
    page: Any, live_server: Any, admin_user: User, helpdesk_user: User, shot: Any
) -> None:
    base = live_server.url
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/settings/")
    page.fill("#token-create input[name=username]", helpdesk_user.username)
    page.click("#token-create button[type=submit]")
    key = page.inner_text("#token-key")
    assert len(key) == 64 and int(key, 16) >= 0  # shown once, 256 bits in hex
    api = page.request.get(f"{base}/api/v1/devices/", headers={"Authorization": f"Token {key}"})
    assert api.status == 200
    shot("14-token-created")
    page.goto(f"{base}/console/settings/")
    row = page.locator(f"tr[data-token-user='{helpdesk_user.username}']")
    assert row.count() == 1
    assert key not in page.content()
    assert f"{key[:8]}…" in row.inner_text()
    shot("15-settings")


def test_the_console_refuses_injected_inline_script(
    page: Any, live_server: Any, admin_user: User
) -> None:
    """What markup injection could add is not run: the policy is enforced by the browser."""
    _sign_in(page, live_server.url, admin_user)
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as report:
        ran = page.evaluate(
            """() => {
                const s = document.createElement("script");
                s.textContent = "window.__injected = true";
                document.body.appendChild(s);
                return window.__injected === true;
            }"""
        )
    assert ran is False
    assert "inline script" in report.value.text
    page.csp_violations.clear()  # expected here; every other page must log none


def test_swagger_ui_works_offline(page: Any, live_server: Any, admin_user: User, shot: Any) -> None:
    """Swagger UI's files come from drf-spectacular-sidecar: nothing leaves the host."""
    base = live_server.url
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=15_000)
    assert "/api/v1/devices/" in page.inner_text(".swagger-ui")
    assert outside == []
    shot("16-api-docs")


def test_second_factor_set_up_and_sign_in(
    page: Any, live_server: Any, admin_user: User, shot: Any
) -> None:
    """An authenticator app end to end in the browser: set up, sign out, sign in with a code."""
    import time
    from base64 import b32decode

    from tests.mdm_server.test_console_sign_in import rfc6238

    base = live_server.url
    _sign_in(page, base, admin_user)
    page.click("#account-link")
    page.wait_for_url(f"{base}/console/account/password/")
    page.goto(f"{base}/console/account/two-factor/")
    page.click("#two-factor-start button[type=submit]")
    key = b32decode(page.inner_text("#totp-secret"))
    assert page.inner_text("#totp-uri").startswith("otpauth://totp/")
    shot("16-two-factor-set-up")
    page.fill("#two-factor-pending input[name=token]", rfc6238(key, time.time()))
    page.click("#two-factor-pending button[type=submit]")
    page.wait_for_url(f"{base}/console/")

    page.click(".who button[type=submit]")  # sign out
    page.wait_for_url(f"{base}/console/login/")
    page.fill("input[name=username]", admin_user.username)
    page.fill("input[name=password]", "pw-" + admin_user.username)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/account/verify/.*"))
    shot("17-one-time-code")
    page.fill("#verify-form input[name=token]", rfc6238(key, time.time() + 30))
    page.click("#verify-form button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    assert page.is_visible("nav a[data-nav=devices]")
