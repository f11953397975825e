"""A channel's first TokenUpdate writes its push outbox row with its first commands, in the
statement that writes them (`hooks.first_push`, `hotpath.OutboxPart`): the same row as the
INSERT the enqueue's receiver runs after that statement, under the same conditions, read on the
channel's row as the TokenUpdate wrote it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apns import services as apns_services
from apns.models import PendingPush
from devices import hooks
from devices.models import Enrollment
from tests.apns.conftest import apns_pki, push_certificate, push_key  # noqa: F401 - fixtures
from tests.simulator import SimulatedDevice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("config_generation")]
MakeDevice = Callable[..., SimulatedDevice]


@pytest.fixture(params=["one statement", "the receiver"])
def way(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each case twice: the outbox row written with the first commands, and by the receiver of
    `commands_enqueued` after them (the first push unregistered: as before)."""
    if request.param == "the receiver":
        hooks.set_first_push(None)
    try:
        yield request.param
    finally:
        hooks.set_first_push(apns_services.first_push)


@pytest.fixture
def drains(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    monkeypatch.setattr(apns_services, "request_drain", lambda workers: asked.append(workers))
    return asked


def _channel(device: SimulatedDevice) -> Enrollment:
    return Enrollment.objects.get(enrollment_id=device.enrollment_id)


def _outbox(channel: Enrollment) -> list[tuple[Any, ...]]:
    return list(
        PendingPush.objects.filter(enrollment=channel)
        .order_by("pk")
        .values_list("enrollment_id", "batch_id", "taken_at", "unknown_since")
    )


def _first_token_update(device: SimulatedDevice, capture: Any) -> list[str]:
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        assert device.token_update() == 200
    return [q["sql"] for q in queries.captured_queries]


def _outbox_inserts(statements: list[str]) -> int:
    return sum('INSERT INTO "apns_pendingpush"' in s for s in statements)


@pytest.mark.usefixtures("push_certificate")
def test_a_new_channel_s_outbox_row(
    way: str, make_device: MakeDevice, drains: list[int], django_capture_on_commit_callbacks
) -> None:
    device = make_device(platform="iOS", user_enrollment=True)
    assert device.authenticate() == 200
    statements = _first_token_update(device, django_capture_on_commit_callbacks)
    channel = _channel(device)
    assert _outbox(channel) == [(channel.pk, None, None, None)]
    assert drains == [1]
    assert _outbox_inserts(statements) == 1
    together = [s for s in statements if s.startswith("WITH u AS (UPDATE")]
    assert ('INSERT INTO "apns_pendingpush"' in together[0]) == (way == "one statement")


@pytest.mark.usefixtures("push_certificate")
def test_a_channel_enrolled_again_with_a_push_waiting_gets_no_second_one(
    way: str, make_device: MakeDevice, drains: list[int], django_capture_on_commit_callbacks
) -> None:
    device = make_device(platform="iOS", user_enrollment=True)
    device.enroll()
    channel = _channel(device)
    waiting = _outbox(channel)
    assert waiting == [(channel.pk, None, None, None)]
    # The enrollment profile installed again: Authenticate, then a first TokenUpdate again.
    assert device.authenticate() == 200
    drains.clear()
    _first_token_update(device, django_capture_on_commit_callbacks)
    assert _channel(device).status == Enrollment.Status.ENROLLED
    assert _outbox(channel) == waiting  # coalesced: the waiting push serves
    assert drains == []


@pytest.mark.usefixtures("push_certificate")
def test_the_outbox_reads_the_channel_as_the_token_update_wrote_it(
    way: str, make_device: MakeDevice, drains: list[int], django_capture_on_commit_callbacks
) -> None:
    """A push sent a moment ago to a channel last seen long before would be a push on its way
    (coalesced): the TokenUpdate's own last-seen time, written by the same statement, says the
    device came since, so it is pushed. (Read from the table, the row as it was before the
    statement, it would not be.)"""
    device = make_device(platform="iOS", user_enrollment=True)
    device.enroll()
    channel = _channel(device)
    PendingPush.objects.filter(enrollment=channel).delete()
    now = timezone.now()
    Enrollment.objects.filter(pk=channel.pk).update(
        last_push_at=now - dt.timedelta(seconds=5), last_seen_at=now - dt.timedelta(hours=1)
    )
    assert device.authenticate() == 200
    Enrollment.objects.filter(pk=channel.pk).update(last_seen_at=now - dt.timedelta(hours=1))
    drains.clear()
    _first_token_update(device, django_capture_on_commit_callbacks)
    assert _outbox(channel) == [(channel.pk, None, None, None)]
    assert drains == [1]


def test_without_a_push_topic_nothing_is_pushed_and_the_receiver_says_why(
    way: str,
    make_device: MakeDevice,
    drains: list[int],
    django_capture_on_commit_callbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    device = make_device(platform="iOS", user_enrollment=True)
    assert device.authenticate() == 200
    statements = _first_token_update(device, django_capture_on_commit_callbacks)
    assert _outbox(_channel(device)) == []
    assert _outbox_inserts(statements) == 0
    assert drains == []
    assert "no APNs push certificate" in caplog.text
