"""The API's filter backend: django-filter, and a 400 for any query parameter the operation does
not declare; the cursor pagination of lists newest first by id, which refuses a cursor whose
position is not an id.

Without it, a misspelt or unsupported filter (`/api/v1/devices/?managed_apple_id=x`) is ignored
and the whole list comes back, which a script may then send commands to. What an operation
accepts is what its OpenAPI description declares, from the same sources: the filter set's
parameters and the paginator's on a list, none on a single object, plus DRF's `format`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import NotFound
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.settings import api_settings

from mdm_server.api_errors import UnknownParameter


def _is_list(view: Any) -> bool:
    action = getattr(view, "action", None)
    if action is not None:  # a viewset
        return action == "list"
    return isinstance(view, ListModelMixin)


class StrictFilterBackend(DjangoFilterBackend):
    def accepted_parameters(self, request: Request, queryset: QuerySet, view: Any) -> set[str]:
        accepted = {api_settings.URL_FORMAT_OVERRIDE} - {None}
        if not _is_list(view):
            return accepted
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            for name, field in filterset_class.base_filters.items():
                suffixes = getattr(field.field_class.widget, "suffixes", None)
                accepted |= {f"{name}_{s}" if s else name for s in suffixes or [""]}
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            accepted |= {p["name"] for p in paginator.get_schema_operation_parameters(view)}
        return accepted

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        accepted = self.accepted_parameters(request, queryset, view)
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            known = ", ".join(sorted(accepted)) or "none"
            raise UnknownParameter(
                {
                    name: [f"Unknown query parameter {name!r}; this operation accepts: {known}."]
                    for name in unknown
                }
            )
        return super().filter_queryset(request, queryset, view)


class IdCursorPagination(CursorPagination):
    """Newest first by id: constant cost per page at any table size (no COUNT, no OFFSET)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request: Request) -> Cursor | None:
        # A cursor is a client's to edit: DRF checks its offset and direction, but passes the
        # position to the id comparison as it is, where one that is not a number is a 500.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
        return cursor
