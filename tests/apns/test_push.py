"""Pushing through the fake gateway: delivery, dead tokens, retries, refused certificate, batches."""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any

import pytest
from django.utils import timezone

from apns import services, tasks
from apns.models import PendingPush, PushBatch, PushCertificate
from devices import signals
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from tests.apns.conftest import TOPIC, EnrollmentFactory
from tests.apns.fake_apns import FakeAPNs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache_keys(settings: Any) -> None:
    """Push coalescing keys live in the shared cache (Redis): give each test keys of its own
    rather than emptying a database other processes may be using."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def test_push_delivers_mdm_payload_and_logs_it(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollment = enrollment_factory()
    before = int(time.time())
    result = tasks.push_enrollment_task.delay([enrollment.pk])

    assert result.get()["delivered"] == 1
    after = int(time.time())
    (push,) = fake_apns.state.received
    assert push.token == enrollment.push_token
    assert push.payload == {"mdm": enrollment.push_magic}  # no "aps"
    assert push.headers["apns-push-type"] == "mdm"
    assert push.headers["apns-topic"] == TOPIC
    # Apple keeps an undelivered push for a day: the expiry is one day after the send.
    assert before + 86400 <= int(push.headers["apns-expiration"]) <= after + 86400
    assert push.client_subject["userId"] == TOPIC
    event = DeviceEvent.objects.get(enrollment=enrollment, kind=DeviceEvent.Kind.PUSH)
    assert event.status == "200"
    assert event.detail["apns_id"] == push.headers["apns-id"]
    enrollment.refresh_from_db()
    assert enrollment.last_push_at is not None


def test_410_marks_token_dead_and_stops_pushing(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    gone, alive = enrollment_factory(), enrollment_factory()
    fake_apns.state.script[gone.push_token] = [(410, "Unregistered")]

    report = services.push_enrollments(enrollment_ids=[gone.pk, alive.pk])

    assert report.dead == [gone.pk] and report.delivered == [alive.pk]
    gone.refresh_from_db()
    assert gone.push_token_dead and gone.push_token_dead_reason == "Unregistered"
    assert not gone.is_pushable
    event = DeviceEvent.objects.get(enrollment=gone, kind="push")
    assert event.status == "410" and event.detail["reason"] == "Unregistered"
    # No further pushes until the device sends a new token.
    assert services.schedule_pushes(enrollment_ids=[gone.pk]).scheduled == []
    services.push_enrollments(enrollment_ids=[gone.pk])
    assert fake_apns.tokens().count(gone.push_token) == 1


def test_400_bad_device_token_marks_dead(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollment = enrollment_factory()
    fake_apns.state.script[enrollment.push_token] = [(400, "BadDeviceToken")]
    services.push_enrollments(enrollment_ids=[enrollment.pk])
    enrollment.refresh_from_db()
    assert enrollment.push_token_dead
    assert enrollment.push_token_dead_reason == "BadDeviceToken"


def test_dead_marking_spares_a_token_that_changed_meanwhile(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollment = enrollment_factory()
    fake_apns.state.script[enrollment.push_token] = [(410, "Unregistered")]

    class SwapThenSend:
        """A TokenUpdate lands while the push is in flight."""

        def send(self, targets: list) -> list:  # type: ignore[type-arg]
            Enrollment.objects.filter(pk=enrollment.pk).update(push_token="ab" * 32)
            return services.sender_for(push_certificate).send(targets)

    services.push_enrollments(enrollment_ids=[enrollment.pk], sender=SwapThenSend())
    enrollment.refresh_from_db()
    assert not enrollment.push_token_dead


@pytest.mark.parametrize("status,reason", [(429, "TooManyRequests"), (500, "InternalServerError")])
def test_transient_errors_are_retried(
    status: int,
    reason: str,
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
) -> None:
    flaky, fine = enrollment_factory(), enrollment_factory()
    fake_apns.state.script[flaky.push_token] = [(status, reason), (status, reason), (200, "")]

    services.schedule_pushes(enrollment_ids=[flaky.pk, fine.pk], coalesce=False)
    # Eager mode runs after commit inside the test transaction only via the capture below.
    batch = PushBatch.objects.get()
    tasks.push_enrollments_task.apply(args=[[flaky.pk, fine.pk], batch.pk])

    assert fake_apns.tokens().count(flaky.push_token) == 3  # two failures, then delivered
    assert fake_apns.tokens().count(fine.push_token) == 1  # only the failed one went round again
    batch.refresh_from_db()
    assert (batch.sent, batch.failed, batch.status) == (2, 0, PushBatch.Status.DONE)
    statuses = list(
        DeviceEvent.objects.filter(enrollment=flaky, kind="push")
        .order_by("id")
        .values_list("status", flat=True)
    )
    assert statuses == [str(status), str(status), "200"]


def test_retry_backoff_is_exponential_with_jitter() -> None:
    delays = [services.retry_delay(n) for n in range(6)]
    for n, delay in enumerate(delays):
        base = min(services.RETRY_CAP_SECONDS, services.RETRY_BASE_SECONDS * 2**n)
        assert 0.5 * base <= delay <= 1.5 * base
    assert len({round(services.retry_delay(3), 6) for _ in range(10)}) > 1  # jittered


def test_retries_exhausted_count_as_failed(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enrollment = enrollment_factory()
    fake_apns.state.script[enrollment.push_token] = [(503, "ServiceUnavailable")]
    monkeypatch.setattr(tasks.push_enrollments_task, "max_retries", 2)
    batch = PushBatch.objects.create(total=1)

    tasks.push_enrollments_task.apply(args=[[enrollment.pk], batch.pk])

    assert fake_apns.tokens().count(enrollment.push_token) == 3
    batch.refresh_from_db()
    assert (batch.sent, batch.failed, batch.status) == (0, 1, PushBatch.Status.DONE)


def test_bad_certificate_stops_batch_and_alerts(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: object,
) -> None:
    settings.APNS_STREAMS = 1  # type: ignore[attr-defined]
    enrollments = [enrollment_factory() for _ in range(5)]
    fake_apns.state.script[enrollments[0].push_token] = [(403, "BadCertificate")]
    batch = PushBatch.objects.create(total=5)

    result = tasks.push_enrollments_task.apply(args=[[e.pk for e in enrollments], batch.pk])

    assert result.get()["certificate_error"] == "BadCertificate"
    assert fake_apns.tokens() == [enrollments[0].push_token]  # nothing sent after the 403
    batch.refresh_from_db()
    assert batch.status == PushBatch.Status.ABORTED
    assert "BadCertificate" in batch.error
    assert batch.sent == 0
    push_certificate.refresh_from_db()
    assert push_certificate.rejected_at is not None
    assert any("refused the push certificate" in a for a in services.dashboard_alerts())
    # A later delivered push clears the alert.
    fake_apns.state.script.clear()
    services.push_enrollments(enrollment_ids=[enrollments[1].pk])
    assert not any("refused" in a for a in services.dashboard_alerts())


def test_unreachable_gateway_is_retried_not_lost(
    apns_pki: object,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: object,
) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.APNS_HOST, settings.APNS_PORT = "127.0.0.1", port  # type: ignore[attr-defined]
    enrollment = enrollment_factory()
    report = services.push_enrollments(enrollment_ids=[enrollment.pk])
    assert report.retry == [enrollment.pk]
    assert DeviceEvent.objects.get(enrollment=enrollment, kind="push").status == "retry"


def test_no_certificate_aborts_the_batch_without_raising(
    enrollment_factory: EnrollmentFactory,
) -> None:
    enrollment = enrollment_factory()
    batch = PushBatch.objects.create(total=1)
    result = tasks.push_enrollments_task.apply(args=[[enrollment.pk], batch.pk])
    assert "no active APNs push certificate" in result.get()["error"]
    batch.refresh_from_db()
    assert batch.status == PushBatch.Status.ABORTED and batch.failed == 1


def _enqueued(command: Command, ids: list[int]) -> None:
    signals.commands_enqueued.send(sender=Command, command=command, enrollment_ids=ids)


def test_many_commands_at_once_give_one_push_per_enrollment(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    enrollments = [enrollment_factory() for _ in range(3)]
    unpushable = enrollment_factory(status=Enrollment.Status.PENDING)
    ids = [e.pk for e in enrollments] + [unpushable.pk]
    for n in range(5):  # five commands queued for the same enrollments, one signal each
        command = Command.objects.create(uuid=f"cmd-{n}", request_type="ProfileList", body=b"x")
        QueuedCommand.objects.bulk_create(
            QueuedCommand(enrollment_id=pk, command=command) for pk in ids
        )
        with django_capture_on_commit_callbacks(execute=True):
            _enqueued(command, ids)

    assert sorted(fake_apns.tokens()) == sorted(e.push_token for e in enrollments)
    # Once the device has connected, the next command gets its own push.
    Enrollment.objects.filter(pk=enrollments[0].pk).update(last_seen_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        _enqueued(command, ids)
    assert fake_apns.tokens().count(enrollments[0].push_token) == 2
    assert len(fake_apns.tokens()) == 4


def test_signal_before_worker_runs_is_deduplicated(
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """With a real worker the first push has not gone out yet when the next command is queued."""
    enrollment = enrollment_factory()
    scheduled = []
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=False):  # no worker has run yet
            scheduled.append(services.schedule_pushes(enrollment_ids=[enrollment.pk]).scheduled)
    assert scheduled == [[enrollment.pk], [], [], []]
    assert list(PendingPush.objects.values_list("enrollment_id", flat=True)) == [enrollment.pk]
    # Once a worker has taken it, a command queued from now on needs (and gets) its own push.
    PendingPush.objects.update(taken_at=timezone.now(), claim="a-worker")
    with django_capture_on_commit_callbacks(execute=False):
        assert services.schedule_pushes(enrollment_ids=[enrollment.pk]).scheduled == [enrollment.pk]


def test_bulk_push_batch_progress(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "CHUNK_SIZE", 4)
    enrollments = [enrollment_factory() for _ in range(10)]
    fake_apns.state.script[enrollments[3].push_token] = [(410, "Unregistered")]
    fake_apns.state.script[enrollments[4].push_token] = [(400, "BadTopic")]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.push_all()
    batch = result.batch
    assert batch is not None
    batch.refresh_from_db()
    assert (batch.total, batch.sent, batch.dead, batch.failed) == (10, 8, 1, 1)
    assert batch.status == PushBatch.Status.DONE and batch.percent == 100
    assert len(fake_apns.tokens()) == 10


def test_repush_stale_enrollments_with_pending_commands(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    old = timezone.now() - timezone.timedelta(hours=10)
    stale = enrollment_factory(last_seen_at=old)
    fresh = enrollment_factory(last_seen_at=timezone.now())
    idle = enrollment_factory(last_seen_at=old)  # nothing pending
    command = Command.objects.create(uuid="c1", request_type="DeviceInformation", body=b"x")
    QueuedCommand.objects.create(enrollment=stale, command=command)
    QueuedCommand.objects.create(enrollment=fresh, command=command)
    QueuedCommand.objects.create(
        enrollment=idle, command=command, status=QueuedCommand.Status.ACKNOWLEDGED
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.repush_stale_enrollments_task.delay().get() == 1
    assert fake_apns.tokens() == [stale.push_token]
    # Just pushed: the next run (30 minutes later) leaves it alone.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.repush_stale_enrollments_task.delay().get() == 0


def test_sweep_silent_devices(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    silent = enrollment_factory(last_seen_at=timezone.now() - timezone.timedelta(days=3))
    enrollment_factory(last_seen_at=timezone.now())
    enrollment_factory(
        last_seen_at=timezone.now() - timezone.timedelta(days=3), push_token_dead=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_silent_devices_task.delay().get() == 1
    assert fake_apns.tokens() == [silent.push_token]


def test_enqueue_command_pushes_each_enrollment_once(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from django.db import transaction

    from devices.services import enqueue_command

    enrollments = [enrollment_factory(os_version="17.4") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for request_type in ("ProfileList", "InstalledApplicationList", "SecurityInfo"):
            result = enqueue_command(enrollments=enrollments, request_type=request_type)
            assert sorted(result.queued) == sorted(e.pk for e in enrollments)
    assert QueuedCommand.objects.count() == 9
    assert sorted(fake_apns.tokens()) == sorted(e.push_token for e in enrollments)


def test_nothing_is_scheduled_without_a_certificate(
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    enrollment = enrollment_factory()
    command = Command.objects.create(uuid="cmd-none", request_type="ProfileList", body=b"x")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _enqueued(command, [enrollment.pk])
    assert callbacks == [] and not PushBatch.objects.exists()
    assert not DeviceEvent.objects.filter(kind="push").exists()


def test_bad_certificate_stops_the_other_chunks_of_the_batch(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    settings: object,
) -> None:
    settings.APNS_STREAMS = 1  # type: ignore[attr-defined]
    monkeypatch.setattr(services, "CHUNK_SIZE", 3)
    enrollments = [enrollment_factory() for _ in range(9)]
    fake_apns.state.script[enrollments[0].push_token] = [(403, "BadCertificate")]
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.push_all().batch
    assert batch is not None
    batch.refresh_from_db()
    assert fake_apns.tokens() == [enrollments[0].push_token]
    assert (batch.status, batch.sent, batch.failed) == (PushBatch.Status.ABORTED, 0, 9)


def test_fan_out_to_many_enrollments_is_chunked(
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    enrollments = [enrollment_factory() for _ in range(5)]
    dead = enrollment_factory(push_token_dead=True)
    ids = [e.pk for e in enrollments] + [dead.pk, 999_999]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.schedule_pushes(enrollment_ids=ids, origin="test")
    assert sorted(result.scheduled) == sorted(e.pk for e in enrollments)
    assert result.batch is not None and result.batch.total == 5
    rows = PendingPush.objects.order_by("enrollment_id")
    assert [(r.enrollment_id, r.batch_id) for r in rows] == [
        (e.pk, result.batch.pk) for e in enrollments
    ]
    assert len(callbacks) == 1  # one request to the workers, after commit
