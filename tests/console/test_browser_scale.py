"""The console at scale in headless Chromium: commands page, device names, error pages, helpdesk."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from devices import services
from devices.models import Device
from tests.console.test_browser import _sign_in
from tests.devices._rows import bulk_devices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commands_page_across_devices(
    page: Any, live_server: Any, admin_user: User, live_device: Any, shot: Any
) -> None:
    base = live_server.url
    sim, de = live_device(platform="iOS", user_enrollment=False)
    _, other = live_device(platform="iOS", user_enrollment=False)
    sim.fail = {"SecurityInfo"}
    queued = services.enqueue_command(enrollments=[de, other], request_type="SecurityInfo")
    assert queued.command is not None
    services.enqueue_command(enrollments=[de], request_type="CertificateList")
    sim.run()
    # The inventory asked at each enrollment has its own SecurityInfo rows: find this one's.
    row = f"tr[data-command-id='{queued.command.pk}']"
    _sign_in(page, base, admin_user)
    page.click("nav a[data-nav=commands]")
    page.wait_for_url(f"{base}/console/devices/commands/")
    info = page.locator(row)
    assert info.locator("[data-n=targets]").inner_text() == "2"
    assert info.locator("[data-n=errors]").inner_text() == "1"
    shot("20-commands-page")
    page.select_option("#command-filters select[name=state]", "errors")
    page.click("#command-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*state=errors.*"))
    assert page.locator("#commands tbody tr[data-command-id]").count() == 1
    page.click(f"{row} [data-n=errors] a")
    page.wait_for_url(re.compile(r".*/console/devices/commands/\d+/\?status=error$"))
    assert page.locator("#targets tbody tr").count() == 1
    assert "MCMDMErrorDomain" in page.inner_text("#targets")
    shot("21-command-targets-errors")


def test_personal_devices_have_useful_names_and_tables_fit(
    page: Any, live_server: Any, admin_user: User, shot: Any
) -> None:
    base = live_server.url
    bulk_devices(6, enrollment_type="user", device_name="")
    Device.objects.update(model_name="iPhone 15 Pro", product_name="iPhone16,1")
    page.set_viewport_size({"width": 900, "height": 800})
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/devices/")
    names = page.locator("#device-table tbody tr[data-device] td:nth-child(2)").all_inner_texts()
    assert len(set(names)) == 6 and all("@example.org" in n for n in names), names
    assert "Managed Apple ID" in page.inner_text("#device-table thead")
    # The page itself never scrolls sideways; a wide table scrolls inside its box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("22-device-names-narrow-window")


def test_error_pages_are_styled_and_say_what_to_do(
    page: Any, live_server: Any, helpdesk_user: User, shot: Any
) -> None:
    base = live_server.url
    _sign_in(page, base, helpdesk_user)
    response = page.goto(f"{base}/console/devices/00000000-0000-0000-0000-000000000000/")
    assert response.status == 404
    assert page.is_visible("[data-error='404']") and page.is_visible("header.topbar nav")
    shot("23-not-found")
    response = page.goto(f"{base}/console/directory/sources/new/")  # for administrators only
    assert response.status == 403
    assert "Ask an administrator" in page.inner_text("[data-error='403']")
    shot("24-forbidden")


def test_helpdesk_sees_read_only_forms(
    page: Any, live_server: Any, helpdesk_user: User, shot: Any
) -> None:
    base = live_server.url
    _sign_in(page, base, helpdesk_user)
    page.goto(f"{base}/console/enrollment/")
    assert page.locator("main form[method=post]").count() == 0  # sign-out is in the top bar
    assert page.locator("#enrollment-settings fieldset[disabled]").count() == 1
    assert page.locator("#enrollment-settings input:not([type=hidden])").first.is_disabled()
    shot("25-helpdesk-enrollment-read-only")


def test_a_500_is_styled_and_says_what_to_do(
    page: Any, live_server: Any, admin_user: User, shot: Any, settings: Any
) -> None:
    """A bug in a console view: the browser gets the console's own page, not a bare error."""
    settings.ROOT_URLCONF = "tests.mdm_server.test_error_pages"  # adds /console/explode/
    base = live_server.url
    _sign_in(page, base, admin_user)
    response = page.goto(f"{base}/console/explode/")
    assert response.status == 500
    text = page.inner_text("[data-error='500']")
    assert "Try again" in text and "rolled back" in text
    # Rendered without the console's context (which reads the database, perhaps the failing
    # part): the console's page and style sheet, no navigation bar; a way back.
    assert "/console/explode/" in text and page.is_visible("main.page a[href='/console/']")
    assert page.locator("link[rel=stylesheet][href*='console.css']").count() == 1
    shot("26-server-error")
