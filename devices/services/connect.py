"""The command channel: find the enrollment, store results, deliver the next command
(Apple "Sending MDM commands to a device": the connect loop, NotNow, idempotent results).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, cast

from django.db import connections, router, transaction
from django.db.models import Field
from django.utils import timezone

from devices import capabilities, inventory, protocol, signals
from devices.exceptions import CheckinRejected
from devices.identity import DeviceIdentity
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from devices.protocol import ReportStatus
from devices.services.checkin import unenroll
from devices.services.common import (
    EMPTY,
    LAST_SEEN_RESOLUTION,
    MAX_DROPS_PER_REQUEST,
    Reply,
    _log,
    target_for,
)
from devices.services.pin import _check_pin
from mdm_server.prepared import PreparedUpdate

# --- connect ------------------------------------------------------------------------------------


# What an Idle poll needs of its enrollment: the pin, the status, the capability target, the
# bearer-check inputs and last_seen_at. The other fields stay deferred (loaded on access).
_CONNECT_FIELDS = (
    "id",
    "parent_id",
    "channel",
    "enrollment_type",
    "platform",
    "status",
    "os_version",
    "supervised",
    "cert_fingerprint",
    "enrollment_reference",
    "last_seen_at",
)


@functools.cache
def _columns_of(model: Any, attnames: tuple[str, ...]) -> tuple[tuple[Any, Any], ...]:
    """(field, column expression) pairs in the model's field order (what from_db() expects)."""
    table = model._meta.db_table
    return tuple(
        (f, f.get_col(table)) for f in model._meta.concrete_fields if f.attname in attnames
    )


def _from_row(model: Any, columns: Sequence[tuple[Any, Any]], row: Sequence[Any], db: str) -> Any:
    """A model instance from a hand-written SELECT, with the same conversions the ORM applies
    (backend converters such as SQLite datetimes and booleans, then the fields' own)."""
    connection = connections[db]
    values = []
    for (f, col), value in zip(columns, row, strict=True):
        converted = value
        for convert in (
            *connection.ops.get_db_converters(col),
            *f.get_db_converters(connection),
        ):
            converted = convert(converted, col, connection)
        values.append(converted)
    return model.from_db(db, [f.attname for f, _col in columns], values)


# Set on an enrollment loaded for an Idle poll: the id of its next pending queue row, or None.
_NEXT_PENDING = "_mdm_next_pending_id"


def _pending_in_list(statuses: Sequence[str]) -> str:
    allowed = set(QueuedCommand.Status.values)
    if not statuses or not set(statuses) <= allowed:
        raise ValueError(f"unknown queue statuses {statuses!r}")
    # Our own constants, inlined so that the planner can match the partial index's condition.
    return ", ".join(f"'{s}'" for s in sorted(statuses))


@functools.cache
def _connect_query() -> tuple[tuple[tuple[Any, Any], ...], str]:
    columns = _columns_of(Enrollment, _CONNECT_FIELDS)
    selected = ", ".join(f"e.{f.column}" for f, _col in columns)
    queue = QueuedCommand._meta.db_table
    # The next pending command comes along in the same round trip (a correlated subquery on
    # the partial index), so an Idle poll with an empty queue is a single query.
    query = (
        f"SELECT {selected}, ("  # noqa: S608 - model names and constants
        f"SELECT q.id FROM {queue} q WHERE q.enrollment_id = e.id "
        f"AND q.status IN ({_pending_in_list(QueuedCommand.PENDING)}) "
        "ORDER BY q.priority DESC, q.id LIMIT 1"
        f") FROM {Enrollment._meta.db_table} e WHERE e.channel_key = %s"
    )
    return columns, query


def _find_for_connect_fast(key: str) -> Enrollment | None:
    """One indexed lookup by channel_key, without compiling an ORM query.

    The ORM spends ~1-2 ms of CPU compiling `filter(...).select_related(...).first()` on this
    wide model; the poll loop of every device runs it, so it is written out once here.
    """
    columns, query = _connect_query()
    db = router.db_for_read(Enrollment)
    with connections[db].cursor() as cursor:
        cursor.execute(query, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    enrollment: Enrollment = _from_row(Enrollment, columns, row[:-1], db)
    setattr(enrollment, _NEXT_PENDING, row[-1])
    return enrollment


def find_for_connect(ids: protocol.EnrollmentIds, identity: DeviceIdentity) -> Enrollment:
    """The enrollment of a command-channel request, pinned to the identity and not checked out.

    Only what a poll and a result read is loaded; the other fields load when first used (an
    inventory update of DeviceInformation reads and writes a few of them).
    """
    enrollment = _find_for_connect_fast(ids.key)
    if enrollment is None:
        raise CheckinRejected(404, "unknown enrollment")
    _check_pin(enrollment, identity)
    if enrollment.status == Enrollment.Status.UNENROLLED:
        raise CheckinRejected(403, "this enrollment was checked out")
    return enrollment


def handle_report(*, enrollment: Enrollment, report: protocol.CommandReport, body: bytes) -> Reply:
    """Store a command result (if any) and answer with the next command, or an empty body.

    A result and the delivery of the next command are one transaction: a failure anywhere
    leaves both undone, and the device's resent result is then taken as the first.
    """
    if report.command_uuid is None:
        _touch_if_stale(enrollment)
        if getattr(enrollment, _NEXT_PENDING, 0) is None:
            return EMPTY  # the lookup found the queue empty a moment ago
        return _next_command(enrollment, QueuedCommand.PENDING)
    # A result (an Idle report carries no CommandUUID): a NotNow'd command waits for Idle.
    with transaction.atomic(using=router.db_for_write(QueuedCommand)):
        _record_result(enrollment, report, body)
        _touch_if_stale(enrollment)
        return _next_command(enrollment, (QueuedCommand.Status.QUEUED, QueuedCommand.Status.SENT))


def _touch_if_stale(enrollment: Enrollment) -> None:
    now = timezone.now()
    if enrollment.last_seen_at is None or now - enrollment.last_seen_at > LAST_SEEN_RESOLUTION:
        _touch_last_seen(enrollment.pk, now)
        enrollment.last_seen_at = now


def _touch_last_seen(enrollment_id: int, now: dt.datetime) -> None:
    """UPDATE last_seen_at, written out: most polls of a device are more than a minute apart,
    so this runs on most of them in production, and the ORM update costs ~0.5 ms of CPU."""
    db = router.db_for_write(Enrollment)
    connection = connections[db]
    field = Enrollment._meta.get_field("last_seen_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Enrollment._meta.db_table} SET {field.column} = %s WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now), enrollment_id],
        )


# The command fields delivery needs (the body and what the delivery-time filter reads).
_DELIVERY_COMMAND_FIELDS = (
    "id",
    "uuid",
    "request_type",
    "body",
    "command_keys",
    "payload_summary",
)


@functools.cache
def _next_delivery_query(statuses: tuple[str, ...]) -> tuple[tuple[tuple[Any, Any], ...], str]:
    columns = _columns_of(Command, _DELIVERY_COMMAND_FIELDS)
    selected = ", ".join(f"c.{f.column}" for f, _col in columns)
    query = (
        f"SELECT q.id, {selected} "  # noqa: S608 - model names and constants
        f"FROM {QueuedCommand._meta.db_table} q "
        f"JOIN {Command._meta.db_table} c ON c.id = q.command_id "
        f"WHERE q.enrollment_id = %s AND q.status IN ({_pending_in_list(statuses)}) "
        "ORDER BY q.priority DESC, q.id LIMIT 1"
    )
    return columns, query


def _next_delivery(enrollment_id: int, statuses: Sequence[str]) -> tuple[int, Command] | None:
    """(queue row id, command) of the next command, or None: one query on the partial index.

    Written out because it runs on every poll: the ORM spends ~1 ms of CPU compiling this
    ordered join, the database answers it from `devices_queue_pending` in microseconds.
    """
    columns, query = _next_delivery_query(tuple(sorted(statuses)))
    db = router.db_for_read(QueuedCommand)
    with connections[db].cursor() as cursor:
        cursor.execute(query, [enrollment_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return int(row[0]), _from_row(Command, columns, row[1:], db)


def _next_command(enrollment: Enrollment, statuses: Sequence[str]) -> Reply:
    target = None
    for _ in range(MAX_DROPS_PER_REQUEST + 1):
        found = _next_delivery(enrollment.pk, statuses)
        if found is None:
            return EMPTY
        delivery_id, command = found
        if target is None:
            target = target_for(enrollment)
        reason = _delivery_refusal(command, target)
        if reason:
            # Joins the result's transaction when there is one (no savepoint to pay for).
            with transaction.atomic(savepoint=False):
                _update_queue_row(
                    delivery_id,
                    status=QueuedCommand.Status.DROPPED,
                    status_reason=reason,
                    completed_at=timezone.now(),
                )
                _log(
                    enrollment,
                    DeviceEvent.Kind.FILTER,
                    command.request_type,
                    "dropped",
                    command_uuid=command.uuid,
                    detail={"reason": reason},
                )
            continue
        with transaction.atomic(savepoint=False):
            _update_queue_row(delivery_id, status=QueuedCommand.Status.SENT, sent_at=timezone.now())
            _log(
                enrollment,
                DeviceEvent.Kind.COMMAND,
                command.request_type,
                "sent",
                command_uuid=command.uuid,
            )
        return Reply(body=bytes(command.body))
    return EMPTY


def _delivery_refusal(command: Command, target: capabilities.Target | None) -> str:
    """Check again at delivery: the enrollment may have changed since the command was queued.

    `command_keys` holds the schema path of every key and query value the queue stored
    (nested ones and Settings items too), `payload_summary` the shape of a profile's payloads
    and of its own keys: judging them costs microseconds, parsing the body would not."""
    if target is None:
        return "the device has not reported its platform"
    decision = capabilities.check_command(command.request_type, target, keys=command.command_keys)
    if not decision.allowed:
        return decision.reason
    if command.payload_summary:
        result, _ = capabilities.check_profile(command.payload_summary, target, strip=False)
        if not result.allowed:
            return result.reason
    return ""


_FINAL = {
    ReportStatus.ACKNOWLEDGED: QueuedCommand.Status.ACKNOWLEDGED,
    ReportStatus.ERROR: QueuedCommand.Status.ERROR,
    ReportStatus.COMMAND_FORMAT_ERROR: QueuedCommand.Status.FORMAT_ERROR,
}


# What recording a result reads of the queue row and its command.
_RESULT_QUEUE_FIELDS = ("id", "enrollment_id", "command_id", "status", "not_now_count")
_RESULT_COMMAND_FIELDS = ("id", "uuid", "request_type")


@functools.cache
def _result_query(alias: str) -> tuple[tuple[Any, ...], tuple[Any, ...], str]:
    queue_columns = _columns_of(QueuedCommand, _RESULT_QUEUE_FIELDS)
    command_columns = _columns_of(Command, _RESULT_COMMAND_FIELDS)
    features = connections[alias].features
    lock = ""
    if features.has_select_for_update:
        lock = " FOR UPDATE OF q" if features.has_select_for_update_of else " FOR UPDATE"
    selected = ", ".join(
        [f"q.{f.column}" for f, _col in queue_columns]
        + [f"c.{f.column}" for f, _col in command_columns]
    )
    query = (
        f"SELECT {selected} "  # noqa: S608 - model names and constants
        f"FROM {QueuedCommand._meta.db_table} q "
        f"JOIN {Command._meta.db_table} c ON c.id = q.command_id "
        f"WHERE q.enrollment_id = %s AND c.uuid = %s ORDER BY q.id LIMIT 1{lock}"
    )
    return queue_columns, command_columns, query


def _locked_delivery(enrollment_id: int, command_uuid: str) -> QueuedCommand | None:
    """The enrollment's queue row of this command, locked, with its command: one query.

    Written out for the same reason as `_next_delivery`: every result runs it, and the ORM
    spends more CPU compiling this locked join than the database spends answering it.
    """
    alias = router.db_for_write(QueuedCommand)
    queue_columns, command_columns, query = _result_query(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(query, [enrollment_id, command_uuid])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(queue_columns)
    delivery: QueuedCommand = _from_row(QueuedCommand, queue_columns, row[:split], alias)
    delivery.command = _from_row(Command, command_columns, row[split:], alias)
    return delivery


def _concrete(name: str) -> Field[Any, Any]:
    """A column of the queue table (never a relation's reverse side)."""
    field = QueuedCommand._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{name} is not a column of the queue table")
    return field


def _column(name: str) -> str:
    column = _concrete(name).column
    if column is None:
        raise TypeError(f"{name} has no column")
    return column


@functools.cache
def _queue_update_sql(alias: str, names: tuple[str, ...], increment: str) -> str:
    connection = connections[alias]
    qn = connection.ops.quote_name
    assignments = [f"{qn(_column(name))} = %s" for name in names]
    if increment:
        column = qn(_column(increment))
        assignments.append(f"{column} = {column} + 1")
    return (
        f"UPDATE {qn(QueuedCommand._meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
        "WHERE id = %s"
    )


def _update_queue_row(delivery_id: int, *, increment: str = "", **values: Any) -> None:
    """`QueuedCommand.objects.filter(pk=…).update(**values)` (plus `field = field + 1` for
    `increment`), its SQL written once: a delivery and a result each run one."""
    alias = router.db_for_write(QueuedCommand)
    connection = connections[alias]
    names = tuple(values)
    params = [
        _concrete(name).get_db_prep_save(value, connection=connection)
        for name, value in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(_queue_update_sql(alias, names, increment), [*params, delivery_id])


_SAVE_RESULT = PreparedUpdate(QueuedCommand, ["status", "result", "error_chain", "completed_at"])


def _record_result(enrollment: Enrollment, report: protocol.CommandReport, body: bytes) -> None:
    """Store a result in the caller's transaction; inventory and the device log with it."""
    with transaction.atomic(savepoint=False):
        delivery = _locked_delivery(enrollment.pk, report.command_uuid or "")
        if delivery is None:
            _log(
                enrollment,
                DeviceEvent.Kind.RESULT,
                "unknown",
                str(report.status),
                command_uuid=report.command_uuid or "",
                detail={"note": "result for a command this enrollment was never sent; ignored"},
            )
            return
        request_type = delivery.command.request_type
        if delivery.status not in QueuedCommand.PENDING:
            # A repeated result (the device may resend): the first one stands.
            return
        if report.status is ReportStatus.NOT_NOW:
            _update_queue_row(
                delivery.pk, status=QueuedCommand.Status.NOT_NOW, increment="not_now_count"
            )
            _log(
                enrollment,
                DeviceEvent.Kind.RESULT,
                request_type,
                "notnow",
                command_uuid=delivery.command.uuid,
            )
            return
        raw, discarded = report.raw, cast(dict[str, Any], {})
        target = target_for(enrollment) if enrollment.is_user_enrollment else None
        if target is not None:
            # What a User Enrollment may not tell (or cannot be) is not stored, not even raw.
            raw, discarded = capabilities.user_enrollment_result(request_type, report.raw, target)
            if discarded:
                body = protocol.render_plist(raw)
        delivery.status = _FINAL[report.status]
        delivery.result = body
        delivery.error_chain = report.error_chain or None
        delivery.completed_at = timezone.now()
        _SAVE_RESULT.save(delivery)
        detail: dict[str, Any] = {}
        if report.error_chain:
            detail["error_chain"] = report.error_chain
        if report.status is ReportStatus.ACKNOWLEDGED:
            detail.update(inventory.apply_result(enrollment, request_type, raw))
        if discarded:
            detail["discarded"] = sorted(discarded)
        _log(
            enrollment,
            DeviceEvent.Kind.RESULT,
            request_type,
            str(delivery.status),
            command_uuid=delivery.command.uuid,
            detail=detail,
        )
        transaction.on_commit(
            lambda: signals.command_result.send(
                sender=QueuedCommand, delivery=delivery, report=report
            )
        )
        if report.status is ReportStatus.ACKNOWLEDGED and _is_unenroll(delivery.command):
            unenroll(
                enrollment=enrollment,
                reason="the device removed its enrollment profile (Unenroll acknowledged)",
            )


def _is_unenroll(command: Command) -> bool:
    """The admin's Unenroll: a RemoveProfile of this server's enrollment profile."""
    # request_type first: it is loaded with the delivery, `display` costs a query.
    return (
        command.request_type == "RemoveProfile"
        and isinstance(command.display, dict)
        and command.display.get("name") == "Unenroll"
    )
