"""A Redis that does not answer (SIGSTOP: connections are accepted, nothing is read) or refuses
connections (killed), under the push-drain requests of enqueues (a private redis-server).

Each call that reaches such a Redis waits for the timeout (or fails at once); the back-off of
`mdm_server.redis_client` makes it one call per period, not one per request. What is counted
here is the calls that reach Redis, never the wall clock. The back-off's clock is a test clock:
it moves only when the test moves it."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

import kombu.exceptions
import pytest
import redis

from apns import services, tasks
from apns.models import PendingPush, PushCertificate
from devices.models import QueuedCommand
from devices.services import enqueue_command
from mdm_server import config_cache, redis_client
from mdm_server.celery import app as celery_app
from tests.apns.conftest import EnrollmentFactory
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
        # Celery's real publish, to this Redis (with the broker settings of every process).
        self.broker = celery_app.connection_for_write(server.url)
        publish = tasks.drain_push_outbox_task.apply_async
        monkeypatch.setattr(
            tasks.drain_push_outbox_task,
            "apply_async",
            self._recorded(
                lambda **kw: publish(connection=self.broker, **kw), lambda _a: "publish"
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


def _enqueue(enrollment: Any, capture: Any) -> None:
    with capture(execute=True):  # the drain request runs once the enqueue commits
        enqueue_command(enrollments=[enrollment], request_type="ProfileList")


@pytest.mark.parametrize("fault", ["hung", "refusing"])
@pytest.mark.django_db
def test_enqueues_while_redis_is_broken_wait_for_it_once_and_ask_again_once_it_is_back(
    fault: str,
    broken: Broken,
    clock: Clock,
    enrollment_factory: EnrollmentFactory,
    push_certificate: PushCertificate,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="mdm_server.redis_client")
    enrollments = [enrollment_factory() for _ in range(7)]
    assert broken.calls == []
    if fault == "hung":
        broken.hang()
    else:
        broken.server.stop()

    for enrollment in enrollments[:5]:
        _enqueue(enrollment, django_capture_on_commit_callbacks)

    # One call reached Redis and failed (the hung one after its timeout); the other requests
    # returned at once, without asking it.
    error = "TimeoutError" if fault == "hung" else "ConnectionError"
    assert broken.calls == [("redis SET", error)]
    # Nothing is lost: the commands and their pushes wait in PostgreSQL.
    assert QueuedCommand.objects.filter(enrollment__in=enrollments[:5]).count() == 5
    assert PendingPush.objects.filter(enrollment__in=enrollments[:5]).count() == 5

    if fault == "hung":
        broken.resume()
    else:
        broken.server.start()
    direct = broken.direct()
    direct.delete(services.DRAIN_REQUESTED_KEY)  # what the hung call had sent lands on resume
    _enqueue(enrollments[5], django_capture_on_commit_callbacks)
    assert len(broken.calls) == 1  # still within the back-off period: not asked yet
    assert direct.get(services.DRAIN_REQUESTED_KEY) is None

    clock.now = redis_client._backoff.until  # the period is over
    _enqueue(enrollments[6], django_capture_on_commit_callbacks)
    assert broken.calls[1:] == [("redis SET", None), ("publish", None)]
    assert direct.get(services.DRAIN_REQUESTED_KEY) == b"1"  # the drain is requested again
    assert direct.llen("mdm") == 1  # and its task waits in the broker for a worker
    assert PendingPush.objects.filter(enrollment__in=enrollments).count() == 7
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages  # once per change, not per request
    assert messages[0].startswith(f"Redis unreachable ({error}")
    assert messages[1].startswith("Redis reachable again")


@pytest.mark.parametrize("fault", ["hung", "refusing"])
@pytest.mark.django_db
def test_celery_publish_to_a_broken_redis_is_bounded_and_backs_off_too(
    fault: str, broken: Broken, clock: Clock
) -> None:
    """A fan-out asks several workers without the Redis mark: Celery's publish itself reaches
    the broken Redis. Without the bounds in settings it would wait for ever (hung) or retry its
    connection for seconds; here the first publish fails and no other is tried."""
    if fault == "hung":
        broken.hang()
    else:
        broken.server.stop()
    for _ in range(3):
        services.request_drain(workers=3)  # never raises
    assert broken.calls == [("publish", kombu.exceptions.OperationalError.__name__)]
    clock.now = redis_client._backoff.until
    services.request_drain(workers=3)  # the probe: still broken, the period grows
    assert len(broken.calls) == 2 and redis_client._backoff.delay == 2.0
    if fault == "hung":
        broken.resume()
    else:
        broken.server.start()
    clock.now = redis_client._backoff.until
    services.request_drain(workers=3)
    assert broken.calls[2:] == [("publish", None)] * 3
    assert broken.direct().llen("mdm") == 3


@pytest.mark.django_db
def test_sign_in_counters_wait_for_a_hung_redis_once_then_count_here(
    broken: Broken, clock: Clock, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sign-in failure counters live in Django's cache (the same Redis): bounded by the
    settings' timeout, and under the same back-off, so a hung Redis costs one sign-in its
    timeout and the next ones count in this process at once."""
    from django.core.cache import cache

    from mdm_server import counters

    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": broken.server.url}}
    assert settings.CACHES["default"]["OPTIONS"]["socket_timeout"] == 2.0
    calls: list[tuple[str, str | None]] = []

    class Recorded:
        def __getattr__(self, name: str) -> Any:
            real = getattr(cache, name)

            def call(*args: Any, **kwargs: Any) -> Any:
                try:
                    result = real(*args, **kwargs)
                except Exception as exc:
                    calls.append((name, type(exc).__name__))
                    raise
                calls.append((name, None))
                return result

            return call

    monkeypatch.setattr(counters, "cache", Recorded())
    counter = counters.WindowCounter("hung-redis", 60)
    assert counter.incr("alice") == 1
    assert calls == [("add", None)]  # counted in Redis
    calls.clear()
    broken.hang()
    assert [counter.incr("bob") for _ in range(5)] == [1, 2, 3, 4, 5]  # counted here
    assert calls == [("add", "TimeoutError")]
    broken.resume()
    clock.now = redis_client._backoff.until
    assert counter.incr("carol") == 1
    assert calls[1:] == [("add", None)]
    assert broken.direct().exists(":1:carol") == 1  # counted in Redis again
