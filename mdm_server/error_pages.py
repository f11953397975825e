"""400, 403, 404 and 500 pages: in the console's layout for people, plain text for devices.

The API keeps its own JSON error envelope (paths under /api/ go to Django's defaults, which the
API's handling answers before they get here); device protocol paths get one plain-text line.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults

from mdm_server import api_errors, roles

_PLAIN = "text/plain; charset=utf-8"


def accepts_html(request: HttpRequest) -> bool:
    """Whether the client asks for HTML (a browser; never a device or an API client). Read from
    META: request.headers would build a dict of every header for one lookup."""
    return asks_for_html(request.META.get("HTTP_ACCEPT", ""))


def asks_for_html(accept: str) -> bool:
    """`accepts_html` of an Accept header's value."""
    return "text/html" in accept


def _for_people(request: HttpRequest) -> bool:
    path = request.path_info
    if path.startswith("/api/"):
        return False
    if path.startswith(("/console/", "/admin/")):
        return True
    return accepts_html(request)


def _reason(exception: Exception | None) -> str:
    # Http404 and PermissionDenied carry the view's reason; Django's resolver puts a dict in it.
    if exception is None or not exception.args or not isinstance(exception.args[0], str):
        return ""
    return exception.args[0]


def _bad_request_reason(exception: Exception | None) -> tuple[int, str]:
    """The status and reason of Django's SuspiciousOperation answers, in the server's words
    (never the exception's text: DisallowedHost's repeats the Host header as sent)."""
    if isinstance(exception, RequestDataTooBig):
        return (
            413,
            f"the request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes",
        )
    if isinstance(exception, TooManyFieldsSent):
        return 400, f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} parameters were sent"
    if isinstance(exception, TooManyFilesSent):
        return 400, f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files were sent"
    if isinstance(exception, DisallowedHost):
        return 400, "the Host header names no host this server answers for"
    return 400, "the request is malformed"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400 (Django's SuspiciousOperation: a bad Host, too many parameters or files, a form
    body over the limit): the reason, in the format of the surface. Rendered without the
    request, whose host may be the problem."""
    status, reason = _bad_request_reason(exception)
    if request.path_info.startswith(api_errors.API_PREFIX):
        code = "too_large" if status == 413 else "bad_request"
        return JsonResponse(
            api_errors.envelope(f"{reason[0].upper()}{reason[1:]}.", code=code), status=status
        )
    if not _for_people(request):
        return HttpResponse(reason, status=status, content_type=_PLAIN)
    html = render_to_string("errors/400.html", {"status": status, "reason": reason})
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403."""
    if request.path_info.startswith("/api/"):
        return defaults.permission_denied(request, exception)  # type: ignore[arg-type]
    reason = _reason(exception) or "You may not open this page."
    if not _for_people(request):
        return HttpResponse(reason, status=403, content_type=_PLAIN)
    context = {"reason": reason, "role": roles.role_of(request.user)}
    return render(request, "errors/403.html", context, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404."""
    if request.path_info.startswith("/api/"):
        return api_errors.not_found(request, exception)
    reason = _reason(exception)
    if not _for_people(request):
        return HttpResponse(reason or "Not found", status=404, content_type=_PLAIN)
    return render(request, "errors/404.html", {"reason": reason}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page. Rendered without the request: the console's context reads the database."""
    if request.path_info.startswith("/api/"):
        return defaults.server_error(request)
    if not _for_people(request):
        return HttpResponse("Internal server error", status=500, content_type=_PLAIN)
    html = render_to_string("errors/500.html", {"path": request.path})
    return HttpResponse(html, status=500, content_type="text/html; charset=utf-8")
