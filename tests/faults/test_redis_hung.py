"""A Redis that does not answer (SIGSTOP: connections are accepted, nothing is read) or refuses
connections (killed), under the push-drain requests of enqueues (a private redis-server).

Each call that reaches such a Redis waits for the timeout (or fails at once); the back-off of
`mdm_server.redis_client` makes it one call per period, not one per request. What is counted
here is the calls that reach Redis, never the wall clock. The back-off's clock is a test clock:
it moves only when the test moves it."""

from __future__ import annotations

import logging
from typing import Any

import kombu.exceptions
import pytest

from apns import services
from apns.models import PendingPush, PushCertificate
from devices.models import QueuedCommand
from devices.services import enqueue_command
from mdm_server import redis_client
from tests.apns.conftest import EnrollmentFactory
from tests.faults.broken_redis import Broken, Clock


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
