"""Django's request signals, made cheaper (mdm_server/request_cycle.py), still reach every
receiver they should, and only the cache closing that does nothing is left out."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.core.cache import close_caches
from django.core.cache.backends.base import BaseCache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connections, reset_queries
from django.test import Client

from mdm_server import request_cycle


class ClosingCache(BaseCache):
    """A backend whose close() does something (as memcached's does)."""

    def close(self, **kwargs: Any) -> None:
        pass


def test_djangos_own_request_receivers_stay_but_the_cache_closing_that_does_nothing() -> None:
    started = [r for r in signals.request_started._live_receivers(WSGIHandler)[0]]
    finished = [r for r in signals.request_finished._live_receivers(WSGIHandler)[0]]
    assert reset_queries in started and close_old_connections in started
    assert close_old_connections in finished
    assert close_caches not in finished
    assert request_cycle.caches_close_nothing(settings.CACHES)


def test_a_cache_backend_that_closes_something_keeps_close_caches() -> None:
    assert request_cycle.caches_close_nothing(
        {"default": {"BACKEND": "mdm_server.redis_client.RedisCache"}}
    )
    assert request_cycle.caches_close_nothing(
        {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    )
    assert not request_cycle.caches_close_nothing(
        {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "other": {"BACKEND": f"{__name__}.ClosingCache"},
        }
    )
    assert not request_cycle.caches_close_nothing(
        {"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"}}
    )


@pytest.mark.django_db  # Django's own receivers check the database connection
@pytest.mark.parametrize("signal", [signals.request_started, signals.request_finished])
def test_a_receiver_connected_or_disconnected_later_is_seen_at_the_next_send(signal: Any) -> None:
    """The receivers are kept per sender, and worked out again after any change to the list,
    whether strongly or weakly held."""
    calls: list[str] = []

    def strong(**kwargs: Any) -> None:
        calls.append("strong")

    def make_weak() -> Any:
        def weak(**kwargs: Any) -> None:
            calls.append("weak")

        return weak

    signal.send(sender=WSGIHandler)  # the receivers are now kept for this sender
    signal.connect(strong, weak=False, dispatch_uid="test-request-cycle-strong")
    try:
        held = [make_weak()]  # in a list: the only reference to the function
        signal.connect(held[0], dispatch_uid="test-request-cycle-weak")
        signal.send(sender=WSGIHandler)
        assert calls == ["strong", "weak"]
        held.clear()  # the weakly held receiver goes with its function
        signal.send(sender=WSGIHandler)
        assert calls == ["strong", "weak", "strong"]
    finally:
        signal.disconnect(dispatch_uid="test-request-cycle-strong")
        signal.disconnect(dispatch_uid="test-request-cycle-weak")
    signal.send(sender=WSGIHandler)
    assert calls == ["strong", "weak", "strong"]


@pytest.mark.django_db
def test_requests_still_send_both_signals_to_a_receiver_of_their_handler() -> None:
    seen: list[tuple[str, object]] = []

    def on_started(sender: object, **kwargs: Any) -> None:
        seen.append(("started", sender))

    def on_finished(sender: object, **kwargs: Any) -> None:
        seen.append(("finished", sender))

    signals.request_started.connect(on_started)
    signals.request_finished.connect(on_finished)
    try:
        for _ in range(2):
            Client().get("/healthz")
    finally:
        signals.request_started.disconnect(on_started)
        signals.request_finished.disconnect(on_finished)
    assert [kind for kind, _sender in seen] == ["started", "finished"] * 2
    Client().get("/healthz")
    assert len(seen) == 4


# --- the thread's database connections -----------------------------------------------------------


def test_connections_are_read_from_the_threads_own_storage_as_asgiref_reads_them() -> None:
    """Installed at start-up; in a thread without an event loop the connection read is the one
    asgiref's Local holds for that thread, set and deleted there too, and each thread has its
    own."""
    kept = getattr(connections, "_connections", None)
    assert isinstance(kept, request_cycle.ThreadConnections)
    asgiref = kept._local
    assert connections["default"] is asgiref.default  # the same storage, read either way
    marker = object()
    kept.marker = marker
    assert asgiref.marker is marker
    del kept.marker
    assert not hasattr(asgiref, "marker") and not hasattr(kept, "marker")
    elsewhere: list[Any] = []
    thread = threading.Thread(target=lambda: elsewhere.append(connections["default"]))
    thread.start()
    thread.join()
    assert elsewhere[0] is not connections["default"]
    assert elsewhere[0].settings_dict == connections["default"].settings_dict


def test_in_an_event_loop_connections_are_asgirefs_per_context() -> None:
    """Under an event loop the read is asgiref's own (a context of its own): not the thread's
    connection, as without ThreadConnections."""
    kept = getattr(connections, "_connections", None)
    assert isinstance(kept, request_cycle.ThreadConnections)
    mine = connections["default"]

    async def read() -> tuple[Any, Any]:
        theirs = connections["default"]
        return theirs, kept._local.default

    theirs, asgirefs = asyncio.run(read())
    assert theirs is asgirefs and theirs is not mine
    assert connections["default"] is mine


def test_an_unknown_shape_of_storage_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    class Other:
        pass

    other = Other()
    monkeypatch.setattr(connections, "_connections", other)
    request_cycle.lighten(settings.CACHES)
    assert getattr(connections, "_connections", None) is other
