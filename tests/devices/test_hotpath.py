"""The hot path's own statements (devices/hotpath.py) read rows as the ORM reads them."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import DateTimeField
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from devices import hooks, hotpath, services
from devices.models import Command, Device, DeviceEvent, Enrollment, QueuedCommand
from tests.channels import bulk_create_channels, create_channel, new_channel

pytestmark = pytest.mark.django_db

# Microseconds, a time far from now, and one before the epoch: nothing is rounded or shifted.
MOMENTS = {
    "enrolled_at": dt.datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=dt.UTC),
    "last_seen_at": dt.datetime(2031, 7, 1, 12, 0, 0, 1, tzinfo=dt.UTC),
    "identity_not_before": dt.datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=dt.UTC),
    # Given in another time zone: the same instant comes back, as the ORM returns it.
    "identity_not_after": dt.datetime(
        2030, 1, 1, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    ),
}


def _datetimes(row: Enrollment | Device) -> dict[str, tuple[dt.datetime | None, object]]:
    """Each datetime field's value and its tzinfo object."""
    out = {}
    for f in type(row)._meta.concrete_fields:
        if isinstance(f, DateTimeField) and f.attname in row.__dict__:
            value = getattr(row, f.attname)
            out[f.attname] = (value, value.tzinfo if value is not None else None)
    return out


def _channel() -> Enrollment:
    return create_channel(
        channel_key="eid:HOTPATH-1",
        enrollment_type="user",
        status="enrolled",
        platform="iOS",
        os_version="18.2",
        unenrolled_at=None,
        **MOMENTS,
    )


def test_the_connect_lookup_reads_datetimes_as_the_orm_does() -> None:
    channel = _channel()
    with CaptureQueriesContext(connection) as queries:
        found = hotpath.connect_row("eid:HOTPATH-1")
    assert found is not None
    orm = Enrollment.objects.select_related("device").get(pk=channel.pk)
    read = _datetimes(found.enrollment)
    assert read == {name: _datetimes(orm)[name] for name in read}
    assert read["last_seen_at"] == (MOMENTS["last_seen_at"], dt.UTC)
    assert read["last_seen_at"][1] is orm.last_seen_at.tzinfo
    if connection.vendor == "postgresql":
        # Read as UTC wall-clock time, which psycopg loads in C (hotpath._reads_utc_wall_time).
        assert "AT TIME ZONE 'UTC'" in queries[0]["sql"]


def test_a_null_datetime_stays_null() -> None:
    channel = _channel()
    Enrollment.objects.filter(pk=channel.pk).update(last_seen_at=None)
    found = hotpath.connect_row("eid:HOTPATH-1")
    assert found is not None and found.enrollment.last_seen_at is None


def test_the_check_in_lookup_reads_every_datetime_as_the_orm_does() -> None:
    channel = _channel()
    with transaction.atomic():
        found = hotpath.enrollment_by_key("eid:HOTPATH-1", for_update=True)
    assert found is not None
    orm = Enrollment.objects.select_related("device").get(pk=channel.pk)
    assert _datetimes(found) == _datetimes(orm)
    assert _datetimes(found.device) == _datetimes(orm.device)
    assert {name for name, (value, _) in _datetimes(found).items() if value} >= set(MOMENTS)
    assert _datetimes(found.device)["created_at"][0] is not None


def test_a_partial_row_is_a_model_instance_with_the_rest_deferred() -> None:
    """As `QuerySet.only()` makes it: what was read is set, the rest loads when first used."""
    channel = _channel()
    found = hotpath.connect_row("eid:HOTPATH-1")
    # No model instance in an assert before the deferred fields are read: the assertion hook's
    # repr of one would load those its __str__ reads.
    if found is None:
        raise AssertionError("not found")
    enrollment, device = found.enrollment, found.enrollment.device
    deferred = (enrollment.get_deferred_fields(), device.get_deferred_fields())
    states = [(row._state.adding, row._state.db) for row in (enrollment, device)]
    read = (enrollment.pk, enrollment.status, device.platform)
    every = {f.attname for f in Enrollment._meta.concrete_fields}
    every_device = {f.attname for f in Device._meta.concrete_fields}
    assert deferred == (
        every - set(hotpath._CONNECT_FIELDS),
        every_device - set(hotpath._CONNECT_DEVICE_FIELDS),
    )
    assert states == [(False, "default")] * 2
    assert read == (channel.pk, "enrolled", "iOS")
    with CaptureQueriesContext(connection) as queries:
        key = enrollment.channel_key  # deferred: one query loads it
    assert key == "eid:HOTPATH-1"
    assert len(queries) == 1


def _raw_row(model: type, columns: tuple, pk: int) -> tuple:
    """The columns' values as the database sends them (before any converter)."""
    selected = ", ".join(hotpath._select_list("t", columns, "default"))
    table = model._meta.db_table  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selected} FROM {table} t WHERE t.id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def _contents(instance: object) -> tuple[dict[str, object], bool, str | None, set[str]]:
    state = instance._state  # type: ignore[attr-defined]
    values = {k: v for k, v in instance.__dict__.items() if k != "_state"}
    return values, state.adding, state.db, instance.get_deferred_fields()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Enrollment, hotpath._CONNECT_FIELDS),
        (Device, hotpath._CONNECT_DEVICE_FIELDS),
        (Command, hotpath._DELIVERY_COMMAND_FIELDS),
        (QueuedCommand, hotpath._RESULT_QUEUE_FIELDS),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_rows_become_the_instances_the_orm_makes(model: type[Any], fields: tuple[str, ...]) -> None:
    """`_from_row` skips `Model.__init__`: its instances hold what `Model.from_db` would."""
    channel = _channel()
    columns = hotpath._columns_of(model, fields)
    source = {Enrollment: channel, Device: channel.device}.get(model)
    if source is None:  # a queued command of this channel
        services.enqueue_command(enrollments=[channel], request_type="SecurityInfo")
        queued = QueuedCommand.objects.select_related("command").get(enrollment=channel)
        source = queued if model is QueuedCommand else queued.command
    made = hotpath._from_row(model, columns, _raw_row(model, columns, source.pk), "default")
    # As `QuerySet.only()` makes it, through `Model.__init__`.
    orm = model._default_manager.only(*fields).get(pk=source.pk)  # type: ignore[attr-defined]
    # Compared before any assert shows an instance (the assertion hook's repr of one would
    # load the deferred fields its __str__ reads).
    contents, expected = _contents(made), _contents(orm)
    same_class, same_row = type(made) is model, made == source  # the ORM's equality: the pk
    assert contents == expected
    assert same_class
    assert same_row


def test_a_model_with_an_init_listener_is_made_through_init() -> None:
    """Should anything listen to `post_init` (a field that needs it, a test), `__init__` runs."""
    channel = _channel()
    columns = hotpath._columns_of(Enrollment, hotpath._CONNECT_FIELDS)
    row = _raw_row(Enrollment, columns, channel.pk)
    made: list[object] = []

    def listener(sender: type, instance: object, **kwargs: object) -> None:
        made.append(instance)

    post_init.connect(listener, sender=Enrollment)
    try:
        instance = hotpath._from_row(Enrollment, columns, row, "default")
    finally:
        post_init.disconnect(listener, sender=Enrollment)
    heard = len(made) == 1 and made[0] is instance
    contents = _contents(instance)
    assert heard
    orm = Enrollment.objects.only(*hotpath._CONNECT_FIELDS).get(pk=channel.pk)
    assert contents == _contents(orm)


@pytest.mark.parametrize("known", [True, False], ids=["prepared once", "a field it does not know"])
def test_each_delivery_logs_its_own_enrollment_and_time(
    known: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What every delivery's log row writes alike is prepared once; the enrollment and the
    row's time are each delivery's own, and so is a repeat's after the first. A log field it
    does not know as a constant is prepared for each delivery."""
    from devices import services
    from devices.models import DeviceEvent, QueuedCommand

    monkeypatch.setattr(hotpath, "_DELIVERY_CONSTANTS", {})
    if not known:
        monkeypatch.setattr(hotpath, "_DELIVERY_LOG_CONSTANTS", frozenset({"kind", "status"}))

    first = _channel()
    second = create_channel(
        channel_key="eid:HOTPATH-2", enrollment_type="user", status="enrolled", platform="iOS"
    )
    services.enqueue_command(enrollments=[first, second], request_type="SecurityInfo")
    services.enqueue_command(enrollments=[second], request_type="ProfileList")
    now = dt.datetime.now(dt.UTC)
    delivered = [
        hotpath.deliver_next(
            row, [QueuedCommand.Status.QUEUED], now=now, kind=DeviceEvent.Kind.COMMAND
        )
        for row in (first, second, second)
    ]
    sent = [DeviceEvent.objects.get(pk=d.event_id) for d in delivered if d is not None]
    assert [(e.enrollment_id, e.kind, e.status, e.detail, e.action) for e in sent] == [
        (first.pk, "command", "sent", {}, "SecurityInfo"),
        (second.pk, "command", "sent", {}, "SecurityInfo"),
        (second.pk, "command", "sent", {}, "ProfileList"),
    ]
    times = [e.created_at for e in sent]
    assert now <= times[0] <= times[1] <= times[2]
    assert len({*times}) == 3
    assert [v is not None for v in hotpath._DELIVERY_CONSTANTS.values()] == [known]


def test_commands_and_their_queue_rows_are_one_statement_for_existing_channels_only() -> None:
    from django.utils import timezone

    from devices.models import Command, QueuedCommand

    assert hotpath.queues_with_commands()  # the suite runs on PostgreSQL
    first = _channel()
    second = create_channel(channel_key="eid:HOTPATH-2", status="enrolled", platform="iOS")
    gone = second.pk + 1000
    commands = [
        Command(uuid=f"HOTPATH-{n}", request_type="SecurityInfo", priority=priority, body=b"x")
        for n, priority in enumerate((60, 50))
    ]
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        pairs = hotpath.insert_commands_and_queue(commands, [first.pk, gone, second.pk], now)
    assert len(queries) == 1
    assert all(c.pk is not None and not c._state.adding for c in commands)
    assert sorted(pairs) == sorted((e.pk, c.pk) for e in (first, second) for c in commands)
    rows = QueuedCommand.objects.filter(command__in=commands).select_related("command")
    assert {(r.enrollment_id, r.command.uuid, r.priority, r.status) for r in rows} == {
        (e.pk, c.uuid, c.priority, QueuedCommand.Status.QUEUED)
        for e in (first, second)
        for c in commands
    }
    assert {r.created_at for r in rows} == {now}
    stored = Command.objects.get(uuid="HOTPATH-0")
    assert bytes(stored.body) == b"x" and stored.created_at is not None


def test_a_new_device_its_channel_and_log_row_are_written_together() -> None:
    from devices.models import DeviceEvent

    device = Device(platform="iOS", os_version="18.2", user_enrollment=True)
    enrollment = Enrollment(channel_key="eid:HOTPATH-NEW", channel="device", status="pending")
    event = DeviceEvent(
        enrollment=enrollment, kind="checkin", action="Authenticate", detail={"a": 1}
    )
    with CaptureQueriesContext(connection) as queries:
        hotpath.insert_new_channel(device, enrollment, event)
    assert len(queries) == 1
    stored = Enrollment.objects.select_related("device").get(channel_key="eid:HOTPATH-NEW")
    assert (stored.pk, stored.device.pk) == (enrollment.pk, device.pk)
    assert stored.device.os_version == "18.2" and stored.public_id == enrollment.public_id
    logged = DeviceEvent.objects.get(pk=event.pk)
    assert (logged.enrollment_id, logged.action, logged.detail) == (
        enrollment.pk,
        "Authenticate",
        {"a": 1},
    )
    assert enrollment.device is device and event.enrollment is enrollment


# Values the JSON documents of the wide inserts (hotpath._json_rows) must carry exactly as
# psycopg's parameters do: quotes, backslashes, placeholders, characters outside the BMP and
# Unicode's line separator, every byte, microseconds in another time zone, big numbers, nulls.
AWKWARD = 'Ann\'s "phone" \\ %s %(x)s é \U0001f600 \u2028 \\x00ff'
AWKWARD_JSON = {"a": [1, 2.5, -0.0, 1e-7, "é", None, True], "\\": {"'": AWKWARD}, "n": 2**62}
EVERY_BYTE = bytes(range(256)) * 2


def _stored(model: type, pk: int, leave_out: set[str]) -> dict[str, object]:
    row = model.objects.filter(pk=pk).values().get()
    return {
        k: bytes(v) if isinstance(v, memoryview) else v
        for k, v in row.items()
        if k not in leave_out
    }


def _awkward_channel(n: int) -> tuple[Device, Enrollment, object]:
    from devices.models import DeviceEvent

    device = Device(
        platform="iOS",
        os_version="18.2",
        device_name=AWKWARD,
        serial_number=None,
        device_information=AWKWARD_JSON,
        inventory_at=MOMENTS["identity_not_after"],
    )
    enrollment = Enrollment(
        channel_key=f"eid:AWKWARD-{n}",
        channel=Enrollment.Channel.DEVICE,
        status=Enrollment.Status.PENDING,
        enrollment_id=AWKWARD,
        unlock_token=EVERY_BYTE,
        ddm_status=AWKWARD_JSON,
        refresh_slot=2**31 - 1,
        **MOMENTS,
    )
    event = DeviceEvent(kind="checkin", action="Authenticate", status="ok", detail=AWKWARD_JSON)
    return device, enrollment, event


def test_a_json_row_is_each_field_s_pre_save_value_in_its_json_form() -> None:
    """`_json_row` passes the values that its fields' JSON form would give back as they are
    straight through: the document is the one made field by field (a time set on save apart)."""
    from devices.models import Command

    device, enrollment, event = _awkward_channel(6)
    command = Command(uuid="JSON-ROW", request_type="SecurityInfo", body=b"\x00\xff", priority=7)
    command._prepare_related_fields_for_save(operation_name="bulk_create")
    enrollment.status = Enrollment.Status.ENROLLED  # a choice: not a plain str
    for row, link in ((device, ""), (enrollment, "device"), (event, "enrollment"), (command, "")):
        fields = hotpath._json_fields(type(row), link)
        expected = {column: value(f.pre_save(row, True), connection) for f, column, value in fields}
        made = hotpath._json_row(row, connection, link)
        assert made.keys() == expected.keys()
        on_save = {c for f, c, _v in fields if getattr(f, "auto_now_add", False)}
        assert {k: v for k, v in made.items() if k not in on_save} == {
            k: v for k, v in expected.items() if k not in on_save
        }
        assert all(type(made[c]) is type(expected[c]) for c in on_save)


def test_the_new_channels_rows_are_stored_as_the_orm_stores_them() -> None:
    device, enrollment, event = _awkward_channel(1)
    hotpath.insert_new_channel(device, enrollment, event)
    orm_device, orm_enrollment, orm_event = _awkward_channel(2)
    orm_device.save()
    orm_enrollment.device = orm_device
    orm_enrollment.save()
    orm_event.enrollment = orm_enrollment
    orm_event.save()
    for model, new, orm, keys in (
        (Device, device, orm_device, {"id", "created_at"}),
        (
            Enrollment,
            enrollment,
            orm_enrollment,
            {"id", "device_id", "public_id", "channel_key", "created_at"},
        ),
        (type(event), event, orm_event, {"id", "enrollment_id", "created_at"}),
    ):
        stored, expected = _stored(model, new.pk, keys), _stored(model, orm.pk, keys)
        assert stored == expected, model
    assert _stored(Enrollment, enrollment.pk, set())["unlock_token"] == EVERY_BYTE
    assert _stored(Device, device.pk, set())["device_name"] == AWKWARD
    assert Enrollment.objects.get(pk=enrollment.pk).public_id == enrollment.public_id
    assert Device.objects.get(pk=device.pk).created_at == device.created_at


def test_the_commands_are_stored_as_the_orm_stores_them() -> None:
    from django.utils import timezone

    from devices.models import Command

    def command(uuid: str) -> Command:
        return Command(
            uuid=uuid,
            request_type="InstallProfile",
            spec="InstallProfile",
            priority=-32768,
            body=EVERY_BYTE,
            command_keys=[AWKWARD],
            payload_summary=[AWKWARD_JSON],
            display={"name": AWKWARD},
            origin=AWKWARD,
            target_count=2**31 - 1,
        )

    channel = _channel()
    new = [command("AWKWARD-1"), command("AWKWARD-2")]
    hotpath.insert_commands_and_queue(new, [channel.pk], timezone.now())
    orm = command("AWKWARD-3")
    orm.save()
    leave_out = {"id", "uuid", "created_at"}
    for one in new:
        assert _stored(Command, one.pk, leave_out) == _stored(Command, orm.pk, leave_out)
        assert Command.objects.get(pk=one.pk).created_at == one.created_at


def test_a_value_the_column_refuses_fails_as_with_the_orm() -> None:
    from django.db import DataError

    device, enrollment, event = _awkward_channel(3)
    device.platform = "x" * 17  # max_length 16
    with pytest.raises(DataError), transaction.atomic():
        hotpath.insert_new_channel(device, enrollment, event)
    device, enrollment, event = _awkward_channel(4)
    enrollment.refresh_slot = -1  # a PositiveIntegerField's check
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        hotpath.insert_new_channel(device, enrollment, event)


def test_a_kind_of_field_the_json_documents_cannot_carry_is_refused() -> None:
    from django.db.models import CharField, DecimalField, FloatField

    class Normalised(CharField):  # a class of its own: it may convert values its own way
        def get_prep_value(self, value: object) -> object:
            return str(value).lower()

    for field in (FloatField(), DecimalField(max_digits=4, decimal_places=2), Normalised()):
        with pytest.raises(TypeError):
            hotpath._json_value(field)
    assert hotpath._json_value(CharField())("Jo", connection) == "Jo"


def _field_by_field(field: Any, value: object, db: Any) -> object:
    """A value's JSON form as get_db_prep_save makes it (what `_json_value` stood for before it
    skipped the values that method gives back as they are)."""
    prepared = field.get_db_prep_save(value, connection=db)
    if prepared is None or field.get_internal_type() not in (
        "DateTimeField",
        "DateField",
        "UUIDField",
    ):
        return prepared
    return str(prepared) if field.get_internal_type() == "UUIDField" else prepared.isoformat()


class _OtherDatabase:
    """A connection of another vendor (for `_json_value`, which reads only these two)."""

    vendor = "sqlite"

    def __init__(self) -> None:
        # PostgreSQL's: datetimes and UUIDs given back as they are there too.
        self.ops, self.features = connection.ops, connection.features


@pytest.mark.parametrize(
    ("model", "name", "value"),
    [
        (Enrollment, "last_seen_at", dt.datetime(2026, 12, 7, 22, 30, 1, 5, tzinfo=dt.UTC)),
        (
            Enrollment,
            "last_seen_at",
            dt.datetime(
                2026, 12, 7, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30))
            ),
        ),
        (Enrollment, "last_seen_at", dt.datetime(2026, 12, 7, 22, 30)),  # naive: made aware
        (Enrollment, "last_seen_at", "2026-12-07T22:30:00+00:00"),  # text: read by to_python
        (Enrollment, "public_id", uuid.UUID("12345678-1234-5678-1234-567812345678")),
        (Enrollment, "public_id", "12345678123456781234567812345678"),
        (Enrollment, "status", Enrollment.Status.PENDING),
        (Enrollment, "channel_key", "udid:A"),
        (Enrollment, "refresh_slot", True),  # a bool in an integer column: its number
    ],
)
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_a_json_value_is_the_field_s_value_for_the_database_in_json_form(
    model: Any, name: str, value: object
) -> None:
    field = model._meta.get_field(name)
    json_value = hotpath._json_value(field)
    for db in (connection, _OtherDatabase()):
        expected = _field_by_field(field, value, db)
        made = json_value(value, db)
        assert (made, type(made)) == (expected, type(expected))


def test_values_the_database_takes_as_they_are_skip_the_field_s_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An aware datetime, a date, a UUID and a choice's member are what get_db_prep_save gives
    back on PostgreSQL: written without it (`_json_value`); a naive datetime still goes
    through it (made aware, with its warning)."""
    from django.db.models import DateField

    day = DateField()
    fields = [
        Enrollment._meta.get_field("last_seen_at"),
        Enrollment._meta.get_field("public_id"),
        Enrollment._meta.get_field("status"),
        day,
    ]
    values = [hotpath._json_value(f) for f in fields]
    for f in fields:
        monkeypatch.setattr(f, "get_db_prep_save", lambda *a, **k: pytest.fail("prepared"))
    moment = dt.datetime(2026, 12, 7, 22, 30, tzinfo=dt.UTC)
    key = uuid.UUID(int=7)
    assert values[0](moment, connection) == moment.isoformat()
    assert values[1](key, connection) == str(key)
    assert values[2](Enrollment.Status.PENDING, connection) is Enrollment.Status.PENDING
    assert values[3](dt.date(2026, 12, 7), connection) == "2026-12-07"
    with pytest.raises(pytest.fail.Exception):
        values[0](dt.datetime(2026, 12, 7, 22, 30), connection)


def test_json_documents_carry_characters_as_they_are() -> None:
    """Not as \\uXXXX escapes, which a database in another encoding than UTF-8 refuses in
    jsonb (iOS names a device "Ann\u2019s iPhone")."""
    text = hotpath._json({"name": "Ann\u2019s iPhone", "emoji": "\U0001f600", "nul": "\x00"})
    assert "Ann\u2019s iPhone" in text and "\U0001f600" in text
    assert "\\u0000" in text  # control characters stay escaped, as JSON requires


def _plan(query: str, params: list[object]) -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {query}", params)
        row = cursor.fetchone()
    assert row is not None
    plan: dict[str, float] = row[0][0]["Plan"]
    return plan


def test_the_wide_inserts_are_planned_for_the_rows_they_write() -> None:
    """Planned at their real size, far below PostgreSQL's JIT threshold (100,000): a set of
    records read from JSON is otherwise taken for 100 rows, and the new channel's three
    inserts joined for 10^12, compiled with JIT on every call."""
    import json

    from django.utils import timezone

    from devices.models import Command

    device, enrollment, event = _awkward_channel(5)
    documents = [
        json.dumps(hotpath._json_row(row, connection, link))
        for row, link in ((device, ""), (enrollment, "device"), (event, "enrollment"))
    ]
    plan = _plan(hotpath._new_channel_query(connection.alias), documents)
    assert (plan["Plan Rows"], plan["Total Cost"] < 100) == (1, True), plan
    commands = [Command(uuid=f"PLAN-{n}", request_type="SecurityInfo", body=b"") for n in range(6)]
    for command in commands:
        command._prepare_related_fields_for_save(operation_name="bulk_create")
    params = [*hotpath._json_rows(commands, connection), "queued", timezone.now(), 0, "", [1]]
    plan = _plan(hotpath._commands_and_queue_query(connection.alias), params)
    (inserted,) = [p for p in plan["Plans"] if p.get("Subplan Name") == "CTE c"]
    assert inserted["Plan Rows"] == 6, plan
    # With a first TokenUpdate's channel and log row (`TokenUpdateWrite`): the same.
    channel = create_channel(channel_key="eid:HOTPATH-PLAN", status="pending", platform="iOS")
    first = hotpath._token_update_params(_token_update_write(channel), connection)
    plan = _plan(hotpath._commands_and_queue_query(connection.alias, True), [*first, *params])
    (inserted,) = [p for p in plan["Plans"] if p.get("Subplan Name") == "CTE c"]
    assert inserted["Plan Rows"] == 6 and plan["Total Cost"] < 1000, plan


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


@pytest.mark.postgres
def test_a_first_authenticates_holder_lookups_use_indexes_when_channels_carry_no_reference() -> (
    None
):
    """Most channels carry no session reference (''): the planner took the reference read from
    the presented certificate's row for '' and scanned every channel looking for it (33-40 ms
    of PostgreSQL's CPU at 100,000 devices). Both lookups are index scans."""
    from mdm_server.pki.models import IssuedCertificate

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner")
    rows = [
        new_channel(channel_key=f"udid:BULK-{n}", enrollment_type="device") for n in range(3000)
    ]
    bulk_create_channels(rows, batch_size=1000)
    issued = IssuedCertificate.objects.create(
        fingerprint="ab" * 32, serial="1", subject="CN=device", pem="-",
        reference="0123456789abcdef0123456789abcdef", source="scep",
        not_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE devices_enrollment")
    _columns, query = hotpath._presented_query(connection.alias)
    plan = _plan(query, [issued.fingerprint, "udid:NEW", "udid:NEW", issued.fingerprint])
    scans = [
        (node["Node Type"], node.get("Index Name", ""))
        for node in _nodes(plan)
        if node.get("Relation Name") == "devices_enrollment"
    ]
    assert len(scans) == 2 and all(kind == "Index Scan" for kind, _name in scans), scans
    assert ("Index Scan", "devices_enrollment_reference") in scans
    found = hotpath.presented(fingerprint=issued.fingerprint, key="udid:NEW")
    assert found.issued is not None and found.other_holder is None


def _issued(fingerprint: str, reference: str = "") -> Any:
    from mdm_server.pki.models import IssuedCertificate

    return IssuedCertificate.objects.create(
        fingerprint=fingerprint, serial="1", subject="CN=device", pem="-", reference=reference,
        source="scep", not_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip


def test_an_authenticate_of_a_new_channel_reads_its_channel_and_certificate_in_one_statement() -> (
    None
):
    holder = create_channel(channel_key="udid:HOLDER", enrollment_type="device")
    Enrollment.objects.filter(pk=holder.pk).update(cert_fingerprint="cd" * 32)
    _issued("cd" * 32)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        enrollment, found = hotpath.channel_and_presented(
            key="udid:NEW", fingerprint="cd" * 32, session_sql=hooks.session_sql()
        )
    with transaction.atomic():
        apart = hotpath.presented(fingerprint="cd" * 32, key="udid:NEW")
    assert enrollment is None
    assert dataclasses.replace(found, session=None) == apart and found.other_holder == holder.pk
    assert found.issued is not None and found.issued.fingerprint == "cd" * 32
    if connection.vendor == "postgresql":
        assert len(queries) == 1, queries
        assert "FOR UPDATE OF e" in queries[0]["sql"]
        # With the certificate's session as the enrollment app reads it (here none).
        assert found.session == hotpath.SessionRead(None)


@pytest.mark.postgres  # the session is read by the statement on PostgreSQL only
def test_an_authenticate_of_a_new_channel_reads_its_certificates_session_with_it() -> None:
    from enrollment.models import EnrollmentSession

    session = EnrollmentSession.objects.create(
        kind="account", enrollment_type="user", user_identifier="jo@example.com",
        managed_apple_id="jo@example.com", expires_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    _issued("ab" * 32, reference=session.public_id)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        enrollment, found = hotpath.channel_and_presented(
            key="eid:NEW", fingerprint="ab" * 32, session_sql=hooks.session_sql()
        )
    assert enrollment is None and len(queries) == 1
    assert found.session is not None and found.session.row is not None
    assert found.session.row[:3] == ("user", session.public_id, "jo@example.com")
    # An existing channel: its session is read once its row is locked, not taken from here.
    channel = _channel()
    with transaction.atomic():
        enrollment, found = hotpath.channel_and_presented(
            key=channel.channel_key, fingerprint="ab" * 32, session_sql=hooks.session_sql()
        )
    assert enrollment is not None and found.session is None


def test_an_authenticate_of_an_existing_channel_reads_it_as_the_check_in_lookup_does() -> None:
    channel = _channel()
    _issued("ef" * 32)
    with transaction.atomic():
        enrollment, found = hotpath.channel_and_presented(
            key="eid:HOTPATH-1", fingerprint="ef" * 32
        )
        alone = hotpath.enrollment_by_key("eid:HOTPATH-1", for_update=True)
    assert enrollment is not None and alone is not None and enrollment.pk == channel.pk
    assert enrollment.__dict__.keys() == alone.__dict__.keys()
    same = [name for name in alone.__dict__ if name != "_state"]
    assert [getattr(enrollment, n) for n in same] == [getattr(alone, n) for n in same]
    assert {
        f.attname: getattr(enrollment.device, f.attname) for f in Device._meta.concrete_fields
    } == {f.attname: getattr(alone.device, f.attname) for f in Device._meta.concrete_fields}
    assert found.issued is not None and found.issued.fingerprint == "ef" * 32
    assert found.other_holder is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("holder_deletes", [False, True], ids=["kept", "deleted"])
def test_an_existing_channels_certificate_is_read_once_the_channel_is_locked(
    holder_deletes: bool,
) -> None:
    """An Authenticate that waited for its channel's lock sees what the lock's holder committed
    (here: the presented certificate revoked), as when the two were read apart: a statement reads
    rows as they were when it started, before it waited. Also when the holder deleted the
    channel: the lock then returns no row, as for a key never seen, yet the certificate read at
    the start is the one from before the wait."""
    from django.utils import timezone

    from mdm_server.pki.models import IssuedCertificate
    from tests import races

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row locks")
    channel = _channel()
    _issued("aa" * 32)

    def holder() -> None:
        Enrollment.objects.select_for_update().get(pk=channel.pk)
        IssuedCertificate.objects.filter(fingerprint="aa" * 32).update(revoked_at=timezone.now())

    def delete() -> None:
        Enrollment.objects.filter(pk=channel.pk).delete()

    _, read = races.second_waits_for_first(
        holder,
        lambda: hotpath.channel_and_presented(key="eid:HOTPATH-1", fingerprint="aa" * 32),
        before_commit=delete if holder_deletes else None,
        second_in_transaction=True,
    )
    enrollment, found = read
    if holder_deletes:
        assert enrollment is None
    else:
        assert enrollment is not None and enrollment.pk == channel.pk
    assert found.issued is not None and found.issued.revoked_at is not None


def _token_update_write(channel: Enrollment) -> hotpath.TokenUpdateWrite:
    from devices.models import DeviceEvent

    channel.push_token, channel.push_magic = "ab" * 32, "MAGIC"
    channel.status = Enrollment.Status.ENROLLED
    event = DeviceEvent(
        enrollment=channel, kind="checkin", action="TokenUpdate", status="ok", detail={"first": 1}
    )
    return hotpath.TokenUpdateWrite(channel, event)


def test_a_first_token_updates_channel_and_log_row_go_with_its_commands() -> None:
    from django.utils import timezone

    from devices.models import Command, DeviceEvent

    channel = create_channel(channel_key="eid:HOTPATH-3", status="pending", platform="iOS")
    written = _token_update_write(channel)
    commands = [
        Command(uuid=f"HOTPATH-T{n}", request_type="SecurityInfo", body=b"x") for n in (0, 1)
    ]
    with CaptureQueriesContext(connection) as queries:
        pairs = hotpath.insert_commands_and_queue(commands, [channel.pk], timezone.now(), written)
    stored = Enrollment.objects.get(pk=channel.pk)
    event = DeviceEvent.objects.get(enrollment=channel)
    assert sorted(pairs) == sorted((channel.pk, c.pk) for c in commands)
    assert (stored.status, stored.push_token, stored.push_magic) == ("enrolled", "ab" * 32, "MAGIC")
    assert written.event.pk == event.pk and not written.event._state.adding
    assert (event.action, event.detail) == ("TokenUpdate", {"first": 1})
    if connection.vendor == "postgresql":
        assert len(queries) == 1, queries
    # No commands: the channel is written all the same.
    other = create_channel(channel_key="eid:HOTPATH-4", status="pending", platform="iOS")
    assert (
        hotpath.insert_commands_and_queue(
            [], [other.pk], timezone.now(), _token_update_write(other)
        )
        == []
    )
    assert Enrollment.objects.get(pk=other.pk).push_token == "ab" * 32


def test_a_token_update_whose_channel_is_gone_writes_nothing() -> None:
    from django.db import DatabaseError
    from django.utils import timezone

    from devices.models import Command

    channel = create_channel(channel_key="eid:HOTPATH-5", status="pending", platform="iOS")
    written = _token_update_write(channel)
    channel.pk = channel.pk + 1000
    commands = [Command(uuid="HOTPATH-G0", request_type="SecurityInfo", body=b"x")]
    with pytest.raises(DatabaseError), transaction.atomic():
        hotpath.insert_commands_and_queue(commands, [channel.pk - 1000], timezone.now(), written)
    assert not Command.objects.filter(uuid="HOTPATH-G0").exists()


def _command_values(uuid: str) -> dict[str, Any]:
    return {
        "id": None,
        "uuid": uuid,
        "request_type": "InstallProfile",
        "spec": "InstallProfile",
        "channel": "device",
        "priority": 7,
        "body": EVERY_BYTE,
        "command_keys": [AWKWARD],
        "payload_summary": [AWKWARD_JSON],
        "display": {"name": AWKWARD},
        "origin": AWKWARD,
        "created_by_id": None,
        "created_at": None,
        "target_count": 3,
    }


def test_a_new_instance_is_what_init_makes_and_is_stored_the_same() -> None:
    made = hotpath.new_instance(Command, _command_values("NEW-1"))
    orm = Command(**_command_values("NEW-2"))
    state = (made._state.adding, made._state.db, orm._state.adding, orm._state.db)
    contents = {k: v for k, v in made.__dict__.items() if k not in ("_state", "uuid")}
    expected = {k: v for k, v in orm.__dict__.items() if k not in ("_state", "uuid")}
    made.save()
    orm.save()
    leave_out = {"id", "uuid", "created_at"}
    assert state == (True, None, True, None)
    assert contents == expected
    assert _stored(Command, made.pk, leave_out) == _stored(Command, orm.pk, leave_out)


def test_a_new_instance_goes_through_init_when_anything_listens_or_a_field_is_missing() -> None:
    heard: list[object] = []

    def listener(sender: type, instance: object, **kwargs: object) -> None:
        heard.append(instance)

    post_init.connect(listener, sender=Command)
    try:
        listened = hotpath.new_instance(Command, _command_values("NEW-3"))
    finally:
        post_init.disconnect(listener, sender=Command)
    values = _command_values("NEW-4")
    del values["target_count"]
    partial = hotpath.new_instance(Command, values)
    assert heard == [listened]
    assert partial.target_count == 0  # the field's default, as `Command(**values)` gives it


def _made(row: Any) -> tuple[dict[str, Any], dict[str, Any], tuple[bool, str | None]]:
    """A new row's field values (a random default by its type only), its cached related rows
    and its state."""
    random = ("public_id", "refresh_slot")
    values = {k: (type(v) if k in random else v) for k, v in row.__dict__.items() if k != "_state"}
    return values, dict(row._state.fields_cache), (row._state.adding, row._state.db)


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Device, {"user_enrollment": True, "ownership": Device.Ownership.PERSONAL}),
        (Enrollment, {"channel_key": "udid:NEW-ROW", "channel": Enrollment.Channel.DEVICE}),
        (DeviceEvent, {"kind": DeviceEvent.Kind.CHECKIN, "action": "TokenUpdate", "detail": {}}),
        (Enrollment, {"channel_key": "udid:NEW-ROW", "device_id": None, "parent": None}),
    ],
)
def test_a_new_row_is_what_init_makes(model: Any, values: dict[str, Any]) -> None:
    made = hotpath.new_row(model, **values)
    assert type(made) is model
    assert _made(made) == _made(model(**values))


def test_a_new_row_keeps_a_related_row_as_init_does() -> None:
    device = hotpath.new_row(Device, user_enrollment=False)
    channel = hotpath.new_row(Enrollment, channel_key="udid:NEW-ROW-2", device=device)
    event = hotpath.new_row(DeviceEvent, enrollment=channel, kind="checkin", action="x")
    assert channel.device is device and event.enrollment is channel
    assert (channel.device_id, event.enrollment_id) == (None, None)  # neither saved yet
    assert _made(event) == _made(DeviceEvent(enrollment=channel, kind="checkin", action="x"))
    device.save()
    channel.device = device
    channel.save()
    saved = hotpath.new_row(DeviceEvent, enrollment=channel, kind="checkin", action="y")
    assert saved.enrollment_id == channel.pk
    saved.save()
    assert DeviceEvent.objects.get(pk=saved.pk).enrollment_id == channel.pk


def test_a_new_row_goes_through_init_when_anything_listens_or_an_argument_is_no_field() -> None:
    heard: list[object] = []

    def listener(sender: type, instance: object, **kwargs: object) -> None:
        heard.append(instance)

    post_init.connect(listener, sender=Device)
    try:
        listened = hotpath.new_row(Device, user_enrollment=True)
    finally:
        post_init.disconnect(listener, sender=Device)
    assert heard == [listened]
    with pytest.raises(TypeError):
        hotpath.new_row(Device, not_a_field=1)  # as Device(not_a_field=1) refuses it


def _savepoint_statements(block: Any) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic(), hotpath.savepoint_kept_until_commit():
                block()
        except RuntimeError:
            pass
    return [q["sql"] for q in queries]


@pytest.mark.postgres
def test_a_savepoint_kept_until_commit_is_not_released_when_its_block_succeeds(
    django_capture_on_commit_callbacks: Any,
) -> None:
    def block() -> None:
        Command.objects.create(uuid="KEPT-1", request_type="SecurityInfo", body=b"x")
        transaction.on_commit(lambda: None)

    with django_capture_on_commit_callbacks() as callbacks:
        statements = _savepoint_statements(block)
    # The outer block's savepoint and its release (inside the test's transaction), and this
    # block's savepoint, left for the end of the transaction.
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 2, statements
    assert sum(s.startswith("RELEASE") for s in statements) == 1, statements
    assert Command.objects.filter(uuid="KEPT-1").exists()
    assert len(callbacks) == 1


@pytest.mark.postgres
def test_a_savepoint_kept_until_commit_undoes_its_block_on_failure(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import IntegrityError

    def raises() -> None:
        Command.objects.create(uuid="KEPT-2", request_type="SecurityInfo", body=b"x")
        transaction.on_commit(lambda: None)
        raise RuntimeError("the block failed")

    def fails_in_sql() -> None:
        Command.objects.create(uuid="KEPT-3", request_type="SecurityInfo", body=b"x")
        transaction.on_commit(lambda: None)
        with transaction.atomic(savepoint=False):  # marks the transaction for rollback
            Command.objects.create(uuid="KEPT-3", request_type="SecurityInfo", body=b"x")

    def swallows() -> None:
        with contextlib.suppress(IntegrityError):
            fails_in_sql()

    with django_capture_on_commit_callbacks() as callbacks:
        _savepoint_statements(raises)
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            hotpath.savepoint_kept_until_commit(),
        ):
            fails_in_sql()
        _savepoint_statements(swallows)
        usable = Command.objects.count() >= 0  # the test's transaction goes on
    assert usable
    assert not Command.objects.filter(uuid__in=["KEPT-2", "KEPT-3"]).exists()
    assert callbacks == []


def _prepared(value: Any) -> tuple[type, Any]:
    """A prepared value as the driver sends it: its type, and what a wrapper (JSON, binary)
    carries; a text of a subclass of str (a choice) as the text it is."""
    if isinstance(value, str):
        return str, str.__str__(value)
    return type(value), getattr(value, "obj", value)


_AWARE = dt.datetime(2030, 1, 1, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("model", "name", "values"),
    [
        (QueuedCommand, "status", [QueuedCommand.Status.ACKNOWLEDGED, "sent", "", None, 7]),
        (QueuedCommand, "result", [b"<plist/>", b"", None, bytearray(b"x"), memoryview(b"y")]),
        (QueuedCommand, "error_chain", [[{"ErrorCode": 12021}], [], {}, None, "text", 3]),
        (QueuedCommand, "completed_at", [_AWARE, dt.datetime.now(dt.UTC), None]),
        (QueuedCommand, "id", [1, 2**40, None, "12", True]),
        (QueuedCommand, "enrollment", [5, None, "6"]),
        (QueuedCommand, "priority", [50, -3, None, "9", True]),
        (QueuedCommand, "not_now_count", [0, 11, None]),
        (QueuedCommand, "status_reason", ["filtered", "x" * 600]),
        (Device, "supervised", [True, False]),
        (Device, "security_info", [{"PasscodePresent": True}, {}, None]),
    ],
)
def test_the_result_statement_prepares_values_as_the_fields_do(
    model: type[Any], name: str, values: list[Any]
) -> None:
    """The values a result's statement writes are prepared, without each field's chain of
    calls, into what `get_db_prep_save` makes of them: the same type and the same value."""
    field = model._meta.get_field(name)
    save = hotpath._saver(field)
    for value in values:
        assert _prepared(save(value, connection)) == _prepared(
            field.get_db_prep_save(value, connection=connection)
        ), (name, value)


@pytest.mark.postgres
def test_a_naive_time_is_prepared_by_the_field_with_its_warning() -> None:
    field = QueuedCommand._meta.get_field("completed_at")
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        prepared = hotpath._saver(field)(dt.datetime(2030, 1, 1, 12), connection)
    assert prepared.tzinfo is not None


@pytest.mark.postgres
@pytest.mark.parametrize(
    "known", [True, False], ids=["its own columns", "a column it does not know"]
)
def test_a_results_log_row_is_written_as_the_orm_writes_it(
    known: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A result's log row (a `LogRow`, no `DeviceEvent` made) is stored by the one statement
    with the values and time the ORM would give it; when the log has a column the row does not
    carry, each value goes through a `DeviceEvent`, as a save does."""
    from devices.models import DeviceEvent

    if not known:
        monkeypatch.setattr(hotpath, "_log_plan", lambda: None)
    channel = _channel()
    services.enqueue_command(enrollments=[channel], request_type="SecurityInfo")
    now = dt.datetime.now(dt.UTC)
    first = hotpath.deliver_next(channel, ["queued"], now=now, kind=DeviceEvent.Kind.COMMAND)
    assert first is not None
    delivery = QueuedCommand.objects.select_related("command").get(pk=first.queue_id)
    delivery.status, delivery.result = QueuedCommand.Status.ACKNOWLEDGED, b"<plist/>"
    delivery.error_chain, delivery.completed_at = None, now
    log = hotpath.LogRow(
        enrollment=channel,
        kind=DeviceEvent.Kind.RESULT,
        action="SecurityInfo",
        status="acknowledged",
        command_uuid=delivery.command.uuid,
        detail={"keys": 2},
    )
    stored, nothing = hotpath.store_result_and_deliver(
        channel,
        ["queued", "sent"],
        now=now,
        kind=DeviceEvent.Kind.COMMAND,
        result=hotpath.StoredResult(delivery=delivery, log=log),
    )
    assert (stored, nothing) == (True, None)
    written = DeviceEvent.objects.filter(kind="result").get()
    expected = log.event()
    assert [
        getattr(written, f.attname) for f in hotpath._event_fields() if f.name != "created_at"
    ] == [getattr(expected, f.attname) for f in hotpath._event_fields() if f.name != "created_at"]
    assert now <= written.created_at <= dt.datetime.now(dt.UTC)
    row = QueuedCommand.objects.get(pk=delivery.pk)
    assert row.result is not None
    assert (row.status, bytes(row.result), row.error_chain, row.completed_at) == (
        "acknowledged",
        b"<plist/>",
        None,
        now,
    )


def test_the_statements_written_here_use_one_cursor_per_database_connection() -> None:
    """Without the query log, the cursor is kept and used again; every statement still passes
    Django's execute wrappers (the statement counts of the benchmarks and of the health view);
    a new database connection gets a new cursor, and the query log gets Django's own."""
    if connection.vendor != "postgresql":
        pytest.skip("elsewhere each statement takes Django's own cursor")
    seen: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert hotpath._fetch_one("default", "SELECT %s::int", [1]) == (1,)
        first = hotpath._cursor(connection)
        assert hotpath._fetch_one("default", "SELECT %s::int", [2]) == (2,)
        assert hotpath._cursor(connection) is first
        assert not first.cursor.closed
    assert seen == ["SELECT %s::int", "SELECT %s::int"]
    with CaptureQueriesContext(connection) as queries:
        logged = hotpath._cursor(connection)
        assert logged is not first
        assert hotpath._fetch_one("default", "SELECT %s::int", [3]) == (3,)
    assert [q["sql"] for q in queries] == ["SELECT $1::int"]
    assert hotpath._cursor(connection) is first
    first.cursor.close()  # as a closed connection leaves it
    assert hotpath._cursor(connection) is not first


def test_a_failing_delivery_statement_marks_its_transaction_for_rollback() -> None:
    """As `transaction.mark_for_rollback_on_error` does around the ORM's own single writes."""
    from django.db import DataError

    if connection.vendor != "postgresql":
        pytest.skip("SQLite divides by zero without an error")
    with transaction.atomic():
        assert not connection.needs_rollback
        with pytest.raises(DataError):
            hotpath._execute_delivery(connection, "default", "SELECT 1 / %s", [0])
        assert connection.needs_rollback
        assert isinstance(connection.rollback_exc, DataError)
    # Its savepoint rolled back on leaving the block: the enclosing transaction goes on.
    assert hotpath._fetch_one("default", "SELECT %s::int", [1]) == (1,)


def test_a_channel_read_here_holds_its_device_as_the_assignment_leaves_it() -> None:
    enrollment = _channel()
    found = hotpath.connect_row(enrollment.channel_key)
    assert found is not None
    device = found.enrollment.device  # cached: no statement
    assert device.pk == enrollment.device_id == found.enrollment.device_id
    assert found.enrollment._state.fields_cache == {"device": device}
    assert device._state.db == found.enrollment._state.db == "default"
    # A column that does not match its object is the assignment's to settle.
    other = Device.objects.create()
    hotpath._relate(found.enrollment, "device", other)
    assert found.enrollment.device_id == other.pk
    assert found.enrollment.device is other


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_that_waited_for_its_row_does_not_undo_an_administrators_cancel() -> None:
    """A poll's statement chose the pending row an administrator was canceling: it waited for the
    cancel's lock, then re-checked only `q.id = next.id` and marked the row sent anyway. The
    cancel was undone: the device got the command, and its result was stored as acknowledged.
    (Two polls of one device choosing the same row both deliver it: a command sent and not
    answered is sent again, as Apple's protocol has it.)"""
    from django.utils import timezone

    from tests import races

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row locks")
    channel = _channel()
    services.enqueue_command(enrollments=[channel], request_type="SecurityInfo")
    row = QueuedCommand.objects.get(enrollment=channel)

    def deliver() -> Any:
        return hotpath.deliver_next(
            channel, QueuedCommand.PENDING, now=timezone.now(), kind=DeviceEvent.Kind.COMMAND
        )

    canceled, delivered = races.second_waits_for_first(
        lambda: services.cancel_queued_command(delivery=row), deliver
    )
    assert canceled is True and delivered is None, (canceled, delivered)
    row.refresh_from_db()
    assert row.status == QueuedCommand.Status.CANCELED
    assert not DeviceEvent.objects.filter(enrollment=channel, status="sent").exists()


def test_only_channels_with_something_to_deliver_are_remembered_and_boundedly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every Idle poll's row was remembered, nothing queued or not: about 1.3 kB a channel, up
    to 100,000 channels a process. An empty queue's poll is not followed by a result."""
    channel = _channel()
    assert hotpath.connect_row("eid:HOTPATH-1") is not None
    assert channel.pk not in hotpath._rows_seen
    services.enqueue_command(enrollments=[channel], request_type="SecurityInfo")
    assert hotpath.connect_row("eid:HOTPATH-1") is not None
    assert channel.pk in hotpath._rows_seen

    monkeypatch.setattr(hotpath, "_SEEN_MAX", 3)
    hotpath.forget_seen()
    for number in range(5):
        other = create_channel(
            channel_key=f"eid:HOTPATH-BOUND-{number}",
            enrollment_type="user",
            status="enrolled",
            platform="iOS",
            os_version="18.2",
            unenrolled_at=None,
            **MOMENTS,
        )
        services.enqueue_command(enrollments=[other], request_type="SecurityInfo")
        assert hotpath.connect_row(f"eid:HOTPATH-BOUND-{number}") is not None
        assert len(hotpath._rows_seen) <= 3 and len(hotpath._channel_ids) <= 3
