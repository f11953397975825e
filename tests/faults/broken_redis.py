"""A private redis-server that a fault test breaks (SIGSTOP: connections are accepted, nothing
is read; or killed), wired to this process's Redis client and Celery's publish, with every call
that reaches it recorded; and the test clock of the Redis back-off. The fixtures `broken` and
`clock` are found by name through tests/faults/conftest.py."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from apns import tasks
from mdm_server import config_cache, redis_client
from mdm_server.celery import app as celery_app
from tests.faults.services import PrivateRedis


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Broken:
    """A private redis-server that this process's client and Celery's publish both use, with
    every call that reaches it recorded (`calls`: what, and the error it raised if any)."""

    def __init__(self, server: PrivateRedis, monkeypatch: pytest.MonkeyPatch) -> None:
        self.server = server
        self.calls: list[tuple[str, str | None]] = []
        self.stopped = False
        monkeypatch.setattr(redis_client, "_clients", [])
        monkeypatch.setattr(config_cache, "_stores", [])
        from django.conf import settings

        monkeypatch.setattr(settings, "REDIS_URL", server.url)
        monkeypatch.setattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
        client = redis_client.client()
        assert client is not None and client.ping()
        # The settings' bounds, as every server process has them.
        assert client.connection_pool.connection_kwargs["socket_timeout"] == 2.0
        self._record(monkeypatch, client, "execute_command", lambda args: f"redis {args[0]}")
        # The configuration generation and the drain request go through connections of each
        # thread's own (redis_client.ThreadConnection).
        monkeypatch.setattr(redis_client, "_thread_connections", [])
        self._record(
            monkeypatch, redis_client.ThreadConnection, "execute", lambda a: f"redis {a[1]}"
        )
        # Celery's real publish, to this Redis (with the broker settings of every process).
        self.broker = celery_app.connection_for_write(server.url)
        self.monkeypatch = monkeypatch
        self.record_publish(tasks.drain_push_outbox_task)

    def record_publish(self, task: Any) -> None:
        """Send `task`'s messages to this Redis, each publish recorded as "publish"."""
        publish = task.apply_async
        self.monkeypatch.setattr(
            task,
            "apply_async",
            self._recorded(
                lambda *a, **kw: publish(*a, connection=self.broker, **kw), lambda _a: "publish"
            ),
        )

    def _record(
        self,
        monkeypatch: pytest.MonkeyPatch,
        owner: Any,
        name: str,
        label: Callable[[tuple[Any, ...]], str],
    ) -> None:
        monkeypatch.setattr(owner, name, self._recorded(getattr(owner, name), label))

    def _recorded(
        self, real: Callable[..., Any], label: Callable[[tuple[Any, ...]], str]
    ) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            call = label(args)
            try:
                result = real(*args, **kwargs)
            except Exception as exc:
                self.calls.append((call, type(exc).__name__))
                raise
            self.calls.append((call, None))
            return result

        return recorded

    def hang(self) -> None:
        assert self.server.proc is not None
        os.kill(self.server.proc.pid, signal.SIGSTOP)
        self.stopped = True

    def resume(self) -> None:
        assert self.server.proc is not None
        os.kill(self.server.proc.pid, signal.SIGCONT)
        self.stopped = False

    def direct(self) -> redis.Redis:
        """A client of the test's own, outside the back-off."""
        return redis.Redis.from_url(self.server.url, socket_timeout=5)


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> Iterator[Broken]:
    server = PrivateRedis()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # publish, as a server process does
    try:
        state = Broken(server, monkeypatch)
        try:
            yield state
        finally:
            if state.stopped:
                state.resume()
            state.broker.release()
    finally:
        celery_app.conf.task_always_eager = eager
        server.destroy()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(redis_client._backoff, "clock", clock)
    return clock
