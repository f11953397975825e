"""The device lifecycle: inventory at enrollment and on a spread schedule, devices probably
gone, and the retention purge of ended User Enrollments."""

from __future__ import annotations

import datetime as dt
import itertools
import plistlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apns import services as apns_services
from devices import lifecycle, services
from devices.models import (
    Command,
    Device,
    DeviceEvent,
    Enrollment,
    InstalledApplication,
    LifecycleSettings,
    QueuedCommand,
)
from devices.services import inventory_queue
from devices.services import lifecycle as lifecycle_services
from enrollment.models import EnrollmentSession
from mdm_server.models import AuditEvent
from profiles.declarations.receivers import ENROLLMENT_ORIGIN
from tests.channels import create_channel
from tests.devices._rows import INVENTORY, bulk_devices, enrolled
from tests.simulator import SimulatedDevice

MakeDevice = Callable[..., SimulatedDevice]
UTC = dt.UTC
HARDWARE_QUERIES = {"UDID", "SerialNumber", "IMEI", "MEID"}


# --- the slot arithmetic (pure) ------------------------------------------------------------------


def test_consecutive_windows_cover_every_slot_once() -> None:
    period = dt.timedelta(hours=24)
    start = dt.datetime(2026, 1, 1, 7, 3, 11, tzinfo=UTC)
    covered: list[tuple[int, int]] = []
    for i in range(96):  # one day of 15-minute runs
        covered += lifecycle.slot_ranges(
            start + i * dt.timedelta(minutes=15), start + (i + 1) * dt.timedelta(minutes=15), period
        )
    covered.sort()
    assert covered[0][0] == 0 and covered[-1][1] == lifecycle.SLOTS
    for (_, high), (low, _) in itertools.pairwise(covered):
        assert high == low  # no gap, no overlap


def test_window_edge_cases() -> None:
    period = dt.timedelta(hours=24)
    t = dt.datetime(2026, 1, 1, 23, 55, tzinfo=UTC)
    assert lifecycle.slot_ranges(t, t, period) == []
    assert lifecycle.slot_ranges(t, t + period, period) == [(0, lifecycle.SLOTS)]
    wrapped = lifecycle.slot_ranges(t, t + dt.timedelta(minutes=10), period)
    assert len(wrapped) == 2 and wrapped[0][1] == lifecycle.SLOTS and wrapped[1][0] == 0
    with pytest.raises(ValueError):
        lifecycle.slot_ranges(t, t + period, dt.timedelta(0))


# --- inventory at enrollment ---------------------------------------------------------------------


def _queued(enrollment: Enrollment) -> dict[str, dict]:
    out = {}
    for row in QueuedCommand.objects.filter(enrollment=enrollment).select_related("command"):
        out[row.command.request_type] = plistlib.loads(bytes(row.command.body))["Command"]
    return out


@pytest.mark.django_db
def test_user_enrollment_is_asked_only_what_apple_allows(
    make_device: MakeDevice,
) -> None:
    # Enrollment completes at the first TokenUpdate: the inventory is queued then.
    device, enrollment = enrolled(make_device, user_enrollment=True, drain_inventory=False)
    queued = _queued(enrollment)
    assert set(queued) == {
        "DeviceInformation",
        "SecurityInfo",
        "ProfileList",
        "CertificateList",
        "InstalledApplicationList",
        # Queued with them, in the TokenUpdate's transaction: the first synchronisation that
        # turns declarative management on (the server's status subscriptions).
        "DeclarativeManagement",
    }
    queries = set(queued["DeviceInformation"]["Queries"])
    assert queries and not queries & HARDWARE_QUERIES
    assert queued["InstalledApplicationList"]["ManagedAppsOnly"] is True
    assert enrollment.device.inventory_at is None
    answered = device.run()
    assert answered[0].request_type == "DeviceInformation"  # asked first
    enrollment.refresh_from_db()
    assert enrollment.device.inventory_at is not None
    assert enrollment.device.serial_number is None and enrollment.device.udid is None


@pytest.mark.django_db
def test_device_enrollment_lists_every_app_and_asks_supervision(
    make_device: MakeDevice,
) -> None:
    _, enrollment = enrolled(
        make_device, platform="macOS", user_enrollment=False, drain_inventory=False
    )
    queued = _queued(enrollment)
    assert "ManagedAppsOnly" not in queued["InstalledApplicationList"]
    assert {"SerialNumber", "IsSupervised"} <= set(queued["DeviceInformation"]["Queries"])
    rows = QueuedCommand.objects.filter(enrollment=enrollment)
    # With the inventory, in the same enqueue: the first declarations synchronisation.
    assert {r.command.origin for r in rows} == {inventory_queue.INVENTORY_ORIGIN, ENROLLMENT_ORIGIN}


@pytest.mark.django_db
def test_inventory_is_queued_once_per_enrollment(make_device: MakeDevice) -> None:
    device, enrollment = enrolled(make_device, user_enrollment=True, drain_inventory=False)
    assert device.token_update() == 200  # a later TokenUpdate (new push token) asks nothing
    # The five inventory commands and the first declarations synchronisation, once.
    assert QueuedCommand.objects.filter(enrollment=enrollment).count() == 6
    # User channels are asked no inventory of their own; their device answers for them.
    user = create_channel(
        parent=enrollment, channel_key="user:x", enrollment_type=enrollment.enrollment_type
    )
    inventory_queue.queue_first_commands(enrollment=user)
    asked = QueuedCommand.objects.filter(enrollment=user).values_list(
        "command__request_type", flat=True
    )
    assert not set(asked) & INVENTORY


@pytest.mark.django_db
def test_a_first_commands_receiver_whose_sql_fails_costs_the_enrollment_nothing(
    make_device: MakeDevice,
) -> None:
    """A first-commands provider (`hooks.set_first_commands`) runs inside the TokenUpdate's
    transaction: a statement that fails there (PostgreSQL then refuses every later statement of the transaction) is
    logged and left out, like any other failure, and the TokenUpdate still commits with its
    inventory and the other receivers' commands (not a 500, not a lost TokenUpdate)."""
    from devices import hooks

    def failing(enrollment: Enrollment) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # a DataError: the transaction is aborted

    hooks.set_first_commands("test.failing", failing)
    try:
        device = make_device(platform="macOS", user_enrollment=False)
        assert device.authenticate() == 200
        assert device.token_update() == 200
        assert device.token_update(user="ABCD-USER") == 200  # a new user channel: the same
    finally:
        hooks.set_first_commands("test.failing", None)
    enrollment = Enrollment.objects.get(device__udid=device.udid, parent=None)
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert set(_queued(enrollment)) == INVENTORY | {"DeclarativeManagement"}
    # Queued once: what the first attempt (all providers and the enqueue in one savepoint) wrote
    # before the failure was undone with it.
    assert QueuedCommand.objects.filter(enrollment=enrollment).count() == len(INVENTORY) + 1
    # The TokenUpdate's channel and log row, written with the first commands, were undone with
    # them and written again once: one log row.
    logged = enrollment.events.filter(action="TokenUpdate").values_list("detail", flat=True)
    assert [d["first"] for d in logged] == [True]
    assert enrollment.push_token == device.push_token.hex()
    user = Enrollment.objects.get(parent=enrollment)
    assert user.status == Enrollment.Status.ENROLLED
    assert set(_queued(user)) == {"DeclarativeManagement"}


@pytest.mark.django_db
def test_a_first_command_the_enqueue_refuses_costs_the_enrollment_only_that_command(
    make_device: MakeDevice,
) -> None:
    """A receiver's request that the enqueue refuses (here a profile that is not one; the same
    for a request whose `on_queued` fails) fails the joint enqueue: the TokenUpdate then
    commits with the inventory alone, rather than answering 500 to this and every retry."""
    from devices import hooks
    from devices.services.queue import CommandRequest

    def broken(enrollment: Enrollment) -> list[CommandRequest]:
        return [CommandRequest("InstallProfile", {"Payload": b"<plist>not a profile"})]

    hooks.set_first_commands("test.broken", broken)
    try:
        device = make_device(platform="macOS", user_enrollment=False)
        assert device.authenticate() == 200
        assert device.token_update() == 200
    finally:
        hooks.set_first_commands("test.broken", None)
    enrollment = Enrollment.objects.get(device__udid=device.udid)
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert set(_queued(enrollment)) == INVENTORY
    logged = enrollment.events.filter(action="TokenUpdate").values_list("detail", flat=True)
    assert [d["first"] for d in logged] == [True]


@pytest.mark.django_db(transaction=True)
def test_a_first_commands_receiver_that_loses_the_database_gets_the_device_a_503(
    make_device: MakeDevice,
) -> None:
    """The database gone under a receiver (the TokenUpdate's transaction cannot be undone, nor
    can the server connect again): the TokenUpdate is not half-stored, the device is answered
    503 (never 500), to try again, and its next TokenUpdate completes the enrollment as the
    first one would have. (Outside a test's transaction: the check-in's is the real one.)"""
    from django.db import OperationalError, connections

    from devices import hooks

    wrapper = connections["default"]
    calls: list[str] = []

    def refused() -> None:
        del wrapper.connect  # once: the device's next try connects
        calls.append("connect")
        raise OperationalError("connection refused")

    def lost() -> None:
        del wrapper.rollback  # once
        wrapper.connect = refused  # type: ignore[method-assign]
        calls.append("rollback")
        raise OperationalError("server closed the connection unexpectedly")

    def failing(enrollment: Enrollment) -> None:
        wrapper.rollback = lost  # type: ignore[method-assign]
        calls.append("provider")
        raise OperationalError("server closed the connection unexpectedly")

    device = make_device(platform="macOS", user_enrollment=False)
    assert device.authenticate() == 200
    hooks.set_first_commands("test.failing", failing)
    try:
        status, _ = device.checkin(
            {
                "MessageType": "TokenUpdate",
                "Topic": device.topic,
                "Token": device.push_token,
                "PushMagic": device.push_magic,
                **device.ids(),
            }
        )
    finally:
        hooks.set_first_commands("test.failing", None)
    assert status == 503
    assert calls == ["provider", "rollback", "connect"]  # not done again: nothing to go on with
    enrollment = Enrollment.objects.get(device__udid=device.udid)
    assert enrollment.status == Enrollment.Status.PENDING
    assert not QueuedCommand.objects.filter(enrollment=enrollment).exists()
    assert device.token_update() == 200  # the device tries again
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert set(_queued(enrollment)) == INVENTORY | {"DeclarativeManagement"}


@pytest.mark.django_db
def test_a_first_commands_receiver_that_fails_gets_the_check_in_done_again_with_a_savepoint(
    make_device: MakeDevice,
) -> None:
    """The first commands run without a savepoint of their own; a failure undoes the check-in,
    which runs again, its first commands queued step by step (each receiver in a savepoint of
    its own) as after a failure in that savepoint: the failing receiver is left out (logged),
    the others' commands kept; the receivers are asked twice, as they were then."""
    from devices import hooks

    asked: list[str] = []

    def failing(enrollment: Enrollment) -> None:
        asked.append(enrollment.channel_key)
        raise RuntimeError("a receiver's bug")

    device = make_device(platform="iOS", user_enrollment=True)
    assert device.authenticate() == 200
    hooks.set_first_commands("test.failing", failing)
    try:
        with CaptureQueriesContext(connection) as captured:
            assert device.token_update() == 200
    finally:
        hooks.set_first_commands("test.failing", None)
    assert len(asked) == 2 and len(set(asked)) == 1
    statements = [q["sql"] for q in captured.captured_queries]
    # The check-in's savepoint twice (undone once); then each receiver's and the enqueue's.
    providers = len(hooks.first_commands_providers()) + 1
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 2 + providers + 1, statements
    assert sum(s.startswith("ROLLBACK TO SAVEPOINT") for s in statements) == 2, statements
    enrollment = Enrollment.objects.get(enrollment_id=device.enrollment_id)
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert set(_queued(enrollment)) == INVENTORY | {"DeclarativeManagement"}
    assert QueuedCommand.objects.filter(enrollment=enrollment).count() == len(INVENTORY) + 1
    logged = enrollment.events.filter(action="TokenUpdate").values_list("detail", flat=True)
    assert [d["first"] for d in logged] == [True]


def test_a_first_attempt_that_failed_is_logged_when_the_check_in_done_again_succeeds(
    make_device: MakeDevice, caplog: pytest.LogCaptureFixture
) -> None:
    """A receiver that fails only beside the others (or a deadlock, a failover): the check-in
    done again succeeds with every command, and the first attempt's failure is in the log."""
    from devices import hooks

    calls: list[int] = []

    def once(enrollment: Enrollment) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("deadlock detected")

    device = make_device(platform="iOS", user_enrollment=True)
    assert device.authenticate() == 200
    hooks.set_first_commands("test.once", once)
    try:
        with caplog.at_level("WARNING", logger="devices.services.checkin"):
            assert device.token_update() == 200
    finally:
        hooks.set_first_commands("test.once", None)
    assert len(calls) == 2
    assert any("RuntimeError: deadlock detected" in r.getMessage() for r in caplog.records), (
        caplog.records
    )


def _mac_with_bootstrap(make_device: MakeDevice, supervised: bool) -> tuple[SimulatedDevice, dict]:
    device, enrollment = enrolled(
        make_device, platform="macOS", user_enrollment=False, drain_inventory=False
    )
    facts = device.facts
    device.facts = lambda: {**facts(), "IsSupervised": supervised}  # type: ignore[method-assign]
    token = {"MessageType": "SetBootstrapToken", "BootstrapToken": b"bt", "UDID": device.udid}
    # The Mac escrows its token before it has answered DeviceInformation: taken at its word.
    assert device.checkin(token)[0] == 200
    event = enrollment.events.get(action="SetBootstrapToken")
    assert event.detail == {"supervision": "not yet reported", "token": "escrowed"}
    # The first command the Mac gets is DeviceInformation, whatever else is queued.
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    status, body = device.connect()
    assert status == 200 and plistlib.loads(body)["Command"]["RequestType"] == "DeviceInformation"
    command = plistlib.loads(body)
    answer_status, extra = device.answer("DeviceInformation", command["Command"])
    device.connect(answer_status, command_uuid=command["CommandUUID"], extra=extra)
    return device, token


@pytest.mark.django_db
def test_supervised_mac_escrows_its_bootstrap_token_at_the_first_try(
    make_device: MakeDevice,
) -> None:
    device, _ = _mac_with_bootstrap(make_device, supervised=True)
    enrollment = Enrollment.objects.get(device__udid=device.udid)
    assert enrollment.device.supervised and enrollment.device.inventory_at is not None
    assert enrollment.bootstrap_token is not None
    status, body = device.checkin({"MessageType": "GetBootstrapToken", "UDID": device.udid})
    assert status == 200 and plistlib.loads(body) == {"BootstrapToken": b"bt"}


@pytest.mark.django_db
def test_a_mac_that_is_not_supervised_keeps_no_bootstrap_token(
    make_device: MakeDevice,
) -> None:
    device, token = _mac_with_bootstrap(make_device, supervised=False)
    enrollment = Enrollment.objects.get(device__udid=device.udid)
    assert not enrollment.device.supervised and enrollment.bootstrap_token is None
    # Supervision is known now: Apple's rule applies as it is.
    status, body = device.checkin(token)
    assert status == 403 and b"needs a supervised device" in body
    assert device.checkin({"MessageType": "GetBootstrapToken", "UDID": device.udid})[0] == 403


@pytest.mark.django_db
def test_another_device_cannot_make_the_server_forget_a_macs_bootstrap_token(
    make_device: MakeDevice,
) -> None:
    """A new enrollment's Authenticate forgets the channel's bootstrap token; one naming another
    Mac's UDID, signed by an enrolled device's identity or by a fresh one bound to nobody, is
    refused before anything is written: the Mac keeps its token and its enrollment."""
    victim, _ = _mac_with_bootstrap(make_device, supervised=True)
    enrolled_elsewhere = make_device(platform="macOS", user_enrollment=False)
    enrolled_elsewhere.enroll()
    fresh = make_device(platform="macOS", user_enrollment=False)
    for attacker in (enrolled_elsewhere, fresh):
        attacker.udid = victim.udid
        assert attacker.authenticate() == 403
    enrollment = Enrollment.objects.get(device__udid=victim.udid)
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.bootstrap_token is not None
    status, body = victim.checkin({"MessageType": "GetBootstrapToken", "UDID": victim.udid})
    assert status == 200 and plistlib.loads(body) == {"BootstrapToken": b"bt"}


# --- scheduled refresh ---------------------------------------------------------------------------


def _columns(model: Any, computed: dict[str, str]) -> tuple[list[str], list[str], list[Any]]:
    """Each concrete column of `model` (but the id and the channel's Device): its SQL value
    from `computed`, else its model default as a parameter."""
    columns, values, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name == "device":
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.name in computed:
            values.append(computed[f.name])
        else:
            values.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
    return columns, values, params


def _seed_enrolled(n: int) -> None:
    """n enrolled device channels and their Devices in one INSERT ... SELECT generate_series
    (PostgreSQL): User Enrollment iPhones, Device Enrollment Macs and iPhones, each with a
    random refresh slot as the model gives one, every other column its model default."""
    device_columns, device_values, device_params = _columns(
        Device,
        {
            "user_enrollment": "g %% 3 <> 1",
            "platform": "CASE WHEN g %% 3 = 1 THEN 'macOS' ELSE 'iOS' END",
            "os_version": "CASE WHEN g %% 3 = 1 THEN '15.2' ELSE '18.2' END",
            "udid": "CASE WHEN g %% 3 = 1 THEN gen_random_uuid()::text END",
            "created_at": "now()",
        },
    )
    columns, values, params = _columns(
        Enrollment,
        {
            "public_id": "gen_random_uuid()",
            "channel_key": "'seed:' || gen_random_uuid()::text",
            "enrollment_type": "(ARRAY['user','device','user'])[1 + g %% 3]",
            "enrollment_id": "CASE WHEN g %% 3 <> 1 THEN gen_random_uuid()::text END",
            "status": "'enrolled'",
            "refresh_slot": f"floor(random() * {lifecycle.SLOTS})::integer",
            "created_at": "now()",
            "enrolled_at": "now()",
            "last_seen_at": "now()",
        },
    )
    qn = connection.ops.quote_name
    devices, channels = qn(Device._meta.db_table), qn(Enrollment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH src AS MATERIALIZED (SELECT g, "  # noqa: S608 - names and constants
            f"nextval(pg_get_serial_sequence('{Device._meta.db_table}', 'id')) AS did "
            "FROM generate_series(1, %s) AS g), "
            f"made AS (INSERT INTO {devices} (id, {', '.join(device_columns)}) "
            f"SELECT did, {', '.join(device_values)} FROM src) "
            f"INSERT INTO {channels} (device_id, {', '.join(columns)}) "
            f"SELECT did, {', '.join(values)} FROM src",
            [n, *device_params, *params],
        )


def _set_window_end(end: dt.datetime) -> None:
    LifecycleSettings.objects.update_or_create(pk=1, defaults={"refreshed_through": end})


@pytest.mark.postgres
@pytest.mark.django_db
def test_refresh_at_100k_devices_is_spread_and_constant_in_statements() -> None:
    LifecycleSettings.objects.update_or_create(pk=1, defaults={"inventory_refresh_hours": 24})
    now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    interval = dt.timedelta(minutes=15)
    # Every kind of device the fleet has, so each run stores the same set of commands.
    _seed_enrolled(10_000)
    _set_window_end(now - interval)
    apns_services.active_topic()  # the configuration each run reads, kept before the first
    with CaptureQueriesContext(connection) as small:
        run_small = lifecycle_services.refresh_inventory(now=now)
    _seed_enrolled(90_000)
    with CaptureQueriesContext(connection) as large:
        run_large = lifecycle_services.refresh_inventory(now=now + interval)

    assert run_large.start == now  # the next run starts where the last one stopped
    # Binomial(n, 15/1440): expected 104 and 1042, standard deviations about 10 and 32.
    assert 50 <= run_small.queued <= 160
    assert 100_000 * 15 / 1440 * 0.85 <= run_large.queued <= 100_000 * 15 / 1440 * 1.15
    assert len(large.captured_queries) == len(small.captured_queries)
    refreshed = QueuedCommand.objects.filter(
        command__request_type="DeviceInformation", command__origin="inventory refresh"
    )
    assert refreshed.count() == run_small.queued + run_large.queued
    # One stored command per kind of device, fanned out by reference.
    assert Command.objects.filter(origin="inventory refresh").count() < 60


@pytest.mark.django_db
def test_refresh_skips_fresh_pending_and_unenrolled_devices() -> None:
    bulk_devices(300, os_version="18.2")
    now = timezone.now()
    period = dt.timedelta(hours=24)
    Device.objects.filter(
        channels__id__in=Enrollment.objects.order_by("id").values("id")[:100]
    ).update(inventory_at=now - dt.timedelta(hours=2))
    Enrollment.objects.filter(
        id__in=Enrollment.objects.order_by("id").values("id")[100:150]
    ).update(status=Enrollment.Status.UNENROLLED)
    stale = Enrollment.objects.order_by("id")[150:160]
    Device.objects.filter(channels__id__in=[e.pk for e in stale]).update(
        inventory_at=now - dt.timedelta(hours=25)
    )
    _set_window_end(now - period)  # a whole period: every slot
    run = lifecycle_services.refresh_inventory(now=now)
    assert run.queued == 150
    asked = set(
        QueuedCommand.objects.filter(command__request_type="DeviceInformation").values_list(
            "enrollment_id", flat=True
        )
    )
    ids = list(Enrollment.objects.order_by("id").values_list("id", flat=True))
    assert asked == set(ids[150:])
    # A period later the ones that were fresh are due; those still pending are not asked twice.
    _set_window_end(now)
    assert lifecycle_services.refresh_inventory(now=now + period).queued == 100
    again = QueuedCommand.objects.filter(command__request_type="DeviceInformation")
    assert again.count() == 250


# --- probably gone -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dead_token_or_silence_lists_device_as_probably_gone_and_retire_unenrolls(
    make_device: MakeDevice, admin_client
) -> None:
    _, dead = enrolled(make_device, user_enrollment=True)
    _, silent = enrolled(make_device, user_enrollment=False)
    _, active = enrolled(make_device, user_enrollment=True)
    Enrollment.objects.filter(pk=dead.pk).update(
        push_token_dead=True, push_token_dead_reason="Unregistered"
    )
    Enrollment.objects.filter(pk=silent.pk).update(
        last_seen_at=timezone.now() - dt.timedelta(days=31)
    )
    page = admin_client.get(reverse("devices-list") + "?status=probably_gone")
    assert page.status_code == 200
    listed = {str(e.public_id) for e in page.context["page"].rows}
    assert listed == {str(dead.public_id), str(silent.public_id)}
    detail = admin_client.get(reverse("devices-detail", args=[silent.public_id]))
    assert (
        b"data-probably-gone" in detail.content and b"not seen for more than 30" in detail.content
    )
    detail = admin_client.get(reverse("devices-detail", args=[active.public_id]))
    assert b"data-probably-gone" not in detail.content

    # Retiring a device that is active is refused; a probably gone one is unenrolled.
    url = reverse("devices-retire", args=[active.public_id])
    assert admin_client.post(url).status_code == 400
    active.refresh_from_db()
    assert active.status == Enrollment.Status.ENROLLED
    assert admin_client.get(reverse("devices-retire", args=[dead.public_id])).status_code == 405
    response = admin_client.post(reverse("devices-retire", args=[dead.public_id]))
    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.status == Enrollment.Status.UNENROLLED and not dead.is_pushable
    assert not apns_services.pushable().filter(pk=dead.pk).exists()
    assert AuditEvent.objects.filter(action="devices.unenrolled", target_id=str(dead.pk)).exists()
    event = DeviceEvent.objects.get(enrollment=dead, action="Unenroll")
    assert "Unregistered" in event.detail["reason"]


@pytest.mark.django_db
def test_helpdesk_cannot_retire(make_device: MakeDevice, helpdesk_client) -> None:
    _, dead = enrolled(make_device, user_enrollment=True)
    Enrollment.objects.filter(pk=dead.pk).update(push_token_dead=True)
    response = helpdesk_client.post(reverse("devices-retire", args=[dead.public_id]))
    assert response.status_code == 403
    dead.refresh_from_db()
    assert dead.status == Enrollment.Status.ENROLLED


# --- retention -----------------------------------------------------------------------------------


def _all_rows_text() -> str:
    """Every row of every table, as text: the oracle for 'no trace is left'."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks += [repr(row) for row in cursor.fetchall()]
    return "\n".join(chunks)


@pytest.mark.django_db
def test_retention_purge_leaves_no_trace_of_a_personal_device(make_device: MakeDevice) -> None:
    LifecycleSettings.objects.update_or_create(pk=1, defaults={"retention_days": 30})
    device, old = enrolled(make_device, user_enrollment=True, drain_inventory=False)
    _, recent = enrolled(make_device, user_enrollment=True)
    _, company = enrolled(make_device, platform="macOS", user_enrollment=False)
    apple_id = "purge.me.person@appleid.example.org"
    EnrollmentSession.objects.create(
        kind=EnrollmentSession.Kind.ACCOUNT,
        enrollment_type=EnrollmentSession.Type.USER,
        user_identifier="purge.me.person",
        managed_apple_id=apple_id,
        enrollment=old,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    Device.objects.filter(channels=old).update(
        managed_apple_id=apple_id, device_name="Personal Phone Of Someone"
    )
    InstalledApplication.objects.create(
        enrollment=old, identifier="com.example.managed.purgeapp", is_managed=True
    )
    services.enqueue_command(enrollments=[old], request_type="SecurityInfo")
    device.run()
    old.refresh_from_db()
    for enrollment in (old, recent, company):
        services.unenroll(enrollment=enrollment, reason="test")
    Enrollment.objects.filter(pk=old.pk).update(
        unenrolled_at=timezone.now() - dt.timedelta(days=31)
    )
    Enrollment.objects.filter(pk=recent.pk).update(
        unenrolled_at=timezone.now() - dt.timedelta(days=29)
    )
    Enrollment.objects.filter(pk=company.pk).update(
        unenrolled_at=timezone.now() - dt.timedelta(days=400)
    )
    before = _all_rows_text()
    assert apple_id in before and old.enrollment_id in before

    run = lifecycle_services.purge_ended_user_enrollments()

    assert run.enrollments == 1 and run.apps == 1 and run.events > 0
    after = _all_rows_text()
    for trace in (apple_id, old.enrollment_id, "Personal Phone Of Someone", "purgeapp"):
        assert trace not in after
    assert not Enrollment.objects.filter(pk=old.pk).exists()
    assert not Device.objects.filter(pk=old.device_id).exists()  # its Device went too
    # Kept: the one still within the retention, and the organisation's device.
    assert Enrollment.objects.filter(pk__in=[recent.pk, company.pk]).count() == 2
    # The admin action stays in the audit log, without the device's name.
    audit = AuditEvent.objects.get(action="devices.unenrolled", target_id=str(old.pk))
    assert audit.target_repr == lifecycle_services.PURGED
    assert lifecycle_services.purge_ended_user_enrollments().enrollments == 0


# --- settings ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_administrator_sets_lifecycle_settings_bad_values_refused(
    admin_client, helpdesk_client
) -> None:
    url = reverse("devices-lifecycle")
    assert admin_client.get(url).status_code == 200
    assert not LifecycleSettings.objects.exists()  # reading wrote nothing
    bad = admin_client.post(
        url, {"inventory_refresh_hours": "0", "gone_after_days": "30", "retention_days": "-1"}
    )
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"inventory_refresh_hours", "retention_days"}
    assert not LifecycleSettings.objects.exists()
    values = {"inventory_refresh_hours": "12", "gone_after_days": "14", "retention_days": "7"}
    assert helpdesk_client.post(url, values).status_code == 403
    assert admin_client.post(url, values).status_code == 302
    saved = LifecycleSettings.load()
    assert (saved.inventory_refresh_hours, saved.gone_after_days, saved.retention_days) == (
        12,
        14,
        7,
    )
    audit = AuditEvent.objects.get(action="devices.lifecycle_settings_saved")
    assert audit.details["retention_days"] == [30, 7]
