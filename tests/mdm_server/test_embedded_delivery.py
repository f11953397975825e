"""Command delivery on whichever database the server runs on: the embedded default (SQLite, no
configuration) included. The check-in suite runs on PostgreSQL; this file also runs in the
SQLite smoke run of `.ci/run`, where a data-modifying WITH statement does not exist."""

from __future__ import annotations

import pytest

from devices import services
from devices.models import Enrollment, QueuedCommand
from mdm_server.pki import services as pki
from tests.simulated import client_device
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db


def _device(server_pki: pki.PkiStatus) -> SimulatedDevice:
    return client_device(pki.active_identity("ca"))


def test_commands_are_delivered_and_answered_one_after_the_other(
    server_pki: pki.PkiStatus,
) -> None:
    device = _device(server_pki)
    device.enroll()
    enrollment = Enrollment.objects.get()
    # The inventory asked at enrollment, then one more: each poll stores the result of the
    # previous command and gets the next, until the queue is empty.
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    queued = QueuedCommand.objects.filter(enrollment=enrollment).count()
    answered = device.run(max_commands=queued + 1)
    assert len(answered) == queued
    assert answered[-1].request_type == "SecurityInfo"
    rows = QueuedCommand.objects.filter(enrollment=enrollment)
    assert set(rows.values_list("status", flat=True)) == {QueuedCommand.Status.ACKNOWLEDGED}
    assert all(row.sent_at is not None and row.completed_at is not None for row in rows)
    events = enrollment.events.filter(status="sent").values_list("action", flat=True)
    assert sorted(events) == sorted(r.request_type for r in answered)
    status, _body = device.connect()
    assert status == 200  # an empty queue: an empty answer, not an error


def test_a_command_the_device_defers_is_sent_again_at_a_later_poll(
    server_pki: pki.PkiStatus,
) -> None:
    device = _device(server_pki)
    device.enroll()
    device.run()  # the inventory asked at enrollment
    enrollment = Enrollment.objects.get()
    services.enqueue_command(enrollments=[enrollment], request_type="ProfileList")
    device.not_now_once = {"ProfileList"}
    first = device.run(max_commands=1)
    assert [r.request_type for r in first] == ["ProfileList"]
    row = QueuedCommand.objects.filter(
        enrollment=enrollment, command__request_type="ProfileList"
    ).latest("id")
    assert row.status == QueuedCommand.Status.NOT_NOW
    again = device.run(max_commands=2)
    assert [r.request_type for r in again] == ["ProfileList"]
    row.refresh_from_db()
    assert row.status == QueuedCommand.Status.ACKNOWLEDGED


def test_an_authenticate_reads_its_certificate_and_other_holder_on_either_database() -> None:
    """What an Authenticate reads of the certificate it presents (`hotpath.presented`): one
    statement with LATERAL on PostgreSQL, two lookups where there is none (SQLite, in the smoke
    run); the same answers either way."""
    import datetime as dt

    from devices import hotpath
    from mdm_server.pki.models import IssuedCertificate
    from tests.channels import create_channel

    now = dt.datetime.now(dt.UTC)
    issued = IssuedCertificate.objects.create(
        fingerprint="ab" * 32,
        serial="01",
        subject="CN=device",
        not_before=now,
        not_after=now + dt.timedelta(days=1),
        pem="-",
        reference="session-1",
    )
    by_session = create_channel(channel_key="eid:HOLDER-1", enrollment_reference="session-1")
    by_pin = create_channel(channel_key="eid:HOLDER-2", cert_fingerprint="cd" * 32)

    found = hotpath.presented(fingerprint="AB" * 32, key="eid:NEW")
    assert found.issued == issued and found.issued.reference == "session-1"
    assert found.other_holder == by_session.pk  # bound to the session it was issued for
    assert hotpath.presented(fingerprint="ab" * 32, key="eid:HOLDER-1").other_holder is None
    unknown = hotpath.presented(fingerprint="cd" * 32, key="eid:NEW")
    assert unknown.issued is None and unknown.other_holder == by_pin.pk  # pinned elsewhere
    assert hotpath.presented(fingerprint="ef" * 32, key="eid:NEW") == hotpath.Presented(
        issued=None, other_holder=None
    )
