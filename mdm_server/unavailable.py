"""503 instead of 500 when PostgreSQL or Redis cannot be reached, or when PostgreSQL refused
a request's transaction for another's (a deadlock, a serialization failure: asked to retry in a
second, and not logged as an outage).

A request that fails because a backing service is down gets `503 Service Unavailable` with
`Retry-After`, in the format of its surface: the JSON error envelope for the API, a page for
people (console, admin, anything asking for HTML), plain text for devices. Nothing is written
half-way: the failed statement rolled back with its transaction, so the client just retries.

The middleware answers the errors raised by views; `server_error` (the URLconf's handler500)
answers the ones raised elsewhere in the request cycle (a session saved after the view).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin

from mdm_server import api_errors, error_pages
from mdm_server.redis_client import BROKER_ERRORS, REDIS_ERRORS

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before retrying: a database failover or restart takes this
# order of time, and devices retry on their own schedule anyway.
RETRY_AFTER_SECONDS = 30

DATABASE_ERRORS = (OperationalError, InterfaceError)

# PostgreSQL's answers to two transactions in each other's way (deadlock_detected,
# serialization_failure): the database is there, and the same request a moment later succeeds.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_RETRY_AFTER_SECONDS = 1
CONFLICT = "conflict"


def service_of(exc: BaseException | None) -> str | None:
    """ "database" or "Redis" when `exc` says that backing service is unreachable, `CONFLICT`
    when the database refused this request's transaction for another's, else None."""
    if isinstance(exc, OperationalError) and (
        getattr(exc.__cause__, "sqlstate", None) in CONFLICT_SQLSTATES
    ):
        return CONFLICT
    if isinstance(exc, DATABASE_ERRORS):
        return "database"
    if isinstance(exc, REDIS_ERRORS + BROKER_ERRORS):
        return "Redis"
    return None


def _wants_html(request: HttpRequest) -> bool:
    path = request.path_info
    if path.startswith(("/console/", "/admin/")):
        return True
    return error_pages.accepts_html(request)


def unavailable_response(request: HttpRequest, service: str) -> HttpResponse:
    if service == CONFLICT:
        message = "A concurrent change to the same data got in the way; try again."
    else:
        message = f"The server's {service} is unavailable; try again in a minute."
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse(api_errors.envelope(message, code="unavailable"), status=503)
    elif _wants_html(request):
        # Rendered without the request: the console's context processors read the database.
        html = render_to_string("unavailable.html", {"message": message})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(
        CONFLICT_RETRY_AFTER_SECONDS if service == CONFLICT else RETRY_AFTER_SECONDS
    )
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware(MiddlewareMixin):
    """Turn an unreachable database or Redis, raised by a view, into a 503. A MiddlewareMixin
    (its hooks are all it does), so that the WSGI edge (mdm_server/edge.py) may stand in for
    the chain: the edge hands a request that raised to Django, which comes here."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        service = service_of(exception)
        if service is None:
            return None
        if service == CONFLICT:
            logger.warning(
                "%s %s: refused for a concurrent transaction, asked to retry (%s)",
                request.method, request.path, str(exception).strip().splitlines()[0:1],
            )  # fmt: skip
            return unavailable_response(request, service)
        logger.warning(
            "%s %s: %s unavailable (%s: %s)", request.method, request.path, service,
            type(exception).__name__, str(exception).strip().splitlines()[0:1],
        )  # fmt: skip
        return unavailable_response(request, service)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 for an unreachable backing service, the 500 page otherwise."""
    service = service_of(sys.exc_info()[1])
    if service is not None:
        return unavailable_response(request, service)
    return error_pages.server_error(request)
