"""One Redis client per process for the small keys the server keeps there (the configuration
generation, the push-drain request), built on first use from `REDIS_URL`; None without it (the
embedded mode). Celery keeps its own connections.

The back-off: Redis holds nothing a request cannot do without (the outbox is in PostgreSQL,
the configuration in the database), but a Redis that does not answer (stopped, packets dropped)
costs each call its timeout (REDIS_TIMEOUT_SECONDS). So the calls the server makes on its own
account — the drain request and its publish (`apns.services`), the managed-app tasks, directory
runs and ABM syncs handed to the broker (`publish`), the configuration generation
(`config_cache`), the sign-in counters (`counters`) — run in `attempt()`, through this client,
Celery's publish or the cache: once a call fails, the process leaves Redis alone for
`BACKOFF_MIN_SECONDS`, doubling while it keeps failing up to `BACKOFF_MAX_SECONDS`, and
`attempt()` raises `Unavailable` at once meanwhile. When a period ends, one call (in one
thread) tries again; its success ends the back-off. Each change (unreachable, reachable again)
is logged once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import kombu.exceptions
import redis
from django.conf import settings
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)

BACKOFF_MIN_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0

# What says Redis cannot be reached: the client's errors (a refused or dropped connection, no
# answer within the timeout) and what Celery raises when it cannot hand a task to the broker.
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)
BROKER_ERRORS = (kombu.exceptions.OperationalError,)

_clients: list[redis.Redis | None] = []


def client() -> redis.Redis | None:
    if not _clients:
        url = getattr(settings, "REDIS_URL", None)
        if url:
            _clients.append(
                redis.Redis.from_url(
                    url,
                    socket_timeout=settings.REDIS_TIMEOUT_SECONDS,
                    socket_connect_timeout=settings.REDIS_TIMEOUT_SECONDS,
                )
            )
        else:
            _clients.append(None)
    return _clients[0]


class ThreadConnection:
    """A connection to `client`'s Redis of each thread's own, made as the client makes its
    connections (same server, timeouts, credentials), for the small keys asked on every request
    of a kind (the configuration generation, the push-drain request): through the client, each
    call also takes a connection from the pool and checks it for unread data (a system call)
    inside redis-py's retry wrapper, about 0.1 ms more of CPU inside a request than the round
    trip itself (bench/RESULTS.md). A thread's connection lives as long as the thread (the
    server's worker threads live as long as the process); a forked process makes its own."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._local = threading.local()

    def connection(self) -> tuple[Any, bool]:
        """This thread's connection, and whether it is new (a forked process makes its own:
        the parent's socket is not its to use)."""
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            return held[1], False
        pool = self.client.connection_pool
        connection = pool.connection_class(**pool.connection_kwargs)
        self._local.held = (os.getpid(), connection)
        return connection, True

    def execute(self, *command: Any) -> Any:
        """The raw answer to one command (b"OK", bytes, None; no response callback)."""
        connection, new = self.connection()
        try:
            return self._call(connection, command)
        except redis.ConnectionError:
            if new:
                raise
            # A connection kept since an earlier request, closed meanwhile (Redis restarted, an
            # idle timeout): once more on a new one, which fails at once if Redis is down. Not
            # after a timeout, which would make a hung Redis cost it twice.
            return self._call(connection, command)

    @staticmethod
    def _call(connection: Any, command: tuple[Any, ...]) -> Any:
        try:
            connection.send_command(*command)
            return connection.read_response()
        except redis.ResponseError:  # an error answer: the connection is in step
            raise
        except BaseException:
            connection.disconnect()  # reconnects on its next use, in a known state
            raise


_thread_connections: list[ThreadConnection] = []


def thread_connection() -> ThreadConnection | None:
    """`ThreadConnection` of the process's client (None without one)."""
    current = client()
    if current is None:
        return None
    if not _thread_connections or _thread_connections[0].client is not current:
        _thread_connections[:] = [ThreadConnection(current)]
    return _thread_connections[0]


class Unavailable(Exception):
    """Redis did not answer, or is not asked because a call failed a moment ago (the back-off)."""


class Backoff:
    """Whether to ask Redis now; pure state, with the clock given (tests move it)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.delay = 0.0  # 0: reachable; else the current back-off period
        self.until = 0.0  # clock time before which Redis is not asked
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """True when a call may go to Redis. When a back-off period ends, only the first
        caller is let through (its call probes Redis); the others wait for its outcome."""
        if not self.delay:  # the usual case, without the lock
            return True
        with self._lock:
            if not self.delay:
                return True
            now = self.clock()
            if now < self.until:
                return False
            self.until = now + self.delay  # the probe's outcome sets the next period
            return True

    def failed(self) -> bool:
        """A call failed: start or double the back-off. True when Redis was reachable before."""
        with self._lock:
            first = not self.delay
            self.delay = BACKOFF_MIN_SECONDS if first else min(self.delay * 2, BACKOFF_MAX_SECONDS)
            self.until = self.clock() + self.delay
            return first

    def succeeded(self) -> bool:
        """A call succeeded: the back-off ends. True when it was on."""
        with self._lock:
            was_down = bool(self.delay)
            self.delay = self.until = 0.0
            return was_down


_backoff = Backoff()


@contextlib.contextmanager
def attempt(what: str) -> Iterator[None]:
    """Run a block that talks to Redis (this client or Celery's broker) under the back-off.
    Raises `Unavailable` at once while backing off, and in place of a connection error or
    timeout in the block, which starts or grows the back-off; a block that ends normally ends
    it. Other exceptions pass through and change nothing."""
    if not _backoff.allow():
        raise Unavailable(f"{what}: Redis is not asked for a while after it failed")
    try:
        yield
    except REDIS_ERRORS + BROKER_ERRORS as exc:
        if _backoff.failed():
            logger.warning(
                "Redis unreachable (%s: %s, %s); not asked again for %.0f s, then less often "
                "while it fails (up to every %.0f s)",
                type(exc).__name__, exc, what, _backoff.delay, BACKOFF_MAX_SECONDS,
            )  # fmt: skip
        raise Unavailable(f"{what}: {type(exc).__name__}: {exc}") from exc
    if _backoff.delay and _backoff.succeeded():
        logger.warning("Redis reachable again (%s)", what)


def publish(task: Any, *args: Any, countdown: float | None = None) -> None:
    """Hand a Celery task to the broker under the back-off, once: no retry (the callers' beat
    tasks and sweeps are the retry; Celery's default policy would wait for a hung Redis four
    times). Raises `Unavailable` when it was not handed over. Eager (no broker): runs it here."""
    options: dict[str, Any] = {"countdown": countdown}
    if args:
        options["args"] = args
    if task.app.conf.task_always_eager:
        task.apply_async(**options)
        return
    with attempt(f"publishing {task.name}"):
        task.apply_async(retry=False, **options)


def reset() -> None:
    """Forget a back-off (tests: each starts with Redis reachable)."""
    _backoff.succeeded()


class _CacheClient(django_redis.RedisCacheClient):
    """Django's Redis cache client, keeping one `redis.Redis` per connection pool.

    Django's builds a new `redis.Redis` object for every cache call (its constructor fills a
    table of ~170 response callbacks: ~0.1 ms of CPU, more than the round trip it makes). The
    object holds no connection of its own (the pool does) and is safe to share between threads.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        # Django's own (untyped in its stubs): one pool per server, chosen as Django does.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        kept = self._clients.get(id(pool))
        if kept is None:
            kept = self._clients[id(pool)] = redis.Redis(connection_pool=pool)
        return kept


class RedisCache(django_redis.RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with a client kept per connection pool
    (settings.CACHES names it when REDIS_URL is set)."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _CacheClient

    def read_many(self, keys: list[str]) -> dict[str, Any]:
        """`get_many(keys)`, as one MGET on the thread's connection (`ThreadConnection`) when
        this cache's only server is the server's own Redis (REDIS_URL), its answers decoded by
        this cache's serializer: the same keys asked, the same values returned, without the
        cache client's per-call work (a pool checkout and its check for unread data, the retry
        wrapper, the response callbacks), which cost more CPU than the round trip. Read on
        every enrollment sign-in (its throttle, `mdm_server.counters`)."""
        url = getattr(settings, "REDIS_URL", None)
        servers = self._servers  # type: ignore[attr-defined]  # Django's, untyped in its stubs
        own = thread_connection() if url and servers == [url] else None
        if own is None:
            return dict(self.get_many(keys))
        values = own.execute("MGET", *(self.make_and_validate_key(key) for key in keys))
        # Django's serializer of this cache's values (untyped in its stubs).
        loads = self._cache._serializer.loads  # type: ignore[attr-defined]  # noqa: SLF001
        return {
            key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }
