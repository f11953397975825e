"""Reads shared by the console and the API for core objects: the audit log and API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from mdm_server.models import ApiToken, AuditEvent

# Above this many matches a list says "more than 1,000" instead of counting the whole table.
COUNT_CAP = 1000


def capped_count(qs: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): counts at most cap+1 rows, so the cost does not grow with the table."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


@dataclass
class KeysetPage:
    """One page of a list ordered by descending id, with the ids to ask for its neighbours."""

    rows: list[Any]
    after: int | None  # pass as ?after= for the next (older) page
    before: int | None  # pass as ?before= for the previous (newer) page
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


def audit_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.order_by("-id")


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").order_by("-created")
