"""Set-based writes: rows for any number of targets in one INSERT ... SELECT, on PostgreSQL and
SQLite.

A fan-out to 100,000 devices must not build 100,000 model instances nor send per-row SQL: the
targets are a SELECT (a QuerySet's primary keys, a list of ids passed as one parameter, or a
`Snapshot` of rows read once), and each write copies them with constant values in one statement.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import F, Field, Model, QuerySet


@dataclass(frozen=True)
class Sql:
    """A SELECT of one column (ids), with its parameters."""

    sql: str
    params: tuple[Any, ...] = ()


def qn(name: str | None) -> str:
    """A quoted table or column name (a concrete field's column is never None)."""
    assert name is not None  # noqa: S101
    return connection.ops.quote_name(name)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    return cast("Field[Any, Any]", model._meta.get_field(name))


def ids(values: Sequence[int]) -> Sql:
    """These ids, as one parameter however many there are."""
    if connection.vendor == "postgresql":
        return Sql("SELECT unnest(%s::bigint[])", ([int(v) for v in values],))
    return Sql("SELECT value FROM json_each(%s)", (json.dumps([int(v) for v in values]),))


def primary_keys(queryset: QuerySet[Any]) -> Sql:
    """A QuerySet's primary keys, compiled, never evaluated."""
    if not queryset.query.is_sliced:
        queryset = queryset.order_by()
    sql, params = queryset.values("pk").query.sql_with_params()
    return Sql(sql, tuple(params))


def existing(model: type[Model], source: Sql) -> Sql:
    """The ids of `source` that are rows of `model` (each once)."""
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    return Sql(
        f"SELECT {pk} FROM {table} WHERE {pk} IN ({source.sql})",  # noqa: S608
        source.params,
    )


def insert_select(
    model: type[Model], *, column: str, source: Sql, values: Mapping[str, Any]
) -> list[int]:
    """One row of `model` per id of `source`: that id in field `column`, the `values` (field
    name: value) in the others, the rest from their database defaults. One statement (two on
    SQLite before 3.35, which has no RETURNING); returns the ids written, in `column`."""
    sql, params = insert_select_statement(model, column=column, source=source, values=values)
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(source.sql, source.params)
        written = [row[0] for row in cursor.fetchall()]
        cursor.execute(sql, params)
        return written


def insert_select_statement(
    model: type[Model], *, column: str, source: Sql, values: Mapping[str, Any]
) -> tuple[str, tuple[Any, ...]]:
    """The INSERT ... SELECT of `insert_select`, with its parameters; RETURNING the ids written
    (in `column`) where the database can (`can_return_columns_from_insert`)."""
    opts = model._meta
    fields = [_field(model, column), *(_field(model, name) for name in values)]
    columns = ", ".join(qn(f.column) for f in fields)
    constants = [
        _field(model, name).get_db_prep_save(value, connection) for name, value in values.items()
    ]
    select = ", ".join(["src.*", *(["%s"] * len(constants))])
    # Names come from the model and are quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {qn(opts.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {select} FROM ({source.sql}) AS src"
    )
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {qn(fields[0].column)}"
    return sql, (*constants, *source.params)


def insert_product(
    model: type[Model],
    *,
    column: str,
    source: Sql,
    varying: Sequence[str],
    rows: Sequence[Sequence[Any]],
    values: Mapping[str, Any],
) -> list[tuple[Any, ...]]:
    """Like `insert_select`, for several rows per id of `source`: one row of `model` for each
    id and each of `rows` (the values of the fields `varying`), the `values` in the others. One
    statement (two on SQLite before 3.35) however many ids and rows; returns (id, first varying
    value) of each row written."""
    if not rows:
        return []
    opts = model._meta
    varying_fields = [_field(model, name) for name in varying]
    fields = [_field(model, column), *varying_fields, *(_field(model, name) for name in values)]
    columns = ", ".join(qn(f.column) for f in fields)
    constants = [
        _field(model, name).get_db_prep_save(value, connection) for name, value in values.items()
    ]
    if connection.vendor == "postgresql":
        # A parameter in VALUES has no type of its own: each takes its column's.
        cells = [f"CAST(%s AS {f.db_type(connection)})" for f in varying_fields]
    else:
        cells = ["%s"] * len(varying_fields)
    row = "(" + ", ".join(cells) + ")"
    products = ", ".join([row] * len(rows))
    row_params = [
        f.get_db_prep_save(value, connection)
        for one in rows
        for f, value in zip(varying_fields, one, strict=True)
    ]
    # VALUES names its columns column1, column2, ... on PostgreSQL and SQLite alike.
    picked = ", ".join(f"v.column{n}" for n in range(1, len(varying_fields) + 1))
    select = ", ".join(["src.*", picked, *(["%s"] * len(constants))])
    sql = (
        f"INSERT INTO {qn(opts.db_table)} ({columns}) "  # noqa: S608 - quoted names, parameters
        f"SELECT {select} FROM ({source.sql}) AS src CROSS JOIN (VALUES {products}) AS v"
    )
    params = (*constants, *source.params, *row_params)
    returned = f"{qn(fields[0].column)}, {qn(fields[1].column)}"
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING {returned}", params)
            return [tuple(r) for r in cursor.fetchall()]
        cursor.execute(source.sql, source.params)
        written = [(r[0], one[0]) for r in cursor.fetchall() for one in rows]
        cursor.execute(sql, params)
        return written


@dataclass(frozen=True)
class Snapshot:
    """Rows of a model (primary key and `fields`) copied into a temporary table by one SELECT:
    the statements that read it all see the same rows, whatever other transactions change."""

    table: str
    pk: str
    fields: tuple[str, ...]
    columns: tuple[str, ...]

    def classes(self) -> list[tuple[Any, ...]]:
        """Each distinct combination of the fields, with its number of rows last."""
        cols = ", ".join(qn(c) for c in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {cols}, COUNT(*) FROM {qn(self.table)} GROUP BY {cols}"  # noqa: S608
            )
            return [tuple(row) for row in cursor.fetchall()]

    def where_in(self, combinations: Sequence[Sequence[Any]]) -> Sql:
        """The ids of the rows whose fields are one of these combinations."""
        cols = ", ".join(qn(c) for c in self.columns)
        row = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
        values = ", ".join([row] * len(combinations))
        params = tuple(v for combination in combinations for v in combination)
        return Sql(
            f"SELECT {qn(self.pk)} FROM {qn(self.table)} "  # noqa: S608
            f"WHERE ({cols}) IN (VALUES {values})",
            params,
        )


_numbers = itertools.count(1)


@contextmanager
def snapshot(queryset: QuerySet[Any], fields: Sequence[str], *, name: str) -> Iterator[Snapshot]:
    """Copy the QuerySet's rows (each once) into the temporary table `name` for the block.

    Call it inside a transaction: on an error the rollback removes the table; on success it is
    dropped when the block ends. `name` gets a number, so snapshots can nest."""
    name = f"{name}_{next(_numbers)}"
    model = queryset.model
    # A field of the row, or of a row it points at (`device__platform`): columns c0, c1, ...
    columns = tuple(f"c{i}" for i in range(len(fields)))
    pk = "pk"
    cols = ", ".join(qn(c) for c in (pk, *columns))
    manager = model._default_manager  # noqa: SLF001 - Django's documented attribute
    rows = manager.filter(pk__in=queryset.order_by().values("pk")).order_by()
    select, params = rows.values(
        "pk", **{c: F(f) for c, f in zip(columns, fields, strict=True)}
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        # The table takes the selected columns' types; then one INSERT ... SELECT fills it.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {qn(name)} AS "  # noqa: S608
            f"SELECT * FROM ({select}) AS src WHERE 1 = 0",
            params,
        )
        cursor.execute(f"INSERT INTO {qn(name)} ({cols}) {select}", params)
    yield Snapshot(name, pk, tuple(fields), columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {qn(name)}")
