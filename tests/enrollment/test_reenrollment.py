"""Re-enrollment links from the console: bound to one device and its person, expiring, used up
once the device enrolled again; a new device enrolled with one replaces the old device."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from django.core import mail

from devices import signals
from devices.models import Device, Enrollment, QueuedCommand
from enrollment.models import EnrollmentSession
from mdm_server.pki.services import find_issued_certificate
from profiles import services as profiles
from profiles.models import Assignment
from tests.enrollment._devices import portal_device, portal_form


def _portal(client: Any, who: str, **fields: str) -> Any:
    return client.post("/enroll/", portal_form(who, **fields))


def _link(admin_client: Any, device: Enrollment) -> str:
    page = admin_client.post(
        f"/console/enrollment/reenroll/{device.public_id}/", {"action": "link"}
    )
    assert page.status_code == 200
    found = re.search(r"<code data-reenroll-link>([^<]+)</code>", page.content.decode())
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def _token(link: str) -> str:
    """What the portal page puts in its form from the link's query string."""
    return parse_qs(urlsplit(link).query)["reenroll"][0]


@pytest.fixture
def alices_phone(org: dict[str, Any], transport: Any, client: Any) -> Enrollment:
    device = portal_device(transport, client, _portal(client, "alice"), udid="OLD-PHONE")
    device.enroll()
    client.logout()
    return Enrollment.objects.get(channel_key="udid:OLD-PHONE")


@pytest.mark.usefixtures("fake_apns")  # the pushes after commit go out to a gateway that answers
def test_a_new_device_enrolled_from_the_link_replaces_the_old_one(
    alices_phone: Enrollment,
    admin_client: Any,
    admin_user: Any,
    transport: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    profile = profiles.create_profile(
        identifier="com.example.clip",
        display_name="Clip",
        actor=admin_user,
        payloads=[
            profiles.PayloadInput("com.apple.webClip.managed", {"URL": "https://a", "Label": "A"})
        ],
    )
    profiles.assign_profile(profile=profile, actor=admin_user, enrollments=[alices_phone])
    ended: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        ended.append(kwargs)

    signals.enrollment_ended.connect(receiver, dispatch_uid="test-replaced")
    try:
        token = _token(_link(admin_client, alices_phone))
        # Personal ownership would be a User Enrollment: the link keeps the device's type.
        response = _portal(client, "alice", ownership="personal", reenroll=token)
        assert response.status_code == 200
        session = EnrollmentSession.objects.get(replaces=alices_phone)
        assert session.enrollment_type == "device"
        new = portal_device(transport, client, response, udid="NEW-PHONE")
        with django_capture_on_commit_callbacks(execute=True):
            new.enroll()
    finally:
        signals.enrollment_ended.disconnect(dispatch_uid="test-replaced")
    replacement = Enrollment.objects.get(channel_key="udid:NEW-PHONE")
    assert replacement.status == Enrollment.Status.ENROLLED
    alices_phone.refresh_from_db()
    assert alices_phone.status == Enrollment.Status.UNENROLLED
    fingerprint = alices_phone.cert_fingerprint
    assert find_issued_certificate(fingerprint).revoked_at is not None
    assert not QueuedCommand.objects.filter(
        enrollment=alices_phone, status__in=QueuedCommand.PENDING
    ).exists()
    (event,) = ended
    assert event["enrollment"].pk == alices_phone.pk and event["replaced_by"].pk == replacement.pk
    assert "replaced" in event["reason"]
    # The old device's own assignment moved to the new one, and its install is queued there.
    assert Assignment.objects.filter(profile=profile, enrollment=replacement).exists()
    assert QueuedCommand.objects.filter(
        enrollment=replacement, command__request_type="InstallProfile"
    ).exists()


def test_the_link_is_bound_to_the_device_s_person(
    alices_phone: Enrollment, admin_client: Any, client: Any
) -> None:
    token = _token(_link(admin_client, alices_phone))
    refused = _portal(client, "carol", reenroll=token)
    assert refused.status_code == 403
    assert "is for another person" in refused.content.decode()
    forged = _portal(client, "alice", reenroll=token[:-3] + "xyz")
    assert forged.status_code == 403 and "not valid" in forged.content.decode()
    assert not EnrollmentSession.objects.filter(replaces__isnull=False).exists()


def test_the_link_expires_and_is_used_up_by_a_re_enrollment(
    alices_phone: Enrollment,
    admin_client: Any,
    transport: Any,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = _token(_link(admin_client, alices_phone))
    monkeypatch.setattr("enrollment.services.reenrollment.LINK_DAYS", 0)
    expired = _portal(client, "alice", reenroll=token)
    assert expired.status_code == 403 and "expired" in expired.content.decode()
    monkeypatch.undo()
    # The same phone enrolls again with the link: its certificate changes, the link is spent.
    again = portal_device(transport, client, _portal(client, "alice", reenroll=token), "OLD-PHONE")
    again.enroll()
    alices_phone.refresh_from_db()
    assert alices_phone.status == Enrollment.Status.ENROLLED
    assert alices_phone.cert_fingerprint == again.certificate.fingerprint(hashes.SHA256()).hex()
    spent = _portal(client, "alice", reenroll=token)
    assert spent.status_code == 403 and "used up" in spent.content.decode()


def test_the_link_is_e_mailed_to_the_person(
    alices_phone: Enrollment, admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/console/enrollment/reenroll/{alices_phone.public_id}/", {"action": "email"}
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "/enroll/?reenroll=" in message.body


def test_only_administrators_issue_links_and_only_for_a_person_s_device(
    alices_phone: Enrollment, helpdesk_client: Any, admin_client: Any
) -> None:
    url = f"/console/enrollment/reenroll/{alices_phone.public_id}/"
    assert helpdesk_client.get(url).status_code == 200
    assert helpdesk_client.post(url, {"action": "link"}).status_code == 403
    Device.objects.filter(channels=alices_phone).update(directory_user=None)
    refused = admin_client.post(url, {"action": "link"})
    assert refused.status_code == 400 and "no directory user" in refused.content.decode()
    detail = admin_client.get(f"/console/devices/{alices_phone.public_id}/")
    assert "reenroll" not in detail.content.decode()
