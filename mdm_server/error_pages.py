"""403, 404 and 500 pages: in the console's layout for people, plain text for devices.

The API keeps its own JSON error envelope (paths under /api/ go to Django's defaults, which the
API's handling answers before they get here); device protocol paths get one plain-text line.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults

from mdm_server import api_errors, roles

_PLAIN = "text/plain; charset=utf-8"


def accepts_html(request: HttpRequest) -> bool:
    """Whether the client asks for HTML (a browser; never a device or an API client). Read from
    META: request.headers would build a dict of every header for one lookup."""
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


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
