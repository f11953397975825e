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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core import signals
from django.core.cache import close_caches
from django.core.cache.backends.base import BaseCache
from django.utils.module_loading import import_string


def lighten(caches: Mapping[str, Mapping[str, Any]]) -> None:
    """Called once at start-up (CoreConfig.ready) with settings.CACHES."""
    for signal in (signals.request_started, signals.request_finished):
        signal.use_caching = True
        signal.sender_receivers_cache.clear()
    if caches_close_nothing(caches):
        signals.request_finished.disconnect(close_caches)


def caches_close_nothing(caches: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether no backend of `caches` (settings.CACHES) has a `close()` that does something."""
    return all(
        import_string(options["BACKEND"]).close is BaseCache.close for options in caches.values()
    )
