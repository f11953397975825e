"""The Redis back-off (`mdm_server.redis_client`): after a failed call the process leaves Redis
alone for a while, growing while it keeps failing, and says so once per change."""

from __future__ import annotations

import logging

import pytest
import redis

from mdm_server import redis_client
from mdm_server.redis_client import BACKOFF_MAX_SECONDS, BACKOFF_MIN_SECONDS, Backoff


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_period_starts_short_doubles_while_failing_and_is_bounded() -> None:
    clock = Clock()
    backoff = Backoff(clock)
    assert backoff.allow()
    periods = []
    for _ in range(8):
        backoff.failed()
        periods.append(backoff.delay)
        assert not backoff.allow()  # within the period: nobody asks Redis
        clock.now = backoff.until
    assert periods == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert periods[0] == BACKOFF_MIN_SECONDS and max(periods) == BACKOFF_MAX_SECONDS
    assert backoff.allow()  # the period is over: one probe
    assert backoff.succeeded()
    assert backoff.allow() and backoff.delay == 0.0
    backoff.failed()  # failing again starts from the shortest period
    assert backoff.delay == BACKOFF_MIN_SECONDS


def test_when_a_period_ends_only_one_caller_probes_redis() -> None:
    clock = Clock()
    backoff = Backoff(clock)
    backoff.failed()
    clock.now = backoff.until
    assert [backoff.allow() for _ in range(5)] == [True, False, False, False, False]


def test_attempt_logs_each_change_once_and_skips_redis_while_backing_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    monkeypatch.setattr(redis_client, "_backoff", Backoff(clock))
    entered: list[str] = []

    def call(outcome: Exception | None) -> bool:
        """True when the block ran and succeeded."""
        try:
            with redis_client.attempt("a test call"):
                entered.append("in")
                if outcome is not None:
                    raise outcome
        except redis_client.Unavailable:
            return False
        return True

    caplog.set_level(logging.WARNING, logger="mdm_server.redis_client")
    assert call(None)
    assert not call(redis.TimeoutError("Timeout reading from socket"))
    for _ in range(5):
        assert not call(None)  # at once, without running the block
    assert len(entered) == 2
    clock.now += BACKOFF_MIN_SECONDS
    assert not call(redis.ConnectionError("Connection refused"))  # the probe fails: longer
    clock.now += BACKOFF_MIN_SECONDS
    assert not call(None) and len(entered) == 3
    clock.now += BACKOFF_MIN_SECONDS
    assert call(None) and call(None)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0].startswith("Redis unreachable (TimeoutError: Timeout reading from socket")
    assert messages[1].startswith("Redis reachable again")


def test_an_error_that_is_not_about_reaching_redis_passes_through_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(redis_client, "_backoff", Backoff(Clock()))
    with pytest.raises(redis.ResponseError), redis_client.attempt("a test call"):
        raise redis.ResponseError("WRONGTYPE")
    assert redis_client._backoff.allow() and redis_client._backoff.delay == 0.0


def test_a_publish_is_tried_once_without_retry_and_falls_under_the_back_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`publish` is how the server hands a task to the broker after a request (push drains,
    managed-app installs): Celery's own retries would wait for a hung Redis four times."""
    import kombu.exceptions

    from devices.managed_apps import tasks
    from mdm_server.celery import app as celery_app

    monkeypatch.setattr(redis_client, "_backoff", Backoff(Clock()))
    calls: list[dict[str, object]] = []

    def refused(**options: object) -> None:
        calls.append(options)
        raise kombu.exceptions.OperationalError("Timeout reading from socket")

    monkeypatch.setattr(tasks.release_enrollment, "apply_async", refused)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        for _ in range(3):
            with pytest.raises(redis_client.Unavailable):
                redis_client.publish(tasks.release_enrollment, 7, None)
    finally:
        celery_app.conf.task_always_eager = eager
    assert calls == [{"args": (7, None), "countdown": None, "retry": False}]


def test_the_cache_keeps_one_redis_client_and_still_stores() -> None:
    """The cache backend (settings.CACHES with REDIS_URL) reuses its `redis.Redis` object
    instead of building one per call, and reads back what it wrote."""
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (tests/run starts a redis-server)")
    backend = redis_client.RedisCache(url, {"KEY_PREFIX": "test-cache-client"})
    client = backend._cache.get_client(write=True)
    assert isinstance(client, redis.Redis)
    assert backend._cache.get_client(write=False) is client
    backend.set("k", {"v": 1}, 30)
    assert backend.get_many(["k", "missing"]) == {"k": {"v": 1}}
    assert backend.add("n", 1, 30)
    assert backend.incr("n") == 2
    backend.delete_many(["k", "n"])
    assert backend._cache.get_client() is client
