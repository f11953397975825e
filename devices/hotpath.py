"""Every database read and write of check-in and of the command channel: the hot path, in one place.

Each enrolled device polls after every push and answers every command; each check-in reads and
writes its channel row. Compiling these statements through the ORM on every request costs more
CPU than PostgreSQL spends answering them (0.15-1 ms for the ordered joins and the wide
`Enrollment` row, against microseconds on the partial index), so their SQL is built here once,
from the models' own metadata, and rows come back as model instances through the fields'
converters, as the ORM makes them. The services (`devices.services.checkin` and `.connect`) are
the only callers, and the Django view and the WSGI shortcut (`devices.connect_shortcut`) both
reach the database only through those services: one path, one set of statements, whichever door
a request came in by. Everything else in the devices app uses the plain ORM.

Two mechanisms, both here: statements written out from the models' metadata (the connect lookup
with its next pending command, deliveries, results), and `mdm_server.prepared` for the plain
one-table lookups, inserts and updates (compiled once from an ORM QuerySet).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.db import DatabaseError, Error, connections, models, router, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import (
    DEFERRED,
    Choices,
    DateTimeField,
    Exists,
    Field,
    ForeignKey,
    JSONField,
    Model,
    OuterRef,
    Q,
)
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, post_save, pre_init, pre_save
from django.utils import timezone

from devices.models import Command, Device, DeviceEvent, Enrollment, QueuedCommand
from mdm_server.pki import services as pki
from mdm_server.pki.models import IssuedCertificate
from mdm_server.prepared import PreparedBulkInsert, PreparedInsert, PreparedQuery, PreparedUpdate

_M = TypeVar("_M", bound=Model)

# --- row conversion ------------------------------------------------------------------------------


@functools.cache
def _columns_of(model: Any, attnames: tuple[str, ...]) -> tuple[tuple[Any, Any], ...]:
    """(field, column expression) pairs in the model's field order (what from_db() expects)."""
    table = model._meta.db_table
    return tuple(
        (f, f.get_col(table)) for f in model._meta.concrete_fields if f.attname in attnames
    )


def _reads_utc_wall_time(db: str) -> bool:
    """Whether statements written here read datetimes as UTC wall-clock time on this database.

    Django reads a `timestamptz` with a loader of its own (psycopg's, subclassed in Python to
    set the connection's time zone): about 10 µs of CPU a value, the costliest column of an Idle
    poll's row. Read `AT TIME ZONE 'UTC'`, the same instant is a `timestamp`, which psycopg
    reads in C, and `_aware_utc` makes it the datetime Django returns (the same instant, with
    the connection's time zone, UTC: Django's default with USE_TZ)."""
    connection = connections[db]
    return connection.vendor == "postgresql" and settings.USE_TZ and connection.timezone == dt.UTC


def _aware_utc(value: Any, expression: Any, connection: Any) -> Any:
    """A datetime read as UTC wall-clock time, aware again (one read aware is unchanged)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _select_list(prefix: str, columns: Sequence[tuple[Any, Any]], db: str) -> list[str]:
    """The SELECT expressions of `columns` of the table aliased `prefix`."""
    if not _reads_utc_wall_time(db):
        return [f"{prefix}.{f.column}" for f, _col in columns]
    return [
        f"({prefix}.{f.column} AT TIME ZONE 'UTC')"
        if isinstance(f, DateTimeField)
        else f"{prefix}.{f.column}"
        for f, _col in columns
    ]


_Steps = tuple[tuple[int, Any, tuple[Any, ...]], ...]


@dataclass(frozen=True, slots=True)
class _Conversion:
    """How a row of `columns` becomes a model instance, worked out once per process."""

    columns: Sequence[tuple[Any, Any]]  # kept, so that its id is never reused
    attnames: list[str]
    steps: _Steps  # for each column that has any, its converters
    # Every concrete field's value DEFERRED, and where each column goes among them: the full
    # list `Model.from_db` takes as it is (given fewer values, it places them by looking each
    # field's name up in the list of names, a few µs for a wide model such as Enrollment).
    template: list[Any]
    positions: tuple[int, ...]
    # Whether the model makes its instances as `Model` does and each selected field's class
    # attribute stores its value as `Model.__init__` would (in the instance's `__dict__`,
    # nothing else): the instance can then be made without `__init__` (`_from_row`).
    plain: bool


# What `Model.__init__` sets a field through without doing more than storing the value in the
# instance's `__dict__` (a foreign key's `*_id` also drops a cached related object, which a new
# instance has none of).
_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)

# (id of a columns tuple, database alias) -> its conversion.
_conversions: dict[tuple[int, str], _Conversion] = {}


def _conversion_of(model: Any, columns: Sequence[tuple[Any, Any]], db: str) -> _Conversion:
    found = _conversions.get((id(columns), db))
    if found is None or found.columns is not columns:
        connection = connections[db]
        utc_wall_time = _reads_utc_wall_time(db)
        steps = []
        for n, (f, col) in enumerate(columns):
            converters = (
                *connection.ops.get_db_converters(col),
                *f.get_db_converters(connection),
            )
            if utc_wall_time and isinstance(f, DateTimeField):
                converters = (_aware_utc, *converters)
            if converters:
                steps.append((n, col, converters))
        concrete = [f.attname for f in model._meta.concrete_fields]
        found = _Conversion(
            columns=columns,
            attnames=[f.attname for f, _col in columns],
            steps=tuple(steps),
            template=[DEFERRED] * len(concrete),
            positions=tuple(concrete.index(f.attname) for f, _col in columns),
            plain=(
                # Neither `__init__` nor `from_db` of its own (or a mixin's) to run.
                model.__init__ is Model.__init__
                and getattr(model.from_db, "__func__", None) is Model.from_db.__func__  # type: ignore[attr-defined]
                and all(
                    type(model.__dict__.get(f.attname)) in _PLAIN_ATTRIBUTES for f, _col in columns
                )
            ),
        )
        _conversions[(id(columns), db)] = found
    return found


def _from_row(model: Any, columns: Sequence[tuple[Any, Any]], row: Sequence[Any], db: str) -> Any:
    """A model instance from a SELECT written here, with the conversions the ORM applies
    (backend converters such as SQLite datetimes and booleans, then the fields' own)."""
    conversion = _conversion_of(model, columns, db)
    if len(row) != len(conversion.attnames):
        raise ValueError(f"{len(row)} values for {len(conversion.attnames)} columns")
    values = list(row)
    if conversion.steps:
        connection = connections[db]
        for n, col, converters in conversion.steps:
            value = values[n]
            for convert in converters:
                value = convert(value, col, connection)
            values[n] = value
    if conversion.plain and not (
        # Nothing listens to either signal in this project; `has_listeners` only otherwise.
        (pre_init.receivers and pre_init.has_listeners(model))
        or (post_init.receivers and post_init.has_listeners(model))
    ):
        # What `Model.from_db` makes, without `Model.__init__`: that walks every concrete field
        # (34 for Enrollment) to set the selected ones, 20-25 µs an instance inside a request,
        # and a round trip makes five. Unselected fields are left out of `__dict__`, which is
        # how Django marks them deferred (`Model.get_deferred_fields`).
        instance = model.__new__(model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = db
        instance.__dict__.update(zip(conversion.attnames, values, strict=True))
        return instance
    fields = conversion.template.copy()
    for position, value in zip(conversion.positions, values, strict=True):
        fields[position] = value
    return model.from_db(db, conversion.attnames, fields)


def _relate(instance: Model, name: str, related: Model) -> None:
    """`instance.<name> = related` for a foreign key whose column `instance` already holds
    (both read by one statement here, from one database): what the descriptor's assignment
    leaves (the related object cached, the column unchanged), without its checks, which hold
    here (the class, the same database, no router to ask) and cost a few µs each time. With
    database routers configured, or a column that does not match, the assignment itself."""
    field = instance._meta.get_field(name)
    if (
        router.routers
        or instance._state.db != related._state.db
        or getattr(instance, field.attname) != related.pk  # type: ignore[union-attr]
    ):
        setattr(instance, name, related)
        return
    instance._state.fields_cache[name] = related


@functools.cache
def _plain_new(model: Any) -> frozenset[str] | None:
    """The attnames of a model's concrete fields when its new instances can be made as
    `_from_row` makes read ones (neither `__init__` of its own nor attributes that do more than
    store a value); else None."""
    fields = model._meta.concrete_fields
    if model.__init__ is not Model.__init__ or not all(
        type(model.__dict__.get(f.attname)) in _PLAIN_ATTRIBUTES for f in fields
    ):
        return None
    return frozenset(f.attname for f in fields)


def new_instance(model: type[_M], values: dict[str, Any]) -> _M:
    """`model(**values)`, a new row, for `values` that give every concrete field by its
    attname: made without `Model.__init__` where that only stores them (`_from_row`), which
    matches every field with the arguments (8 µs for a Command; a first TokenUpdate makes six).
    Any other call goes through `Model.__init__`."""
    if (
        _plain_new(model) != values.keys()
        or (pre_init.receivers and pre_init.has_listeners(model))
        or (post_init.receivers and post_init.has_listeners(model))
    ):
        return model(**values)
    instance = model.__new__(model)
    instance._state = ModelState()  # adding, no database yet: as `Model.__init__` leaves it
    instance.__dict__.update(values)
    return instance


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _default_of(field: Field[Any, Any]) -> Callable[[], Any]:
    """`field.get_default`, or for a default that is a constant value of an immutable type
    (None, a string, a number: the same object `get_default` returns on every call) a
    function returning that value, worked out once."""
    if not field.has_default() or not callable(field.default):
        value = field.get_default()
        if value is None or type(value) in (str, int, float, bool) or isinstance(value, Choices):
            return _constant(value)
    return field.get_default


@functools.cache
def _new_row_plan(model: Any) -> tuple[tuple[str, str, bool, Callable[[], Any]], ...] | None:
    """For `new_row`: each concrete field's (name, attname, whether it is a relation, its
    default), in `Model.__init__`'s order; None when `_plain_new` says no."""
    if _plain_new(model) is None:
        return None
    return tuple(
        (f.name, f.attname, f.remote_field is not None, _default_of(f))
        for f in model._meta.fields
        if f.column is not None and not f.generated
    )


@functools.cache
def _new_row_names(model: Any) -> frozenset[str]:
    plan = _new_row_plan(model) or ()
    return frozenset(n for name, attname, _rel, _d in plan for n in (name, attname))


def new_row(model: type[_M], **values: Any) -> _M:
    """`model(**values)`, a new row whose other fields take their defaults, made as
    `Model.__init__` makes it (the same `__dict__`: each field's value or its default, a related
    row given by its name set through its descriptor, which keeps it as `Model.__init__` does),
    without `Model.__init__`'s matching of every field with the arguments (about 40 µs for a
    first Authenticate's Device and channel inside a request). Any other call (an argument
    that is no field, a model `_plain_new` refuses, `pre_init`/`post_init` receivers) goes
    through `Model.__init__`."""
    plan = _new_row_plan(model)
    if (
        plan is None
        or not values.keys() <= _new_row_names(model)
        or (pre_init.receivers and pre_init.has_listeners(model))
        or (post_init.receivers and post_init.has_listeners(model))
    ):
        return model(**values)
    instance = model.__new__(model)
    instance._state = ModelState()
    fields = instance.__dict__
    related = []
    for name, attname, relation, default in plan:
        if relation and name in values:
            related.append((name, values[name]))
        elif attname in values:
            fields[attname] = values[attname]
        else:
            fields[attname] = default()
    for name, row in related:
        setattr(instance, name, row)
    return instance


def _cursor(connection: Any) -> Any:
    """A cursor for the statements written here: on PostgreSQL one that sends the values
    apart from the SQL text (server-side binding, Django's own `ServerBindingCursor`) rather
    than quoting each one into it in Python, as Django's default cursor does (a round trip's
    two statements carry 27 values: 0.1 ms less CPU a round trip, bench/RESULTS.md); wrapped as
    Django wraps its own (execute wrappers, the query log, error translation). No statement is
    kept prepared (Django leaves psycopg's `prepare_threshold` off), so a pooler in transaction
    mode sees nothing new. Elsewhere, or when the connection reads time stamps in another time
    zone than Django's (Django would give the cursor a loader of its own), Django's cursor.

    Without the query log, one cursor per database connection is kept for these statements
    and used again (`_fetch_one` and the delivery statements): making a psycopg cursor copies
    the connection's adapters,
    and every poll runs one statement here, every result two."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.adapters.get_loader(_TIMESTAMPTZ_OID, _TEXT).timezone != connection.timezone:
        return connection.cursor()
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return connection.make_debug_cursor(_ServerBindingCursor(raw))
    kept: tuple[Any, Any] | None = getattr(connection, _KEPT, None)
    if kept is None or kept[0] is not raw or kept[1].cursor.closed:
        kept = (raw, _KeptCursor(_ServerBindingCursor(raw), connection))
        setattr(connection, _KEPT, kept)
    return kept[1]


def bound_cursor(connection: Any) -> Any:
    """`_cursor`'s cursor, for a one-row statement written by hand in another app (the
    enrollment profile POST's, `enrollment.services.core`): its values sent apart from the SQL
    too, by the one cursor kept per connection."""
    return _cursor(connection)


# Where `_cursor` keeps its cursor on Django's connection object (one per thread), with the
# psycopg connection it belongs to: a new connection (Django reconnects) gets a new cursor.
_KEPT = "_mdm_hotpath_cursor"


def _postgresql_names() -> tuple[Any, Any, Any]:
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from psycopg.pq import Format

    return TIMESTAMPTZ_OID, Format.TEXT, ServerBindingCursor


try:
    _TIMESTAMPTZ_OID, _TEXT, _ServerBindingCursor = _postgresql_names()
except ImportError:  # pragma: no cover - psycopg not installed: only other databases then
    _TIMESTAMPTZ_OID = _TEXT = _ServerBindingCursor = None


class _KeptCursor(CursorWrapper):
    """Django's cursor wrapper around the cursor `_cursor` keeps: leaving a `with` block does
    not close it (its result is dropped when the next statement runs)."""

    def __exit__(self, *exc: object) -> None:
        pass


def _fetch_one(db: str, query: str, params: Sequence[Any]) -> Any:
    """The first row of a SELECT written here, or None."""
    with _cursor(connections[db]) as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def _pending_in_list(statuses: Sequence[str]) -> str:
    allowed = set(QueuedCommand.Status.values)
    if not statuses or not set(statuses) <= allowed:
        raise ValueError(f"unknown queue statuses {statuses!r}")
    # Our own constants, inlined so that the planner can match the partial index's condition.
    return ", ".join(f"'{s}'" for s in sorted(statuses))


# --- the channel row -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectRow:
    """A command-channel request's enrollment, and whether its queue had nothing pending when
    it was read (in the same statement)."""

    enrollment: Enrollment
    queue_empty: bool
    # For a result read with `connect_row(key, command_uuid=...)`: whether the result's queue
    # row was looked for in the same statement, and that row (locked, with its command; None
    # when this enrollment was never sent that command). Not looked for: `locked_delivery`.
    result_read: bool = False
    result_delivery: QueuedCommand | None = None
    # Whether that row was locked (read in the transaction that stores the result).
    result_locked: bool = False


# What a poll and a result read of their enrollment: the pin, the status, the capability
# target, the bearer-check inputs and last_seen_at; and of its Device (joined in the same
# statement) what the capability target needs. The other fields stay deferred.
_CONNECT_FIELDS = (
    "id",
    "device_id",
    "parent_id",
    "channel",
    "enrollment_type",
    "status",
    "cert_fingerprint",
    "enrollment_reference",
    "last_seen_at",
)
_CONNECT_DEVICE_FIELDS = ("id", "platform", "os_version", "supervised")


def _device_join() -> str:
    device_column = Enrollment._meta.get_field("device").column
    return f"JOIN {Device._meta.db_table} d ON d.id = e.{device_column}"


def _connect_selected(db: str) -> str:
    """What the connect statements read of the enrollment and of its Device."""
    return ", ".join(
        _select_list("e", _columns_of(Enrollment, _CONNECT_FIELDS), db)
        + _select_list("d", _columns_of(Device, _CONNECT_DEVICE_FIELDS), db)
    )


@functools.cache
def _connect_query(
    alias: str,
) -> tuple[tuple[tuple[Any, Any], ...], tuple[tuple[Any, Any], ...], str]:
    columns = _columns_of(Enrollment, _CONNECT_FIELDS)
    device_columns = _columns_of(Device, _CONNECT_DEVICE_FIELDS)
    selected = _connect_selected(alias)
    queue = QueuedCommand._meta.db_table
    # The next pending command's existence comes along (a correlated subquery on the partial
    # index), so an Idle poll with an empty queue is a single statement.
    query = (
        f"SELECT {selected}, EXISTS ("  # noqa: S608 - model names and constants
        f"SELECT 1 FROM {queue} q WHERE q.enrollment_id = e.id "
        f"AND q.status IN ({_pending_in_list(QueuedCommand.PENDING)})"
        f") FROM {Enrollment._meta.db_table} e {_device_join()} WHERE e.channel_key = %s"
    )
    return columns, device_columns, query


@functools.cache
def _connect_result_query(alias: str, lock: bool) -> str:
    """`_connect_query` for a result: instead of the pending check, the queue row of the
    result's CommandUUID with its command, locked or not (what `locked_delivery` reads)."""
    queue_columns, command_columns, _ = _result_query(alias)
    selected = _connect_selected(alias)
    inner = ", ".join(
        [f"q.{f.column} AS q_{n}" for n, (f, _col) in enumerate(queue_columns)]
        + [f"c.{f.column} AS c_{n}" for n, (f, _col) in enumerate(command_columns)]
    )
    outer = ", ".join(
        [f"r.q_{n}" for n in range(len(queue_columns))]
        + [f"r.c_{n}" for n in range(len(command_columns))]
    )
    return (
        f"SELECT {selected}, r.q_0 IS NOT NULL, {outer} "  # noqa: S608 - model names, constants
        f"FROM {Enrollment._meta.db_table} e {_device_join()} "
        f"LEFT JOIN LATERAL (SELECT {inner} FROM {QueuedCommand._meta.db_table} q "
        f"JOIN {Command._meta.db_table} c ON c.id = q.command_id "
        "WHERE q.enrollment_id = e.id AND c.uuid = %s ORDER BY q.id LIMIT 1"
        f"{' FOR UPDATE OF q' if lock else ''}"
        ") r ON true "
        "WHERE e.channel_key = %s"
    )


def connect_row(
    key: str, *, command_uuid: str | None = None, lock: bool = True
) -> ConnectRow | None:
    """The enrollment of this channel key for a command-channel request, with its Device: one
    indexed lookup. With `command_uuid` (a result, on PostgreSQL) the same statement reads that
    command's queue row: locked (`lock`, inside the transaction that stores it), or as it is
    (for `store_result_and_deliver`, whose one statement stores it only if still pending)."""
    if command_uuid is None or not _reads_result_with_row(lock):
        db = router.db_for_read(Enrollment)
        columns, device_columns, query = _connect_query(db)
        split = len(columns)
        row = _fetch_one(db, query, [key])
        if row is None:
            return None
        enrollment: Enrollment = _from_row(Enrollment, columns, row[:split], db)
        _relate(enrollment, "device", _from_row(Device, device_columns, row[split:-1], db))
        if row[-1]:  # a command may be delivered now, and its result come back here
            _remember_row(key, row[:-1], enrollment.pk)
        return ConnectRow(enrollment=enrollment, queue_empty=not row[-1])
    db = router.db_for_write(QueuedCommand)
    columns, device_columns, _ = _connect_query(db)
    split = len(columns)
    row = _fetch_one(db, _connect_result_query(db, lock), [command_uuid, key])
    if row is None:
        return None
    device_end = split + len(device_columns)
    enrollment = _from_row(Enrollment, columns, row[:split], db)
    _relate(enrollment, "device", _from_row(Device, device_columns, row[split:device_end], db))
    _remember_row(key, row[:device_end], enrollment.pk)
    delivery = None
    if row[device_end]:
        queue_columns, command_columns, _ = _result_query(db)
        start = device_end + 1
        delivery = _from_row(
            QueuedCommand, queue_columns, row[start : start + len(queue_columns)], db
        )
        _relate(
            delivery,
            "command",
            _from_row(Command, command_columns, row[start + len(queue_columns) :], db),
        )
    return ConnectRow(
        enrollment=enrollment,
        queue_empty=False,
        result_read=True,
        result_delivery=delivery,
        result_locked=lock,
    )


def _reads_result_with_row(lock: bool) -> bool:
    """PostgreSQL (a LATERAL subquery, locked inside a transaction); elsewhere the result's
    row is read apart."""
    connection = connections[router.db_for_write(QueuedCommand)]
    return connection.vendor == "postgresql" and not (lock and connection.get_autocommit())


def stores_results_in_one_statement() -> bool:
    """Whether a result can be stored, with its inventory, by the statement that delivers the
    next command (`store_result_and_deliver`): PostgreSQL's data-modifying WITH."""
    return connections[router.db_for_write(QueuedCommand)].vendor == "postgresql"


# --- a result taken from the channel as last read ------------------------------------------------

# A device answers the command it was just sent, and its next request usually reaches the process
# that sent it (the same keep-alive connection): that process read the channel row for it a
# moment ago. A result of that command can then be stored, and the next command delivered, by
# one statement that writes only if the channel row, its Device and the command's queue row are
# still exactly what was read (`store_result_and_deliver` with `seen`); the services decide on
# the row as read, as they would on the row read again, and any difference (another process
# wrote it meanwhile) leaves everything to the usual two statements. Per process: channel key ->
# its id; id -> its connect row as the database returned it; id -> the command last delivered
# on it. Only channels with something to deliver are remembered (an Idle poll with an empty queue
# is not); about 1.3 kB a channel over the three maps, so at most about 33 MB a process, each map
# cleared when full.
_channel_ids: dict[str, int] = {}
_rows_seen: dict[int, tuple[Any, ...]] = {}
_sent_seen: dict[int, tuple[int, int, str, str, str, int]] = {}
_SEEN_MAX = 25_000


@dataclass(frozen=True, slots=True)
class Seen:
    """A channel as this process last read it, and the command it last delivered on it."""

    key: str
    row: tuple[Any, ...]  # the connect row's enrollment and Device values, as read
    enrollment_id: int
    queue_id: int
    command_id: int
    not_now_count: int


def _remember(store: dict[Any, Any], key: Any, value: Any) -> None:
    if len(store) >= _SEEN_MAX and key not in store:
        store.clear()
    store[key] = value


def _remember_row(key: str, row: Sequence[Any], enrollment_id: int) -> None:
    _remember(_channel_ids, key, enrollment_id)
    _remember(_rows_seen, enrollment_id, tuple(row))


def _remember_sent(enrollment_id: int, delivery: Delivery, not_now_count: Any) -> None:
    command = delivery.command
    _remember(
        _sent_seen,
        enrollment_id,
        (
            delivery.queue_id,
            int(command.pk),
            str(command.uuid),
            str(command.request_type),
            str(command.spec or ""),
            int(not_now_count),
        ),
    )


def forget_seen(enrollment_id: int | None = None) -> None:
    """Drop the channel row this process last read (the next result is read again); without an
    id, everything remembered of every channel (tests)."""
    if enrollment_id is None:
        _channel_ids.clear()
        _rows_seen.clear()
        _sent_seen.clear()
        return
    _rows_seen.pop(enrollment_id, None)


def seen_result(key: str, command_uuid: str) -> tuple[Seen, ConnectRow] | None:
    """The channel of `key` as this process last read it, with the queue row of the result of
    `command_uuid` (the command it last delivered there, pending as delivered): new instances,
    as `connect_row(key, command_uuid=...)` makes them. None when this process has not read
    both, or elsewhere than on PostgreSQL."""
    enrollment_id = _channel_ids.get(key)
    if enrollment_id is None:
        return None
    row = _rows_seen.get(enrollment_id)
    sent = _sent_seen.get(enrollment_id)
    if row is None or sent is None or sent[2] != command_uuid:
        return None
    queue_id, command_id, uuid, request_type, spec, not_now_count = sent
    db = router.db_for_write(QueuedCommand)
    if not stores_results_in_one_statement():
        return None
    columns, device_columns, _ = _connect_query(db)
    split = len(columns)
    enrollment: Enrollment = _from_row(Enrollment, columns, row[:split], db)
    if enrollment.pk != enrollment_id:  # pragma: no cover - filled together
        return None
    _relate(enrollment, "device", _from_row(Device, device_columns, row[split:], db))
    queue_columns, command_columns, _ = _result_query(db)
    delivery: QueuedCommand = _from_row(
        QueuedCommand,
        queue_columns,
        _in_order(
            queue_columns,
            {
                "id": queue_id,
                "enrollment_id": enrollment_id,
                "command_id": command_id,
                "status": QueuedCommand.Status.SENT,
                "not_now_count": not_now_count,
            },
        ),
        db,
    )
    command = _from_row(
        Command,
        command_columns,
        _in_order(
            command_columns,
            {"id": command_id, "uuid": uuid, "request_type": request_type, "spec": spec},
        ),
        db,
    )
    _relate(delivery, "command", command)
    seen = Seen(
        key=key,
        row=row,
        enrollment_id=enrollment_id,
        queue_id=queue_id,
        command_id=command_id,
        not_now_count=not_now_count,
    )
    found = ConnectRow(
        enrollment=enrollment,
        queue_empty=False,
        result_read=True,
        result_delivery=delivery,
        result_locked=False,
    )
    return seen, found


def _in_order(columns: Sequence[tuple[Any, Any]], values: dict[str, Any]) -> list[Any]:
    """`values` by attname, in the order of `columns` (a row as a SELECT of them returns it)."""
    return [values[f.attname] for f, _col in columns]


@functools.cache
def _seen_guard_query(alias: str) -> str:
    """The channel row of a key, with its Device, only if each value the connect lookup reads
    is the one given (`Seen.row`, in that order)."""
    columns, device_columns, _ = _connect_query(alias)
    selected = _select_list("e", columns, alias) + _select_list("d", device_columns, alias)
    same = " AND ".join(f"{expression} IS NOT DISTINCT FROM %s" for expression in selected)
    return (
        f"SELECT 1 FROM {Enrollment._meta.db_table} e {_device_join()} "  # noqa: S608
        f"WHERE e.channel_key = %s AND {same}"
    )


# Check-ins read their whole channel row with its Device by channel key (no parent join: only
# user channels have one); FOR UPDATE locks the channel row only.
@functools.cache
def _channel_query(
    alias: str, by: str, for_update: bool
) -> tuple[tuple[tuple[Any, Any], ...], tuple[tuple[Any, Any], ...], str]:
    columns = _columns_of(Enrollment, tuple(f.attname for f in Enrollment._meta.concrete_fields))
    device_columns = _columns_of(Device, tuple(f.attname for f in Device._meta.concrete_fields))
    selected = ", ".join(
        _select_list("e", columns, alias) + _select_list("d", device_columns, alias)
    )
    where = "e.channel_key = %s" if by == "key" else "e.id = %s"
    lock = ""
    features = connections[alias].features
    if for_update and features.has_select_for_update:
        lock = " FOR UPDATE OF e" if features.has_select_for_update_of else " FOR UPDATE"
    query = (
        f"SELECT {selected} FROM {Enrollment._meta.db_table} e "  # noqa: S608 - model names
        f"{_device_join()} WHERE {where} LIMIT 1{lock}"
    )
    return columns, device_columns, query


def _channel(by: str, value: Any, for_update: bool) -> Enrollment | None:
    alias = router.db_for_write(Enrollment) if for_update else router.db_for_read(Enrollment)
    columns, device_columns, query = _channel_query(alias, by, for_update)
    connection = connections[alias]
    if for_update and connection.get_autocommit():
        raise transaction.TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    with _cursor(connection) as cursor:
        cursor.execute(query, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(columns)
    enrollment: Enrollment = _from_row(Enrollment, columns, row[:split], alias)
    enrollment.device = _from_row(Device, device_columns, row[split:], alias)
    return enrollment


def unclaimed_device(pk: int, serial: str) -> Device | None:
    """A Device known before enrollment with this serial number that no device channel holds
    (first Authenticate of an ADE device; plain ORM: once per device)."""
    held = Enrollment.objects.filter(device=OuterRef("pk"), parent__isnull=True)
    found: Device | None = (
        Device.objects.select_for_update()
        .filter(pk=pk, user_enrollment=False, serial_number__iexact=serial.strip())
        .exclude(Exists(held))
        .first()
    )
    return found


def enrollment_by_key(key: str, *, for_update: bool = False) -> Enrollment | None:
    return _channel("key", key, for_update)


def enrollment_for_update(pk: int) -> Enrollment | None:
    return _channel("id", pk, True)


@dataclass(frozen=True, slots=True)
class SessionRead:
    """The row of the enrollment app's session read (`SessionSql`), run by the statement
    that read the identity certificate; None: no session has the certificate's reference."""

    row: tuple[Any, ...] | None


# (issuance reference as SQL) -> a SELECT of at most one row: what the enrollment resolver reads
# of the session of that reference, for the statement that reads the certificate to run; and
# its number of columns (`hooks.session_sql`).
SessionSql = Callable[[str], tuple[str, int]]


@dataclass(frozen=True, slots=True)
class Presented:
    """What every Authenticate reads of the identity certificate it presents, in one statement:
    the certificate as this server's SCEP issued it (`pki.find_issued_certificate`; None: not
    issued here), and the id of another device channel (checked out or not) pinned to it or
    bound to the enrollment session it was issued for: then the certificate is not free
    (devices.binding)."""

    issued: IssuedCertificate | None
    other_holder: int | None
    # The certificate's session as the enrollment app reads it (`SessionSql`), when read
    # by the same statement; None: not read.
    session: SessionRead | None = None


@functools.cache
def _presented_query(alias: str) -> tuple[tuple[tuple[Any, Any], ...], str]:
    qn = connections[alias].ops.quote_name
    columns = _columns_of(
        IssuedCertificate, tuple(f.attname for f in IssuedCertificate._meta.concrete_fields)
    )

    def column(model: Any, name: str) -> str:
        return qn(str(model._meta.get_field(name).column))

    fingerprint, reference = (
        column(Enrollment, "cert_fingerprint"),
        column(Enrollment, "enrollment_reference"),
    )
    issued_reference = f"COALESCE(ic.{column(IssuedCertificate, 'reference')}, '')"
    # Another channel (never a user channel) with this fingerprint, or with the issued
    # certificate's session reference when it has one: one indexed lookup for each, the
    # first found. The reference is read from the certificate row by this statement, so the
    # planner cannot tell it from the '' most channels carry, and scanned every channel for it
    # (every first Authenticate: 33-40 ms of PostgreSQL's CPU at 100,000 devices,
    # bench/RESULTS.md); `<> ''` on the channel's column lets it use the partial index of the
    # channels that carry one (`devices_enrollment_reference`).
    table, parent, key = (
        qn(Enrollment._meta.db_table),
        column(Enrollment, "parent"),
        column(Enrollment, "channel_key"),
    )

    def other(condition: str) -> str:
        return (
            f"(SELECT o.id FROM {table} o WHERE {condition} "  # noqa: S608 - names
            f"AND o.{parent} IS NULL AND o.{key} <> %s LIMIT 1)"
        )

    by_fingerprint = other(f"o.{fingerprint} = %s")
    by_reference = other(
        f"o.{reference} = {issued_reference} AND {issued_reference} <> '' AND o.{reference} <> ''"
    )
    holder = f"SELECT COALESCE({by_fingerprint}, {by_reference})"
    query = (
        f"SELECT {', '.join(_select_list('ic', columns, alias))}, ({holder}) "  # noqa: S608
        f"FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM "
        f"{qn(IssuedCertificate._meta.db_table)} WHERE "
        f"{column(IssuedCertificate, 'fingerprint')} = %s LIMIT 1) ic ON true"
    )
    return columns, query


@functools.cache
def _session_query(alias: str, session_sql: SessionSql) -> tuple[str, int]:
    """The session read of `session_sql` for the certificate of `_presented_query` (`ic`)."""
    reference = IssuedCertificate._meta.get_field("reference").column
    return session_sql(f"ic.{connections[alias].ops.quote_name(str(reference))}")


@functools.cache
def _channel_and_presented_query(alias: str, session: tuple[str, int] | None = None) -> str:
    """`_presented_query` with the channel row of `_channel_query(alias, "key", True)` joined
    (its lock inside its own subquery: the channel may not exist), and whether a channel of
    that key was there when the statement started; with `session` (a `SessionSql`'s
    SELECT of the certificate's reference, and its width), whether it found a row, and that
    row. Its parameters: the presented query's, then the channel key twice."""
    _columns, presented_query = _presented_query(alias)
    channel_columns, device_columns, _query = _channel_query(alias, "key", True)
    expressions = _select_list("e", channel_columns, alias) + _select_list(
        "d", device_columns, alias
    )
    inner = ", ".join(f"{expression} AS ch_{n}" for n, expression in enumerate(expressions))
    outer = ", ".join(f"ch.ch_{n}" for n in range(len(expressions)))
    select, from_ = presented_query.split(" FROM (SELECT 1) one ", 1)
    session_columns, session_join = "", ""
    if session is not None:
        sql, width = session
        names = ", ".join(f"s_{n}" for n in range(width))
        session_columns = ", s.found, " + ", ".join(f"s.s_{n}" for n in range(width))
        session_join = (
            f" LEFT JOIN LATERAL (SELECT true, q.* FROM ({sql}) q) s(found, {names}) ON true"  # noqa: S608 - the hook's SQL, names
        )
    return (
        f"{select}, {outer}, was.seen{session_columns} FROM (SELECT 1) one {from_} "  # noqa: S608 - model names
        f"LEFT JOIN LATERAL (SELECT {inner} FROM {Enrollment._meta.db_table} e "
        f"{_device_join()} WHERE e.channel_key = %s LIMIT 1 FOR UPDATE OF e) ch ON true "
        # Whether the channel was there when the statement started: its lock returns no row
        # for a channel deleted while it waited, as for one never seen.
        f"LEFT JOIN LATERAL (SELECT true AS seen FROM {Enrollment._meta.db_table} "
        f"WHERE channel_key = %s LIMIT 1) was ON true{session_join}"
    )


# The same two reads apart, for databases without LATERAL (SQLite, the embedded default).
_ISSUED_CERTIFICATE = PreparedQuery(
    lambda fingerprint: IssuedCertificate.objects.filter(fingerprint=fingerprint).order_by()[:1],
    str,
)
_OTHER_HOLDER = PreparedQuery(
    lambda fingerprint, reference, key: (
        Enrollment.objects.filter(
            Q(cert_fingerprint=fingerprint)
            | (Q(enrollment_reference=reference) & ~Q(enrollment_reference="")),
            parent__isnull=True,
        )
        .exclude(channel_key=key)
        .order_by()
        .values_list("id", flat=True)[:1]
    ),
    str,
    str,
    str,
)


def _presented_params(fingerprint: str, key: str) -> list[Any]:
    return [fingerprint, key, key, pki.normalise_fingerprint(fingerprint)]


def _presented_from(
    row: Sequence[Any], columns: Sequence[tuple[Any, Any]], alias: str
) -> Presented:
    """A `Presented` from the row of `_presented_query`: its certificate's columns, then the
    holder."""
    issued = None
    if row[0] is not None:
        issued = _from_row(IssuedCertificate, columns, row[: len(columns)], alias)
    return Presented(issued=issued, other_holder=row[len(columns)])


def presented(*, fingerprint: str, key: str) -> Presented:
    """The certificate presented with this fingerprint, and its holder other than the channel
    `key`."""
    alias = router.db_for_read(Enrollment)
    if connections[alias].vendor != "postgresql":
        issued: IssuedCertificate | None = _ISSUED_CERTIFICATE.first(
            pki.normalise_fingerprint(fingerprint)
        )
        reference = issued.reference if issued is not None else ""
        holder: int | None = _OTHER_HOLDER.first(fingerprint, reference, key)
        return Presented(issued=issued, other_holder=holder)
    columns, query = _presented_query(alias)
    row = _fetch_one(alias, query, _presented_params(fingerprint, key))
    if row is None:  # pragma: no cover - the statement always returns its one row
        return Presented(issued=None, other_holder=None)
    return _presented_from(row, columns, alias)


def channel_and_presented(
    *, key: str, fingerprint: str, session_sql: SessionSql | None = None
) -> tuple[Enrollment | None, Presented]:
    """What an Authenticate reads first: its channel with its Device, locked
    (`enrollment_by_key(key, for_update=True)`), and the certificate it presents (`presented`),
    with what the enrollment app reads of the certificate's session (`session_sql`).

    One statement on PostgreSQL when the channel does not exist yet (every enrollment's first
    Authenticate). When it does, the certificate is read again once the channel is locked, as
    when the two were read apart, and its session is not taken from this statement: a
    statement reads the rows as they were when it started, before it waited for the lock, and
    what the lock's holder committed meanwhile (a certificate revoked as replaced, another
    channel pinned to it, its session bound) must be seen."""
    alias = router.db_for_write(Enrollment)
    connection = connections[alias]
    if connection.vendor != "postgresql" or router.db_for_read(Enrollment) != alias:
        found = enrollment_by_key(key, for_update=True)
        return found, presented(fingerprint=fingerprint, key=key)
    if connection.get_autocommit():
        raise transaction.TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    columns, _query = _presented_query(alias)
    channel_columns, device_columns, _channel_sql = _channel_query(alias, "key", True)
    session = _session_query(alias, session_sql) if session_sql is not None else None
    row = _fetch_one(
        alias,
        _channel_and_presented_query(alias, session),
        [*_presented_params(fingerprint, key), key, key],
    )
    if row is None:  # pragma: no cover - the statement always returns its one row
        raise DatabaseError("the Authenticate's first statement returned no row")
    read = None
    if session is not None:
        found, session_row = row[-session[1] - 1], tuple(row[-session[1] :])
        read = SessionRead(session_row if found else None)
        row = row[: -session[1] - 1]
    *row, was_there = row
    start = len(columns) + 1
    if row[start] is None:  # no channel: nothing was locked
        if was_there:  # deleted while this statement waited for its lock: read again
            return None, presented(fingerprint=fingerprint, key=key)
        return None, dataclasses.replace(_presented_from(row, columns, alias), session=read)
    split = start + len(channel_columns)
    enrollment: Enrollment = _from_row(Enrollment, channel_columns, row[start:split], alias)
    enrollment.device = _from_row(Device, device_columns, row[split:], alias)
    return enrollment, presented(fingerprint=fingerprint, key=key)


TOKEN_UPDATE_FIELDS = (
    "push_token",
    "push_magic",
    "push_token_dead",
    "push_token_dead_reason",
    "topic",
    "awaiting_configuration",
    "unlock_token",
    "status",
    "last_seen_at",
    "enrolled_at",
    "unenrolled_at",
    "token_update_logged_at",
)
# Every enrollment inserts its row (and a new Device's) at Authenticate and updates it at
# TokenUpdate.
_INSERT_ENROLLMENT = PreparedInsert(Enrollment)
_INSERT_DEVICE = PreparedInsert(Device)
_UPDATE_TOKEN = PreparedUpdate(Enrollment, TOKEN_UPDATE_FIELDS)


def insert_enrollment(enrollment: Enrollment) -> None:
    _INSERT_ENROLLMENT.save(enrollment)


def insert_device(device: Device) -> None:
    _INSERT_DEVICE.save(device)


def _plain_saves(*models: Any) -> bool:
    """Whether saving rows of these models is only their SQL (no save signal receivers), on
    PostgreSQL: what the statements below, which write several tables at once, need."""
    alias = router.db_for_write(models[0])
    return connections[alias].vendor == "postgresql" and not any(
        signal.has_listeners(model) for signal in (pre_save, post_save) for model in models
    )


def _insert_fields(model: Any) -> list[Field[Any, Any]]:
    meta = model._meta
    return [f for f in meta.local_concrete_fields if f is not meta.auto_field]


# psycopg splits a statement's SQL at its placeholders once and keeps the result, but only for
# statements of at most 50 values: a longer one is split again on every call (0.1 ms for the 83
# values of a first TokenUpdate's commands), and each value is prepared by its field and quoted
# apart. The wide inserts of an enrollment (a first Authenticate's Device, channel and log row:
# 60 values; a first TokenUpdate's commands: 13 each) send a table's new rows as one JSON
# document instead, which PostgreSQL reads into the table's own row type (`jsonb_populate_record`,
# `jsonb_populate_recordset`): each column's text goes through that column type's input, as a
# parameter's does, so a string too long or a number out of range fails as it did.
# The planner takes a set of records for 100 rows, so one row is read as a record and several
# with a LIMIT of their count: read as sets, the new channel's three joined inserts were
# estimated at 10^12 rows, and PostgreSQL compiled the statement with JIT on every call (0.33 s
# of its CPU).

# Fields whose prepared value is written as it is, by the JSON type it has.
_JSON_SCALARS: dict[str, type] = {
    "AutoField": int,
    "BigAutoField": int,
    "SmallAutoField": int,
    "BigIntegerField": int,
    "IntegerField": int,
    "SmallIntegerField": int,
    "PositiveBigIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "BooleanField": bool,
    "CharField": str,
    "TextField": str,
}
_JsonValue = Callable[[Any, Any], Any]
# The values of these kinds of fields that get_db_prep_save gives back as they are on
# PostgreSQL (a datetime only when aware), by their exact type.
_AS_IT_IS_ON_POSTGRESQL: dict[str, Any] = {
    "DateTimeField": dt.datetime,
    "DateField": dt.date,
    "UUIDField": UUID,
}


def _json(document: Any) -> str:
    """A JSON document's text, characters as they are (not `\\uXXXX`: a database whose
    encoding is not UTF-8 refuses those escapes in jsonb, where it takes the characters)."""
    return json.dumps(document, ensure_ascii=False)


def _json_value(field: Field[Any, Any]) -> _JsonValue:
    """How a field's value (after `pre_save`) is written in its row's JSON document: what
    `get_db_prep_save` makes of it (a JSON field's value as it is, JSON already), as the text
    the column type reads. Any other kind of field is refused (TypeError) when the statement is
    first built, and so is a field of a class of its own (which may convert its values in ways
    this does not know): Django's own field classes only."""
    target = field.target_field if isinstance(field, ForeignKey) else field
    for own in {type(field), type(target)}:
        if not own.__module__.startswith("django.db.models."):
            raise TypeError(f"{field} ({own.__name__}) is not written in a JSON document")
    kind = target.get_internal_type()
    if isinstance(field, JSONField) and field.encoder is None:
        return lambda value, connection: value
    if kind == "BinaryField":
        return lambda value, connection: None if value is None else "\\x" + bytes(value).hex()
    if kind in ("DateTimeField", "DateField", "UUIDField"):
        exact = _AS_IT_IS_ON_POSTGRESQL[kind]

        def text(value: Any, connection: Any) -> Any:
            if (
                type(value) is exact
                and connection.vendor == "postgresql"
                and (exact is not dt.datetime or value.utcoffset() is not None)
            ):
                # What get_db_prep_save gives back as it is there (an aware datetime, a date, a
                # UUID; a naive datetime is made aware, with a warning): its steps skipped.
                return str(value) if exact is UUID else value.isoformat()
            value = field.get_db_prep_save(value, connection=connection)
            if value is None:
                return None
            return str(value) if kind == "UUIDField" else value.isoformat()

        return text
    scalar = _JSON_SCALARS.get(kind)
    if scalar is None:
        raise TypeError(f"{field} is not written in a JSON document")

    def plain(value: Any, connection: Any) -> Any:
        if value is None or type(value) is scalar:  # what get_db_prep_save leaves as it is
            return value
        if scalar is str and isinstance(value, str):
            # A text field's get_db_prep_save gives back any str as it is (a choice's enum
            # member too), and JSON writes a str subclass as its text.
            return value
        value = field.get_db_prep_save(value, connection=connection)
        if value is not None and not isinstance(value, scalar):
            raise TypeError(f"{field}: {type(value).__name__} is not {scalar.__name__}")
        return value

    return plain


@functools.cache
def _json_fields(model: Any, link: str) -> tuple[tuple[Field[Any, Any], str, _JsonValue], ...]:
    return tuple(
        (f, str(f.column), _json_value(f)) for f in _insert_fields(model) if f.name != link
    )


class _AsItIs:
    """In `_json_plan`: every value of the field is written as it is (a JSON field's)."""


@functools.cache
def _json_plan(
    model: Any, link: str
) -> tuple[tuple[str, str | None, Field[Any, Any], _JsonValue, type | None], ...]:
    """`_json_fields` as `_json_row` reads them: per field its column, its attname when its
    value is the attribute itself (the field's `pre_save` is `Field.pre_save`, which reads the
    attribute; None: its own `pre_save` runs, a `DateTimeField`'s `auto_now_add`), the field,
    its JSON value, and the type whose values (and None) that JSON value gives back as they are
    (`_AsItIs`: every value; None: none), so that those are not passed to it."""
    plan = []
    for f, column, value in _json_fields(model, link):
        attname = f.attname if type(f).pre_save is Field.pre_save else None
        target = f.target_field if isinstance(f, ForeignKey) else f
        kept: type | None = None
        if isinstance(f, JSONField) and f.encoder is None:
            kept = _AsItIs
        elif target.get_internal_type() in _JSON_SCALARS:
            kept = _JSON_SCALARS[target.get_internal_type()]
        plan.append((column, attname, f, value, kept))
    return tuple(plan)


def _json_row(row: Model, connection: Any, link: str) -> dict[str, Any]:
    """`{column: value(field.pre_save(row, True), connection)}` of `_json_fields`, the values
    that would come back as they are not passed through (about half the time of a row)."""
    attributes = row.__dict__
    document = {}
    for column, attname, field, value, kept in _json_plan(type(row), link):
        if attname is not None and attname in attributes:
            read = attributes[attname]
        else:
            read = field.pre_save(row, True)
        if kept is _AsItIs or read is None or type(read) is kept:
            document[column] = read
        else:
            document[column] = value(read, connection)
    return document


def _json_rows(rows: Sequence[Model], connection: Any, *, link: str = "") -> list[Any]:
    """The parameters of `_json_insert(many=True)`: the new rows of one model as one JSON
    document (all their columns but `link`), and their count."""
    return [_json([_json_row(row, connection, link) for row in rows]), len(rows)]


@functools.cache
def _json_insert(
    model: Any, alias: str, *, link: str = "", source: str = "", many: bool = False
) -> str:
    """INSERT of one new row of the model given as a JSON document (a parameter: `json.dumps`
    of `_json_row`), or with `many` of several (`_json_rows`, two parameters); the `link`
    column, when given, takes the key of the row `source` (a WITH name) wrote."""
    qn = connections[alias].ops.quote_name
    table = qn(model._meta.db_table)
    fields = _insert_fields(model)
    columns = [(f.name, qn(str(f.column))) for f in fields]
    _json_fields(model, link)  # every field can be written so: refused now otherwise
    selected = ", ".join(f"{source}.id" if name == link else f"r.{c}" for name, c in columns)
    origin = f"{source}, " if link else ""
    rows = (
        f"jsonb_populate_recordset(NULL::{table}, %s::jsonb) r LIMIT %s"
        if many
        else f"jsonb_populate_record(NULL::{table}, %s::jsonb) r"
    )
    return (
        f"INSERT INTO {table} ({', '.join(c for _name, c in columns)}) "  # noqa: S608 - names
        f"SELECT {selected} FROM {origin}{rows}"
    )


# The new channel's key in `_new_channel_query`, for an UPDATE that runs in it (`bind`).
NEW_CHANNEL_KEY = "(SELECT id FROM e)"


@functools.cache
def _new_channel_query(alias: str, bind: str = "") -> str:
    """A new Device, its device channel and the channel's first log row: one statement, each
    row taking the key of the one before (each row's other columns are a parameter: one JSON
    document, `_json_insert`). With `bind`, an UPDATE reading the channel's key as
    `NEW_CHANNEL_KEY`, and how many rows it updated."""
    qn = connections[alias].ops.quote_name
    parts = (
        (Device, "d", "", ""),
        (Enrollment, "e", "d", "device"),
        (DeviceEvent, "ev", "e", "enrollment"),
    )
    inserts = ", ".join(
        f"{name} AS ({_json_insert(model, alias, link=link, source=source)} "
        f"RETURNING {qn(str(model._meta.pk.column))} AS id)"
        for model, name, source, link in parts
    )
    if bind:
        return (
            f"WITH {inserts}, b AS ({bind} RETURNING 1) "  # noqa: S608 - names, the caller's SQL
            "SELECT d.id, e.id, ev.id, (SELECT count(*) FROM b) FROM d, e, ev"
        )
    return f"WITH {inserts} SELECT d.id, e.id, ev.id FROM d, e, ev"  # noqa: S608 - names


def insert_new_channel(
    device: Device,
    enrollment: Enrollment,
    event: DeviceEvent,
    bind: tuple[str, list[Any]] | None = None,
) -> bool | None:
    """`insert_device(device)`, `insert_enrollment(enrollment)` of its device channel and
    `insert_event(event)` of that channel's log: one statement on PostgreSQL (a first
    Authenticate), else the three. `bind`: an UPDATE (SQL reading the new channel's key as
    `NEW_CHANNEL_KEY`, and its parameters) that the statement runs too (binding the channel's
    enrollment session); whether it updated a row, or None when it was not run (the caller
    then writes it its own way)."""
    if not _plain_saves(Device, Enrollment, DeviceEvent):
        insert_device(device)
        enrollment.device = device
        insert_enrollment(enrollment)
        event.enrollment = enrollment
        insert_event(event)
        return None
    alias = router.db_for_write(Enrollment)
    connection = connections[alias]
    params = [
        _json(_json_row(device, connection, "")),
        _json(_json_row(enrollment, connection, "device")),
        _json(_json_row(event, connection, "enrollment")),
    ]
    sql = _new_channel_query(alias)
    if bind is not None:
        sql = _new_channel_query(alias, bind[0])
        params.extend(bind[1])
    with transaction.mark_for_rollback_on_error(using=alias), _cursor(connection) as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchone()
    if keys is None:  # pragma: no cover - each INSERT writes its row or raises
        raise DatabaseError("the new channel's rows were not written")
    written: tuple[Model, ...] = (device, enrollment, event)
    for model_row, pk in zip(written, keys, strict=False):
        model_row.pk = pk
        model_row._state.adding = False
        model_row._state.db = alias
    enrollment.device = device
    event.enrollment = enrollment
    return None if bind is None else keys[3] > 0


@dataclass(frozen=True, slots=True)
class TokenUpdateWrite:
    """A TokenUpdate's write of its channel (what `save_token_update` writes) and of its log
    row: on a channel's first TokenUpdate, made by the statement that writes the channel's
    first commands and their queue rows (`insert_commands_and_queue`), else on its own."""

    enrollment: Enrollment
    event: DeviceEvent

    def save(self) -> None:
        save_token_update(self.enrollment, self.event)


@contextlib.contextmanager
def savepoint_kept_until_commit(using: str | None = None) -> Iterator[None]:
    """`transaction.atomic()` nested in the caller's transaction, whose savepoint is not
    released when the block succeeds: the transaction's COMMIT releases it, and RELEASE
    SAVEPOINT is a round trip of its own (one of a first TokenUpdate's statements). Otherwise as
    atomic: on an exception, or when the block leaves the transaction marked for rollback (an
    inner `atomic(savepoint=False)` that failed), it is rolled back to the savepoint (and the
    callbacks `on_commit` registered in it dropped); should that fail, the whole transaction is
    marked for rollback. Outside a transaction, or where there is no savepoint to take, it is
    `transaction.atomic()`."""
    connection = transaction.get_connection(using)
    if (
        not connection.in_atomic_block
        or connection.needs_rollback
        or connection.closed_in_transaction
        or not connection.features.uses_savepoints
    ):
        with transaction.atomic(using=using):
            yield
        return
    sid = connection.savepoint()
    # As atomic does: the callbacks registered in the block know they belong to this savepoint.
    connection.savepoint_ids.append(sid)
    failed = True
    try:
        yield
        failed = connection.needs_rollback
    finally:
        connection.savepoint_ids.pop()
        if failed and not connection.closed_in_transaction:
            connection.needs_rollback = False
            try:
                connection.savepoint_rollback(sid)
                connection.savepoint_commit(sid)  # never used again
            except Error:
                connection.needs_rollback = True


def _writes_token_update_with_sql(alias: str) -> bool:
    """Whether the channel's UPDATE and its log row go in one statement (no save receivers)."""
    return connections[alias].vendor == "postgresql" and not any(
        signal.has_listeners(model)
        for signal in (pre_save, post_save)
        for model in (Enrollment, DeviceEvent)
    )


def _token_update_params(write: TokenUpdateWrite, connection: Any) -> list[Any]:
    enrollment, event = write.enrollment, write.event
    fields = [_enrollment_field(name) for name in TOKEN_UPDATE_FIELDS]
    params = [
        f.get_db_prep_save(f.pre_save(enrollment, False), connection=connection) for f in fields
    ]
    params.append(enrollment.pk)
    params.extend(
        f.get_db_prep_save(f.pre_save(event, True), connection=connection) for f in _event_fields()
    )
    return params


def _token_update_written(write: TokenUpdateWrite, event_id: Any, alias: str) -> None:
    if event_id is None:  # the UPDATE found no row, so no log row was written
        raise DatabaseError("Save with update_fields did not affect any rows.")
    write.enrollment._state.db = alias
    event = write.event
    event.pk = event_id
    event._state.adding = False
    event._state.db = alias


def save_token_update(enrollment: Enrollment, event: DeviceEvent | None = None) -> None:
    """Only what a TokenUpdate sets: inventory written meanwhile by a command result stays.
    With `event` (the channel's log row of it), both in one statement on PostgreSQL."""
    alias = router.db_for_write(Enrollment)
    connection = connections[alias]
    if event is None or not _writes_token_update_with_sql(alias):
        _UPDATE_TOKEN.save(enrollment)
        if event is not None:
            insert_event(event)
        return
    write = TokenUpdateWrite(enrollment, event)
    with transaction.mark_for_rollback_on_error(using=alias), _cursor(connection) as cursor:
        cursor.execute(_token_update_query(alias), _token_update_params(write, connection))
        row = cursor.fetchone()
    _token_update_written(write, row[0] if row is not None else None, alias)


def _column_field(model: Any, name: str, *, primary_key: bool = True) -> Field[Any, Any]:
    """The field of one of `model`'s columns (never a relation's reverse side; the primary key
    only when `primary_key`): the statements below are built from these."""
    field = model._meta.get_field(name)
    if (
        not isinstance(field, Field)
        or field.column is None
        or (field.primary_key and not primary_key)
    ):
        raise TypeError(f"{name} is not a column of {model._meta.db_table}")
    return field


def _enrollment_field(name: str) -> Field[Any, Any]:
    return _column_field(Enrollment, name, primary_key=False)


@functools.cache
def _token_update_parts(alias: str, returning: str = "1") -> tuple[str, str]:
    """The TokenUpdate's UPDATE of its channel, and the INSERT of its log row from it (written
    only if the channel row was), as the data-modifying WITH parts `u` and `ev`; `u` returns
    `returning` of the row as written."""
    qn = connections[alias].ops.quote_name
    assignments = ", ".join(
        f"{qn(str(_enrollment_field(name).column))} = %s" for name in TOKEN_UPDATE_FIELDS
    )
    event_fields = _event_fields()
    return (
        f"u AS (UPDATE {qn(Enrollment._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {qn(str(Enrollment._meta.pk.column))} = %s RETURNING {returning})",
        f"ev AS (INSERT INTO {qn(DeviceEvent._meta.db_table)} "  # noqa: S608
        f"({', '.join(qn(f.column) for f in event_fields)}) "
        f"SELECT {', '.join('%s' for _ in event_fields)} FROM u "
        f"RETURNING {qn(str(DeviceEvent._meta.pk.column))} AS id)",
    )


@functools.cache
def _token_update_query(alias: str) -> str:
    """The TokenUpdate's UPDATE of its channel and the INSERT of its log row, one statement."""
    update, logged = _token_update_parts(alias)
    return f"WITH {update}, {logged} SELECT id FROM ev"  # noqa: S608 - names


def touch_last_seen(enrollment_id: int, now: dt.datetime) -> None:
    """UPDATE last_seen_at: most polls of a device are more than a minute apart."""
    forget_seen(enrollment_id)  # read again before a result is taken as seen
    db = router.db_for_write(Enrollment)
    connection = connections[db]
    field = Enrollment._meta.get_field("last_seen_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Enrollment._meta.db_table} SET {field.column} = %s WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now), enrollment_id],
        )


_FIELD_UPDATES: dict[tuple[Any, tuple[str, ...]], PreparedUpdate] = {}


def _save_fields(row: Enrollment | Device, fields: Sequence[str]) -> None:
    names = tuple(fields)
    update = _FIELD_UPDATES.get((type(row), names))
    if update is None:
        update = _FIELD_UPDATES.setdefault((type(row), names), PreparedUpdate(type(row), names))
    update.save(row)


def save_enrollment_fields(enrollment: Enrollment, fields: Sequence[str]) -> None:
    """`enrollment.save(update_fields=fields)` for what a command result writes to the channel
    (a bootstrap token discarded)."""
    _save_fields(enrollment, fields)


def save_device_fields(device: Device, fields: Sequence[str]) -> None:
    """`device.save(update_fields=fields)` for what a check-in or a command result writes to
    the Device (inventory, user names)."""
    _save_fields(device, fields)


# --- new commands -----------------------------------------------------------------------------------

# Every first TokenUpdate queues the inventory and what the other apps send a new channel: the
# commands in one INSERT (`devices.services.queue`), compiled once per number of commands.
_INSERT_COMMANDS = PreparedBulkInsert(Command)


def insert_commands(commands: list[Command]) -> None:
    """`Command.objects.bulk_create(commands)`: their keys set, in order."""
    _INSERT_COMMANDS.create(commands)


def queues_with_commands() -> bool:
    """Whether `insert_commands_and_queue` writes in one statement (PostgreSQL's data-modifying
    WITH); elsewhere the commands and their queue rows are written apart."""
    return connections[router.db_for_write(Command)].vendor == "postgresql"


_QUEUE_CONSTANTS = ("status", "created_at", "not_now_count", "status_reason")


@dataclass(slots=True)
class OutboxPart:
    """The push outbox's INSERT of a channel's row at its first TokenUpdate (the apns app's,
    `hooks.first_push`), run by the statement that writes that TokenUpdate and its first
    commands as one of its WITH parts: `sql` reads the channel's row as the UPDATE wrote it
    (every part of a WITH reads the tables as they were before the statement) from the part
    named when it was asked for, RETURNING a row for each outbox row written. `on_written` is
    told how many it wrote, in the transaction; `ran` says whether the statement ran it (if not,
    the outbox row is left to the receivers of `signals.commands_enqueued`, as before)."""

    sql: str
    params: list[Any]
    on_written: Callable[[int], None]
    ran: bool = False


# (the channel's id, the name of the WITH part returning its row as written) -> its outbox part,
# None when it cannot be written so (`hooks.first_push`)
FirstPush = Callable[[int, str], OutboxPart | None]

# The WITH part of a first TokenUpdate's statement that returns the channel's row as written.
WRITTEN_CHANNEL = "u"


@functools.cache
def _commands_and_queue_query(alias: str, token_update: bool = False, outbox: str = "") -> str:
    """The commands and their queue rows; with `token_update`, a first TokenUpdate's channel
    UPDATE and log row first (`_token_update_parts`), whose log row's id each row carries, and
    with `outbox` (an `OutboxPart`'s SQL) that channel's push outbox row last, the number of
    rows it wrote carried next. The queue rows' SELECT reads the channel rows as they were
    before the statement (every part of a WITH does): a row the UPDATE changes is there either
    way."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    queue_columns = ", ".join(
        qn(_column(name)) for name in ("enrollment", "command", "priority", *_QUEUE_CONSTANTS)
    )
    enrollments = qn(Enrollment._meta.db_table)
    first, logged, push, pushed = "", "", "", ""
    if token_update:
        first = ", ".join(_token_update_parts(alias, "*" if outbox else "1")) + ", "
        logged = ", (SELECT id FROM ev)"
        if outbox:
            push = f", pp AS ({outbox})"
            pushed = ", (SELECT count(*) FROM pp)"
    return (
        f"WITH {first}c AS ({_json_insert(Command, alias, many=True)} "  # noqa: S608 - names, parameters
        f"RETURNING id, {qn(_command_column('uuid'))} AS uuid, "
        f"{qn(_command_column('priority'))} AS priority), "
        f"q AS (INSERT INTO {qn(QueuedCommand._meta.db_table)} ({queue_columns}) "
        f"SELECT e.id, c.id, c.priority, {', '.join('%s' for _ in _QUEUE_CONSTANTS)} "
        f"FROM {enrollments} e CROSS JOIN c WHERE e.id = ANY(%s::bigint[]) "
        f"RETURNING {qn(_column('enrollment'))} AS enrollment_id, "
        f"{qn(_column('command'))} AS command_id){push} "
        f"SELECT c.id, c.uuid, q.enrollment_id{logged}{pushed} "
        "FROM c LEFT JOIN q ON q.command_id = c.id ORDER BY c.id, q.enrollment_id"
    )


def insert_commands_and_queue(
    commands: list[Command],
    enrollment_ids: Sequence[int],
    now: dt.datetime,
    token_update: TokenUpdateWrite | None = None,
    outbox: OutboxPart | None = None,
) -> list[tuple[int, int]]:
    """`insert_commands`, then one queued row for each of these enrollments (those that exist)
    and each command, with the command's priority: one statement (`queues_with_commands`).
    Returns the (enrollment id, command id) pairs written. (The first commands of a new
    enrollment: until now one INSERT for the commands and one INSERT ... SELECT for the queue.)
    With `token_update` (a channel's first TokenUpdate), its write first, by the same statement
    when it can go in one (`save_token_update`), else on its own before; then, with `outbox`
    (that channel's, `hooks.first_push`), its push outbox row by that statement too when the
    commands are queued for that channel alone (`outbox.ran` tells)."""
    alias = router.db_for_write(Command)
    connection = connections[alias]
    if token_update is not None and (
        not commands
        or router.db_for_write(Enrollment) != alias
        or not _writes_token_update_with_sql(alias)
    ):
        token_update.save()
        token_update = None
    if not commands:
        return []
    for command in commands:
        if command.pk is not None:
            raise ValueError("insert_commands_and_queue writes new commands only")
        command._prepare_related_fields_for_save(operation_name="bulk_create")  # noqa: SLF001 - as bulk_create
    constants = [
        _concrete("status").get_db_prep_save(QueuedCommand.Status.QUEUED, connection=connection),
        _concrete("created_at").get_db_prep_save(now, connection=connection),
        0,
        "",
    ]
    first = [] if token_update is None else _token_update_params(token_update, connection)
    if token_update is None or list(enrollment_ids) != [token_update.enrollment.pk]:
        outbox = None
    with transaction.mark_for_rollback_on_error(using=alias), _cursor(connection) as cursor:
        cursor.execute(
            _commands_and_queue_query(
                alias, token_update is not None, outbox.sql if outbox is not None else ""
            ),
            [
                *first,
                *_json_rows(commands, connection),
                *constants,
                [int(pk) for pk in enrollment_ids],
                *(outbox.params if outbox is not None else ()),
            ],
        )
        rows = cursor.fetchall()
    if token_update is not None:
        _token_update_written(token_update, rows[0][3] if rows else None, alias)
    if outbox is not None:
        outbox.ran = True
        outbox.on_written(int(rows[0][4]))
    by_uuid = {command.uuid: command for command in commands}
    pairs = []
    for pk, uuid, enrollment_id, *_logged in rows:
        command = by_uuid[uuid]
        command.pk = pk
        command._state.adding = False
        command._state.db = alias
        if enrollment_id is not None:
            pairs.append((int(enrollment_id), int(pk)))
    if any(command.pk is None for command in commands):
        raise DatabaseError(f"{len(commands)} commands inserted, {len(rows)} rows returned")
    return pairs


# --- the device log --------------------------------------------------------------------------------

# Every check-in and command result writes the device log.
_INSERT_EVENT = PreparedInsert(DeviceEvent)


def insert_event(event: DeviceEvent) -> None:
    _INSERT_EVENT.save(event)


# --- values for PostgreSQL ----------------------------------------------------------------------

_Saver = Callable[[Any, Any], Any]


def _through_field(field: Field[Any, Any]) -> _Saver:
    def save(value: Any, connection: Any) -> Any:
        return field.get_db_prep_save(value, connection=connection)

    return save


def _text_saver(field: Field[Any, Any]) -> _Saver:
    def save(value: Any, connection: Any) -> Any:
        if value is None or type(value) is str:
            return value  # what CharField and TextField prepare a text or None to
        if isinstance(value, str):
            # A choice (TextChoices member), which Django passes on as it is: its text, as the
            # driver sends it, without the driver's search of the subclass's bases for an
            # adapter (a few µs a value and statement).
            return str.__str__(value)
        return field.get_db_prep_save(value, connection=connection)

    return save


def _integer_saver(field: Field[Any, Any]) -> _Saver:
    internal_type = field.get_internal_type()

    def save(value: Any, connection: Any) -> Any:
        if type(value) is int:
            return connection.ops.adapt_integerfield_value(value, internal_type)
        return field.get_db_prep_save(value, connection=connection)

    return save


def _key_saver(field: Field[Any, Any]) -> _Saver:
    def save(value: Any, connection: Any) -> Any:
        if type(value) is int:
            return connection.ops.validate_autopk_value(value)  # an automatic primary key's
        return field.get_db_prep_save(value, connection=connection)

    return save


def _time_saver(field: Field[Any, Any]) -> _Saver:
    def save(value: Any, connection: Any) -> Any:
        if value is None or (type(value) is dt.datetime and value.tzinfo is not None):
            return value  # an aware time (or None) is sent as it is on PostgreSQL
        return field.get_db_prep_save(value, connection=connection)  # naive: Django warns

    return save


def _json_saver(field: Field[Any, Any]) -> _Saver:
    encoder = field.encoder  # type: ignore[attr-defined]  # a JSONField's

    def save(value: Any, connection: Any) -> Any:
        if value is None:
            return None  # SQL NULL, as JSONField.get_db_prep_save
        if type(value) is dict or type(value) is list:
            return connection.ops.adapt_json_value(value, encoder)
        return field.get_db_prep_save(value, connection=connection)

    return save


def _binary_saver(field: Field[Any, Any]) -> _Saver:
    def save(value: Any, connection: Any) -> Any:
        if value is None:
            return None
        if type(value) is bytes:
            return connection.Database.Binary(value)
        return field.get_db_prep_save(value, connection=connection)

    return save


# Django's own field classes (exactly these: a subclass may prepare its values otherwise) whose
# preparation of a plain value is known, as Django 5.2 does it on PostgreSQL.
_SAVERS: dict[type, Callable[[Field[Any, Any]], _Saver]] = {
    models.CharField: _text_saver,
    models.TextField: _text_saver,
    models.AutoField: _key_saver,
    models.BigAutoField: _key_saver,
    models.IntegerField: _integer_saver,
    models.BigIntegerField: _integer_saver,
    models.SmallIntegerField: _integer_saver,
    models.PositiveIntegerField: _integer_saver,
    models.PositiveSmallIntegerField: _integer_saver,
    models.DateTimeField: _time_saver,
    models.JSONField: _json_saver,
    models.BinaryField: _binary_saver,
}


@functools.cache
def _saver(field: Field[Any, Any]) -> _Saver:
    """`field.get_db_prep_save(value, connection=connection)` for the statements written here
    on PostgreSQL, as one call: a value of the type that `field`'s class prepares plainly (a
    text for a text column, a whole number for an integer column or a foreign key, an aware
    time, a dict or list for JSON, bytes for binary, None) prepared as Django 5.2 prepares it,
    without the field's chain of calls (about 14 values a result, 5 µs each through Django
    inside a request); any other value, or field, through the field itself."""
    if isinstance(field, ForeignKey) and type(field) is ForeignKey:
        target = _saver(field.target_field)

        def save(value: Any, connection: Any) -> Any:
            if value is None:
                return None
            return target(value, connection)

        return save
    make = _SAVERS.get(type(field))
    return make(field) if make is not None else _through_field(field)


# --- the queue -------------------------------------------------------------------------------------

# The command fields delivery needs (the body and what the delivery-time filter reads).
_DELIVERY_COMMAND_FIELDS = (
    "id",
    "uuid",
    "request_type",
    "spec",
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


def next_delivery(enrollment_id: int, statuses: Sequence[str]) -> tuple[int, Command] | None:
    """(queue row id, command) of the next command, or None: one query on the partial index."""
    columns, query = _next_delivery_query(tuple(sorted(statuses)))
    db = router.db_for_read(QueuedCommand)
    row = _fetch_one(db, query, [enrollment_id])
    if row is None:
        return None
    return int(row[0]), _from_row(Command, columns, row[1:], db)


@dataclass(frozen=True, slots=True)
class Delivery:
    """The next command, already marked sent and logged (`event_id`) by `deliver_next`."""

    queue_id: int
    event_id: int
    command: Command


# The device log row of a delivery: every column but these is given as a parameter.
_EVENT_FROM_COMMAND = {"action": "request_type", "command_uuid": "uuid"}


@dataclass(frozen=True, slots=True)
class LogRow:
    """A device log row for a statement written here to insert: the values a `DeviceEvent`
    takes, without making the model instance (`event()` makes it, for the ORM's writes). Its
    creation time is taken when the statement's values are prepared, as auto_now_add takes it
    when a row is saved."""

    enrollment: Enrollment
    kind: str
    action: str
    status: str
    command_uuid: str
    detail: dict[str, Any]

    def event(self) -> DeviceEvent:
        return DeviceEvent(
            enrollment=self.enrollment,
            kind=self.kind,
            action=self.action,
            status=self.status,
            command_uuid=self.command_uuid,
            detail=self.detail,
        )


@dataclass(frozen=True, slots=True)
class StoredResult:
    """A command result to write: its queue row (status, result, error_chain and completed_at
    set), its device log row, and the Device columns it changes (`device_fields`, already set on
    the log row's enrollment's Device). `store_result_and_deliver` writes them all in its
    statement, only if the queue row is still pending; `store_result` when no delivery follows."""

    delivery: QueuedCommand
    log: LogRow
    device_fields: tuple[str, ...] = ()
    # The result as stored (a User Enrollment's without what it may not tell), for the
    # `command_result` receivers; None: as the device sent it.
    report: Any = None


_RESULT_FIELDS = ("status", "result", "error_chain", "completed_at")


def _command_column(name: str) -> str:
    return str(_column_field(Command, name).column)


@functools.cache
def _event_fields() -> tuple[Any, ...]:
    return tuple(f for f in DeviceEvent._meta.local_concrete_fields if not f.primary_key)


def _device_field(name: str) -> Field[Any, Any]:
    return _column_field(Device, name, primary_key=False)


def _device_column(name: str) -> str:
    return str(_device_field(name).column)


@functools.cache
def _deliver_query(
    alias: str,
    statuses: tuple[str, ...],
    with_result: bool,
    device_fields: tuple[str, ...] = (),
    guarded: bool = False,
) -> tuple[tuple[tuple[Any, Any], ...], tuple[Any, ...], str]:
    connection = connections[alias]
    qn = connection.ops.quote_name
    columns = _columns_of(Command, _DELIVERY_COMMAND_FIELDS)
    queue = qn(QueuedCommand._meta.db_table)
    command = qn(Command._meta.db_table)
    events = qn(DeviceEvent._meta.db_table)
    event_fields = _event_fields()
    event_columns = ", ".join(qn(f.column) for f in event_fields)
    event_values = ", ".join(
        f"c.{qn(_command_column(_EVENT_FROM_COMMAND[f.name]))}"
        if f.name in _EVENT_FROM_COMMAND
        else "%s"
        for f in event_fields
    )
    status, sent_at = qn(_column("status")), qn(_column("sent_at"))
    selected = ", ".join(f"c.{f.column}" for f, _ in columns)
    stored, other_than, stored_only = "", "", ""
    if with_result:
        # The result's queue row, its log row and its inventory are written by the same
        # statement, and only if the row is still pending when its UPDATE gets it: a copy of
        # the result stored meanwhile (the row is then answered, or locked until it is) leaves
        # nothing written twice. Every part of a WITH sees the rows as they were before it, so
        # the answered row, still pending there, is left out of the choice of the next one.
        assignments = ", ".join(f"{qn(_column(name))} = %s" for name in _RESULT_FIELDS)
        as_seen = ""
        if guarded:
            # A result taken from the channel as this process last read it (`Seen`): written
            # only if the channel row, its Device and the queue row are still exactly what was
            # read, and nothing at all otherwise (not even the next command's delivery).
            stored = f"guard AS ({_seen_guard_query(alias)}), "
            as_seen = (
                f"AND {qn(_column('enrollment'))} = %s AND {qn(_column('command'))} = %s "  # noqa: S608
                f"AND {qn(_column('not_now_count'))} = %s AND EXISTS (SELECT 1 FROM guard) "
            )
            stored_only = "AND EXISTS (SELECT 1 FROM stored) "
        stored += (
            f"stored AS (UPDATE {queue} SET {assignments} WHERE id = %s "  # noqa: S608
            f"AND {status} IN ({_pending_in_list(QueuedCommand.PENDING)}) {as_seen}"
            "RETURNING id), "
            f"result_logged AS (INSERT INTO {events} ({event_columns}) "
            f"SELECT {', '.join('%s' for _ in event_fields)} FROM stored RETURNING id), "
        )
        if device_fields:
            changes = ", ".join(f"{qn(_device_column(n))} = %s" for n in device_fields)
            stored += (
                f"inventory AS (UPDATE {qn(Device._meta.db_table)} SET {changes} "  # noqa: S608
                "WHERE id = %s AND EXISTS (SELECT 1 FROM stored) RETURNING id), "
            )
        other_than = "AND q.id <> %s "
    # One statement: choose the next pending row (the partial index), mark it sent, and log it.
    # The delivery-time filter runs afterwards in Python; a refusal (rare) turns both into a drop
    # (`refuse_delivery`).
    query = (
        f"WITH {stored}next AS (SELECT q.id, q.command_id FROM {queue} q "  # noqa: S608 - names, constants
        f"WHERE q.enrollment_id = %s AND q.status IN ({_pending_in_list(statuses)}) {other_than}"
        f"{stored_only}ORDER BY q.priority DESC, q.id LIMIT 1), "
        # The status again: a delivery that waited for another's lock (an administrator's
        # cancel, an unenroll) re-checks this WHERE on the row as that one left it, and must not
        # undo the cancel by delivering the row.
        f"sent AS (UPDATE {queue} q SET {status} = %s, {sent_at} = %s FROM next "
        f"WHERE q.id = next.id AND q.status IN ({_pending_in_list(statuses)}) "
        f"RETURNING q.id, q.command_id, q.{qn(_column('not_now_count'))}), "
        f"logged AS (INSERT INTO {events} ({event_columns}) "
        f"SELECT {event_values} FROM sent JOIN {command} c ON c.id = sent.command_id "
        "RETURNING id) "
    )
    if with_result:
        # One row whether or not a command follows: whether the result was stored comes first.
        query += (
            "SELECT (SELECT count(*) FROM stored), sent.id, (SELECT id FROM logged), "  # noqa: S608
            f"sent.{qn(_column('not_now_count'))}, {selected} "
            f"FROM (SELECT 1) one LEFT JOIN sent ON true LEFT JOIN {command} c "
            "ON c.id = sent.command_id"
        )
    else:
        query += (
            f"SELECT sent.id, (SELECT id FROM logged), "  # noqa: S608 - names
            f"sent.{qn(_column('not_now_count'))}, {selected} "
            f"FROM sent JOIN {command} c ON c.id = sent.command_id"
        )
    return columns, tuple(f for f in event_fields if f.name not in _EVENT_FROM_COMMAND), query


@functools.cache
def _result_savers() -> tuple[tuple[str, _Saver], ...]:
    return tuple((name, _saver(_concrete(name))) for name in _RESULT_FIELDS)


# Where each column of the device log takes its value from a `LogRow`: its enrollment's key,
# the time of the write (auto_now_add), or the attribute of that name.
_LOG_ENROLLMENT, _LOG_NOW = "enrollment", ""


@functools.cache
def _log_plan() -> tuple[tuple[str, _Saver], ...] | None:
    """(source, saver) for each column of the device log (`_event_fields`), or None when the
    log has a column a `LogRow` does not carry (its values then go through a `DeviceEvent`)."""
    plan = []
    for f in _event_fields():
        if f.name == _LOG_ENROLLMENT:
            source = _LOG_ENROLLMENT
        elif isinstance(f, DateTimeField) and f.auto_now_add:
            source = _LOG_NOW
        elif f.name in LogRow.__dataclass_fields__:
            source = f.name
        else:
            return None
        plan.append((source, _saver(f)))
    return tuple(plan)


def _log_params(log: LogRow, connection: Any) -> list[Any]:
    """The values of `log`'s columns (`_event_fields`), as `DeviceEvent.save` prepares them."""
    plan = _log_plan()
    if plan is None:
        event = log.event()
        return [
            f.get_db_prep_save(f.pre_save(event, True), connection=connection)
            for f in _event_fields()
        ]
    params = []
    value: Any
    for source, save in plan:
        if source == _LOG_ENROLLMENT:
            value = log.enrollment.pk
        elif source == _LOG_NOW:
            value = timezone.now()
        else:
            value = getattr(log, source)
        params.append(save(value, connection))
    return params


def _result_params(result: StoredResult, connection: Any, seen: Seen | None = None) -> list[Any]:
    delivery = result.delivery
    params = [save(getattr(delivery, name), connection) for name, save in _result_savers()]
    params.append(delivery.pk)
    if seen is not None:
        params.extend((seen.enrollment_id, seen.command_id, seen.not_now_count))
    params.extend(_log_params(result.log, connection))
    if result.device_fields:
        device = result.log.enrollment.device
        for field, save in _device_savers(result.device_fields):
            params.append(save(field.pre_save(device, False), connection))
        params.append(device.pk)
    return params


@functools.cache
def _device_savers(names: tuple[str, ...]) -> tuple[tuple[Field[Any, Any], _Saver], ...]:
    return tuple((_device_field(name), _saver(_device_field(name))) for name in names)


def store_result(result: StoredResult) -> None:
    """Write a result's queue row and log row (when no delivery follows in the same statement)."""
    _SAVE_RESULT.save(result.delivery)
    _INSERT_EVENT.save(result.log.event())
    if result.device_fields:
        save_device_fields(result.log.enrollment.device, result.device_fields)


def deliver_next(
    enrollment: Enrollment,
    statuses: Sequence[str],
    *,
    now: dt.datetime,
    kind: str,
) -> Delivery | None:
    """The enrollment's next pending command, marked sent at `now` and logged as `kind` "sent",
    in one statement; None when nothing is pending. (With a result to store first:
    `store_result_and_deliver`.)"""
    alias = router.db_for_write(QueuedCommand)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return _deliver_next_in_steps(enrollment, statuses, now=now, kind=kind, result=None)[1]
    columns, event_fields, query = _deliver_query(alias, tuple(sorted(statuses)), False)
    row = _execute_delivery(
        connection, alias, query, _delivery_params(enrollment, now, kind, event_fields, connection)
    )
    if row is None:
        return None
    delivery = Delivery(
        queue_id=int(row[0]),
        event_id=int(row[1]),
        command=_from_row(Command, columns, row[3:], alias),
    )
    _remember_sent(enrollment.pk, delivery, row[2])
    return delivery


def store_result_and_deliver(
    enrollment: Enrollment,
    statuses: Sequence[str],
    *,
    now: dt.datetime,
    kind: str,
    result: StoredResult,
    seen: Seen | None = None,
) -> tuple[bool, Delivery | None]:
    """Store `result` (its queue row, log row and Device columns) if its queue row is still
    pending, and deliver the next command as `deliver_next` does: one statement on PostgreSQL,
    atomic by itself. Whether the result was stored (False: another copy of it was first), and
    the delivery. With `seen` (the channel as this process last read it, `seen_result`), the
    statement writes anything only if the channel is still as seen and the result is stored:
    (False, None) otherwise, nothing written."""
    alias = router.db_for_write(QueuedCommand)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        if seen is not None:
            raise ValueError("a result as seen is for PostgreSQL only")
        return _deliver_next_in_steps(enrollment, statuses, now=now, kind=kind, result=result)
    columns, event_fields, query = _deliver_query(
        alias, tuple(sorted(statuses)), True, result.device_fields, seen is not None
    )
    params = [] if seen is None else [seen.key, *seen.row]
    params.extend(_result_params(result, connection, seen))
    params.extend(_delivery_params(enrollment, now, kind, event_fields, connection, result))
    row = _execute_delivery(connection, alias, query, params)
    if row is None:  # pragma: no cover - the statement always returns its one row
        raise RuntimeError("the result statement returned no row")
    stored = bool(row[0])
    if row[1] is None:
        return stored, None
    delivery = Delivery(
        queue_id=int(row[1]),
        event_id=int(row[2]),
        command=_from_row(Command, columns, row[4:], alias),
    )
    _remember_sent(enrollment.pk, delivery, row[3])
    return stored, delivery


def _delivery_params(
    enrollment: Enrollment,
    now: dt.datetime,
    kind: str,
    event_fields: tuple[Any, ...],
    connection: Any,
    result: StoredResult | None = None,
) -> list[Any]:
    params: list[Any] = [enrollment.pk]
    if result is not None:
        params.append(result.delivery.pk)
    save_status, save_time, save_logged_at = _delivery_savers()
    params.append(save_status(QueuedCommand.Status.SENT, connection))
    params.append(save_time(now, connection))
    constants = _delivery_constants(connection.alias, kind, event_fields)
    if constants is None:  # a log field this does not know: each prepared as a save does
        event = DeviceEvent(enrollment=enrollment, kind=kind, status="sent", detail={})
        params.extend(
            f.get_db_prep_save(f.pre_save(event, True), connection=connection) for f in event_fields
        )
        return params
    # The log row: what every delivery of this kind writes alike, prepared once; the
    # enrollment and the row's time (its own, as a saved row's auto_now_add: a moment after
    # `now`, and after a result's log row written by the same statement) per delivery.
    fixed, (enrollment_at, created_at) = constants
    row = list(fixed)
    row[enrollment_at] = enrollment.pk
    row[created_at] = save_logged_at(timezone.now(), connection)
    params.extend(row)
    return params


@functools.cache
def _delivery_savers() -> tuple[_Saver, _Saver, _Saver]:
    """How a delivery's status, its time and its log row's time are prepared."""
    return (
        _saver(_concrete("status")),
        _saver(_concrete("sent_at")),
        _saver(_column_field(DeviceEvent, "created_at")),
    )


# The log row of a delivery: the fields it sets alike for every delivery of a kind, and those
# it sets per delivery.
_DELIVERY_LOG_CONSTANTS = frozenset({"kind", "status", "detail"})
_DELIVERY_LOG_MOVING = ("enrollment", "created_at")

# (database alias, kind, log row fields) -> the log row's values prepared for that database
# as `_delivery_params` passes them (the constants above), and where the enrollment and the
# creation time go among them; None when the row has a field of neither kind (a default
# worked out per row must not be taken once for all). A function of the key alone; a handful
# of entries (one per database and kind).
_DELIVERY_CONSTANTS: dict[
    tuple[str, str, tuple[Any, ...]], tuple[tuple[Any, ...], tuple[int, int]] | None
] = {}


def _delivery_constants(
    alias: str, kind: str, event_fields: tuple[Any, ...]
) -> tuple[tuple[Any, ...], tuple[int, int]] | None:
    key = (alias, kind, event_fields)
    if key in _DELIVERY_CONSTANTS:
        return _DELIVERY_CONSTANTS[key]
    names = [f.name for f in event_fields]
    found = None
    if set(names) == _DELIVERY_LOG_CONSTANTS | set(_DELIVERY_LOG_MOVING):
        connection = connections[alias]
        event = DeviceEvent(kind=kind, status="sent", detail={})
        moving = (names.index("enrollment"), names.index("created_at"))
        fixed = tuple(
            None if n in moving else _saver(f)(f.pre_save(event, True), connection)
            for n, f in enumerate(event_fields)
        )
        found = (fixed, moving)
    return _DELIVERY_CONSTANTS.setdefault(key, found)


def _execute_delivery(connection: Any, alias: str, query: str, params: list[Any]) -> Any:
    # `transaction.mark_for_rollback_on_error(using=alias)`, written out: a failure inside an
    # atomic block marks it for rollback.
    try:
        with _cursor(connection) as cursor:
            cursor.execute(query, params)
            return cursor.fetchone()
    except Exception as exc:
        if connection.in_atomic_block:
            connection.needs_rollback = True
            connection.rollback_exc = exc
        raise


def _deliver_next_in_steps(
    enrollment: Enrollment,
    statuses: Sequence[str],
    *,
    now: dt.datetime,
    kind: str,
    result: StoredResult | None,
) -> tuple[bool, Delivery | None]:
    """`store_result_and_deliver` in separate statements, for a database without
    data-modifying WITH statements (SQLite: the embedded mode; the caller's transaction read the
    result's row pending): the result, the choice, the mark, the log row."""
    if result is not None:
        store_result(result)  # its row read pending by the caller's transaction
    pending = QueuedCommand.objects.filter(enrollment_id=enrollment.pk, status__in=statuses)
    if result is not None:  # a NotNow leaves it pending: it waits for a later poll
        pending = pending.exclude(pk=result.delivery.pk)
    row = (
        pending.order_by("-priority", "id")
        .select_related("command")
        .only("id", *(f"command__{name}" for name in _DELIVERY_COMMAND_FIELDS))
        .first()
    )
    if row is None:
        return result is not None, None
    update_queue_row(row.pk, status=QueuedCommand.Status.SENT, sent_at=now)
    event = DeviceEvent(
        enrollment=enrollment,
        kind=kind,
        status="sent",
        detail={},
        action=row.command.request_type,
        command_uuid=row.command.uuid,
    )
    insert_event(event)
    return result is not None, Delivery(queue_id=row.pk, event_id=event.pk, command=row.command)


def refuse_delivery(delivery: Delivery, *, reason: str, now: dt.datetime, kind: str) -> None:
    """The filter refused a command `deliver_next` marked sent: dropped, its log row says why."""
    update_queue_row(
        delivery.queue_id,
        status=QueuedCommand.Status.DROPPED,
        status_reason=reason,
        completed_at=now,
        sent_at=None,
    )
    DeviceEvent.objects.filter(pk=delivery.event_id).update(
        kind=kind, status="dropped", detail={"reason": reason}
    )


# What recording a result reads of the queue row and its command.
_RESULT_QUEUE_FIELDS = ("id", "enrollment_id", "command_id", "status", "not_now_count")
_RESULT_COMMAND_FIELDS = ("id", "uuid", "request_type", "spec")


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


def locked_delivery(enrollment_id: int, command_uuid: str) -> QueuedCommand | None:
    """The enrollment's queue row of this command, locked, with its command: one query."""
    alias = router.db_for_write(QueuedCommand)
    queue_columns, command_columns, query = _result_query(alias)
    row = _fetch_one(alias, query, [enrollment_id, command_uuid])
    if row is None:
        return None
    split = len(queue_columns)
    delivery: QueuedCommand = _from_row(QueuedCommand, queue_columns, row[:split], alias)
    delivery.command = _from_row(Command, command_columns, row[split:], alias)
    return delivery


def relock_delivery(delivery: QueuedCommand | None) -> QueuedCommand | None:
    """A queue row read without a lock (`connect_row(..., lock=False)`), locked in the caller's
    transaction and its status read again; None when it is gone (or was never found)."""
    if delivery is None:
        return None
    alias = router.db_for_write(QueuedCommand)
    lock = " FOR UPDATE" if connections[alias].features.has_select_for_update else ""
    row = _fetch_one(
        alias,
        f"SELECT {_column('status')} FROM {QueuedCommand._meta.db_table} WHERE id = %s{lock}",  # noqa: S608
        [delivery.pk],
    )
    if row is None:
        return None
    delivery.status = row[0]
    return delivery


def _concrete(name: str) -> Field[Any, Any]:
    """A column of the queue table."""
    return _column_field(QueuedCommand, name)


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


def update_queue_row(delivery_id: int, *, increment: str = "", **values: Any) -> None:
    """`QueuedCommand.objects.filter(pk=…).update(**values)` (plus `field = field + 1` for
    `increment`): a delivery and a result each run one."""
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
