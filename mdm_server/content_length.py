"""A Content-Length that is not a number of bytes is a 400, before anything reads the body.

Django reads the header with `int()` when a view first touches `request.body` (to compare it with
DATA_UPLOAD_MAX_MEMORY_SIZE), and a ValueError there is a 500 on every surface. `int()` also
takes what HTTP does not (a sign, blanks, underscores), while refusing some text `str.isdigit()`
accepts ("²"): only ASCII digits are a length. In MIDDLEWARE and MDM_DEVICE_MIDDLEWARE, before
any other; the WSGI shortcut (devices/connect_shortcut.py) hands such requests to Django.

A body sent with `Transfer-Encoding: chunked` reaches the application without a Content-Length
(granian decodes the chunks and leaves CONTENT_LENGTH out), and Django reads CONTENT_LENGTH
bytes of it: none. A chunked PATCH was answered 200 with nothing changed, a chunked check-in
refused for its empty body. Such a request is a 411 (Length Required) that says so; a proxy that
buffers bodies (nginx's default) sends them on with a Content-Length.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ContentLengthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH")
        if length and not (length.isascii() and length.isdigit()):
            return _refused(400, "Content-Length must be a number of bytes")
        if not length and "HTTP_TRANSFER_ENCODING" in request.META:
            return _refused(
                411, "Transfer-Encoding is not supported: send the body with a Content-Length"
            )
        return self.get_response(request)


def _refused(status: int, reason: str) -> HttpResponse:
    return HttpResponse(f"{reason}\n", status=status, content_type="text/plain; charset=utf-8")
