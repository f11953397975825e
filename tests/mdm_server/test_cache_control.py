"""`mdm_server.cache_control.never_cache` gives every response the headers Django's gives it."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import RequestFactory
from django.views.decorators.cache import never_cache as djangos

from mdm_server.cache_control import never_cache

RESPONSES: dict[str, Callable[[], HttpResponseBase]] = {
    "plain": lambda: HttpResponse(b"body", content_type="application/x-x509-ca-cert"),
    "empty 401 with a challenge": lambda: _with(HttpResponse(status=401), WWW_Authenticate="x"),
    "its own Cache-Control": lambda: _with(HttpResponse(b"x"), Cache_Control="public, max-age=60"),
    "its own Expires": lambda: _with(HttpResponse(b"x"), Expires="Thu, 01 Jan 2037 00:00:00 GMT"),
    "both": lambda: _with(HttpResponse(b"x"), Cache_Control="no-transform", Expires="0"),
    "streaming": lambda: StreamingHttpResponse(iter([b"a", b"b"])),
}


def _with(response: HttpResponse, **headers: str) -> HttpResponse:
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@pytest.mark.parametrize("kind", RESPONSES)
def test_the_same_headers_as_djangos_never_cache(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.5)  # one instant for both

    def view(request: HttpRequest) -> HttpResponseBase:
        return RESPONSES[kind]()

    request = RequestFactory().get("/")
    ours, theirs = never_cache(view)(request), djangos(view)(request)
    assert list(ours.headers.items()) == list(theirs.headers.items())
    assert ours.status_code == theirs.status_code


def test_an_asynchronous_view_gets_djangos_decorator() -> None:
    async def view(request: HttpRequest) -> HttpResponseBase:
        return HttpResponse(b"x")

    decorated = never_cache(view)
    assert inspect.iscoroutinefunction(decorated)
    response = asyncio.run(decorated(RequestFactory().get("/")))
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
