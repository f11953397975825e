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

A body over DATA_UPLOAD_MAX_MEMORY_SIZE (MDM_MAX_REQUEST_BYTES) is a 413 that names the limit,
before a view reads it: Django's own RequestDataTooBig was a bare "Bad Request (400)" page on
every surface but the MDM views, HTML even on the API. A multipart body (an upload) has its own
limit, MDM_MAX_UPLOAD_BYTES, for the whole body: Django spools its files to disk, so without it
anyone could fill the disk through any path, before any sign-in (the views still check each
file's own limit). Refusals under /api/ are in the API's error envelope, the others plain text.

A request with both a Content-Length and a Transfer-Encoding (other than identity) is a 400:
RFC 9112 forbids senders to send both, and two framings that disagree are how request
smuggling starts. (granian drops the Content-Length of a chunked request itself, so behind it
such a request gets the 411.)
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin

from mdm_server import api_errors, untrusted


class ContentLengthMiddleware(MiddlewareMixin):
    # A MiddlewareMixin, so that the WSGI edge (mdm_server/edge.py) calls the same hook.
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        length = request.META.get("CONTENT_LENGTH")
        size = untrusted.natural(length) if length else None
        if length and size is None:
            return _refused(request, 400, "invalid", "Content-Length must be a number of bytes")
        coding = request.META.get("HTTP_TRANSFER_ENCODING", "").strip().lower()
        if length and coding not in ("", "identity"):
            # RFC 9112 6.1: a sender must not send both; framings that disagree are how
            # request smuggling starts, so neither is believed.
            return _refused(
                request,
                400,
                "invalid",
                "a request cannot have both a Content-Length and a Transfer-Encoding",
            )
        if not length and "HTTP_TRANSFER_ENCODING" in request.META:
            return _refused(
                request,
                411,
                "length_required",
                "a body sent with a Transfer-Encoding is not read: send it with a Content-Length "
                "alone",
            )
        if size is not None:
            multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
            limit = (
                settings.MDM_MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            )
            if size > limit:
                what = "upload" if multipart else "request body"
                return _refused(
                    request, 413, "too_large", f"the {what} is larger than {limit:,} bytes"
                )
        return None


def _refused(request: HttpRequest, status: int, code: str, reason: str) -> HttpResponse:
    if request.path_info.startswith(api_errors.API_PREFIX):
        return JsonResponse(api_errors.envelope(reason, code=code), status=status)
    return HttpResponse(f"{reason}\n", status=status, content_type="text/plain; charset=utf-8")
