"""Counters in a fixed time window, shared by all server processes through the cache (Redis).

When Redis cannot be reached, counting goes on in this process instead of failing the request:
a limit then holds per server process (a few times looser in all) until Redis is back, which
is better than refusing everyone or counting nothing. Each fallback is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from mdm_server.unavailable import REDIS_ERRORS

logger = logging.getLogger(__name__)


class WindowCounter:
    """`incr(key)` starts a window of `window_seconds` on the first count; the window is fixed."""

    def __init__(self, name: str, window_seconds: int) -> None:
        self.window = window_seconds
        self._local = LocMemCache(f"counter-{name}", {"TIMEOUT": window_seconds})

    def _fallback(self, exc: Exception) -> BaseCache:
        logger.warning("Redis unreachable (%s): counting in this process", type(exc).__name__)
        return self._local

    def get(self, key: str) -> int:
        try:
            return int(cache.get(key, 0))
        except REDIS_ERRORS as exc:
            return int(self._fallback(exc).get(key, 0))

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """The keys that are set, in one round trip."""
        try:
            return dict(cache.get_many(keys))
        except REDIS_ERRORS as exc:
            return dict(self._fallback(exc).get_many(keys))

    def incr(self, key: str) -> int:
        """Count one more; returns the count in the window."""
        try:
            return self._incr(cache, key)
        except REDIS_ERRORS as exc:
            return self._incr(self._fallback(exc), key)

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
            cache.set(key, value, timeout)
        except REDIS_ERRORS as exc:
            self._fallback(exc).set(key, value, timeout)

    def clear(self, key: str) -> None:
        try:
            cache.delete(key)
        except REDIS_ERRORS as exc:
            self._fallback(exc).delete(key)
        self._local.delete(key)
