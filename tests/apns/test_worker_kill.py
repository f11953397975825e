"""A worker killed with SIGKILL in the middle of a push batch loses no push (acks_late).

Runs a REAL Celery worker process on Redis against the test database (PostgreSQL), the fake
gateway answering slowly so the batch is still running when the worker dies.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apns import tasks
from apns.models import PushBatch, PushCertificate
from bench.stack import stop_process
from devices.models import DeviceEvent
from mdm_server.celery import app as celery_app
from tests.apns.conftest import EnrollmentFactory
from tests.apns.fake_apns import FakeAPNs
from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "mdm-test-apns-kill"
pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def start_worker(fake_apns: FakeAPNs) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a shared database (PostgreSQL)")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "APNS_HOST": "127.0.0.1",
        "APNS_PORT": str(fake_apns.port),
        "APNS_CA_FILE": str(settings.APNS_CA_FILE),
        "SECRET_KEY": settings.SECRET_KEY,
        "MDM_ENCRYPTION_KEY": settings.ENCRYPTION_KEY,
        "TEST_APNS_STREAMS": "4",
        "TEST_VISIBILITY_TIMEOUT": "3",
    }
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.apns.worker_app", "worker",
             "-P", "solo", "-Q", QUEUE, "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(proc)
        return proc

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    # Nothing of an earlier run may linger in this test's queue.
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = eager
        for proc in started:
            stop_process(proc, timeout=15)


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_killed_worker_mid_batch_loses_no_push(
    start_worker: Callable[[], subprocess.Popen[bytes]],
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
) -> None:
    fake_apns.state.delay = 0.05  # 4 streams x 20 answers/s: the batch takes ~2.5 s
    enrollments = [enrollment_factory() for _ in range(200)]
    ids = [e.pk for e in enrollments]
    batch = PushBatch.objects.create(total=len(ids), origin="kill test")

    first = start_worker()
    tasks.push_enrollments_task.apply_async(args=[ids, batch.pk], queue=QUEUE)
    _wait(lambda: len(fake_apns.state.received) >= 20, 60, "the first worker to start pushing")
    first.kill()  # SIGKILL: no chance to ack, requeue or clean up
    first.wait(timeout=10)
    sent_before_kill = {r.token for r in fake_apns.state.received}
    assert len(sent_before_kill) < len(ids), "the batch finished before the kill"

    start_worker()
    _wait(
        lambda: PushBatch.objects.get(pk=batch.pk).status != PushBatch.Status.RUNNING,
        90,
        "the second worker to finish the batch",
    )
    received = {r.token for r in fake_apns.state.received}
    assert received == {e.push_token for e in enrollments}
    batch.refresh_from_db()
    assert (batch.status, batch.sent, batch.failed) == (PushBatch.Status.DONE, 200, 0)
    assert DeviceEvent.objects.filter(kind="push", status="200").count() == 200
