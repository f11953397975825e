"""Reads shared by the console and the API for core objects: the audit log and API tokens."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.db import connection
from django.db.models import F, Q, QuerySet

from mdm_server import untrusted
from mdm_server.models import ApiToken, AuditEvent

# Above this many matches a list says "more than 1,000" instead of counting the whole table.
COUNT_CAP = 1000


def capped_count(qs: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): counts at most cap+1 rows, so the cost does not grow with the table."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def estimated_count(qs: QuerySet[Any]) -> int | None:
    """PostgreSQL's planner estimate of how many rows `qs` returns (no rows are read); None where
    the database gives none (SQLite, the embedded mode)."""
    if connection.vendor != "postgresql":
        return None
    plan = json.loads(qs.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


@dataclass(frozen=True)
class Total:
    """A list's total as the console shows it: exact, or a labelled estimate above the cap."""

    n: int
    exact: bool = True
    at_least: bool = False  # no estimate available: "more than n"


def list_total(qs: QuerySet[Any], cap: int | None = None) -> Total:
    """Counted exactly up to `cap`; above it, the planner's estimate ("about n"), which costs the
    same at 100,000 rows as at 100, and is never below what was counted."""
    n, capped = capped_count(qs, cap)
    if not capped:
        return Total(n)
    estimate = estimated_count(qs)
    if estimate is None:
        return Total(n, exact=False, at_least=True)
    return Total(max(estimate, n + 1), exact=False)


@dataclass
class KeysetPage:
    """One page of a list ordered by descending id, with the ids to ask for its neighbours."""

    rows: list[Any]
    after: int | str | None  # pass as ?after= for the next (older) page; a cursor when sorted
    before: int | str | None  # pass as ?before= for the previous (newer) page
    count: int = 0
    count_capped: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def keyset_page(
    qs: QuerySet[Any], *, after: int | None = None, before: int | None = None, size: int = 50
) -> KeysetPage:
    """A page of `qs` by descending id: one query for the rows, never an OFFSET or full COUNT."""
    if before is not None:
        rows = list(qs.filter(pk__gt=before).order_by("pk")[: size + 1])
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(
            rows=rows,
            after=rows[-1].pk if rows else None,
            before=rows[0].pk if rows and has_newer else None,
        )
    page_qs = qs.filter(pk__lt=after) if after is not None else qs
    rows = list(page_qs.order_by("-pk")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        after=rows[-1].pk if rows and has_older else None,
        before=rows[0].pk if rows and after is not None else None,
    )


class BadCursor(ValueError):
    """A page cursor that this list did not hand out (edited, or from another sort order)."""


@dataclass(frozen=True)
class SortKey:
    """A sortable column: the model field, and whether empty (NULL) values occur. Rows are
    ordered by (field, id); empty values count as the lowest, so they come last when descending.
    Each sort key needs an index on (field DESC NULLS LAST, id DESC) for pages to stay fast."""

    field: str
    nullable: bool = False
    is_time: bool = False
    # What orders ties, unique among the listed rows: the row's id, or the id of the related
    # row the field belongs to (one per listed row), so that its own index serves the order.
    tiebreak: str = "pk"


def encode_cursor(value: Any, pk: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, key: SortKey) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        # The client's to edit: NUL characters, lone surrogates and deep nesting are refused
        # (UntrustedDataError is a ValueError) before the value reaches a comparison.
        value, pk = untrusted.load_json(raw)
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise TypeError
        if value is None:
            if not key.nullable:
                raise TypeError
        elif key.is_time:
            value = dt.datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise TypeError
        elif not isinstance(value, str):
            raise TypeError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(
            "this page link is not valid for this list; start from the first page"
        ) from None
    return value, pk


def _path(row: Any, path: str) -> Any:
    """A column of the row, or of a related row (`device__platform`)."""
    value = row
    for name in path.split("__"):
        value = getattr(value, name)
    return value


def _segments(
    qs: QuerySet[Any], key: SortKey, cursor: tuple[Any, int] | None, *, descending: bool
) -> list[QuerySet[Any]]:
    """The rows after the cursor, as index-friendly pieces in list order.

    Set values and empty (NULL) values are separate pieces (empty values count as the lowest:
    last descending, first ascending). Within set values the cursor is a range on the column
    (`col <= v`, where the index scan starts) with only the ties filtered by id, so a page deep
    in the list reads its own rows and the cursor value's ties, never the rows before it.
    """
    f, tie = key.field, key.tiebreak
    lt = "lt" if descending else "gt"
    lte = "lte" if descending else "gte"
    by_id = F(tie).desc() if descending else F(tie).asc()
    # Spelled like the index (col DESC NULLS LAST, id DESC), read forwards or backwards, so
    # PostgreSQL walks it instead of sorting.
    column = F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_first=True)
    set_order = [column, by_id]
    set_rows = qs.filter(**{f"{f}__isnull": False}) if key.nullable else qs
    null_rows = qs.filter(**{f"{f}__isnull": True})
    if cursor is None:
        pieces = [set_rows.order_by(*set_order)]
        if key.nullable:
            nulls = null_rows.order_by(by_id)
            pieces = [*pieces, nulls] if descending else [nulls, *pieces]
        return pieces
    value, pk = cursor
    if value is None:
        after_nulls = null_rows.filter(**{f"{tie}__{lt}": pk}).order_by(by_id)
        # Descending, nothing follows the empty values; ascending, every set value does.
        return [after_nulls] if descending else [after_nulls, set_rows.order_by(*set_order)]
    after_set = set_rows.filter(
        Q(**{f"{f}__{lte}": value}) & (Q(**{f"{f}__{lt}": value}) | Q(**{f"{tie}__{lt}": pk}))
    ).order_by(*set_order)
    if key.nullable and descending:
        return [after_set, null_rows.order_by(by_id)]
    return [after_set]


def _take(pieces: list[QuerySet[Any]], n: int) -> list[Any]:
    """The first n rows of the pieces in turn: one query per piece that is reached."""
    rows: list[Any] = []
    for piece in pieces:
        if len(rows) >= n:
            break
        rows += list(piece[: n - len(rows)])
    return rows


def sorted_keyset_page(
    qs: QuerySet[Any],
    *,
    key: SortKey,
    descending: bool,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> KeysetPage:
    """A page of `qs` ordered by (key, id): no OFFSET, whichever page (one query; two where a
    page spans set and empty values). `after` and `before` are the opaque cursors of the page's
    last and first rows; raises BadCursor."""

    def cursor(row: Any) -> str:
        return encode_cursor(_path(row, key.field), _path(row, key.tiebreak))

    if before is not None:
        back = _segments(qs, key, decode_cursor(before, key), descending=not descending)
        rows = _take(back, size + 1)
        has_more = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(
            rows=rows,
            after=cursor(rows[-1]) if rows else None,
            before=cursor(rows[0]) if rows and has_more else None,
        )
    start = decode_cursor(after, key) if after is not None else None
    rows = _take(_segments(qs, key, start, descending=descending), size + 1)
    has_more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        after=cursor(rows[-1]) if rows and has_more else None,
        before=cursor(rows[0]) if rows and after is not None else None,
    )


class _DateRangeForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "must not be before the start date")
        return data


class AuditEventFilterSet(django_filters.FilterSet):
    """Who did what, to which target, when: the audit log's filters (console and API)."""

    action = django_filters.CharFilter(lookup_expr="icontains", max_length=100)
    actor = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="icontains", max_length=150, label="Who"
    )
    target = django_filters.CharFilter(
        field_name="target_repr", lookup_expr="icontains", max_length=255
    )
    target_type = django_filters.CharFilter(lookup_expr="iexact", max_length=100)
    target_id = django_filters.CharFilter(lookup_expr="exact", max_length=100)
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = _DateRangeForm


def audit_actions() -> list[str]:
    """Every action the audit log holds, one index probe per distinct action (a loose index
    scan: the cost grows with the number of kinds of action, not with the rows)."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = (
        f"WITH RECURSIVE a(action) AS (SELECT MIN(action) FROM {table} "  # noqa: S608 (no input)
        f"UNION ALL SELECT (SELECT MIN(action) FROM {table} WHERE action > a.action) "
        "FROM a WHERE a.action IS NOT NULL) SELECT action FROM a WHERE action IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def action_label(action: str) -> str:
    """'devices.command_queued' -> 'Devices: command queued'."""
    area, _, rest = action.partition(".")
    if not rest:
        return action.replace("_", " ")
    return f"{area.capitalize()}: {rest.replace('_', ' ')}"


def _grouped_actions() -> list[tuple[str, list[tuple[str, str]]]]:
    """Each area's actions, after a choice of the whole area (its name without a dot)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action in audit_actions():
        area = action.partition(".")[0]
        title = area.capitalize()
        if title not in groups:
            groups[title] = [(area, f"{title}: every action")]
        groups[title].append((action, action_label(action)))
    return list(groups.items())


_OUR_PACKAGES = {"mdm_server", "enrollment", "devices", "profiles", "directory", "apns"}


class ConsoleAuditFilterSet(AuditEventFilterSet):
    """The console's audit-log filters: the action and the account are chosen from a list (the
    API keeps its text filters)."""

    action = django_filters.ChoiceFilter(
        field_name="action", label="Action", choices=[], method="filter_action"
    )
    actor = django_filters.ChoiceFilter(field_name="actor_name", label="Who", choices=[])
    target_type = django_filters.ChoiceFilter(label="Kind of target", choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.apps import apps
        from django.contrib.auth import get_user_model

        fields = self.form.fields
        fields["action"].choices = [("", "Any action"), *_grouped_actions()]
        names = get_user_model().objects.order_by("username").values_list("username", flat=True)
        fields["actor"].choices = [
            ("", "Anyone"),
            ("system", "system (no console account)"),
            *((n, n) for n in names[:500]),
        ]
        labels = sorted(
            (m._meta.label, str(m._meta.verbose_name).capitalize())
            for m in apps.get_models()
            if m.__module__.split(".")[0] in _OUR_PACKAGES or m._meta.label == "auth.User"
        )
        fields["target_type"].choices = [("", "Any"), *labels]

    def filter_action(
        self, qs: QuerySet[AuditEvent], name: str, value: str
    ) -> QuerySet[AuditEvent]:
        # An area ("apns") is every action in it; an action ("apns.push") is exactly that one.
        if "." in value:
            return qs.filter(action=value)
        return qs.filter(action__startswith=value + ".")


def audit_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.order_by("-id")


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").order_by("-created")
