"""One error format for the whole REST API: {"error": {"code", "message", "fields"}}.

The format is written once here: the exception handler and `error_response` produce it, the
`Error` serializer describes it in the OpenAPI schema, and `not_found` answers URLs under
/api/ that match no route with it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. invalid, not_found")
    message = serializers.CharField(help_text="What went wrong, for a person")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per field or query parameter (dotted paths for nested ones), its problems",
    )


class Error(serializers.Serializer):
    """The body of every 4xx and 5xx answer of the API."""

    error = ErrorDetail()


class UnknownParameter(exceptions.ValidationError):
    """A query parameter the operation does not declare: refused, never silently ignored."""

    envelope_code = "unknown_parameter"


def envelope(message: str, *, code: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                out[str(key)] = [str(v) for v in value]
            else:
                out[str(key)] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), ["Invalid input."])
        message = first[0] if len(fields) == 1 else "Invalid input; see fields."
        if set(fields) == {"non_field_errors"}:
            message = fields["non_field_errors"][0]
        code = getattr(exc, "envelope_code", "invalid")
    elif isinstance(exc, exceptions.APIException):
        message = str(exc.detail) if not isinstance(exc.detail, dict | list) else exc.default_detail
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    else:  # pragma: no cover - DRF only handles APIException subclasses
        message, code = str(exc), "error"
    response.data = envelope(message, code=code, fields=fields)
    return response


def error_response(message: str, *, code: str = "invalid", http_status: int = 400) -> Response:
    """For APIs that turn a domain error into the common format themselves."""
    return Response(envelope(message, code=code), status=http_status or status.HTTP_400_BAD_REQUEST)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a URL under /api/ that matches no route gets the envelope, others the page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            envelope(f"No API endpoint at {request.path}.", code="not_found"), status=404
        )
    return defaults.page_not_found(request, exception or Http404())
