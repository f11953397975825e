"""A Celery worker killed with SIGKILL in the middle of a push batch, with production settings.

Real processes: a worker on Redis against the test database, Celery beat with the production
schedule, the fake gateway answering slowly so the batch is still going when the worker dies.
The rest of the batch goes out well within two minutes (the outbox takes back the dead
worker's rows once its claim is stale), no device gets the same push twice from the batch (what
the dead worker had handed to APNs is not sent again), and none is lost: a push whose outcome is
unknown becomes a follow-up push, which the test brings forward (the clock moved) and sees sent.
"""

from __future__ import annotations

import collections
import datetime as dt
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apns import services
from apns.models import PendingPush, PushBatch, PushCertificate
from devices.models import DeviceEvent
from mdm_server.celery import app as celery_app
from tests.apns.conftest import EnrollmentFactory
from tests.apns.fake_apns import FakeAPNs
from tests.faults.conftest import CeleryProcesses, seen_a_minute_ago
from tests.faults.services import record_figures, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

BOUND_SECONDS = 120  # the spec: the rest of the batch goes out within two minutes


@pytest.mark.django_db(transaction=True)
def test_killed_worker_mid_batch_sends_no_push_twice_and_loses_none(
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
    ids = [e.pk for e in enrollments]
    seen_a_minute_ago(ids)  # every push the gateway sees while the test runs is the batch's
    # Slow pushing: few streams, as a busy gateway would make it.
    first = celery_processes.worker(redis_url, APNS_STREAMS="4")
    celery_processes.beat(redis_url)

    with transaction.atomic():
        batch = services.schedule_pushes(enrollment_ids=ids, origin="kill test", track=True).batch
    assert batch is not None
    wait_until(lambda: len(fake_apns.state.received) >= 20, 60, "the worker to start pushing")
    first.kill()  # SIGKILL: no chance to ack, requeue or clean up
    first.wait(timeout=10)
    killed_at = time.monotonic()
    time.sleep(0.5)  # the gateway answers (and logs) what was in flight when the worker died
    sent_by_first = collections.Counter(r.token for r in fake_apns.state.received)
    assert sum(sent_by_first.values()) < len(enrollments), "the batch finished before the kill"
    celery_processes.worker(redis_url, APNS_STREAMS="4")
    wait_until(
        lambda: PushBatch.objects.get(pk=batch.pk).status != PushBatch.Status.RUNNING,
        BOUND_SECONDS,
        "another worker to finish the batch",
    )
    finished_after = time.monotonic() - killed_at

    batch.refresh_from_db()
    assert (batch.status, batch.failed) == (PushBatch.Status.DONE, 0)
    assert batch.sent + batch.unknown == len(enrollments)
    # Only the dead worker's last chunk can be of unknown outcome: at most APNS_STREAMS pushes.
    assert batch.unknown <= 4
    received = collections.Counter(r.token for r in fake_apns.state.received)
    duplicated = {token for token, n in received.items() if n > 1}
    assert duplicated == set()  # no device got the same push twice from the batch
    recorded = collections.Counter(
        DeviceEvent.objects.filter(kind="push", status="200").values_list(
            "enrollment_id", flat=True
        )
    )
    assert set(recorded.values()) == {1} and len(recorded) == batch.sent
    unknown = set(
        DeviceEvent.objects.filter(kind="push", status=services.UNKNOWN_OUTCOME).values_list(
            "enrollment_id", flat=True
        )
    )
    assert len(unknown) == batch.unknown and not unknown & set(recorded)
    # Nothing lost: every device got its push, or is waiting for the follow-up push.
    follow_ups = set(
        PendingPush.objects.filter(batch=None, unknown_since__isnull=False).values_list(
            "enrollment_id", flat=True
        )
    )
    assert follow_ups == unknown
    by_token = {e.push_token: e.pk for e in enrollments}
    lost = {e.pk for e in enrollments} - {by_token[t] for t in received} - follow_ups
    assert lost == set()
    assert PendingPush.objects.count() == len(follow_ups)
    assert finished_after < BOUND_SECONDS

    # The follow-up: APNS_UNKNOWN_REPUSH_MINUTES later (the clock moved), the devices that have
    # not connected are pushed again, by the beat sweep, outside the batch.
    pushed_before = len(fake_apns.state.received)
    PendingPush.objects.update(available_at=timezone.now() - dt.timedelta(seconds=1))
    wait_until(lambda: not PendingPush.objects.exists(), BOUND_SECONDS, "the follow-up pushes")
    follow_up_tokens = [r.token for r in fake_apns.state.received[pushed_before:]]
    assert sorted(by_token[t] for t in follow_up_tokens) == sorted(unknown)
    record_figures(
        "worker_kill",
        {
            "pushes": len(enrollments),
            "sent_by_killed_worker": sum(sent_by_first.values()),
            "outcome_unknown": len(unknown),
            "outcome_unknown_received_by_gateway": len(
                {t for t in sent_by_first if by_token[t] in unknown}
            ),
            "lost": len(lost),
            "duplicated_in_batch": len(duplicated),
            "recorded_twice": sum(1 for n in recorded.values() if n > 1),
            "follow_up_pushed": len(follow_up_tokens),
            "seconds_from_kill_to_done": round(finished_after, 1),
            "reclaim_seconds": settings.APNS_OUTBOX_RECLAIM_SECONDS,
            "sweep_seconds": settings.APNS_OUTBOX_SWEEP_SECONDS,
            "unknown_repush_minutes": settings.APNS_UNKNOWN_REPUSH_MINUTES,
            "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
        },
    )
