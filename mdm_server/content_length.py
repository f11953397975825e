"""A Content-Length that is not a number of bytes is a 400, before anything reads the body.

Django reads the header with `int()` when a view first touches `request.body` (to compare it with
DATA_UPLOAD_MAX_MEMORY_SIZE), and a ValueError there is a 500 on every surface. `int()` also
takes what HTTP does not (a sign, blanks, underscores), while refusing some text `str.isdigit()`
accepts ("²"): only ASCII digits are a length. In MIDDLEWARE and MDM_DEVICE_MIDDLEWARE, before
any other; the WSGI shortcut (devices/connect_shortcut.py) hands such requests to Django.
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
            return HttpResponse(
                "Content-Length must be a number of bytes\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
