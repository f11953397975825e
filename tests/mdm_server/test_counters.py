"""Window counters (`mdm_server.counters`): what the sign-in throttle reads in one round trip."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from mdm_server import counters

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="the MGET of the thread's connection needs Redis"
)


def test_get_many_reads_what_the_cache_reads_on_the_threads_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counter = counters.WindowCounter("test-read-many", 60)
    cache.delete_many(["count", "pause", "missing", "text"])
    counter.incr("count")
    counter.incr("count")
    counter.set("pause", 1234.5, 60)  # a float: pickled by the cache's serializer
    cache.set("text", {"a": [1, "b"]}, 60)
    keys = ["count", "pause", "missing", "text"]
    expected = cache.get_many(keys)
    assert expected == {"count": 2, "pause": 1234.5, "text": {"a": [1, "b"]}}

    def refused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("read through the cache's client")

    monkeypatch.setattr(cache, "get_many", refused)
    assert counter.get_many(keys) == expected
    assert counter.get_many(["missing"]) == {}


def test_get_many_goes_through_the_cache_when_it_is_not_the_servers_redis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counter = counters.WindowCounter("test-read-elsewhere", 60)
    monkeypatch.setattr(settings, "REDIS_URL", settings.REDIS_URL + "?other=1")
    asked: list[list[str]] = []
    monkeypatch.setattr(cache, "get_many", lambda keys: asked.append(keys) or {"k": 1})
    assert counter.get_many(["k"]) == {"k": 1}
    assert asked == [["k"]]
