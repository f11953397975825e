"""Counters in a fixed time window, shared by all server processes through the cache (Redis).

When Redis cannot be reached, counting goes on in this process instead of failing the request:
a limit then holds per server process (a few times looser in all) until Redis is back, which
is better than refusing everyone or counting nothing. Redis is asked under the process's
back-off (`redis_client.attempt`): a Redis that does not answer costs one request its timeout,
then the counters stay in this process for a while without asking it; the back-off logs each
change once.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from mdm_server import redis_client


class WindowCounter:
    """`incr(key)` starts a window of `window_seconds` on the first count; the window is fixed."""

    def __init__(self, name: str, window_seconds: int) -> None:
        self.window = window_seconds
        self._local = LocMemCache(f"counter-{name}", {"TIMEOUT": window_seconds})

    def get(self, key: str) -> int:
        try:
            with redis_client.attempt("reading a counter"):
                return int(cache.get(key, 0))
        except redis_client.Unavailable:
            return int(self._local.get(key, 0))

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """The keys that are set, in one round trip."""
        try:
            with redis_client.attempt("reading counters"):
                # One MGET on the thread's connection (redis_client.RedisCache.read_many).
                reader = getattr(caches["default"], "read_many", None)
                return reader(keys) if reader is not None else dict(cache.get_many(keys))
        except redis_client.Unavailable:
            return dict(self._local.get_many(keys))

    def incr(self, key: str) -> int:
        """Count one more; returns the count in the window."""
        try:
            with redis_client.attempt("counting"):
                return self._incr(cache, key)
        except redis_client.Unavailable:
            return self._incr(self._local, key)

    def _incr(self, store: BaseCache, key: str) -> int:
        # add() starts the window; incr() keeps it (a fixed window, simple and enough).
        if store.add(key, 1, self.window):
            return 1
        try:
            return int(store.incr(key))
        except ValueError:  # expired between add() and incr()
            store.add(key, 1, self.window)
            return 1

    def set(self, key: str, value: Any, timeout: int) -> None:
        """A plain value beside the counts (a pause until a time, say), with the same fallback."""
        try:
            with redis_client.attempt("setting a counter's value"):
                cache.set(key, value, timeout)
        except redis_client.Unavailable:
            self._local.set(key, value, timeout)

    def clear(self, key: str) -> None:
        try:
            with redis_client.attempt("clearing a counter"):
                cache.delete(key)
        except redis_client.Unavailable:
            pass
        self._local.delete(key)
