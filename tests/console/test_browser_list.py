"""The device list and audit log at scale in headless Chromium: sort, totals, saved filters,
UDID search, times written one way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from devices import services
from devices.models import Enrollment
from mdm_server import audit
from tests.console.test_browser import _sign_in
from tests.devices._rows import bulk_devices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rows(page: Any) -> list[str]:
    return page.locator("#device-table tbody tr[data-device]").evaluate_all(
        "rows => rows.map(r => r.dataset.device)"
    )


def test_sort_pages_total_saved_filter_and_udid_search(
    page: Any, live_server: Any, admin_user: User, shot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = live_server.url
    monkeypatch.setattr("mdm_server.selectors.COUNT_CAP", 20)
    bulk_devices(60)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE devices_enrollment")
    page.set_viewport_size({"width": 1000, "height": 800})
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/devices/?size=25")
    count = page.inner_text("[data-count]")
    assert re.fullmatch(r"About \d+ devices \(estimated.*\)", count), count
    assert page.get_attribute("[data-count]", "data-exact") == "no"

    page.click("th[data-col=last_seen] a[data-sort]")
    page.wait_for_url(re.compile(r".*sort=-last_seen.*"))
    assert page.get_attribute("th[data-col=last_seen]", "aria-sort") == "descending"
    first = _rows(page)
    page.click("a[rel=next]")
    page.wait_for_url(re.compile(r".*after=.*"))
    second = _rows(page)
    page.click("a[rel=next]")
    third = _rows(page)
    walked = first + second + third
    expected = [
        str(p)
        for p in Enrollment.objects.order_by("-last_seen_at", "-pk").values_list(
            "public_id", flat=True
        )
    ]
    assert walked == expected  # 25 + 25 + 10, in order, none twice
    # Times: relative, with the absolute time and its zone beside it.
    cell = page.locator("#device-table tbody tr td[data-col=last_seen]").first.inner_text()
    assert re.search(r"ago \d{4}-\d\d-\d\d \d\d:\d\d UTC", cell), cell
    shot("30-device-list-sorted")
    page.click("a[rel=prev]")
    assert _rows(page) == second

    page.goto(f"{base}/console/devices/?platform=macOS&sort=last_seen")
    page.fill("#save-filter input[name=name]", "Macs, least recently seen")
    page.click("#save-filter button[type=submit]")
    page.wait_for_selector("[data-saved-filter='Macs, least recently seen']")
    page.goto(f"{base}/console/devices/")
    page.click("[data-saved-filter='Macs, least recently seen'] a")
    page.wait_for_url(re.compile(r".*platform=macOS&sort=last_seen$"))
    assert page.get_attribute("th[data-col=last_seen]", "aria-sort") == "ascending"
    assert len(_rows(page)) == 15
    shot("31-saved-filter")

    target = Enrollment.objects.filter(enrollment_type="device").first()
    assert target is not None and target.device.udid
    page.goto(f"{base}/console/devices/")
    page.fill("#device-filters input[name=q]", target.device.udid[9:23].lower())
    page.click("#device-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*q=.*"))
    assert _rows(page) == [str(target.public_id)]
    page.goto(f"{base}/console/devices/?col=name&col=udid&col=id&col=managed_apple_id")
    page.set_viewport_size({"width": 700, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("32-udid-search-narrow")


def test_audit_log_filters_by_choice_and_names_devices(
    page: Any, live_server: Any, admin_user: User, shot: Any
) -> None:
    base = live_server.url
    bulk_devices(2, enrollment_type="device")
    devices = list(Enrollment.objects.all())
    _sign_in(page, base, admin_user)
    # A bulk action's record names its commands (queued as the console's bulk page does).
    result = services.enqueue_command(enrollments=devices, request_type="DeviceInformation")
    audit.record(
        actor=admin_user,
        action="devices.command_queued",
        target=result.command,
        details={"queued": 2, "commands": [c.uuid for c in result.commands]},
    )
    # One device's action: the audit details name the device.
    page.goto(f"{base}/console/devices/{devices[0].public_id}/actions/SecurityInfo/")
    page.click("#action-form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?tab=commands$"))
    services.enqueue_command(enrollments=devices[:1], request_type="ProfileList")  # not audited
    page.goto(f"{base}/console/audit/")
    page.select_option("#audit-filters select[name=action]", "devices.command_queued")
    page.select_option("#audit-filters select[name=actor]", admin_user.username)
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*action=devices.command_queued.*"))
    rows = page.locator("#audit tbody tr[data-action='devices.command_queued']")
    assert rows.count() == 2
    single, bulk = (rows.nth(i).locator("td.details").inner_text() for i in range(2))
    assert devices[0].display_name in single and str(devices[0].public_id) not in single
    assert "SecurityInfo command" in single
    assert "DeviceInformation command" in bulk
    assert "Queued: 2" in bulk
    first_cell = rows.first.locator("td").first.inner_text()
    assert re.fullmatch(r"just now \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", first_cell), first_cell
    shot("33-audit-log-readable")


def test_assignment_picker_searches_on_the_server(
    page: Any, live_server: Any, admin_user: User, shot: Any, server_pki: Any
) -> None:
    from profiles import services as profile_services

    base = live_server.url
    bulk_devices(40, enrollment_type="user", device_name="")
    profile = profile_services.create_profile(
        identifier="com.ex.browser-picker",
        display_name="Wi-Fi",
        actor=admin_user,
        payloads=[
            profile_services.PayloadInput("com.apple.mobiledevice.passwordpolicy", {"minLength": 6})
        ],
    )
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/profiles/{profile.pk}/")
    assert page.locator("#picker-results input[name=enrollments]").count() == 0
    page.fill("#picker-search", "user1")  # user1, user10..user19
    page.wait_for_selector("[data-pick]")
    picks = page.locator("#picker-results label[data-pick]")
    assert picks.count() == 11
    page.locator("#picker-results label", has_text="user12@example.org").locator("input").check()
    page.fill("#picker-search", "user3")
    page.wait_for_selector("#picker-results label:has-text('user39@example.org')")
    # The ticked one stays, first, with user3 and user30..user39.
    assert page.locator("#picker-results label[data-pick]").count() == 12
    first = page.locator("#picker-results label[data-pick]").first
    assert "user12@example.org" in first.inner_text() and first.locator("input").is_checked()
    page.locator("#picker-results label", has_text="user35@example.org").locator("input").check()
    shot("34-assignment-picker")
    page.click("#assign-form button[type=submit]")
    page.wait_for_selector("#assignments")
    table = page.inner_text("#assignments")
    assert "user12@example.org" in table and "user35@example.org" in table
    assert "→" not in table
    assert "user12@example.org" in page.inner_text("#deliveries")


def test_the_list_remembers_chosen_columns_and_page_size(
    page: Any, live_server: Any, admin_user: User, shot: Any
) -> None:
    base = live_server.url
    bulk_devices(60)
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/devices/")
    default = page.locator("#device-table thead th").evaluate_all(
        "ts => ts.map(t => t.dataset.col)"
    )
    assert "managed_apple_id" in default  # a default column
    page.click("details.columns summary")
    chooser = page.locator("#column-chooser")
    for key in default:
        if key and key not in ("name", "platform"):
            chooser.locator(f"input[name=col][value={key}]").uncheck()
    chooser.locator("input[name=col][value=serial_number]").check()
    chooser.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*col=serial_number.*"))
    page.select_option("#device-filters select[name=size]", "25")
    page.click("#device-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*size=25.*"))

    # A later visit without parameters shows the same columns and page size.
    page.goto(f"{base}/console/devices/")
    shown = page.locator("#device-table thead th").evaluate_all("ts => ts.map(t => t.dataset.col)")
    assert sorted(c for c in shown if c) == ["name", "platform", "serial_number"], shown
    assert len(_rows(page)) == 25
    assert page.locator("#device-filters select[name=size]").input_value() == "25"
    shot("35-remembered-columns-and-page-size")
