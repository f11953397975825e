"""The Redis database index each xdist worker of a test run gets (tests/worker_env.py)."""

from __future__ import annotations

import pytest

from tests.worker_env import worker_redis_url


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "gw0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/0", "gw1", "redis://127.0.0.1:6379/2"),
        ("redis://127.0.0.1:6379", "gw0", "redis://127.0.0.1:6379/1"),
        # A run given index 6 beside one given 0: their workers never share a database.
        ("redis://127.0.0.1:6379/6", "gw0", "redis://127.0.0.1:6379/7"),
        ("redis://127.0.0.1:6379/6", "gw1", "redis://127.0.0.1:6379/8"),
        ("rediss://:pw@host:6380/3", "gw0", "rediss://:pw@host:6380/4"),
    ],
)
def test_each_worker_gets_the_next_index_after_the_run_s_own(
    url: str, worker: str, expected: str
) -> None:
    assert worker_redis_url(url, worker) == expected


@pytest.mark.parametrize(("url", "worker"), [("redis://h/15", "gw0"), ("redis://h/0", "main")])
def test_no_index_left_or_not_a_worker_is_an_error(url: str, worker: str) -> None:
    with pytest.raises(ValueError):
        worker_redis_url(url, worker)
