"""Pushes and the device lifecycle: an unenrolled channel is never pushed, even from a push
already waiting in the outbox, and a token APNs answers 410 for makes the device probably gone."""

from __future__ import annotations

import pytest

from apns import services
from apns.models import PendingPush, PushCertificate
from devices.models import Enrollment
from devices.services import lifecycle as lifecycle_services
from devices.services import unenroll
from tests.apns.conftest import EnrollmentFactory
from tests.apns.fake_apns import FakeAPNs

pytestmark = pytest.mark.django_db


def test_outbox_never_pushes_a_channel_unenrolled_after_its_push_was_queued(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    leaving, staying = enrollment_factory(), enrollment_factory()
    token = leaving.push_token
    services.schedule_pushes(enrollment_ids=[leaving.pk, staying.pk])
    assert PendingPush.objects.filter(enrollment=leaving).exists()

    assert unenroll(enrollment=leaving, reason="lost")
    services.drain_outbox()

    assert fake_apns.tokens() == [staying.push_token]
    assert token not in fake_apns.tokens()
    assert not PendingPush.objects.exists()
    # Nor is it scheduled again.
    assert services.schedule_pushes(enrollment_ids=[leaving.pk]).scheduled == []


def test_apns_410_lists_the_device_as_probably_gone(
    fake_apns: FakeAPNs, push_certificate: PushCertificate, enrollment_factory: EnrollmentFactory
) -> None:
    gone, alive = enrollment_factory(), enrollment_factory()
    fake_apns.state.script[gone.push_token] = [(410, "Unregistered")]
    services.push_enrollments(enrollment_ids=[gone.pk, alive.pk])

    listed = Enrollment.objects.filter(lifecycle_services.probably_gone_q(days=30))
    assert list(listed.values_list("pk", flat=True)) == [gone.pk]
    gone.refresh_from_db()
    assert "Unregistered" in lifecycle_services.gone_reason(gone, days=30)
