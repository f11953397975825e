"""A Celery worker killed with SIGKILL in the middle of a push batch, with production settings.

Real processes: a worker on Redis against the test database, Celery beat with the production
schedule, the fake gateway answering slowly so the batch is still going when the worker dies.
The rest of the batch goes out well within two minutes (the outbox takes back the dead
worker's rows once its claim is stale), and no push APNs answered is sent again.
"""

from __future__ import annotations

import collections
import time

import pytest
from django.conf import settings
from django.db import transaction

from apns import services
from apns.models import PendingPush, PushBatch, PushCertificate
from devices.models import DeviceEvent
from mdm_server.celery import app as celery_app
from tests.apns.conftest import EnrollmentFactory
from tests.apns.fake_apns import FakeAPNs
from tests.faults.conftest import CeleryProcesses
from tests.faults.services import record_figures, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

BOUND_SECONDS = 120  # the spec: the rest of the batch goes out within two minutes


@pytest.mark.django_db(transaction=True)
def test_killed_worker_mid_batch_loses_and_repeats_no_push(
    celery_processes: CeleryProcesses,
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
) -> None:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    redis_url = settings.REDIS_URL
    with celery_app.connection_for_write() as conn:  # nothing of an earlier run may linger
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    fake_apns.state.delay = 0.05  # 4 streams x 20 answers/s: the batch takes ~2.5 s
    enrollments = [enrollment_factory() for _ in range(200)]
    # Slow pushing: few streams, as a busy gateway would make it.
    first = celery_processes.worker(redis_url, APNS_STREAMS="4")
    celery_processes.beat(redis_url)

    with transaction.atomic():
        batch = services.schedule_pushes(
            enrollment_ids=[e.pk for e in enrollments], origin="kill test", track=True
        ).batch
    assert batch is not None
    wait_until(lambda: len(fake_apns.state.received) >= 20, 60, "the worker to start pushing")
    first.kill()  # SIGKILL: no chance to ack, requeue or clean up
    first.wait(timeout=10)
    killed_at = time.monotonic()
    time.sleep(0.5)  # the gateway answers (and logs) what was in flight when the worker died
    sent_by_first = collections.Counter(r.token for r in fake_apns.state.received)
    assert sum(sent_by_first.values()) < len(enrollments), "the batch finished before the kill"
    # What the dead worker sent without recording APNs' answer: the server cannot know whether
    # it arrived (the answer never reached it, or died with the process).
    unrecorded = set(
        PendingPush.objects.filter(batch=batch).values_list("enrollment__push_token", flat=True)
    )
    unknown = unrecorded & set(sent_by_first)

    celery_processes.worker(redis_url, APNS_STREAMS="4")
    wait_until(
        lambda: PushBatch.objects.get(pk=batch.pk).status != PushBatch.Status.RUNNING,
        BOUND_SECONDS,
        "another worker to finish the batch",
    )
    finished_after = time.monotonic() - killed_at

    batch.refresh_from_db()
    assert (batch.status, batch.sent, batch.failed) == (PushBatch.Status.DONE, 200, 0)
    received = collections.Counter(r.token for r in fake_apns.state.received)
    lost = {e.push_token for e in enrollments} - set(received)
    assert lost == set()
    # Every push is recorded once: nothing APNs answered was sent again.
    recorded = collections.Counter(
        DeviceEvent.objects.filter(kind="push", status="200").values_list(
            "enrollment_id", flat=True
        )
    )
    assert sorted(recorded) == sorted(e.pk for e in enrollments)
    assert set(recorded.values()) == {1}
    # At the gateway, only a push whose answer the dead worker had not recorded arrives twice;
    # what it had recorded is never sent again.
    repeated = {token for token, n in received.items() if n > 1}
    assert repeated <= unknown
    assert all(received[token] == 1 for token in set(sent_by_first) - unknown)
    assert not PendingPush.objects.exists()
    assert finished_after < BOUND_SECONDS
    record_figures(
        "worker_kill",
        {
            "pushes": len(enrollments),
            "sent_by_killed_worker": sum(sent_by_first.values()),
            "sent_by_killed_worker_unrecorded": len(unknown),
            "lost": len(lost),
            "recorded_twice": sum(1 for n in recorded.values() if n > 1),
            "recorded_then_sent_again": len(repeated - unknown),
            "unrecorded_sent_again": len(repeated),
            "seconds_from_kill_to_done": round(finished_after, 1),
            "reclaim_seconds": settings.APNS_OUTBOX_RECLAIM_SECONDS,
            "sweep_seconds": settings.APNS_OUTBOX_SWEEP_SECONDS,
            "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
        },
    )
