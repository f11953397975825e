"""The statements of an enrollment's two check-ins (Authenticate, first TokenUpdate): a budget,
as each is a share of every enrollment's server time. Inside the test's transaction, the
check-in's own transaction is a savepoint (two statements more than in production, where it is
BEGIN and COMMIT) and its on-commit work does not run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apns.models import PendingPush
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from tests.apns.conftest import apns_pki, push_certificate, push_key  # noqa: F401 - fixtures
from tests.simulator import SimulatedDevice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("push_certificate")]
MakeDevice = Callable[..., SimulatedDevice]


def _warm(make_device: MakeDevice) -> None:
    """What a process reads once (the CA, the push topic) is read by an earlier enrollment."""
    make_device(platform="iOS", user_enrollment=True).enroll()


def device_channel(device: SimulatedDevice) -> int:
    return Enrollment.objects.get(enrollment_id=device.enrollment_id).pk


def _statements(call: Callable[[], int]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert call() == 200
    return [q["sql"] for q in captured.captured_queries]


def test_authenticate_is_a_budget_of_statements(make_device: MakeDevice) -> None:
    _warm(make_device)
    device = make_device(platform="iOS", user_enrollment=True)
    statements = _statements(device.authenticate)
    # The savepoint, the channel read with the certificate presented and its other holder (one
    # statement: the channel does not exist yet), the Device with the channel and its log row
    # (one), the release.
    assert len(statements) == 4, statements
    inserts = [s.split(" (")[0] for s in statements if s.startswith("INSERT")]
    assert not inserts, inserts
    enrollment = Enrollment.objects.select_related("device").get(pk=device_channel(device))
    assert enrollment.status == Enrollment.Status.PENDING
    assert enrollment.device.platform == "iOS" and enrollment.device.udid is None
    assert enrollment.device.channels.get() == enrollment
    event = DeviceEvent.objects.get(enrollment=enrollment)
    assert (event.action, event.status) == ("Authenticate", "ok")
    assert event.detail["os_version"] == enrollment.device.os_version


def test_first_token_update_writes_the_channel_commands_and_queue_in_few_statements(
    make_device: MakeDevice,
) -> None:
    _warm(make_device)
    device = make_device(platform="iOS", user_enrollment=True)
    assert device.authenticate() == 200
    statements = _statements(device.token_update)
    inserts = [s.split(" (")[0] for s in statements if s.startswith("INSERT")]
    # The channel's UPDATE, its log row, the commands and their queue rows are one statement:
    # none is written by a separate UPDATE or INSERT.
    assert 'INSERT INTO "devices_deviceevent"' not in inserts
    assert 'INSERT INTO "devices_command"' not in inserts
    assert 'INSERT INTO "devices_queuedcommand"' not in inserts
    assert not [s for s in statements if s.startswith('UPDATE "devices_enrollment"')]
    assert 'INSERT INTO "apns_pendingpush"' not in inserts
    (written,) = [s for s in statements if s.startswith("WITH u AS (UPDATE")]
    assert 'INSERT INTO "devices_command"' in written
    assert 'INSERT INTO "apns_pendingpush"' in written
    # The savepoint, the channel read, the assigned profiles, the channel with its log,
    # commands, queue and push, the check-in's release: the first commands take no savepoint
    # of their own (should they fail, the check-in is done again with one).
    assert len(statements) == 5, statements
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 1, statements
    assert sum(s.startswith("RELEASE SAVEPOINT") for s in statements) == 1, statements

    enrollment = Enrollment.objects.get(pk=device_channel(device))
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.push_token == device.push_token.hex()
    event = DeviceEvent.objects.get(enrollment=enrollment, action="TokenUpdate")
    assert (event.kind, event.status) == (DeviceEvent.Kind.CHECKIN, "ok")
    assert event.detail == {"first": True, "awaiting_configuration": False}
    rows = QueuedCommand.objects.filter(enrollment=enrollment).select_related("command")
    assert len(rows) == Command.objects.filter(deliveries__enrollment=enrollment).count() >= 5
    assert {r.priority for r in rows if r.command.request_type == "DeviceInformation"} == {60}
    assert all(r.priority == r.command.priority for r in rows)
    assert all(r.status == QueuedCommand.Status.QUEUED for r in rows)
    assert all(r.command.target_count == 1 for r in rows)
    assert PendingPush.objects.filter(enrollment=enrollment).count() == 1


def test_a_later_token_update_logs_and_queues_nothing_new(make_device: MakeDevice) -> None:
    device = make_device(platform="iOS", user_enrollment=True)
    device.enroll()
    commands = Command.objects.count()
    device.push_token = b"\x02" * 32  # a new token: logged
    statements = _statements(device.token_update)
    assert len(statements) == 4, statements  # savepoint, read, UPDATE with its log, release
    assert Command.objects.count() == commands
    # The same TokenUpdate again: the channel's UPDATE alone (not logged again).
    statements = _statements(device.token_update)
    assert len(statements) == 4, statements  # savepoint, read, UPDATE, release
    assert Command.objects.count() == commands
    details = list(
        DeviceEvent.objects.filter(action="TokenUpdate")
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert [d["first"] for d in details] == [True, False]


@pytest.mark.django_db(transaction=True)
def test_first_token_update_outside_a_test_transaction_is_three_statements(
    make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in production, the check-in's transaction the outermost: between its BEGIN and
    COMMIT, the channel read, the assigned profiles, then the channel with its log, commands,
    queue and the push's outbox row. No SAVEPOINT: the first commands take none (should they
    fail, the check-in is done again, `checkin._checkin_once`). The push is asked for once the
    transaction has committed."""
    from apns import services as apns_services

    drains: list[bool] = []
    monkeypatch.setattr(
        apns_services,
        "request_drain",
        lambda **kwargs: drains.append(connection.get_autocommit()),
    )
    _warm(make_device)
    device = make_device(platform="iOS", user_enrollment=True)
    assert device.authenticate() == 200
    drains.clear()
    statements = _statements(device.token_update)
    assert statements[0] == "BEGIN", statements
    committed = statements.index("COMMIT")
    written = statements[1:committed]
    assert len(written) == 3, written
    assert written[0].startswith("SELECT") and written[0].endswith("FOR UPDATE OF e")
    assert '"profiles_profile"' in written[1]
    assert written[2].startswith("WITH u AS (UPDATE")
    assert 'INSERT INTO "apns_pendingpush"' in written[2]
    assert not [s for s in statements if "SAVEPOINT" in s], statements
    assert drains == [True]  # after the commit, once
    enrollment = Enrollment.objects.get(pk=device_channel(device))
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert QueuedCommand.objects.filter(enrollment=enrollment).count() >= 5
    assert PendingPush.objects.filter(enrollment=enrollment).count() == 1
