"""Django's request signals, made cheaper (mdm_server/request_cycle.py), still reach every
receiver they should, and only the cache closing that does nothing is left out."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.core.cache import close_caches
from django.core.cache.backends.base import BaseCache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, reset_queries
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
