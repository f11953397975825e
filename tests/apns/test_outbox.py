"""The push outbox: pushes are rows in the database until APNs has answered for them."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from apns import client, services
from apns.models import PendingPush, PushBatch, PushCertificate
from devices.models import DeviceEvent
from devices.services import enqueue_command
from tests.apns.conftest import EnrollmentFactory
from tests.apns.fake_apns import FakeAPNs

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs in the worker."""


class DiesAfter:
    """The real sender, but the process 'dies' once `n` answers have come back."""

    def __init__(self, inner: client.PushSender, n: int) -> None:
        self.inner, self.n, self.answers = inner, n, 0

    def send(
        self,
        targets: Sequence[client.PushTarget],
        on_outcome: Callable[[client.PushOutcome], None] | None = None,
    ) -> list[client.PushOutcome]:
        answered = []
        for target in targets:
            (outcome,) = self.inner.send([target])
            if on_outcome is not None:
                on_outcome(outcome)
            answered.append(outcome)
            self.answers += 1  # over the whole drain: one send per chunk
            if self.answers == self.n:
                raise Killed
        return answered


def test_enqueue_writes_the_push_in_the_same_transaction(
    push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollments = [enrollment_factory(os_version="17.4") for _ in range(3)]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_command(enrollments=enrollments, request_type="ProfileList")
        raise RuntimeError("the caller fails after queueing")
    assert not PendingPush.objects.exists()  # rolled back with the commands

    with transaction.atomic():
        result = enqueue_command(enrollments=enrollments, request_type="ProfileList")
    rows = PendingPush.objects.order_by("enrollment_id")
    assert [r.enrollment_id for r in rows] == sorted(result.queued)
    assert all(r.taken_at is None and r.attempts == 0 for r in rows)


def test_drain_pushes_each_row_once_and_empties_the_outbox(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollments = [enrollment_factory() for _ in range(4)]
    fake_apns.state.script[enrollments[1].push_token] = [(410, "Unregistered")]
    result = services.schedule_pushes(enrollment_ids=[e.pk for e in enrollments])
    assert result.batch is not None

    report = services.drain_outbox()

    assert (report.taken, report.delivered, report.dead) == (4, 3, 1)
    assert sorted(fake_apns.tokens()) == sorted(e.push_token for e in enrollments)
    assert not PendingPush.objects.exists()
    result.batch.refresh_from_db()
    assert (result.batch.sent, result.batch.dead, result.batch.status) == (3, 1, "done")
    assert services.drain_outbox().taken == 0


def test_transient_failure_waits_its_backoff_in_the_outbox(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollment = enrollment_factory()
    fake_apns.state.script[enrollment.push_token] = [(503, "ServiceUnavailable"), (200, "")]
    services.schedule_pushes(enrollment_ids=[enrollment.pk])
    before = timezone.now()

    report = services.drain_outbox(wait_between_retries=True)

    assert (report.delivered, report.retry_later) == (0, 1)
    row = PendingPush.objects.get()
    assert row.taken_at is None and row.attempts == 1
    low = services.RETRY_BASE_SECONDS * 0.5
    assert row.available_at >= before + dt.timedelta(seconds=low)
    assert services.drain_outbox().taken == 0  # not due yet
    PendingPush.objects.update(available_at=timezone.now())  # the backoff has passed
    assert services.drain_outbox().delivered == 1
    assert fake_apns.tokens() == [enrollment.push_token] * 2
    assert not PendingPush.objects.exists()


def test_retries_exhausted_leave_the_outbox_as_failed(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollment = enrollment_factory()
    fake_apns.state.script[enrollment.push_token] = [(503, "ServiceUnavailable")]
    result = services.schedule_pushes(enrollment_ids=[enrollment.pk], track=True)

    report = services.drain_outbox(wait_between_retries=False)

    assert fake_apns.tokens().count(enrollment.push_token) == services.MAX_RETRIES + 1
    assert report.failed == 1 and not PendingPush.objects.exists()
    assert result.batch is not None
    result.batch.refresh_from_db()
    assert (result.batch.failed, result.batch.status) == (1, "done")


def _kill_mid_batch(
    push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory, settings: Any
) -> tuple[list[Any], PushBatch]:
    """Six pushes in chunks of two (APNS_STREAMS); the worker dies once three are answered:
    the first chunk and one push of the second are recorded, the second push of the second
    chunk was handed to APNs (the chunk's mark committed) and never answered, the third chunk
    was never handed over. Then the dead worker's claim goes stale."""
    settings.APNS_STREAMS = 2
    enrollments = [enrollment_factory() for _ in range(6)]
    result = services.schedule_pushes(enrollment_ids=[e.pk for e in enrollments])
    assert result.batch is not None

    with pytest.raises(Killed):
        services.drain_outbox(sender=DiesAfter(services.sender_for(push_certificate), 3))

    left = PendingPush.objects.order_by("enrollment_id")
    assert [r.enrollment_id for r in left] == [e.pk for e in enrollments[3:]]
    assert all(r.taken_at is not None for r in left)  # still claimed by the dead worker
    assert [r.sent_at is not None for r in left] == [True, False, False]
    assert services.drain_outbox().taken == 0  # a fresh claim is not taken from a live worker
    reclaim = settings.APNS_OUTBOX_RECLAIM_SECONDS
    PendingPush.objects.update(taken_at=timezone.now() - dt.timedelta(seconds=reclaim + 1))
    return enrollments, result.batch


def test_a_worker_killed_mid_batch_resends_only_what_it_never_handed_over(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: Any,
) -> None:
    enrollments, batch = _kill_mid_batch(push_certificate, enrollment_factory, settings)
    unknown = enrollments[3]

    report = services.drain_outbox()

    assert (report.taken, report.delivered) == (2, 2)
    # Once each at the gateway; the push handed over without an answer is not sent again.
    expected = [e.push_token for e in enrollments if e is not unknown]
    assert sorted(fake_apns.tokens()) == sorted(expected)
    batch.refresh_from_db()
    assert (batch.sent, batch.unknown, batch.status) == (5, 1, PushBatch.Status.DONE)
    assert DeviceEvent.objects.filter(kind="push", status="200").count() == 5
    event = DeviceEvent.objects.get(kind="push", status=services.UNKNOWN_OUTCOME)
    assert event.enrollment_id == unknown.pk and event.detail["batch"] == batch.pk
    # Not lost: a follow-up push outside the batch, due APNS_UNKNOWN_REPUSH_MINUTES after the
    # push was handed over.
    follow_up = PendingPush.objects.get()
    assert (follow_up.enrollment_id, follow_up.batch_id) == (unknown.pk, None)
    assert follow_up.unknown_since is not None and follow_up.sent_at is None
    delay = dt.timedelta(minutes=settings.APNS_UNKNOWN_REPUSH_MINUTES)
    assert follow_up.available_at == follow_up.unknown_since + delay
    assert services.drain_outbox().taken == 0  # not due yet


def test_the_follow_up_of_an_unknown_outcome_pushes_a_silent_device_again(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: Any,
) -> None:
    enrollments, _batch = _kill_mid_batch(push_certificate, enrollment_factory, settings)
    services.drain_outbox()
    before = len(fake_apns.tokens())
    # The delay has passed (the clock moved) and the device has not connected.
    PendingPush.objects.update(available_at=timezone.now() - dt.timedelta(seconds=1))

    report = services.drain_outbox()

    assert (report.taken, report.delivered) == (1, 1)
    assert fake_apns.tokens()[before:] == [enrollments[3].push_token]
    assert not PendingPush.objects.exists()


def test_the_follow_up_is_dropped_when_the_device_connected_meanwhile(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: Any,
) -> None:
    enrollments, _batch = _kill_mid_batch(push_certificate, enrollment_factory, settings)
    services.drain_outbox()
    before = len(fake_apns.tokens())
    type(enrollments[3]).objects.filter(pk=enrollments[3].pk).update(last_seen_at=timezone.now())
    PendingPush.objects.update(available_at=timezone.now() - dt.timedelta(seconds=1))

    report = services.drain_outbox()

    assert report.taken == 0
    assert len(fake_apns.tokens()) == before
    assert not PendingPush.objects.exists()


def test_a_waiting_follow_up_does_not_hold_back_a_new_push(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: Any,
) -> None:
    enrollments, _batch = _kill_mid_batch(push_certificate, enrollment_factory, settings)
    services.drain_outbox()
    type(enrollments[3]).objects.filter(pk=enrollments[3].pk).update(last_push_at=None)

    result = services.schedule_pushes(enrollment_ids=[enrollments[3].pk])

    assert result.scheduled == [enrollments[3].pk]


class Slow:
    """The real sender, taking longer than the drain's budget over its first chunk."""

    def __init__(self, inner: client.PushSender, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds

    def send(
        self,
        targets: Sequence[client.PushTarget],
        on_outcome: Callable[[client.PushOutcome], None] | None = None,
    ) -> list[client.PushOutcome]:
        time.sleep(self.seconds)
        self.seconds = 0.0
        return self.inner.send(targets, on_outcome=on_outcome)


def test_no_chunk_starts_after_the_drain_budget_the_rest_goes_back_untouched(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: Any,
) -> None:
    settings.APNS_STREAMS = 1
    enrollments = [enrollment_factory() for _ in range(3)]
    services.schedule_pushes(enrollment_ids=[e.pk for e in enrollments])
    slow = Slow(services.sender_for(push_certificate), 0.5)

    report = services.drain_outbox(budget_seconds=0.2, sender=slow)

    assert (report.taken, report.delivered) == (3, 1)
    assert fake_apns.tokens() == [enrollments[0].push_token]
    left = list(PendingPush.objects.order_by("enrollment_id"))
    assert [r.enrollment_id for r in left] == [e.pk for e in enrollments[1:]]
    assert all((r.taken_at, r.claim, r.sent_at, r.attempts) == (None, "", None, 0) for r in left)
    assert services.drain_outbox().delivered == 2


def test_an_answered_retry_is_sent_again_despite_its_mark(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollment = enrollment_factory()
    fake_apns.state.script[enrollment.push_token] = [(503, "ServiceUnavailable"), (200, "")]
    services.schedule_pushes(enrollment_ids=[enrollment.pk])

    services.drain_outbox(wait_between_retries=True)

    assert PendingPush.objects.get().sent_at is None  # APNs answered: not delivered
    PendingPush.objects.update(available_at=timezone.now())
    assert services.drain_outbox().delivered == 1


def test_one_push_for_an_enrollment_in_several_batches(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    enrollment, other = enrollment_factory(), enrollment_factory()
    first = services.schedule_pushes(enrollment_ids=[enrollment.pk, other.pk], coalesce=False)
    second = services.schedule_pushes(enrollment_ids=[enrollment.pk], coalesce=False, track=True)

    services.drain_outbox()

    assert sorted(fake_apns.tokens()) == sorted([enrollment.push_token, other.push_token])
    for result, sent in ((first, 2), (second, 1)):
        assert result.batch is not None
        result.batch.refresh_from_db()
        assert (result.batch.sent, result.batch.status) == (sent, PushBatch.Status.DONE)


def test_a_row_whose_enrollment_is_no_longer_pushable_is_dropped(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    gone, fine = enrollment_factory(), enrollment_factory()
    result = services.schedule_pushes(enrollment_ids=[gone.pk, fine.pk])
    type(gone).objects.filter(pk=gone.pk).update(push_token_dead=True)

    report = services.drain_outbox()

    assert (report.delivered, report.failed) == (1, 1)
    assert fake_apns.tokens() == [fine.push_token]
    assert result.batch is not None
    result.batch.refresh_from_db()
    assert (result.batch.sent, result.batch.failed, result.batch.status) == (1, 1, "done")
    assert not PendingPush.objects.exists()


def test_push_tasks_stop_before_the_broker_hands_their_message_out_again() -> None:
    from apns import tasks
    from mdm_server.celery import app

    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility <= 120  # a dead worker's message comes back within two minutes
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    for task in (
        tasks.drain_push_outbox_task,
        tasks.push_enrollments_task,
        tasks.push_enrollment_task,
    ):
        assert task.time_limit is not None and task.time_limit < visibility
    # The last chunk a drain takes ends within the sender's batch limit, under the time limit.
    sender_limit = client.ApnsConfig(identity_pem=b"", topic="t").timeout_seconds
    assert services.DRAIN_BUDGET_SECONDS + sender_limit < services.DRAIN_TIME_LIMIT_SECONDS
    assert app.conf.beat_schedule["drain-push-outbox"]["task"] == tasks.drain_push_outbox_task.name


def test_a_waiting_drain_task_is_not_published_again(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Each enqueue asks a worker to drain; while one drain task still waits for a worker, a new
    request only sets nothing (one Redis SET) instead of publishing another task. The task
    clears the request when it starts, so rows committed before a skipped request are pushed."""
    from apns import tasks
    from mdm_server import redis_client

    redis = redis_client.client()
    assert redis is not None, "the suite runs with Redis"
    redis.delete(services.DRAIN_REQUESTED_KEY)
    settings.CELERY_TASK_ALWAYS_EAGER = False  # tasks wait for a worker, as in production
    published: list[Any] = []
    monkeypatch.setattr(
        tasks.drain_push_outbox_task, "apply_async", lambda **kw: published.append(kw)
    )
    services.request_drain()
    services.request_drain()
    assert len(published) == 1
    # Bounded: a task lost with the broker does not silence later requests for long.
    assert 0 < redis.pttl(services.DRAIN_REQUESTED_KEY) <= services.DRAIN_REQUEST_TTL_MS
    services.drain_started()  # a worker took the task
    services.request_drain()
    assert len(published) == 2
    # A fan-out's several workers and a delayed retry are always asked.
    services.request_drain(workers=3)
    services.request_drain(countdown=5)
    assert len(published) == 6
    redis.delete(services.DRAIN_REQUESTED_KEY)


def test_the_drain_request_is_marked_on_the_threads_own_connection(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Every first TokenUpdate marks a drain request: on a connection of the thread's own
    (`redis_client.ThreadConnection`), not through the client's pool and retry wrapper."""
    from apns import tasks
    from mdm_server import redis_client

    redis = redis_client.client()
    assert redis is not None, "the suite runs with Redis"
    redis.delete(services.DRAIN_REQUESTED_KEY)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published: list[Any] = []
    monkeypatch.setattr(
        tasks.drain_push_outbox_task, "apply_async", lambda **kw: published.append(kw)
    )

    def pooled(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"the client was asked {args}")

    monkeypatch.setattr(redis, "execute_command", pooled)
    own = redis_client.thread_connection()
    assert own is not None
    services.request_drain()
    connection, new = own.connection()
    services.request_drain()
    assert own.connection() == (connection, False)  # the same connection, kept
    assert len(published) == 1 and not new
    monkeypatch.undo()
    assert 0 < redis.pttl(services.DRAIN_REQUESTED_KEY) <= services.DRAIN_REQUEST_TTL_MS
    redis.delete(services.DRAIN_REQUESTED_KEY)


def test_a_drain_request_that_could_not_be_published_does_not_silence_the_next(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The request is marked in Redis before the task is published: when publishing fails
    (the broker refused it), no task waits, so the mark must not hold back the next request
    for its whole lifetime (those pushes would wait for the outbox sweep). Meanwhile the
    failure starts the Redis back-off: requests return at once until its period is over."""
    import kombu.exceptions

    from apns import tasks
    from mdm_server import redis_client
    from mdm_server.celery import app as celery_app

    redis = redis_client.client()
    assert redis is not None, "the suite runs with Redis"
    redis.delete(services.DRAIN_REQUESTED_KEY)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    now = [1000.0]
    monkeypatch.setattr(redis_client._backoff, "clock", lambda: now[0])
    published: list[Any] = []

    def publish(**kw: Any) -> None:
        if not published:
            published.append("refused")
            raise kombu.exceptions.OperationalError("broker refused the message")
        published.append(kw)

    monkeypatch.setattr(tasks.drain_push_outbox_task, "apply_async", publish)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # published, as by a server process
    try:
        services.request_drain()  # never raises
        assert redis.get(services.DRAIN_REQUESTED_KEY) is None  # the mark is cleared
        services.request_drain()  # backing off: nothing is tried
        assert published == ["refused"]
        now[0] = redis_client._backoff.until
        services.request_drain()
    finally:
        celery_app.conf.task_always_eager = eager
    assert published == ["refused", {"countdown": None, "retry": False}]
    redis.delete(services.DRAIN_REQUESTED_KEY)


def test_a_drain_request_without_redis_never_raises_and_the_enqueue_commits(
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    enrollment_factory: EnrollmentFactory,
    push_certificate: PushCertificate,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Redis down: the drain request (after commit) is logged, never raised to the device or
    the admin; the commands and their outbox rows are committed for the sweep to push."""
    import redis as redis_lib

    from apns import tasks
    from mdm_server import config_cache, redis_client

    class Down:
        def __getattr__(self, name: str) -> Any:
            def fail(*args: Any, **kwargs: Any) -> Any:
                raise redis_lib.ConnectionError("Connection refused")

            return fail

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(redis_client, "_clients", [Down()])
    monkeypatch.setattr(config_cache, "_stores", [])
    published: list[Any] = []
    monkeypatch.setattr(
        tasks.drain_push_outbox_task, "apply_async", lambda **kw: published.append(kw)
    )
    enrollment = enrollment_factory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_command(enrollments=[enrollment], request_type="ProfileList")
    assert callbacks and published == []
    assert PendingPush.objects.filter(enrollment=enrollment).count() == 1
    config_cache.clear()


def test_one_enrollment_is_pushed_by_the_same_rule_as_several(
    push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    """The commands of one enrollment (its first TokenUpdate's) are scheduled by the rule that
    several enrollments get, in every push state."""
    from devices.services import LAST_SEEN_RESOLUTION

    now = timezone.now()
    recently, long_ago = now - dt.timedelta(seconds=30), now - dt.timedelta(minutes=10)
    never = enrollment_factory(push_token_dead=True)  # the QuerySet's company: never pushed
    states: dict[str, dict[str, Any]] = {
        "never pushed": {},
        "pushed, not come since": {"last_push_at": recently},
        "pushed, come since": {
            "last_push_at": recently,
            "last_seen_at": recently + LAST_SEEN_RESOLUTION,
        },
        "pushed, seen just before": {
            "last_push_at": recently,
            "last_seen_at": recently - 2 * LAST_SEEN_RESOLUTION,
        },
        "pushed long ago": {"last_push_at": long_ago},
        "waiting in the outbox": {"outbox": {}},
        "an unknown outcome's follow-up": {"outbox": {"unknown_since": recently}},
        "taken by a worker": {"outbox": {"taken_at": recently}},
        "dead token": {"push_token_dead": True},
        "not enrolled yet": {"status": "pending"},
        "no push magic": {"push_magic": ""},
    }
    answers: dict[str, tuple[bool, bool]] = {}
    for name, fields in states.items():
        outbox = fields.pop("outbox", None)
        enrollment = enrollment_factory(**fields)
        if outbox is not None:
            PendingPush.objects.create(enrollment=enrollment, **outbox)
        got = []
        for ids in ([enrollment.pk], [enrollment.pk, never.pk]):
            with pytest.raises(RuntimeError), transaction.atomic():
                got.append(services.schedule_pushes(enrollment_ids=ids).scheduled)
                raise RuntimeError("undo the outbox rows")
        answers[name] = (got[0] == [enrollment.pk], got[1] == [enrollment.pk])
    assert answers == {
        "never pushed": (True, True),
        "pushed, not come since": (False, False),
        "pushed, come since": (True, True),
        "pushed, seen just before": (False, False),
        "pushed long ago": (True, True),
        "waiting in the outbox": (False, False),
        "an unknown outcome's follow-up": (True, True),
        "taken by a worker": (True, True),
        "dead token": (False, False),
        "not enrolled yet": (False, False),
        "no push magic": (False, False),
    }


class AroundEachChunk:
    """The real sender, with what happens in the database around each chunk it sends
    (`before`, `after`), from the sending thread, whose connection is closed after each."""

    def __init__(self, inner: client.PushSender) -> None:
        self.inner = inner

    def before(self, targets: Sequence[client.PushTarget]) -> None:
        pass

    def after(self, outcomes: list[client.PushOutcome]) -> None:
        pass

    def send(
        self,
        targets: Sequence[client.PushTarget],
        on_outcome: Callable[[client.PushOutcome], None] | None = None,
    ) -> list[client.PushOutcome]:
        from django.db import connections

        try:
            self.before(targets)
            outcomes = self.inner.send(targets, on_outcome=on_outcome)
            self.after(outcomes)
        finally:
            connections.close_all()  # this sending thread's own connection
        return outcomes


class ReclaimedAfterFirstChunk(AroundEachChunk):
    """The real sender; once its first chunk is answered, another worker takes the rows not
    yet handed to APNs as stale (as it does when this drain stops reporting for longer than
    APNS_OUTBOX_RECLAIM_SECONDS, e.g. on a starved machine)."""

    def __init__(self, inner: client.PushSender) -> None:
        super().__init__(inner)
        self.chunks = 0

    def after(self, outcomes: list[client.PushOutcome]) -> None:
        self.chunks += 1
        if self.chunks == 1:
            PendingPush.objects.filter(sent_at__isnull=True).update(
                claim="another-worker", taken_at=timezone.now()
            )


@pytest.mark.django_db(transaction=True)  # the sender's thread sees the committed rows
def test_a_drain_that_lost_its_claim_does_not_send_what_another_worker_took(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.APNS_STREAMS = 2
    enrollments = [enrollment_factory() for _ in range(6)]
    monkeypatch.setattr(services, "request_drain", lambda **_: None)  # this test drains
    services.schedule_pushes(enrollment_ids=[e.pk for e in enrollments])

    sender = ReclaimedAfterFirstChunk(services.sender_for(push_certificate))
    report = services.drain_outbox(sender=sender, wait_between_retries=False)

    # Only the first chunk went out from this drain; the rest is the other worker's to send.
    assert sorted(fake_apns.tokens()) == sorted(e.push_token for e in enrollments[:2])
    assert report.delivered == 2
    taken = PendingPush.objects.order_by("enrollment_id")
    assert [(r.enrollment_id, r.claim, r.sent_at) for r in taken] == [
        (e.pk, "another-worker", None) for e in enrollments[2:]
    ]


class SlowChunks(AroundEachChunk):
    """The real sender on a clock that runs fast: each chunk takes (for the drain) `step`
    seconds, less than a quarter of the reclaim period, so no heartbeat comes within a chunk.
    The claim of the rows not yet sent ages with that clock (moved back by `step` per chunk);
    before each chunk the sender notes how old the oldest claim looks."""

    def __init__(self, inner: client.PushSender, step: float) -> None:
        super().__init__(inner)
        self.step, self.offset = step, 0.0
        self.ages: list[float] = []  # seconds, per chunk that still has rows waiting after it

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    @staticmethod
    def _waiting() -> Any:
        return PendingPush.objects.filter(sent_at__isnull=True).exclude(claim="")

    def before(self, targets: Sequence[client.PushTarget]) -> None:
        from django.db.models import Min

        oldest = self._waiting().aggregate(oldest=Min("taken_at"))["oldest"]
        if oldest is not None:  # (the last chunk leaves no row waiting)
            self.ages.append((timezone.now() - oldest).total_seconds())

    def after(self, outcomes: list[client.PushOutcome]) -> None:
        from django.db.models import F

        self._waiting().update(taken_at=F("taken_at") - dt.timedelta(seconds=self.step))
        self.offset += self.step


@pytest.mark.django_db(transaction=True)  # the sender's thread sees the committed rows
def test_a_drain_of_many_short_chunks_keeps_its_claim_fresh_between_them(
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each chunk is answered well within the reclaim period, but together they take longer:
    the rows still waiting must never look stale to another worker, or it would take and push
    them too. The drain refreshes its claim between chunks once a quarter of the period has
    gone."""
    from types import SimpleNamespace

    settings.APNS_STREAMS = 1
    settings.APNS_OUTBOX_RECLAIM_SECONDS = 8  # a heartbeat every 2 s
    enrollments = [enrollment_factory() for _ in range(10)]
    monkeypatch.setattr(services, "request_drain", lambda **_: None)  # this test drains
    services.schedule_pushes(enrollment_ids=[e.pk for e in enrollments])
    sender = SlowChunks(services.sender_for(push_certificate), step=1.5)
    monkeypatch.setattr(services, "time", SimpleNamespace(monotonic=sender.monotonic))

    report = services.drain_outbox(sender=sender, wait_between_retries=False)

    assert report.delivered == 10
    assert sorted(fake_apns.tokens()) == sorted(e.push_token for e in enrollments)
    assert len(sender.ages) == 9  # the last chunk leaves no row waiting
    # 10 chunks of 1.5 s: 15 s in all, but the claim never looked older than 8 s.
    assert max(sender.ages) < settings.APNS_OUTBOX_RECLAIM_SECONDS, sender.ages


_STATES: dict[str, Callable[[Any], None]] = {
    "pushable": lambda e: None,
    "not enrolled yet": lambda e: type(e).objects.filter(pk=e.pk).update(status="pending"),
    "dead token": lambda e: type(e).objects.filter(pk=e.pk).update(push_token_dead=True),
    "waiting in the outbox": lambda e: PendingPush.objects.create(enrollment_id=e.pk),
    "pushed, not answered": lambda e: (
        type(e)
        .objects.filter(pk=e.pk)
        .update(last_push_at=timezone.now(), last_seen_at=timezone.now() - dt.timedelta(hours=1))
    ),
    "pushed, answered": lambda e: (
        type(e)
        .objects.filter(pk=e.pk)
        .update(last_push_at=timezone.now() - dt.timedelta(hours=1), last_seen_at=timezone.now())
    ),
}


@pytest.mark.parametrize("coalesce", [True, False])
@pytest.mark.parametrize("state", list(_STATES))
def test_one_enrollment_is_scheduled_as_it_would_be_among_others(
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    state: str,
    coalesce: bool,
) -> None:
    """One enrollment (a first TokenUpdate) takes a shorter path, one INSERT ... SELECT: the
    same decision as for that enrollment scheduled with others."""
    alone, among, other = (enrollment_factory() for _ in range(3))
    for enrollment in (alone, among):
        _STATES[state](enrollment)
    waiting_before = set(PendingPush.objects.values_list("pk", flat=True))

    one = services.schedule_pushes(enrollment_ids=[alone.pk], coalesce=coalesce)
    several = services.schedule_pushes(enrollment_ids=[among.pk, other.pk], coalesce=coalesce)

    assert (one.scheduled == [alone.pk]) == (among.pk in several.scheduled)
    assert one.batch is None
    written = PendingPush.objects.exclude(pk__in=waiting_before)
    assert set(written.filter(enrollment_id=alone.pk).values_list("batch_id", flat=True)) == (
        {None} if one.scheduled else set()
    )


_OUTBOX_STATES: dict[str, Callable[[Any], None]] = {
    **_STATES,
    "taken by a drain": lambda e: PendingPush.objects.create(
        enrollment_id=e.pk, taken_at=timezone.now(), claim="c"
    ),
    "outcome unknown, follow-up due later": lambda e: PendingPush.objects.create(
        enrollment_id=e.pk, unknown_since=timezone.now()
    ),
    "unenrolled": lambda e: type(e).objects.filter(pk=e.pk).update(status="unenrolled"),
    "no push magic": lambda e: type(e).objects.filter(pk=e.pk).update(push_magic=""),
}


@pytest.mark.parametrize("state", list(_OUTBOX_STATES))
def test_one_channel_outbox_row_is_the_orm_statement_compiled_once(
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    monkeypatch: pytest.MonkeyPatch,
    state: str,
) -> None:
    """The one-channel outbox write (every first TokenUpdate) runs the statement compiled once
    from `_to_push`: the same SQL and parameters as the ORM path, so the same row or none,
    whatever the coalescing decides."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mdm_server import bulk

    enrollment = enrollment_factory()
    _OUTBOX_STATES[state](enrollment)
    before = set(PendingPush.objects.values_list("pk", flat=True))
    now = timezone.now()

    def written() -> list[tuple[Any, ...]]:
        return list(
            PendingPush.objects.exclude(pk__in=before).values_list(
                "enrollment_id", "batch_id", "taken_at", "claim", "attempts", "unknown_since"
            )
        )

    built: list[int] = []
    build = services._coalesced
    monkeypatch.setattr(services, "_coalesced", lambda *a: built.append(1) or build(*a))
    outcomes = []
    for path in ("orm", "prepared", "prepared again"):
        built.clear()
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            sid = transaction.savepoint()
            if path == "orm":
                ids = bulk.insert_select(
                    PendingPush,
                    column="enrollment",
                    source=bulk.primary_keys(
                        services._to_push([enrollment.pk], coalesce=True, now=now)
                    ),
                    values={"batch": None},
                )
            else:
                ids = services._OUTBOX_ROW_OF_ONE.insert(
                    enrollment.pk, services._coalescing_since(now)
                )
            outcomes.append(
                (
                    ids,
                    written(),
                    [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")],
                )
            )
            transaction.savepoint_rollback(sid)
        if path == "prepared again":
            assert not built  # only run: the QuerySet is not built again
    orm, prepared, again = outcomes
    assert prepared == orm == again  # ids, rows and the statement itself (values inlined)
    pushed = state in {"pushable", "pushed, answered", "taken by a drain",
                       "outcome unknown, follow-up due later"}  # fmt: skip
    assert orm[0] == ([enrollment.pk] if pushed else [])
    assert [row[:2] for row in orm[1]] == ([(enrollment.pk, None)] if pushed else [])
