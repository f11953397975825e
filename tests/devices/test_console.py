"""Devices console: list, filters, columns, keyset pages, CSV export, detail, actions, bulk."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from devices.models import Device, DeviceEvent, Enrollment
from mdm_server.models import AuditEvent
from tests.devices._rows import (
    bulk_devices,
    enrolled,
    later_commands,
    later_deliveries,
)
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
LIST = "/console/devices/"


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_devices_and_filters_by_type(admin_client: Client) -> None:
    bulk_devices(6)
    page = _text(admin_client.get(LIST))
    assert page.count("data-device=") == 6
    only_ue = _text(admin_client.get(LIST, {"enrollment_type": "user"}))
    assert only_ue.count("data-device=") == 2
    assert "2 devices" in only_ue


def test_list_filters_platform_os_and_last_seen(admin_client: Client) -> None:
    bulk_devices(8)  # os 17.0,18.1,17.2,18.3,...; macOS every 4th; seen 0..7 days ago
    macs = _text(admin_client.get(LIST, {"platform": "macOS"}))
    assert macs.count("data-device=") == 2
    os18 = _text(admin_client.get(LIST, {"os_version": "18"}))
    assert os18.count("data-device=") == 4
    stale = _text(admin_client.get(LIST, {"not_seen_for": "5"}))
    assert stale.count("data-device=") == 3  # seen 5, 6 and 7 days (and an hour) ago
    fresh = _text(admin_client.get(LIST, {"seen_within": "2"}))
    assert fresh.count("data-device=") == 2


def test_list_search_matches_name_and_managed_apple_id(admin_client: Client) -> None:
    bulk_devices(3, enrollment_type="user")
    page = _text(admin_client.get(LIST, {"q": "user1@example"}))
    assert page.count("data-device=") == 1


def test_group_filter_uses_directory_groups(admin_client: Client) -> None:
    from directory.models import DirectoryGroup, DirectoryUser, IdentitySource

    bulk_devices(3)
    source = IdentitySource.objects.create(name="Local", kind="local")
    group = DirectoryGroup.objects.create(name="Sales")
    person = DirectoryUser.objects.create(source=source, external_id="1", username="sam")
    person.groups.add(group)
    Device.objects.filter(channels=Enrollment.objects.order_by("pk").first()).update(
        directory_user=person
    )
    page = _text(admin_client.get(LIST, {"group": group.pk, "col": ["name", "user"]}))
    assert page.count("data-device=") == 1
    assert "sam" in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"platform": "Windows"}, "platform"),
        ({"not_seen_for": "-3"}, "not_seen_for"),
        ({"seen_within": "soon"}, "seen_within"),
        ({"group": "999999"}, "group"),
        ({"enrollment_type": "byod"}, "enrollment_type"),
    ],
)
def test_invalid_filter_values_are_field_errors(
    admin_client: Client, params: dict[str, str], field: str
) -> None:
    response = admin_client.get(LIST, params)
    assert response.status_code == 200
    assert "data-filter-errors" in _text(response)
    assert f"{field}:" in _text(response)
    assert admin_client.get("/console/devices/export.csv", params).status_code == 400


def test_bad_page_cursor_is_404_not_500(admin_client: Client) -> None:
    assert admin_client.get(LIST, {"after": "abc"}).status_code == 404


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 5000,
        json.dumps(["a\u0000b", 1]).encode(),
        json.dumps(["\ud800", 1]).encode(),
    ],
    ids=["nested 5,000 deep", "NUL", "lone surrogate"],
)
@pytest.mark.parametrize("sort", ["managed_apple_id", "-platform"])
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_forged_sorted_page_cursor_is_a_400(
    admin_client: Client, raw: bytes, sort: str, direction: str
) -> None:
    """A sorted list's cursor is base64 JSON the client can edit: json.loads raised
    RecursionError, and a value PostgreSQL refuses in a comparison was a DataError: 500s."""
    bulk_devices(2)
    response = admin_client.get(LIST, {"sort": sort, direction: _cursor(raw)})
    assert response.status_code == 400, response.content[:200]
    assert "page link is not valid" in _text(response)


def test_managed_apple_id_is_a_default_column_and_ue_enrolled_offered(
    admin_client: Client,
) -> None:
    bulk_devices(3)
    default = _text(admin_client.get(LIST))
    assert 'data-col="managed_apple_id"' in default and "user0@example.org" in default
    assert 'data-col="ue_enrolled"' not in default
    assert 'value="managed_apple_id"' in default and 'value="ue_enrolled"' in default
    chosen = _text(admin_client.get(LIST, {"col": ["name", "managed_apple_id", "ue_enrolled"]}))
    assert "Managed Apple ID</a></th>" in chosen and "User Enrollment Enrolled</th>" in chosen
    assert "user0@example.org" in chosen
    assert chosen.count('data-col="ue_enrolled">Yes</td>') == 1  # one UE row among three, enrolled


def test_keyset_pages_walk_forward_and_back(admin_client: Client) -> None:
    bulk_devices(120)
    first = admin_client.get(LIST)
    page1 = first.context["page"]
    assert len(page1.rows) == 50 and page1.before is None and page1.after
    page2 = admin_client.get(LIST, {"after": page1.after}).context["page"]
    assert len(page2.rows) == 50
    assert page2.rows[0].pk < page1.rows[-1].pk
    page3 = admin_client.get(LIST, {"after": page2.after}).context["page"]
    assert len(page3.rows) == 20 and page3.after is None
    back = admin_client.get(LIST, {"before": page3.before}).context["page"]
    assert [r.pk for r in back.rows] == [r.pk for r in page2.rows]


def _list_queries(client: Client, params: dict[str, object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_devices(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # N and 5N rows: the same queries, plus the planner's estimate once the count passes the cap.
    # bench/console_list.py times 100k rows.
    monkeypatch.setattr("mdm_server.selectors.COUNT_CAP", 500)
    bulk_devices(300)
    params = {"col": ["name", "user", "managed_apple_id", "ue_enrolled"]}
    small = _list_queries(admin_client, params)
    total_small = admin_client.get(LIST).context["total"]
    bulk_devices(1200)
    assert _list_queries(admin_client, params) == small + 1
    assert small <= 8
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE devices_enrollment")
    total = admin_client.get(LIST).context["total"]
    # Counted exactly up to the cap; above it, PostgreSQL's estimate, labelled "about".
    assert (total_small.n, total_small.exact) == (300, True)
    assert total.exact is False and total.at_least is False
    assert 1000 <= total.n <= 2000, total
    assert f"About {total.n} devices" in _text(admin_client.get(LIST))


# --- CSV export ----------------------------------------------------------------------------------


def _csv(client: Client, params: dict[str, str] | None = None) -> list[dict[str, str]]:
    response = client.get("/console/devices/export.csv", params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_follows_the_filter_and_carries_ue_columns(admin_client: Client) -> None:
    bulk_devices(6)
    rows = _csv(admin_client, {"enrollment_type": "user"})
    assert len(rows) == 2
    assert {"Managed Apple ID", "User Enrollment Enrolled", "Serial number"} <= set(rows[0])
    assert all(r["User Enrollment Enrolled"] == "Yes" for r in rows)
    assert all(r["Serial number"] == "" and r["UDID"] == "" for r in rows)
    device_rows = _csv(admin_client, {"enrollment_type": "device"})
    assert len(device_rows) == 2
    assert all(r["Serial number"].startswith("SER") for r in device_rows)
    assert AuditEvent.objects.filter(action="devices.exported").count() == 2


def test_export_records_the_filter_it_applied(admin_client: Client) -> None:
    """A parameter the export does not use, with a NUL character, went into the audit log's
    JSON as it was: PostgreSQL refused it (a 500)."""
    bulk_devices(2)
    rows = _csv(admin_client, {"enrollment_type": "user", "sort": "\x00", "x\x00": "y"})
    assert len(rows) == 1
    event = AuditEvent.objects.get(action="devices.exported")
    assert event.details == {"filter": {"enrollment_type": "user"}}


@pytest.mark.parametrize("evil", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_export_escapes_formula_cells(admin_client: Client, evil: str) -> None:
    bulk_devices(1, device_name=evil, enrollment_type="device")
    rows = _csv(admin_client)
    assert rows[0]["Name"] == "'" + evil
    assert rows[0]["Name"][0] == "'"


# --- detail --------------------------------------------------------------------------------------


def test_user_enrollment_detail_has_no_hardware_fields_and_a_banner(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, ue = enrolled(make_device, user_enrollment=True)
    page = _text(admin_client.get(f"{LIST}{ue.public_id}/"))
    assert "data-ue-banner" in page
    for label in ("Serial number", "UDID", "IMEI"):
        assert f"<dt>{label}</dt>" not in page
    assert "<dt>Enrollment ID</dt>" in page


def test_device_enrollment_detail_shows_hardware_fields(
    admin_client: Client, make_device: MakeDevice
) -> None:
    sim, de = enrolled(make_device, user_enrollment=False)
    page = _text(admin_client.get(f"{LIST}{de.public_id}/"))
    assert "data-ue-banner" not in page
    assert "<dt>Serial number</dt>" in page and sim.serial_number in page


def test_actions_menu_disables_forbidden_actions_with_the_reason(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, ue = enrolled(make_device, user_enrollment=True)
    response = admin_client.get(f"{LIST}{ue.public_id}/")
    actions = {a.spec.name: a for a in response.context["actions"]}
    assert not actions["EraseDevice"].allowed and actions["EraseDevice"].reason
    assert actions["DeviceInformation"].allowed
    page = _text(response)
    assert 'data-action="EraseDevice" data-allowed="no"' in page
    assert actions["EraseDevice"].reason[:40] in page.replace("&#x27;", "'").replace("&quot;", '"')


def test_queue_device_information_then_see_result_and_log(
    admin_client: Client, admin_user: object, make_device: MakeDevice
) -> None:
    sim, ue = enrolled(make_device, user_enrollment=True)
    url = f"{LIST}{ue.public_id}/actions/DeviceInformation/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {})  # nothing ticked: everything it may be asked
    assert response.status_code == 302
    command = later_commands().get(request_type="DeviceInformation")
    event = AuditEvent.objects.get(action="devices.command_queued")
    assert event.actor == admin_user
    assert (event.target_type, event.target_id) == ("devices.Enrollment", str(ue.pk))
    assert event.details["origin"] == "console" and event.details["queued"] == 1
    assert event.details["commands"] == [command.uuid]
    assert event.details["devices"] == [str(ue.public_id)]
    assert [r.request_type for r in sim.run()] == ["DeviceInformation"]
    commands_tab = admin_client.get(f"{LIST}{ue.public_id}/", {"tab": "commands"})
    page = _text(commands_tab)
    assert 'data-status="acknowledged"' in page
    assert "DeviceName: Simulated" in page  # the result, readable
    logs = _text(
        admin_client.get(f"{LIST}{ue.public_id}/", {"tab": "logs", "action": "DeviceInformation"})
    )
    assert 'data-action="DeviceInformation" data-status="acknowledged"' in logs
    assert 'data-action="TokenUpdate"' not in logs


def test_forbidden_action_is_refused_without_a_command(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, ue = enrolled(make_device, user_enrollment=True)
    response = admin_client.post(f"{LIST}{ue.public_id}/actions/EraseDevice/", {"confirm": "on"})
    assert response.status_code == 400
    assert "not allowed for this device" in _text(response)
    assert not later_commands().exists()


def test_destructive_action_needs_confirmation(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, de = enrolled(make_device, user_enrollment=False)
    url = f"{LIST}{de.public_id}/actions/EraseDevice/"
    response = admin_client.post(url, {})
    assert response.status_code == 400
    assert "Tick this box to confirm" in _text(response)
    assert not later_commands().exists()
    assert admin_client.post(url, {"confirm": "on"}).status_code == 302
    assert later_commands().get().request_type == "EraseDevice"


def test_bad_command_parameters_are_form_errors(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, de = enrolled(make_device, user_enrollment=False)
    url = f"{LIST}{de.public_id}/actions/InstallApplication/"
    response = admin_client.post(url, {})
    assert response.status_code == 400
    assert "give exactly one of iTunesStoreID" in _text(response)
    response = admin_client.post(url, {"ManifestURL": "http://insecure.example/app.plist"})
    assert response.status_code == 400 and "must be an https:// URL" in _text(response)
    response = admin_client.post(f"{LIST}{de.public_id}/actions/Settings/", {"Settings": "[oops"})
    assert response.status_code == 400 and "is not valid JSON" in _text(response)
    assert not later_commands().exists()


@pytest.mark.parametrize(
    "text",
    ["[" * 5000, '[{"Item": "x", "\\ud800": 1}]'],
    ids=["nested 5,000 deep", "a lone surrogate in a key"],
)
def test_json_parameters_that_cannot_be_stored_are_form_errors(
    admin_client: Client, make_device: MakeDevice, text: str
) -> None:
    """The console read JSON parameters with json.loads: a RecursionError, and a lone surrogate
    that plistlib could not encode, were 500s, on one device and in a bulk action."""
    _, de = enrolled(make_device, user_enrollment=False)
    one = admin_client.post(f"{LIST}{de.public_id}/actions/Settings/", {"Settings": text})
    assert one.status_code == 400 and "is not valid JSON" in _text(one)
    bulk = admin_client.post(
        f"{LIST}bulk/",
        {"action": "Settings", "ids": [str(de.public_id)], "submit": "1", "Settings": text},
    )
    assert bulk.status_code == 400 and "is not valid JSON" in _text(bulk)
    assert not later_commands().exists()


def test_unknown_ids_are_404(admin_client: Client, make_device: MakeDevice) -> None:
    _, ue = enrolled(make_device)
    assert admin_client.get(f"{LIST}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert admin_client.get(f"{LIST}{ue.public_id}/actions/Nope/").status_code == 404
    assert admin_client.get("/console/devices/commands/", {"c": "99999"}).status_code == 404
    assert admin_client.get("/console/devices/commands/", {"c": "x"}).status_code == 404


def test_helpdesk_reads_but_cannot_queue(helpdesk_client: Client, make_device: MakeDevice) -> None:
    _, ue = enrolled(make_device)
    page = helpdesk_client.get(f"{LIST}{ue.public_id}/")
    assert page.status_code == 200
    assert "Needs the administrator role" in _text(page)
    url = f"{LIST}{ue.public_id}/actions/DeviceInformation/"
    assert helpdesk_client.post(url, {}).status_code == 403
    assert not later_commands().exists()


def test_logs_tab_rejects_an_inverted_date_range(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, ue = enrolled(make_device)
    response = admin_client.get(
        f"{LIST}{ue.public_id}/", {"tab": "logs", "since": "2026-02-01", "until": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "must not be before the start date" in _text(response)
    response = admin_client.get(f"{LIST}{ue.public_id}/", {"tab": "logs", "since": "yesterday"})
    assert "Enter a valid date" in _text(response)


# --- bulk ----------------------------------------------------------------------------------------


def test_bulk_erase_skips_personal_devices_and_shows_progress(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, ue = enrolled(make_device, user_enrollment=True)
    de_sim, de = enrolled(make_device, user_enrollment=False)
    ids = [str(ue.public_id), str(de.public_id)]
    confirm = admin_client.get("/console/devices/bulk/", {"action": "EraseDevice", "ids": ids})
    assert confirm.status_code == 200 and "on 2 devices" in _text(confirm)
    allowed, refused = confirm.context["preview"]
    assert allowed == 1 and sum(refused.values()) == 1  # the personal device is skipped
    unconfirmed = admin_client.post(
        "/console/devices/bulk/", {"action": "EraseDevice", "ids": ids, "submit": "1"}
    )
    assert unconfirmed.status_code == 400 and not later_commands().exists()
    response = admin_client.post(
        "/console/devices/bulk/",
        {"action": "EraseDevice", "ids": ids, "submit": "1", "confirm": "on"},
    )
    assert response.status_code == 302
    command = later_commands().get()
    assert list(command.deliveries.values_list("enrollment_id", flat=True)) == [de.pk]
    event = AuditEvent.objects.get(action="devices.command_queued")
    assert event.target_id == str(command.pk) and event.details["refused"] == 1
    assert DeviceEvent.objects.filter(enrollment=ue, kind="filter", status="refused").exists()
    progress = admin_client.get(response["Location"])
    assert progress.context["totals"]["queued"] == 1
    de_sim.run()
    partial = admin_client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.context["totals"]["acknowledged"] == 1
    assert 'data-done="yes"' in _text(partial) and "<html" not in _text(partial)


def test_bulk_on_all_matching_filter(admin_client: Client) -> None:
    bulk_devices(5, enrollment_type="device")
    response = admin_client.post(
        "/console/devices/bulk/",
        {"action": "SecurityInfo", "all_matching": "1", "filter": "platform=iOS", "submit": "1"},
    )
    assert response.status_code == 302
    assert (
        later_deliveries().count() == Enrollment.objects.filter(device__platform="iOS").count() == 3
    )


def test_bulk_without_selection_or_action_explains(admin_client: Client) -> None:
    response = admin_client.get("/console/devices/bulk/", {"action": "SecurityInfo"}, follow=True)
    assert "select at least one device" in _text(response)
    response = admin_client.get("/console/devices/bulk/", {"ids": ["x"]}, follow=True)
    assert "Choose an action" in _text(response)
    response = admin_client.get(
        "/console/devices/bulk/", {"action": "SecurityInfo", "ids": ["not-a-uuid"]}, follow=True
    )
    assert "invalid device id" in _text(response)


def test_cancel_a_pending_command(admin_client: Client, make_device: MakeDevice) -> None:
    sim, de = enrolled(make_device, user_enrollment=False)
    admin_client.post(f"{LIST}{de.public_id}/actions/SecurityInfo/", {})
    delivery = later_deliveries().get()
    page = _text(admin_client.get(f"{LIST}{de.public_id}/", {"tab": "commands"}))
    assert f"/commands/{delivery.pk}/cancel/" in page
    url = f"{LIST}{de.public_id}/commands/{delivery.pk}/cancel/"
    assert admin_client.get(url).status_code == 405
    assert admin_client.post(url).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "canceled" and "alice-admin" in delivery.status_reason
    assert sim.run() == []  # the device is not sent a canceled command
    again = admin_client.post(url, follow=True)
    assert "already canceled" in _text(again)
    assert AuditEvent.objects.filter(action="devices.command_canceled").count() == 1
    bulk_devices(1)
    other = Enrollment.objects.exclude(pk=de.pk).get()
    wrong = f"{LIST}{other.public_id}/commands/{delivery.pk}/cancel/"
    assert admin_client.post(wrong).status_code == 404  # not this device's command


# --- dashboard -----------------------------------------------------------------------------------


def test_dashboard_counts_and_links(admin_client: Client) -> None:
    bulk_devices(12)  # 4 UE, 4 DE, 4 ADDE; seen 0..11 days (+1 h) ago
    Enrollment.objects.filter(device__device_name="Bulk 0").update(status="unenrolled")
    response = admin_client.get("/console/")
    data = response.context["data"]
    assert data.enrolled == 11
    assert {b.label: b.count for b in data.by_type} == {
        "User Enrollment": 3,
        "Device Enrollment": 4,
        "Account-driven Device Enrollment": 4,
    }
    assert sum(b.count for b in data.by_platform) == 11
    assert data.stale == 5  # seen 7..11 days (and an hour) ago
    assert admin_client.get("/console/", {"stale_days": "3"}).context["data"].stale == 9
    assert admin_client.get("/console/", {"stale_days": "oops"}).status_code == 200
    page = _text(response)
    assert "enrollment_type=user" in page and "not_seen_for=7" in page
    assert "No APNs push certificate" in page  # the push app's alert, shown as is


def test_dashboard_pending_commands(admin_client: Client, make_device: MakeDevice) -> None:
    _, ue = enrolled(make_device)
    from devices import services

    services.enqueue_command(enrollments=[ue], request_type="SecurityInfo")
    data = admin_client.get("/console/").context["data"]
    assert data.pending_commands["queued"] == 1
    assert [d.pk for d in data.recent] == [ue.pk]


def test_failed_command_shows_the_error_chain(
    admin_client: Client, make_device: MakeDevice
) -> None:
    sim, de = enrolled(make_device, user_enrollment=False)
    sim.fail = {"SecurityInfo"}
    admin_client.post(f"{LIST}{de.public_id}/actions/SecurityInfo/", {})
    sim.run()
    page = _text(admin_client.get(f"{LIST}{de.public_id}/", {"tab": "commands", "status": "error"}))
    assert 'data-status="error"' in page
    assert "Error chain" in page and "MCMDMErrorDomain 12021" in page
    assert "SecurityInfo failed on the simulator" in page
    bad = admin_client.get(f"{LIST}{de.public_id}/", {"tab": "commands", "status": "exploded"})
    assert bad.status_code == 200 and "status:" in _text(bad)


def test_dashboard_query_count_does_not_grow(admin_client: Client) -> None:
    bulk_devices(30)
    with CaptureQueriesContext(connection) as small:
        admin_client.get("/console/")
    bulk_devices(300)
    with CaptureQueriesContext(connection) as large:
        admin_client.get("/console/")
    # 14 for the page itself, and one each for the warnings of Apps and Books tokens, Apple
    # Business Manager links and the server certificates (CA, profile signer).
    assert len(large.captured_queries) == len(small.captured_queries) <= 17


# --- device names --------------------------------------------------------------------------------


def test_a_device_without_a_name_is_named_for_its_person_and_account(
    admin_client: Client,
) -> None:
    bulk_devices(3, enrollment_type="user", device_name="")
    Device.objects.update(model_name="iPhone 15 Pro")
    Device.objects.filter(managed_apple_id="user1@example.org").update(user_long_name="Alex Doe")
    page = _text(admin_client.get(LIST))
    assert "Alex Doe (user1@example.org) · iPhone 15 Pro" in page
    assert "user0@example.org · iPhone 15 Pro" in page  # no person's name reported
    assert page.count(">iPhone 15 Pro<") == 0  # never the bare model for a personal device
    alex = Enrollment.objects.get(device__user_long_name="Alex Doe")
    assert "Alex Doe (user1@example.org)" in _text(admin_client.get(f"{LIST}{alex.public_id}/"))
    names = {r["Name"] for r in _csv(admin_client)}
    assert "Alex Doe (user1@example.org) · iPhone 15 Pro" in names and len(names) == 3
    body = admin_client.get(f"/api/v1/devices/{alex.public_id}/").json()
    assert body["display_name"] == "Alex Doe (user1@example.org) · iPhone 15 Pro"


def test_a_reported_device_name_wins_and_a_bare_row_is_still_named(admin_client: Client) -> None:
    bulk_devices(1, enrollment_type="device", device_name="Front desk iPad")
    bulk_devices(1, enrollment_type="device", device_name="", platform="macOS")
    page = _text(admin_client.get(LIST))
    assert "Front desk iPad" in page and ">macOS<" in page


# --- page size, remembered columns, partial hardware ids -----------------------------------------


def test_the_list_remembers_chosen_columns_and_page_size(admin_client: Client) -> None:
    bulk_devices(30)
    chosen = admin_client.get(LIST, {"col": ["name", "serial_number"], "size": "25"})
    assert chosen.context["page_size"] == 25 and len(chosen.context["page"].rows) == 25
    later = admin_client.get(LIST)  # no parameters: what was chosen last time
    assert [c.key for c in later.context["columns"]] == ["name", "serial_number"]
    assert len(later.context["page"].rows) == 25
    assert 'data-col="serial_number"' in _text(later) and 'data-col="status"' not in _text(later)
    admin_client.cookies["mdm_device_columns"] = "nope,<script>"
    stale = admin_client.get(LIST)  # unknown keys in the cookie fall back to the defaults
    assert stale.status_code == 200 and 'data-col="status"' in _text(stale)


@pytest.mark.parametrize("size", ["7", "1000", "x", "-50"])
def test_a_page_size_outside_the_choices_is_a_400_with_the_reason(
    admin_client: Client, size: str
) -> None:
    response = admin_client.get(LIST, {"size": size})
    assert response.status_code == 400
    assert "size must be one of 25, 50, 100, 200" in _text(response)


def test_search_finds_a_device_enrollment_by_part_of_its_serial_or_udid(
    admin_client: Client,
) -> None:
    bulk_devices(12)  # every third is a User Enrollment without serial or UDID
    one = Enrollment.objects.get(device__serial_number="SER0000007")
    found = admin_client.get(LIST, {"q": "0000007"}).context["page"].rows
    assert [d.pk for d in found] == [one.pk]
    udid_part = one.device.udid[9:18].lower()
    assert [d.pk for d in admin_client.get(LIST, {"q": udid_part}).context["page"].rows] == [one.pk]
    personal = admin_client.get(LIST, {"q": "SER000", "enrollment_type": "user"})
    assert personal.context["page"].rows == []
