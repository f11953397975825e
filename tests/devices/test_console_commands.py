"""Console commands page across devices: every command, its targets, progress, results, errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from devices import services
from devices.models import Command, Enrollment, QueuedCommand
from tests.devices._rows import bulk_devices, enrolled
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
COMMANDS = "/console/devices/commands/"


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _queue(request_type: str, n: int | None = None) -> Command:
    targets = list(Enrollment.objects.filter(enrollment_type="device").order_by("pk"))
    result = services.enqueue_command(enrollments=targets[:n], request_type=request_type)
    return result.commands[0]


def _set_status(command: Command, status: str, n: int) -> None:
    # Test data: move n of a command's deliveries to a status without a device round trip each.
    ids = list(command.deliveries.order_by("pk").values_list("pk", flat=True)[:n])
    QueuedCommand.objects.filter(pk__in=ids).update(status=status)


def test_the_commands_page_lists_every_command_with_its_progress(admin_client: Client) -> None:
    bulk_devices(6, enrollment_type="device")
    info = _queue("SecurityInfo")
    apps = _queue("InstalledApplicationList", 2)
    _set_status(info, QueuedCommand.Status.ACKNOWLEDGED, 3)
    _set_status(info, QueuedCommand.Status.ERROR, 1)  # the 4th acknowledged one is not touched
    response = admin_client.get(COMMANDS)
    assert response.status_code == 200
    rows = dict(response.context["progress"])
    assert rows[info]["total"] == 6 and rows[apps]["total"] == 2
    # The first three became acknowledged, then the first of those an error.
    assert (rows[info]["acknowledged"], rows[info]["error"], rows[info]["queued"]) == (2, 1, 3)
    page = _text(response)
    assert f'data-command-id="{info.pk}"' in page and f'data-command-id="{apps.pk}"' in page
    assert f'href="/console/devices/commands/{info.pk}/?status=error"' in page


def test_the_bulk_progress_view_still_answers_at_the_same_address(admin_client: Client) -> None:
    bulk_devices(3, enrollment_type="device")
    command = _queue("SecurityInfo")
    response = admin_client.get(COMMANDS, {"c": command.pk})
    assert response.status_code == 200 and response.context["totals"]["queued"] == 3


def test_the_commands_page_makes_the_same_queries_for_more_commands_and_targets(
    admin_client: Client,
) -> None:
    bulk_devices(6, enrollment_type="device")
    _queue("SecurityInfo")
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(COMMANDS).status_code == 200
    bulk_devices(60, enrollment_type="device")
    for request_type in ("SecurityInfo", "DeviceInformation", "ProfileList", "CertificateList"):
        _queue(request_type)
    with CaptureQueriesContext(connection) as large:
        response = admin_client.get(COMMANDS)
    assert len(response.context["progress"]) == Command.objects.count() >= 5
    assert len(large.captured_queries) == len(small.captured_queries)
    # The counts of the whole page come from one grouped query.
    grouped = [q["sql"] for q in large.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 1 and "devices_queuedcommand" in grouped[0]


def test_the_commands_page_filters_by_type_state_and_date(admin_client: Client) -> None:
    bulk_devices(3, enrollment_type="device")
    info = _queue("SecurityInfo")
    apps = _queue("InstalledApplicationList")
    _set_status(apps, QueuedCommand.Status.ACKNOWLEDGED, 3)
    _set_status(info, QueuedCommand.Status.ERROR, 1)

    def listed(**params: str) -> set[int]:
        response = admin_client.get(COMMANDS, params)
        assert response.status_code == 200, _text(response)
        return {c.pk for c, _ in response.context["progress"]}

    assert listed(request_type="securityinfo") == {info.pk}
    assert listed(state="pending") == {info.pk}
    assert listed(state="errors") == {info.pk}
    assert listed(state="done") == {apps.pk}
    today = timezone.localdate()
    assert listed(since=today.isoformat()) == {info.pk, apps.pk}
    assert listed(until=(today - dt.timedelta(days=1)).isoformat()) == set()


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"state": "exploded"}, "Select a valid choice"),
        ({"since": "yesterday"}, "Enter a valid date"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "must not be before the start date"),
        ({"after": "x"}, None),
    ],
)
def test_a_bad_commands_filter_is_a_4xx_with_the_reason(
    admin_client: Client, params: dict[str, str], reason: str | None
) -> None:
    response = admin_client.get(COMMANDS, params)
    assert 400 <= response.status_code < 500
    if reason:
        assert reason in _text(response)


def test_a_command_page_lists_targets_with_status_and_error(
    admin_client: Client, make_device: MakeDevice
) -> None:
    sim, de = enrolled(make_device, user_enrollment=False)
    _, other = enrolled(make_device, user_enrollment=False)
    sim.fail = {"SecurityInfo"}
    command = services.enqueue_command(
        enrollments=[de, other], request_type="SecurityInfo"
    ).commands[0]
    sim.run()
    response = admin_client.get(f"{COMMANDS}{command.pk}/")
    assert response.status_code == 200
    assert response.context["n"]["error"] == 1 and response.context["n"]["queued"] == 1
    page = _text(response)
    assert f'data-target="{de.public_id}" data-status="error"' in page
    assert f'data-target="{other.public_id}" data-status="queued"' in page
    assert "MCMDMErrorDomain 12021" in page
    only_errors = admin_client.get(f"{COMMANDS}{command.pk}/", {"status": "error"})
    assert [d.enrollment_id for d in only_errors.context["page"].rows] == [de.pk]
    bad = admin_client.get(f"{COMMANDS}{command.pk}/", {"status": "exploded"})
    assert bad.status_code == 400 and "Select a valid choice" in _text(bad)
    assert admin_client.get(f"{COMMANDS}999999/").status_code == 404


def test_a_command_page_pages_its_targets(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("devices.console.TARGETS_PAGE_SIZE", 4)
    bulk_devices(10, enrollment_type="device")
    command = _queue("SecurityInfo")
    seen: list[int] = []
    params: dict[str, str] = {}
    while True:
        page = admin_client.get(f"{COMMANDS}{command.pk}/", params).context["page"]
        assert len(page.rows) <= 4
        seen += [d.pk for d in page.rows]
        if page.after is None:
            break
        params = {"after": str(page.after)}
    assert sorted(seen) == sorted(command.deliveries.values_list("pk", flat=True))


def test_helpdesk_reads_the_commands_pages(helpdesk_client: Client) -> None:
    bulk_devices(2, enrollment_type="device")
    command = _queue("SecurityInfo")
    assert helpdesk_client.get(COMMANDS).status_code == 200
    assert helpdesk_client.get(f"{COMMANDS}{command.pk}/").status_code == 200
