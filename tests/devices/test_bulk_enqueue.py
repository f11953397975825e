"""One command to many devices: a few set-based statements, whatever the number of targets.

The capability filter decides once per class of device (platform, OS version, enrollment type,
supervision, channel, status); the queue rows, the refusals in the device log and the push
outbox are written with INSERT ... SELECT. The oracle for the rows is the one-device path: each
enrollment enqueued on its own gets the same decision, reason, notes and command body.
"""

from __future__ import annotations

import json
import plistlib
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apns.models import PendingPush, PushBatch, PushCertificate
from devices import services
from devices.models import Command, Device, DeviceEvent, Enrollment, QueuedCommand
from devices.services import queue
from tests.apns.conftest import apns_pki, push_certificate, push_key  # noqa: F401 - fixtures
from tests.channels import bulk_create_channels, new_channel

pytestmark = pytest.mark.django_db

# Three classes: a User Enrollment iPhone, a supervised device-enrolled iPhone, a Mac.
CLASSES: tuple[dict[str, Any], ...] = (
    {"enrollment_type": "user", "platform": "iOS", "os_version": "17.4", "supervised": False},
    {"enrollment_type": "device", "platform": "iOS", "os_version": "17.4", "supervised": True},
    {"enrollment_type": "adde", "platform": "macOS", "os_version": "14.5", "supervised": False},
)


def _rows(n: int, *, tag: str) -> list[int]:
    """n enrolled, pushable channels spread over the three classes (one INSERT per 1,000)."""
    rows = []
    for i in range(n):
        fields = CLASSES[i % len(CLASSES)]
        ue = fields["enrollment_type"] == "user"
        rows.append(
            new_channel(
                channel_key=f"{tag}:{i}:{uuid.uuid4()}",
                status=Enrollment.Status.ENROLLED,
                enrollment_id=str(uuid.uuid4()) if ue else None,
                udid=None if ue else str(uuid.uuid4()),
                push_token=uuid.uuid4().hex * 2,
                push_magic=str(uuid.uuid4()),
                topic="com.apple.mgmt.test",
                **fields,
            )
        )
    bulk_create_channels(rows, batch_size=1000)
    return list(
        Enrollment.objects.filter(channel_key__startswith=f"{tag}:")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _enqueue_counting(ids: list[int], request_type: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        result = services.enqueue_command(
            enrollments=Enrollment.objects.filter(pk__in=ids).order_by("pk"),
            request_type=request_type,
            origin="test",
        )
    return result, [q["sql"] for q in captured.captured_queries]


@pytest.mark.usefixtures("push_certificate")
@pytest.mark.parametrize("request_type", ["EraseDevice", "DeviceInformation"])
def test_statements_do_not_grow_with_the_number_of_targets(request_type: str) -> None:
    small = _rows(30, tag="small")
    large = _rows(3000, tag="large")

    few, few_sql = _enqueue_counting(small, request_type)
    many, many_sql = _enqueue_counting(large, request_type)

    assert len(many_sql) == len(few_sql) <= 20, many_sql
    assert len(few.queued) + len(few.refused) == 30
    assert len(many.queued) + len(many.refused) == 3000
    assert QueuedCommand.objects.filter(command__in=many.commands).count() == len(many.queued)
    assert PendingPush.objects.filter(enrollment_id__in=large).count() == len(many.queued)
    # The targets stay in SQL: no statement reads whole enrollment rows into Python.
    channel_key = connection.ops.quote_name("channel_key")
    assert not [sql for sql in many_sql if sql.startswith("SELECT") and channel_key in sql]


def _refusals() -> set[tuple[int, str, str]]:
    rows = DeviceEvent.objects.filter(kind="filter", status="refused")
    return {(r.enrollment_id, r.action, json.dumps(r.detail, sort_keys=True)) for r in rows}


def _body(command_uuid: str) -> dict[str, Any]:
    body = plistlib.loads(bytes(Command.objects.get(uuid=command_uuid).body))
    body.pop("CommandUUID")
    return body


@pytest.mark.usefixtures("push_certificate")
@pytest.mark.parametrize("request_type", ["EraseDevice", "DeviceInformation", "SecurityInfo"])
@pytest.mark.parametrize("as_queryset", [True, False])
def test_bulk_rows_equal_the_one_device_path(request_type: str, as_queryset: bool) -> None:
    ids = _rows(9, tag="bulk")
    unenrolled = _rows(1, tag="gone")
    Enrollment.objects.filter(pk__in=unenrolled).update(status=Enrollment.Status.UNENROLLED)
    no_platform = _rows(1, tag="new")
    Device.objects.filter(channels__pk__in=no_platform).update(platform="")
    everyone = [*ids, *unenrolled, *no_platform]
    targets = Enrollment.objects.filter(pk__in=everyone)

    bulk = services.enqueue_command(
        enrollments=targets if as_queryset else list(targets.order_by("pk")),
        request_type=request_type,
        origin="bulk",
    )
    bulk_rows = {
        q.enrollment_id: q for q in QueuedCommand.objects.filter(command__in=bulk.commands)
    }
    bulk_refusals = _refusals()
    DeviceEvent.objects.all().delete()

    one_by_one: dict[int, Any] = {}
    for pk in everyone:
        one_by_one[pk] = services.enqueue_command(
            enrollments=[Enrollment.objects.get(pk=pk)], request_type=request_type, origin="one"
        )
    single_refusals = _refusals()

    assert sorted(bulk.queued) == sorted(pk for pk, r in one_by_one.items() if r.queued)
    assert bulk.refused == {pk: r.refused[pk] for pk, r in one_by_one.items() if r.refused}
    assert bulk.notes == {pk: r.notes[pk] for pk, r in one_by_one.items() if r.notes}
    assert bulk_refusals == single_refusals and len(bulk_refusals) >= 2
    for pk in bulk.queued:
        row = bulk_rows[pk]
        single = QueuedCommand.objects.get(command__in=one_by_one[pk].commands)
        assert (row.status, row.priority) == (single.status, single.priority)
        assert _body(row.command.uuid) == _body(single.command.uuid)
        assert row.command.command_keys == single.command.command_keys
    assert len(bulk.commands) == len({_body(c.uuid)["Command"].__repr__() for c in bulk.commands})
    assert sum(c.target_count for c in bulk.commands) == len(bulk.queued)
    # One push batch for the fan-out, with a row for each queued enrollment.
    batch = PushBatch.objects.get(origin=f"command: {request_type}", total=len(bulk.queued))
    assert sorted(
        PendingPush.objects.filter(batch=batch).values_list("enrollment_id", flat=True)
    ) == sorted(bulk.queued)


def test_a_list_with_a_row_deleted_meanwhile_queues_the_others() -> None:
    ids = _rows(3, tag="list")
    targets = list(Enrollment.objects.filter(pk__in=ids).order_by("pk"))
    Enrollment.objects.filter(pk=ids[0]).delete()
    result = services.enqueue_command(enrollments=targets, request_type="ProfileList")
    assert result.queued == ids[1:]
    assert result.commands[0].target_count == 2


def test_no_push_certificate_queues_without_outbox_rows() -> None:
    ids = _rows(6, tag="nocert")
    assert not PushCertificate.objects.exists()
    result = services.enqueue_command(
        enrollments=Enrollment.objects.filter(pk__in=ids), request_type="ProfileList"
    )
    assert sorted(result.queued) == sorted(ids)
    assert not PendingPush.objects.exists() and not PushBatch.objects.exists()


def test_a_list_keeps_the_callers_order_across_classes() -> None:
    ids = _rows(6, tag="order")
    targets = list(Enrollment.objects.filter(pk__in=ids).order_by("-pk"))
    result = services.enqueue_command(enrollments=targets, request_type="ProfileList")
    assert result.queued == ids[::-1]


def test_an_enqueue_inside_another_one_gets_its_own_snapshot() -> None:
    from devices import signals

    ids = _rows(3, tag="nested")
    inner: list[Any] = []

    def enqueue_again(**_: Any) -> None:
        if not inner:
            inner.append(None)
            inner[0] = services.enqueue_command(
                enrollments=Enrollment.objects.filter(pk__in=ids), request_type="SecurityInfo"
            )

    signals.commands_enqueued.connect(enqueue_again)
    try:
        outer = services.enqueue_command(
            enrollments=Enrollment.objects.filter(pk__in=ids), request_type="ProfileList"
        )
    finally:
        signals.commands_enqueued.disconnect(enqueue_again)
    assert sorted(outer.queued) == sorted(inner[0].queued) == ids


@pytest.mark.usefixtures("push_certificate")
@pytest.mark.parametrize("as_queryset", [True, False])
def test_several_commands_at_once_equal_one_enqueue_each(as_queryset: bool) -> None:
    from devices.services.queue import CommandRequest, enqueue_commands

    ids = _rows(6, tag="multi")
    unenrolled = _rows(1, tag="multi-gone")
    Enrollment.objects.filter(pk__in=unenrolled).update(status=Enrollment.Status.UNENROLLED)
    everyone = [*ids, *unenrolled]
    targets = Enrollment.objects.filter(pk__in=everyone)
    requests = [
        CommandRequest("DeviceInformation", priority=60),
        CommandRequest("SecurityInfo"),
        CommandRequest("InstalledApplicationList", {"ManagedAppsOnly": True}),
    ]

    with CaptureQueriesContext(connection) as captured:
        together = enqueue_commands(
            enrollments=targets if as_queryset else list(targets.order_by("pk")),
            requests=requests,
            origin="multi",
        )
    together_sql = [q["sql"] for q in captured.captured_queries]
    together_refusals = _refusals()
    DeviceEvent.objects.all().delete()
    apart = [
        services.enqueue_command(
            enrollments=list(targets.order_by("pk")),
            request_type=r.request_type,
            payload=r.payload,
            priority=r.priority,
            origin="apart",
        )
        for r in requests
    ]

    assert _refusals() == together_refusals and len(together_refusals) == len(requests)
    for multi, single in zip(together, apart, strict=True):
        assert sorted(multi.queued) == sorted(single.queued) and multi.queued
        assert multi.refused == single.refused and list(multi.refused) == unenrolled
        assert multi.notes == single.notes
        bodies = [sorted(repr(_body(c.uuid)) for c in r.commands) for r in (multi, single)]
        assert bodies[0] == bodies[1]
        rows = QueuedCommand.objects.filter(command__in=multi.commands)
        assert sorted(r.enrollment_id for r in rows) == sorted(multi.queued)
        assert {r.priority for r in rows} == {multi.commands[0].priority}
        assert sum(c.target_count for c in multi.commands) == len(multi.queued)
    assert [r.commands[0].priority for r in together][:1] == [60]
    # One INSERT for the commands, one for the queue rows per group of classes that get the
    # same commands with the same notes (at most the three classes, not one per command), one
    # push for all: each enrollment is in the outbox once.
    inserts = [s.split(" (")[0] for s in together_sql if s.startswith("INSERT")]
    assert inserts.count('INSERT INTO "devices_command"') == 1
    assert 1 <= inserts.count('INSERT INTO "devices_queuedcommand"') <= len(CLASSES)
    assert inserts.count('INSERT INTO "apns_pendingpush"') == 1
    outbox = PendingPush.objects.filter(enrollment_id__in=ids)
    assert sorted(outbox.values_list("enrollment_id", flat=True)) == sorted(ids)


def test_a_multi_command_enqueue_with_an_invalid_one_writes_nothing() -> None:
    from devices import commands
    from devices.services.queue import CommandRequest, enqueue_commands

    ids = _rows(3, tag="invalid")
    with pytest.raises(commands.CommandInputError):
        enqueue_commands(
            enrollments=Enrollment.objects.filter(pk__in=ids),
            requests=[
                CommandRequest("SecurityInfo"),
                CommandRequest("InstallProfile", {"Payload": b"not a profile"}),
            ],
        )
    assert not Command.objects.exists() and not QueuedCommand.objects.exists()


@pytest.mark.parametrize("as_queryset", [True, False])
def test_each_request_s_on_queued_gets_its_result_with_who_got_which_command(
    as_queryset: bool,
) -> None:
    from devices.services.queue import CommandRequest, EnqueueResult, enqueue_commands

    ids = _rows(6, tag="callback")
    targets = Enrollment.objects.filter(pk__in=ids)
    seen: list[tuple[str, EnqueueResult]] = []
    requests = [
        CommandRequest("DeviceInformation", on_queued=lambda r: seen.append(("info", r))),
        CommandRequest("SecurityInfo"),
        CommandRequest("ProfileList", on_queued=lambda r: seen.append(("list", r))),
    ]
    results = enqueue_commands(
        enrollments=targets if as_queryset else list(targets), requests=requests
    )
    # In request order, each with its own result (what enqueue_commands returns).
    assert [name for name, _ in seen] == ["info", "list"]
    assert seen[0][1] is results[0] and seen[1][1] is results[2]
    for result in results:
        rows = QueuedCommand.objects.filter(command__in=result.commands)
        assert result.command_of == dict(rows.values_list("enrollment_id", "command_id"))
        assert sorted(result.command_of) == sorted(result.queued) == sorted(ids)
    # DeviceInformation differs per class (what each may be asked): several commands.
    assert len(set(results[0].command_of.values())) == len(results[0].commands) > 1


def _outcome(
    enrollment: Enrollment, request_type: str, payload: dict[str, Any] | None, strip: bool
) -> tuple[Any, ...]:
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type=request_type,
        payload=payload,
        strip_forbidden=strip,
        origin="test",
    )
    command = result.command
    body = _body(command.uuid) if command is not None else None
    keys = (command.command_keys, command.display) if command is not None else None
    return body, keys, result.refused.get(enrollment.pk), result.notes.get(enrollment.pk)


@pytest.mark.usefixtures("push_certificate")
def test_kept_decisions_give_each_class_what_a_fresh_decision_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enrollments = list(
        Enrollment.objects.filter(pk__in=_rows(3, tag="kept")).select_related("device")
    )
    asked = [
        ("DeviceInformation", None, False),
        ("InstalledApplicationList", {"ManagedAppsOnly": True}, False),
        ("DeviceLock", {"Message": "Lost"}, False),
        ("EraseDevice", None, False),
        ("EraseDevice", None, True),
    ]
    # Every request for every class twice: the second time from what the first one kept.
    for _ in range(2):
        kept = [_outcome(e, *one) for one in asked for e in enrollments]
    assert queue._DECISIONS.variants  # the second pass did read kept decisions
    fresh = []
    for one in asked:
        for enrollment in enrollments:
            monkeypatch.setattr(queue, "_DECISIONS", queue._Decisions())
            fresh.append(_outcome(enrollment, *one))
    assert kept == fresh
    assert len({json.dumps(body, sort_keys=True) for body, *_ in kept[:3]}) == 3


@pytest.mark.usefixtures("push_certificate")
def test_a_kept_command_follows_the_public_url(settings: Any) -> None:
    mac = Enrollment.objects.select_related("device").get(pk=_rows(3, tag="url")[2])
    settings.PUBLIC_URL = "https://mdm.one.example"
    first, *_ = _outcome(mac, "Unenroll", None, False)
    settings.PUBLIC_URL = "https://mdm.two.example"
    second, *_ = _outcome(mac, "Unenroll", None, False)
    assert first["Command"]["Identifier"] == "example.one.mdm.enrollment"
    assert second["Command"]["Identifier"] == "example.two.mdm.enrollment"


@pytest.mark.usefixtures("push_certificate")
def test_commands_from_a_kept_decision_get_their_own_uuid() -> None:
    mac = Enrollment.objects.select_related("device").get(pk=_rows(3, tag="uuid")[2])
    results = [
        services.enqueue_command(enrollments=[mac], request_type="SecurityInfo", origin="test")
        for _ in range(2)
    ]
    uuids = [result.command.uuid for result in results if result.command is not None]
    assert len(set(uuids)) == 2
    for command_uuid in uuids:
        stored = plistlib.loads(bytes(Command.objects.get(uuid=command_uuid).body))
        assert stored["CommandUUID"] == command_uuid


@pytest.mark.usefixtures("push_certificate")
def test_a_kept_commands_display_masks_its_secrets() -> None:
    mac = Enrollment.objects.select_related("device").get(pk=_rows(3, tag="mask")[2])
    for _ in range(2):  # the second from the kept decision, display included
        result = services.enqueue_command(
            enrollments=[mac],
            request_type="DeviceLock",
            payload={"Message": "Lost", "PIN": "123456"},
            origin="test",
        )
        assert result.command is not None
        stored = Command.objects.get(pk=result.command.pk)
        assert stored.display["params"]["PIN"] == "••••"
        assert stored.display["params"]["Message"] == "Lost"
        assert "123456" not in json.dumps(stored.display)
