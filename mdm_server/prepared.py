"""Read queries compiled once per thread, for the lookups every enrollment and check-in makes.

Django compiles a QuerySet's SQL each time it is evaluated. For a one-row lookup by an indexed
key that costs 0.15-0.4 ms of CPU (more on wide models such as `Enrollment`), several times what
PostgreSQL spends answering it; an enrollment makes dozens of such lookups. A `PreparedQuery`
builds its QuerySet once with placeholder values, keeps the SQL and the compiler's column
layout, and afterwards only runs that SQL with the real values. Rows become model instances the
way Django's own iterables make them (`Model.from_db`, with the backend's and the fields'
converters), so the objects behave exactly like ORM results.

Deliberately small: model rows without select_related/prefetch/annotations, and `values_list`;
any other shape is refused when the query is first compiled, so a misuse fails in the tests. A
value must reach the SQL unchanged (`=`, and `iexact` on PostgreSQL). Where a lookup rewrites it
(`contains` adds wildcards; `iexact` on SQLite escapes `%` and `_` for LIKE), the placeholder
comes out altered, and that query simply runs through the ORM each time, with the same results.

    _BY_SLUG = PreparedQuery(lambda slug: Configuration.objects.filter(slug=slug)[:1], str)
    config = _BY_SLUG.first("default")

Writes the same way: `PreparedInsert(Model).save(obj)` (and `.save_with(obj, child_insert,
child)`: a row and a child pointing at it in one statement; `.save_claimed(obj, claim=...)`: a
row written only if an UPDATE claims another, with values the claim returned, in one
statement), `PreparedUpdate(Model,
fields).save(obj)` (and `save_together(update, obj, other_update, other, then=(insert, row))`:
two, and a new row, in one statement),
`PreparedQuerySetUpdate(build, changes, *types).update(*values)` (a `QuerySet.update()`) and
`PreparedBulkInsert(Model).create(objs)` (a `bulk_create()` of a few rows) and
`PreparedInsertSelect(Model, build, *types, column=..., values=...).insert(*values)` (a
`bulk.insert_select()` of a QuerySet's keys) do what `obj.save()` and `obj.save(update_fields=fields)` do, with SQL written once, for the
rows every enrollment and check-in writes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.db.models import NOT_PROVIDED, BinaryField, Field, Model, QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError

from mdm_server import bulk

# Placeholder values: never sent to a database, only looked for among the compiled parameters.
_INT_MARKER = -(2**62)


def _marker(kind: type, n: int) -> Any:
    if kind is str:
        # The characters LIKE escaping or wildcard wrapping would change, so a rewrite shows.
        return f"\x00prepared%_\\parameter-{n}\x00"
    if kind is int:
        return _INT_MARKER - n
    if kind is dt.datetime:
        # Aware, and far from any real instant: no time zone conversion can overflow it.
        return dt.datetime(2, 2, 2, 2, 2, 2, 2000 + n, tzinfo=dt.UTC)
    raise TypeError(f"PreparedQuery parameters are str, int or datetime, not {kind.__name__}")


def _value(kind: type, value: Any) -> Any:
    if kind is dt.datetime:
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        return value
    return kind(value)


# For each value, its positions among the SQL parameters, each with the function that turns the
# value into what the SQL takes there (None: the value itself).
_Slots = tuple[tuple[tuple[int, Any], ...], ...]


def _find_slots(
    types: Sequence[type], markers: Sequence[Any], params: Sequence[Any], connection: Any
) -> _Slots | None:
    """Where each marker landed among the compiled parameters; None when one did not land
    unchanged (a lookup rewrote it: the query runs through the ORM). A datetime reaches the SQL
    as itself, or as the backend's adaptation of it (a string on SQLite)."""
    slots = []
    for kind, marker in zip(types, markers, strict=True):
        forms: list[tuple[Any, Any]] = [(marker, None)]
        if kind is dt.datetime:
            adapt = connection.ops.adapt_datetimefield_value
            if adapt(marker) is not marker:
                forms.append((adapt(marker), adapt))
        found = tuple(
            (i, adapt)
            for form, adapt in forms
            for i, p in enumerate(params)
            if type(p) is type(form) and p == form
        )
        if not found:
            return None
        slots.append(found)
    return tuple(slots)


def _typed(owner: object, types: Sequence[type], values: Sequence[Any]) -> list[Any]:
    """The values of one call, checked against the prepared statement's `types`."""
    if len(values) != len(types):
        raise TypeError(f"expected {len(types)} values, got {len(values)}")
    if any(value is None for value in values):
        # filter(x=None) is `IS NULL`, another query altogether.
        raise TypeError(f"a {type(owner).__name__} value cannot be None")
    return [_value(kind, value) for kind, value in zip(types, values, strict=True)]


def _compiled_once(local: threading.local, compile_: Callable[[], Any]) -> Any:
    """What `compile_` gives, once per thread (a compiler belongs to its thread's connection)."""
    compiled = getattr(local, "compiled", None)
    if compiled is None:
        compiled = local.compiled = compile_()
    return compiled


def _fill(template: Sequence[Any], slots: _Slots, values: Sequence[Any]) -> list[Any]:
    params = list(template)
    for positions, value in zip(slots, values, strict=True):
        for slot, adapt in positions:
            params[slot] = adapt(value) if adapt is not None else value
    return params


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    params: tuple[Any, ...]
    slots: _Slots
    compiler: Any
    converters: dict[int, Any]
    model: Any  # the model of model rows; None for values_list rows
    fields: tuple[int, int]  # the model's columns in a row: [start, end)
    init_list: tuple[str, ...]
    flat: bool
    for_update: bool


# Marks a query whose values a lookup rewrites on this backend: it runs through the ORM.
_THROUGH_ORM: Any = object()


class PreparedQuery:
    """`build(*values)` returns the QuerySet; `types` are the values' types (str or int)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *types: type) -> None:
        self._build = build
        self._types = types
        self._local = threading.local()  # a compiler belongs to its thread's connection

    def all(self, *values: Any) -> list[Any]:
        """The rows for these values: model instances, tuples, or single values (flat)."""
        # Compiled first: a type it cannot prepare is refused by name there.
        compiled = _compiled_once(self._local, self._compile)
        typed = _typed(self, self._types, values)
        if compiled is _THROUGH_ORM:
            return list(self._build(*typed))
        connection = connections[compiled.alias]
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = _fill(compiled.params, compiled.slots, typed)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        if compiled.model is None:
            return [row[0] for row in rows] if compiled.flat else [tuple(row) for row in rows]
        start, end = compiled.fields
        return [
            compiled.model.from_db(compiled.alias, compiled.init_list, row[start:end])
            for row in rows
        ]

    def for_update(self) -> PreparedQuery:
        """The same query as SELECT ... FOR UPDATE (to be run inside a transaction)."""
        build = self._build
        return PreparedQuery(lambda *values: build(*values).select_for_update(), *self._types)

    def first(self, *values: Any) -> Any | None:
        """The first row, or None (slice the QuerySet with [:1] so only one row is read)."""
        rows = self.all(*values)
        return rows[0] if rows else None

    def _compile(self) -> _Compiled:
        markers = [_marker(kind, n) for n, kind in enumerate(self._types)]
        queryset = self._build(*markers)
        query = queryset.query
        if queryset._prefetch_related_lookups or query.select_related:
            raise ValueError("PreparedQuery does not follow relations (select/prefetch_related)")
        if query.annotation_select or query.extra_select:
            raise ValueError("PreparedQuery does not support annotations or extra()")
        alias = queryset.db
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = _find_slots(self._types, markers, params, connections[alias])
        if slots is None:
            return _THROUGH_ORM  # the lookup rewrites the value: no prepared SQL for it
        select = compiler.select
        converters = compiler.get_converters([column[0] for column in select])
        iterable = queryset._iterable_class
        model, fields, init_list = None, (0, 0), ()
        if iterable is ModelIterable:
            klass_info = compiler.klass_info
            if klass_info.get("related_klass_infos"):
                raise ValueError("PreparedQuery does not follow relations")
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            model = klass_info["model"]
            fields = (start, end)
            init_list = tuple(column[0].target.attname for column in select[start:end])
        elif iterable not in (ValuesListIterable, FlatValuesListIterable):
            raise ValueError("PreparedQuery returns model rows or values_list() rows")
        return _Compiled(
            alias=alias,
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            converters=converters,
            model=model,
            fields=fields,
            init_list=init_list,
            flat=iterable is FlatValuesListIterable,
            for_update=query.select_for_update,
        )


# --- writes ------------------------------------------------------------------------------------


def _through_save(obj: Model) -> bool:
    """Whether saving this row does more than its SQL: a save() override or signal receivers."""
    return saves_more_than_sql(type(obj))


RowSteps = tuple[tuple[int, Any, tuple[Any, ...]], ...]


def row_converters(fields: Sequence[Field[Any, Any]], table: str, connection: Any) -> RowSteps:
    """For a row of `fields` (columns of `table`) read by a hand-written statement: the position,
    column and converters of each field the ORM converts when it reads one (the backend's and
    the field's, as for a SELECT of the row); apply them as `value = convert(value, col, conn)`."""
    steps = []
    for n, field in enumerate(fields):
        col = field.get_col(table)
        converters = (
            *connection.ops.get_db_converters(col),
            *field.get_db_converters(connection),
        )
        if converters:
            steps.append((n, col, converters))
    return tuple(steps)


def saves_more_than_sql(model: type[Model]) -> bool:
    """Whether saving a row of this model does more than its SQL (a save() override, signal
    receivers): a statement written for it must then give way to save()."""
    return (
        model.save is not Model.save
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
    )


def _plain_fields(model: type[Model], fields: Iterable[Field[Any, Any]]) -> None:
    """Refuse what the prepared SQL would not reproduce: custom placeholders, database
    defaults, generated columns, multi-table inheritance."""
    meta = model._meta
    if meta.parents:
        raise ValueError(f"{meta.label}: prepared writes do not handle inherited models")
    for field in fields:
        if (
            (hasattr(field, "get_placeholder") and not isinstance(field, BinaryField))
            or getattr(field, "generated", False)
            or field.db_default is not NOT_PROVIDED
        ):
            raise ValueError(f"{meta.label}.{field.name}: not a plain column for prepared writes")


def _placeholder(field: Field[Any, Any], value: Any, connection: Any) -> str:
    if isinstance(field, BinaryField):
        return connection.ops.binary_placeholder_sql(value)
    return "%s"


class PreparedQuerySetUpdate:
    """`build(*values).update(**changes(*values))`, its UPDATE compiled once per thread; returns
    the number of rows updated, as `QuerySet.update()` does (no signals either). Only an UPDATE
    of one table by its own columns: one that Django would run as several statements (related
    models, a filter through a join) is refused when first compiled. Values as PreparedQuery's."""

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        changes: Callable[..., dict[str, Any]],
        *types: type,
    ) -> None:
        self._build = build
        self._changes = changes
        self._types = types
        self._local = threading.local()

    def update(self, *values: Any) -> int:
        # Compiled first: a type it cannot prepare is refused by name there.
        compiled = _compiled_once(self._local, self._compile)
        typed = _typed(self, self._types, values)
        if compiled is _THROUGH_ORM:
            return int(self._build(*typed).update(**self._changes(*typed)))
        alias, sql, template, slots = compiled
        params = _fill(template, slots, typed)
        with (
            transaction.mark_for_rollback_on_error(using=alias),
            connections[alias].cursor() as cursor,
        ):
            cursor.execute(sql, params)
            return int(cursor.rowcount)

    def _compile(self) -> Any:
        markers = [_marker(kind, n) for n, kind in enumerate(self._types)]
        queryset = self._build(*markers)
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(self._changes(*markers))
        query.clear_select_clause()
        query.get_initial_alias()
        if query.related_updates or query.count_active_tables() != 1:
            raise ValueError("PreparedQuerySetUpdate updates one table by its own columns")
        alias = router.db_for_write(queryset.model)
        sql, params = query.get_compiler(using=alias).as_sql()
        slots = _find_slots(self._types, markers, params, connections[alias])
        if slots is None:
            return _THROUGH_ORM
        return alias, sql, tuple(params), slots


class PreparedInsert:
    """`Model.save()` of a new row, with its INSERT compiled once per thread (see above: the
    ORM compiles it on every save, ~0.1 ms of CPU, for rows every enrollment writes).

    Values go through each field's `pre_save` (auto_now_add) and `get_db_prep_save`, as in
    `save()`. No signals are sent, so a model with pre_save or post_save receivers is saved
    through `save()`; so is a row that already has a primary key, or a value that is an
    expression (F(), ...).
    """

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        if meta.auto_field is None or meta.db_returning_fields != [meta.pk]:
            raise ValueError(f"{meta.label}: PreparedInsert needs an auto primary key only")
        self.model = model
        self.fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        _plain_fields(model, self.fields)
        self._local = threading.local()

    def save(self, obj: Model) -> None:
        statement = self._statement(obj)
        if statement is None:
            obj.save()
            return
        alias, sql, returning, params = statement
        connection = connections[alias]
        meta = self.model._meta
        with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                pk = cursor.fetchone()[0]
            else:
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        self._saved(obj, alias, pk)

    def _statement(self, obj: Model) -> tuple[str, str, bool, list[Any]] | None:
        """(database alias, the INSERT, whether it returns the key, parameters) of `obj`; None
        when it goes through `save()`."""
        if obj.pk is not None or _through_save(obj):
            return None
        alias = router.db_for_write(self.model, instance=obj)
        connection = connections[alias]
        obj._prepare_related_fields_for_save(operation_name="save")
        # Compiled first: compiling runs pre_save too, which would move auto_now_add after the
        # values below were taken.
        sql, returning = self._sql(alias, obj)
        values = [field.pre_save(obj, True) for field in self.fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            return None
        params = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(self.fields, values, strict=True)
        ]
        return alias, sql, returning, params

    @staticmethod
    def _saved(obj: Model, alias: str, pk: Any) -> None:
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias

    def save_with(self, obj: Model, child: PreparedInsert, child_obj: Model) -> None:
        """`self.save(obj)`, then `child.save(child_obj)` whose foreign key points at `obj`, in
        one statement on PostgreSQL: `obj`'s INSERT in a data-modifying WITH, the child's key
        column reading the new key from it. One round trip fewer for a row and its first child
        (a sign-in's session and its token). The child's only foreign key must be to this
        model's key. Elsewhere, or when either row would go through `save()`, the two saves."""
        link = child._link_to(self.model)
        alias = router.db_for_write(self.model, instance=obj)
        connection = connections[alias]
        if (
            connection.vendor != "postgresql"
            or obj.pk is not None
            or child_obj.pk is not None
            or _through_save(obj)
            or _through_save(child_obj)
            or router.db_for_write(child.model, instance=child_obj) != alias
        ):
            self._save_then(obj, child, child_obj)
            return
        obj._prepare_related_fields_for_save(operation_name="save")
        values = [field.pre_save(obj, True) for field in self.fields]
        child_values = [field.pre_save(child_obj, True) for field in child.fields if field != link]
        if any(hasattr(value, "resolve_expression") for value in (*values, *child_values)):
            self._save_then(obj, child, child_obj)
            return
        params = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(self.fields, values, strict=True)
        ]
        params += [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(
                [f for f in child.fields if f != link], child_values, strict=True
            )
        ]
        with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
            cursor.execute(self._pair_sql(alias, child, link), params)
            child_pk, pk = cursor.fetchone()
        obj.pk = pk
        setattr(child_obj, link.name, obj)  # the key and the cached row, as save() leaves them
        child_obj.pk = child_pk
        for saved in (obj, child_obj):
            saved._state.adding = False
            saved._state.db = alias

    def save_claimed(
        self, obj: Model, *, claim: str, params: Sequence[Any], taken: Sequence[str]
    ) -> bool | None:
        """`self.save(obj)` only if `claim` updates a row, in one statement on PostgreSQL:
        `claim` is an UPDATE (its values parameters, `params`) ending in `RETURNING` one column
        for each field named in `taken`, in that order, and those fields of `obj` take the
        values it returned (text columns: set as the database returns them). The UPDATE runs in
        a data-modifying WITH, and the INSERT selects its row from what it returned: a claim
        and the row it allows are written together or not at all, without a transaction of
        their own. True when both were written, False when `claim` updated no row (nothing
        written); None, with nothing run, elsewhere, or when `obj` would go through `save()`:
        the caller then claims and saves its own way."""
        statement = self._statement(obj)
        if statement is None:
            return None
        alias, sql, returning, values = statement
        connection = connections[alias]
        if connection.vendor != "postgresql" or not returning:
            return None
        names = tuple(taken)
        claimed = self._claimed_sql(alias, sql, claim, names)
        if claimed is None:
            return None
        sql, kept = claimed
        with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
            cursor.execute(sql, [*params, *(values[i] for i in kept)])
            row = cursor.fetchone()
        if row is None:
            return False
        for name, value in zip(names, row[1:], strict=True):
            setattr(obj, name, value)
        self._saved(obj, alias, row[0])
        return True

    def _claimed_sql(
        self, alias: str, insert: str, claim: str, taken: tuple[str, ...]
    ) -> tuple[str, tuple[int, ...]] | None:
        """`save_claimed`'s statement and the positions of the INSERT's parameters it keeps
        (those of the fields not taken from the claim); None for an INSERT of another shape."""
        compiled: dict[tuple[str, str, tuple[str, ...]], Any] = self._local.__dict__.setdefault(
            "claimed", {}
        )
        key = (alias, claim, taken)
        if key not in compiled:
            parts = _insert_parts(insert)
            placeholders = parts[1].split(", ") if parts is not None else []
            columns = {f.name: i for i, f in enumerate(self.fields)}
            if (
                parts is None
                or len(placeholders) != len(self.fields)
                or any(name not in columns for name in taken)
            ):
                compiled[key] = None
                return None
            head, _, returning = parts
            qn = connections[alias].ops.quote_name
            # The claim's columns by position: v0, v1, ... as `taken` names them.
            by_index = {columns[name]: n for n, name in enumerate(taken)}
            selected = [
                f"claimed.v{by_index[i]}" if i in by_index else placeholder
                for i, placeholder in enumerate(placeholders)
            ]
            kept = tuple(i for i in range(len(self.fields)) if i not in by_index)
            back = ", ".join(qn(self.fields[columns[name]].column) for name in taken)
            # Quoted names and the caller's UPDATE; every value is a parameter.
            compiled[key] = (
                f"WITH claimed ({', '.join(f'v{n}' for n in range(len(taken)))}) AS ({claim}) "  # noqa: S608
                f"{head} SELECT {', '.join(selected)} FROM claimed {returning}, {back}",
                kept,
            )
        result: tuple[str, tuple[int, ...]] | None = compiled[key]
        return result

    def _save_then(self, obj: Model, child: PreparedInsert, child_obj: Model) -> None:
        self.save(obj)
        child.save(child_obj)  # its foreign key is filled in from `obj`, saved now

    def _link_to(self, model: type[Model]) -> Field[Any, Any]:
        """This model's foreign key to `model`'s key, its only relation (else ValueError)."""
        relations = [f for f in self.fields if f.is_relation]
        if (
            len(relations) != 1
            or relations[0].related_model is not model
            or relations[0].target_field != model._meta.pk
        ):
            raise ValueError(
                f"{self.model._meta.label}: save_with needs one foreign key, to "
                f"{model._meta.label}'s key"
            )
        return relations[0]

    def _pair_sql(self, alias: str, child: PreparedInsert, link: Field[Any, Any]) -> str:
        pairs: dict[tuple[str, int], str] = self._local.__dict__.setdefault("pairs", {})
        key = (alias, id(child))
        if key not in pairs:
            connection = connections[alias]
            qn = connection.ops.quote_name
            meta, child_meta = self.model._meta, child.model._meta
            new_key = f"(SELECT {qn(meta.pk.column)} FROM parent)"  # noqa: S608 - a quoted name
            pairs[key] = (
                f"WITH parent AS (INSERT INTO {qn(meta.db_table)} "  # noqa: S608 - quoted names, values are parameters
                f"({', '.join(qn(f.column) for f in self.fields)}) VALUES "
                f"({', '.join(_placeholder(f, None, connection) for f in self.fields)}) "
                f"RETURNING {qn(meta.pk.column)}) "
                f"INSERT INTO {qn(child_meta.db_table)} "
                f"({', '.join(qn(f.column) for f in child.fields)}) VALUES ("
                + ", ".join(
                    new_key if f == link else _placeholder(f, None, connection)
                    for f in child.fields
                )
                + f") RETURNING {qn(child_meta.pk.column)}, {qn(link.column)}"
            )
        return pairs[key]

    def _sql(self, alias: str, obj: Model) -> tuple[str, bool]:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled[0] != alias:
            connection = connections[alias]
            query = InsertQuery(self.model)
            query.insert_values(self.fields, [obj])
            compiler = query.get_compiler(using=alias)
            returning = connection.features.can_return_columns_from_insert
            compiler.returning_fields = [self.model._meta.pk] if returning else None
            statements = compiler.as_sql()
            if len(statements) != 1 or statements[0][0].count("%s") != len(self.fields):
                raise ValueError(f"{self.model._meta.label}: unexpected INSERT shape")
            compiled = self._local.compiled = (alias, statements[0][0], returning)
        return compiled[1], compiled[2]


class PreparedBulkInsert:
    """`Model.objects.bulk_create(objs)` of a few new rows: one INSERT ... RETURNING for them all,
    its SQL compiled once per thread and number of rows (the commands a new enrollment is sent,
    every first TokenUpdate). Values go through each field's `pre_save` and `get_db_prep_save`,
    as in bulk_create, which sends no signal either. Anything else goes through bulk_create
    itself: more than MAX_ROWS rows, a row with a primary key, a value that is an expression
    (a database default), a backend that does not return the keys of a bulk insert, or an INSERT
    the ORM writes in another shape."""

    MAX_ROWS = 16

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        # Only the key is read back: a column with a database default gets the value given
        # (a row that leaves it to the database goes through bulk_create).
        if meta.auto_field is None or meta.parents:
            raise ValueError(f"{meta.label}: PreparedBulkInsert needs an auto primary key")
        self.model = model
        self.fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        self._local = threading.local()

    def create(self, objs: Sequence[Model]) -> None:
        alias = router.db_for_write(self.model)
        connection = connections[alias]
        if (
            not objs
            or len(objs) > self.MAX_ROWS
            or not connection.features.can_return_rows_from_bulk_insert
            or any(obj.pk is not None for obj in objs)
            or any(
                hasattr(getattr(obj, field.attname), "resolve_expression")
                for obj in objs
                for field in self.fields
            )
        ):
            self.model._default_manager.bulk_create(objs)
            return
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
        # Compiled first: compiling runs pre_save too (see PreparedInsert.save).
        sql = self._sql(alias, objs)
        values = [field.pre_save(obj, True) for obj in objs for field in self.fields]
        if sql is None or any(hasattr(value, "resolve_expression") for value in values):
            self.model._default_manager.bulk_create(objs)
            return
        width = len(self.fields)
        params = [
            self.fields[i % width].get_db_prep_save(value, connection=connection)
            for i, value in enumerate(values)
        ]
        with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = cursor.fetchall()
        if len(keys) != len(objs):
            raise DatabaseError(f"{len(objs)} rows inserted, {len(keys)} keys returned")
        for obj, (pk, *_) in zip(objs, keys, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = alias

    def _sql(self, alias: str, objs: Sequence[Model]) -> str | None:
        compiled: dict[tuple[str, int], str | None] = self._local.__dict__.setdefault("sql", {})
        key = (alias, len(objs))
        if key not in compiled:
            query = InsertQuery(self.model)
            query.insert_values(self.fields, objs)
            compiler = query.get_compiler(using=alias)
            compiler.returning_fields = [self.model._meta.pk]
            statements = compiler.as_sql()
            shape = len(statements) == 1 and statements[0][0].count("%s") == len(self.fields) * len(
                objs
            )
            # Should the ORM write it in another shape (its values are plain: checked above),
            # that number of rows goes through bulk_create.
            compiled[key] = statements[0][0] if shape else None
        return compiled[key]


class PreparedUpdate:
    """`obj.save(update_fields=fields)` for a fixed list of fields: one UPDATE by primary key,
    its SQL written once. Values go through `pre_save` (auto_now) and `get_db_prep_save`; a
    model with save receivers, or a value that is an expression, goes through `save()`."""

    def __init__(self, model: type[Model], fields: Iterable[str]) -> None:
        self.model = model
        self.names = tuple(fields)
        meta = model._meta
        self.fields = [meta.get_field(name) for name in self.names]
        if any(f.primary_key or not f.concrete for f in self.fields):
            raise ValueError(f"{meta.label}: update fields must be concrete, not the key")
        _plain_fields(model, self.fields)

    def save(self, obj: Model) -> None:
        statement = self._statement(obj)
        if statement is None:
            obj.save(update_fields=self.names)
            return
        alias, sql, params = statement
        with (
            transaction.mark_for_rollback_on_error(using=alias),
            connections[alias].cursor() as cursor,
        ):
            cursor.execute(sql, params)
            updated = cursor.rowcount
        if not updated:
            raise DatabaseError("Save with update_fields did not affect any rows.")
        obj._state.db = alias

    def _statement(self, obj: Model) -> tuple[str, str, list[Any]] | None:
        """(database alias, SQL, parameters) of the UPDATE of `obj`; None when it goes through
        `save()` (no key yet, save receivers, a value that is an expression)."""
        if obj.pk is None or _through_save(obj):
            return None
        alias = obj._state.db or router.db_for_write(self.model, instance=obj)
        connection = connections[alias]
        values = [field.pre_save(obj, False) for field in self.fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            return None
        params = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(self.fields, values, strict=True)
        ]
        meta = self.model._meta
        qn = connection.ops.quote_name
        columns = ", ".join(
            f"{qn(field.column)} = {_placeholder(field, value, connection)}"
            for field, value in zip(self.fields, params, strict=True)
        )
        sql = f"UPDATE {qn(meta.db_table)} SET {columns} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608 - quoted names, values are parameters
        return alias, sql, [*params, meta.pk.get_db_prep_value(obj.pk, connection)]


def save_together(
    first: PreparedUpdate,
    a: Model,
    second: PreparedUpdate,
    b: Model,
    *,
    then: tuple[PreparedInsert, Model] | None = None,
) -> None:
    """`first.save(a)` and `second.save(b)` in one statement on PostgreSQL (the first UPDATE in a
    data-modifying WITH, which PostgreSQL runs whether or not it is read; the second counts only
    if the first updated its row): one round trip fewer for two rows written together (the
    enrollment profile's session and token). With `then` (a PreparedInsert and a new row), that
    row's INSERT too, written only if both rows were updated (the profile's SCEP challenge).
    DatabaseError, as from `save()`, when either row is gone. Elsewhere, or when any would go
    through `save()`, the saves in turn."""
    one, two = first._statement(a), second._statement(b)
    three = then[0]._statement(then[1]) if then is not None else None
    # The INSERT's parts, when it returns the new key (PostgreSQL's does).
    parts = _insert_parts(three[1]) if three is not None and three[2] else None
    alias = one[0] if one is not None else ""
    if (
        one is None
        or two is None
        or two[0] != alias
        or connections[alias].vendor != "postgresql"
        or (then is not None and (three is None or three[0] != alias or parts is None))
    ):
        first.save(a)
        second.save(b)
        if then is not None:
            then[0].save(then[1])
        return
    # Statements written above; values are parameters.
    updates = f"WITH first AS ({one[1]} RETURNING 1)"
    both = f"{two[1]} AND EXISTS (SELECT 1 FROM first)"  # noqa: S608
    params = [*one[2], *two[2]]
    if three is not None and parts is not None:
        head, values, returning = parts
        sql = (
            f"{updates}, second AS ({both} RETURNING 1) "  # noqa: S608
            f"{head} SELECT {values} WHERE EXISTS (SELECT 1 FROM second) {returning}"
        )
        params += three[3]
    else:
        sql = f"{updates} {both}"
    new_key = None
    with transaction.mark_for_rollback_on_error(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        if three is not None:
            row = cursor.fetchone()
            updated = row is not None
            new_key = row[0] if row is not None else None
        else:
            updated = bool(cursor.rowcount)
    if not updated:
        raise DatabaseError("Save with update_fields did not affect any rows.")
    a._state.db = b._state.db = alias
    if then is not None:
        PreparedInsert._saved(then[1], alias, new_key)


def _insert_parts(sql: str) -> tuple[str, str, str] | None:
    """`INSERT INTO t (columns) VALUES (values) RETURNING key` as (`INSERT INTO t (columns)`,
    `values`, `RETURNING key`), its values then selected under a condition; None for an INSERT
    of another shape."""
    head, sep, rest = sql.partition(" VALUES (")
    values, sep2, returning = rest.rpartition(") RETURNING ")
    if not sep or not sep2 or "(" in values or ")" in values:
        return None
    return head, values, f"RETURNING {returning}"


class PreparedInsertSelect:
    """`bulk.insert_select(model, column=column, source=bulk.primary_keys(build(*values)),
    values=constants)`, its statement compiled once per thread from that same QuerySet and
    afterwards only run with the values: the outbox row of one channel, which every first
    TokenUpdate writes, cost more CPU compiling (~0.3 ms for its coalescing subquery and joins)
    than PostgreSQL spends on it. Returns the ids written, as `insert_select` does.

    Values are str, int or (aware) datetime; a datetime may reach the SQL as the backend's
    adaptation of it (a string on SQLite): its slot is found by the marker's adaptation, and the
    value adapted the same way. Where a value is rewritten otherwise (see PreparedQuery), or the
    database cannot return the ids from the INSERT, each call goes through `insert_select`.
    """

    def __init__(
        self,
        model: type[Model],
        build: Callable[..., QuerySet[Any]],
        *types: type,
        column: str,
        values: dict[str, Any],
    ) -> None:
        self.model = model
        self._build = build
        self._types = types
        self.column = column
        self.values = dict(values)
        self._local = threading.local()

    def insert(self, *values: Any) -> list[int]:
        # Compiled first: a type it cannot prepare is refused by name there.
        compiled = _compiled_once(self._local, self._compile)
        typed = _typed(self, self._types, values)
        if compiled is _THROUGH_ORM:
            return bulk.insert_select(
                self.model,
                column=self.column,
                source=bulk.primary_keys(self._build(*typed)),
                values=self.values,
            )
        sql, template, slots = compiled
        connection = connections[DEFAULT_DB_ALIAS]  # where bulk writes
        params = _fill(template, slots, typed)
        with (
            transaction.mark_for_rollback_on_error(using=DEFAULT_DB_ALIAS),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def statement(self, *values: Any) -> tuple[str, list[Any]] | None:
        """The statement `insert` runs with these values and its parameters, for another
        statement to run (a part of a data-modifying WITH); None where `insert` goes through
        `insert_select`."""
        compiled = _compiled_once(self._local, self._compile)
        typed = _typed(self, self._types, values)
        if compiled is _THROUGH_ORM:
            return None
        sql, template, slots = compiled
        return sql, _fill(template, slots, typed)

    def _compile(self) -> Any:
        connection = connections[DEFAULT_DB_ALIAS]
        if not connection.features.can_return_columns_from_insert:
            return _THROUGH_ORM  # two statements (see insert_select): nothing to gain here
        markers = [_marker(kind, n) for n, kind in enumerate(self._types)]
        sql, params = bulk.insert_select_statement(
            self.model,
            column=self.column,
            source=bulk.primary_keys(self._build(*markers)),
            values=self.values,
        )
        slots = _find_slots(self._types, markers, params, connection)
        if slots is None:
            return _THROUGH_ORM
        return sql, tuple(params), slots
