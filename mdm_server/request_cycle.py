"""What every request pays before and after its view: Django's request signals, made cheaper.

Django's handler sends `request_started` and `request_finished` around every request (its own
receivers reset the query log, check the database connections, close the caches and reset the
URLconf; the configuration cache marks the request). Two things there cost every request
without doing anything for it (tests/mdm_server/test_request_cycle.py; bench/RESULTS.md):

- Both signals work out their receivers again at each send: take the signal's lock, walk its
  whole list and compare each receiver's sender (Django caches that per sender only for model
  signals). The senders of these two are a few handler classes, so caching is safe here too:
  Django clears the cache whenever a receiver is connected or disconnected, and works the list
  out again whenever a weakly held receiver has gone.
- `close_caches` (on `request_finished`) calls `close()` on every cache used in the request.
  Our backends (Django's Redis cache, through `redis_client.RedisCache`, or local memory) keep
  no connection of the request's to close: their `close()` is `BaseCache.close`, which does
  nothing. With only such backends in CACHES the receiver is disconnected; with any other (a
  memcached client closes its sockets there) it stays.

Every use of a database connection (`django.db.connection.<anything>`, `connections[alias]`,
each statement, each `atomic`, both signals' receivers) reads the thread's connection from
asgiref's `Local(thread_critical=True)`, which asks `asyncio.get_running_loop()` every time: in
a WSGI worker's thread, which has no event loop, that raises and catches a RuntimeError each
read, about half of the read's cost (15 to 40 reads a request). `ThreadConnections` reads the
same storage: in a thread without an event loop the very `threading.local` asgiref would read,
found by asking `asyncio._get_running_loop()` (the same test without the exception); in one with
a loop, asgiref's `Local` itself.
"""

from __future__ import annotations

import threading
from asyncio import _get_running_loop
from collections.abc import Mapping
from typing import Any

from django.core import signals
from django.core.cache import close_caches
from django.core.cache.backends.base import BaseCache
from django.db import connections
from django.utils.module_loading import import_string


def lighten(caches: Mapping[str, Mapping[str, Any]]) -> None:
    """Called once at start-up (CoreConfig.ready) with settings.CACHES."""
    for signal in (signals.request_started, signals.request_finished):
        signal.use_caching = True
        signal.sender_receivers_cache.clear()
    if caches_close_nothing(caches):
        signals.request_finished.disconnect(close_caches)
    # Django's ConnectionHandler keeps its asgiref Local in `_connections` (5.x).
    local = getattr(connections, "_connections", None)
    threads = getattr(local, "_storage", None)
    # asgiref's shape (3.x) only: anything else is left as it is.
    if not isinstance(local, ThreadConnections) and isinstance(threads, threading.local):
        setattr(connections, "_connections", ThreadConnections(local, threads))  # noqa: B010


def caches_close_nothing(caches: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether no backend of `caches` (settings.CACHES) has a `close()` that does something."""
    return all(
        import_string(options["BACKEND"]).close is BaseCache.close for options in caches.values()
    )


class ThreadConnections:
    """Where `django.db.connections` keeps each thread's connections: asgiref's
    `Local(thread_critical=True)` (`local`), read without its exception in a thread with no event
    loop. There it reads and writes `threads`, the `threading.local` that `local` reads and
    writes in such a thread (asgiref's `_ThreadCriticalLocal._get_storage`); in a thread running
    an event loop, `local` (a context variable per thread)."""

    __slots__ = ("_local", "_threads")

    def __init__(self, local: Any, threads: threading.local) -> None:
        object.__setattr__(self, "_local", local)
        object.__setattr__(self, "_threads", threads)

    def __getattr__(self, name: str) -> Any:
        if _get_running_loop() is None:
            return getattr(self._threads, name)
        return getattr(self._local, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if _get_running_loop() is None:
            setattr(self._threads, name, value)
        else:
            setattr(self._local, name, value)

    def __delattr__(self, name: str) -> None:
        if _get_running_loop() is None:
            delattr(self._threads, name)
        else:
            delattr(self._local, name)
