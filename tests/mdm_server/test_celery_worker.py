"""A task round trip through a real Celery worker process on Redis (CI runs this)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from mdm_server.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


@pytest.fixture
def real_worker() -> Iterator[None]:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mdm_server", "worker", "-P", "solo",
         "-Q", "mdm-test-ping", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager
        proc.terminate()
        proc.wait(timeout=20)


def test_task_round_trip_through_real_worker(real_worker: None) -> None:
    from mdm_server.celery import ping

    result = ping.apply_async(args=[41], queue="mdm-test-ping")
    assert result.get(timeout=30) == 42
