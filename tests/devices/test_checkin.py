"""Check-in endpoint end to end: the simulator signs real requests through the Django client."""

from __future__ import annotations

import plistlib
from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from devices.models import Device, DeviceEvent, Enrollment, QueuedCommand
from mdm_server import encryption
from mdm_server.pki import certificates
from tests.devices._rows import later_deliveries
from tests.simulator import SimulatedDevice, issue_identity

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]


def test_user_enrollment_authenticate_and_token_update(make_device: MakeDevice) -> None:
    device = make_device(platform="iOS", user_enrollment=True)
    assert device.authenticate() == 200
    enrollment = Enrollment.objects.get()
    assert enrollment.enrollment_type == Enrollment.Type.USER
    assert enrollment.status == Enrollment.Status.PENDING
    assert enrollment.enrollment_id == device.enrollment_id
    assert enrollment.device.udid is None and enrollment.device.serial_number is None
    assert enrollment.device.platform == "iOS" and enrollment.device.os_version == "18.2"
    assert enrollment.cert_fingerprint == certificates.fingerprint(device.certificate)
    assert not enrollment.is_pushable  # no push before the first TokenUpdate
    assert device.token_update() == 200
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.push_token == device.push_token.hex()
    assert enrollment.push_magic == device.push_magic
    assert enrollment.is_pushable
    assert enrollment.unlock_token is None
    actions = list(enrollment.events.values_list("action", flat=True))
    assert actions == ["TokenUpdate", "Authenticate"]


def test_device_enrollment_keeps_udid_serial_and_encrypted_unlock_token(
    make_device: MakeDevice,
) -> None:
    device = make_device(platform="iOS", user_enrollment=False)
    device.enroll()
    enrollment = Enrollment.objects.get()
    assert enrollment.enrollment_type == Enrollment.Type.DEVICE
    assert enrollment.device.udid == device.udid
    assert enrollment.device.serial_number == device.serial_number
    stored = bytes(enrollment.unlock_token)
    assert b"unlock-" not in stored
    assert encryption.decrypt(stored) == b"unlock-" + device.udid.encode()


def test_user_enrollment_never_stores_hardware_ids_even_if_sent(make_device: MakeDevice) -> None:
    device = make_device(user_enrollment=True)
    status, _ = device.checkin(
        {
            "MessageType": "Authenticate",
            "EnrollmentID": device.enrollment_id,
            "SerialNumber": "LEAKED",
            "IMEI": "35 LEAKED",
            "ProductName": "iPhone16,2",
            "OSVersion": "18.2",
        }
    )
    assert status == 200
    enrollment = Enrollment.objects.get()
    assert enrollment.device.serial_number is None and enrollment.device.imei is None
    event = enrollment.events.get(action="Authenticate")
    assert "not stored" in event.detail["discarded"]


def test_authenticate_again_drops_stale_queue(make_device: MakeDevice) -> None:
    from devices import services

    device = make_device(user_enrollment=False)
    device.enroll()
    enrollment = Enrollment.objects.get()
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    assert device.authenticate() == 200
    row = later_deliveries().get()
    assert row.status == QueuedCommand.Status.CANCELED
    assert "authenticated again" in row.status_reason


def test_check_out_marks_unenrolled_drops_queue_keeps_history(make_device: MakeDevice) -> None:
    from devices import services

    device = make_device(user_enrollment=True)
    device.enroll()
    enrollment = Enrollment.objects.get()
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    assert device.check_out() == 200
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.UNENROLLED
    assert not enrollment.is_pushable
    assert later_deliveries().get().status == QueuedCommand.Status.CANCELED
    assert enrollment.events.filter(action="Authenticate").exists()
    status, body = device.connect()
    assert status == 403 and b"checked out" in body


def test_a_repeated_check_out_keeps_the_time_the_enrollment_ended(make_device: MakeDevice) -> None:
    """The retention purge counts from the first ending: a device that sends CheckOut again
    (a retry after a lost answer) does not move that clock."""
    import datetime as dt

    device = make_device(user_enrollment=True)
    device.enroll()
    assert device.check_out() == 200
    ended_at = timezone.now() - dt.timedelta(days=40)
    Enrollment.objects.update(unenrolled_at=ended_at)
    assert device.check_out() == 200
    assert Enrollment.objects.get().unenrolled_at == ended_at


def test_every_ending_sends_enrollment_ended_once(make_device: MakeDevice) -> None:
    """CheckOut and a server-side unenroll each tell `enrollment_ended` receivers, inside the
    transaction (a receiver's write commits with it), once: a repeated CheckOut ends nothing."""
    from devices import services, signals

    ended: list[tuple[int, list[int], str]] = []

    def receiver(
        sender: object, enrollment: Enrollment, channel_ids: list[int], reason: str, **kw: object
    ) -> None:
        ended.append((enrollment.pk, channel_ids, reason))

    signals.enrollment_ended.connect(receiver, dispatch_uid="test-ended-once")
    try:
        phone = make_device(user_enrollment=True)
        phone.enroll()
        mac = make_device(platform="macOS", user_enrollment=False)
        mac.enroll()
        assert phone.check_out() == 200
        assert phone.check_out() == 200
        mac_row = Enrollment.objects.get(device__udid=mac.udid)
        assert services.unenroll(enrollment=mac_row, reason="lost") is True
        assert services.unenroll(enrollment=mac_row, reason="lost") is False
    finally:
        signals.enrollment_ended.disconnect(dispatch_uid="test-ended-once")
    phone_row = Enrollment.objects.get(enrollment_id=phone.enrollment_id)
    assert ended == [
        (phone_row.pk, [phone_row.pk], "the device checked out"),
        (mac_row.pk, [mac_row.pk], "lost"),
    ]


def test_user_authenticate_is_gone(make_device: MakeDevice) -> None:
    device = make_device(platform="macOS", user_enrollment=False)
    device.enroll()
    status, _ = device.checkin({"MessageType": "UserAuthenticate", "UDID": device.udid})
    assert status == 410


def test_bootstrap_token_escrow_for_device_enrollment_mac(make_device: MakeDevice) -> None:
    device = make_device(platform="macOS", user_enrollment=False)
    device.enroll()
    # Apple's schema: bootstrap-token escrow needs a supervised Mac.
    status, _ = device.checkin({"MessageType": "GetBootstrapToken", "UDID": device.udid})
    assert status == 403
    Device.objects.update(supervised=True)
    ids = {"UDID": device.udid}
    status, _ = device.checkin(
        {"MessageType": "SetBootstrapToken", "BootstrapToken": b"secret-bt", **ids}
    )
    assert status == 200
    stored = bytes(Enrollment.objects.get().bootstrap_token)
    assert b"secret-bt" not in stored
    status, body = device.checkin({"MessageType": "GetBootstrapToken", **ids})
    assert status == 200
    assert plistlib.loads(body) == {"BootstrapToken": b"secret-bt"}


def test_bootstrap_token_forbidden_for_user_enrollment(make_device: MakeDevice) -> None:
    device = make_device(platform="macOS", user_enrollment=True)
    device.enroll()
    ids = {"EnrollmentID": device.enrollment_id}
    status, body = device.checkin(
        {"MessageType": "SetBootstrapToken", "BootstrapToken": b"x", **ids}
    )
    assert status == 403 and b"SetBootstrapToken is not allowed" in body
    assert Enrollment.objects.get().bootstrap_token is None
    status, _ = device.checkin({"MessageType": "GetBootstrapToken", **ids})
    assert status == 403


def test_get_token(make_device: MakeDevice) -> None:
    device = make_device()
    device.enroll()
    ids = device.ids()
    status, body = device.checkin(
        {"MessageType": "GetToken", "TokenServiceType": "com.example.other", **ids}
    )
    assert status == 400 and b"unknown TokenServiceType" in body
    status, body = device.checkin(
        {"MessageType": "GetToken", "TokenServiceType": "com.apple.maid", **ids}
    )
    assert status == 403 and b"not configured" in body


def test_declarative_management_minimal_answers_and_status(make_device: MakeDevice) -> None:
    import json

    device = make_device()
    device.enroll()
    ids = device.ids()
    status, body = device.checkin(
        {"MessageType": "DeclarativeManagement", "Endpoint": "tokens", **ids}
    )
    assert status == 200
    tokens = json.loads(body)["SyncTokens"]
    status, body = device.checkin(
        {"MessageType": "DeclarativeManagement", "Endpoint": "declaration-items", **ids}
    )
    items = json.loads(body)
    assert items["DeclarationsToken"] == tokens["DeclarationsToken"]
    # No set assigned: only the server's own status subscriptions and the activation of them.
    listed = {k: [i["Identifier"] for i in v] for k, v in items["Declarations"].items()}
    assert listed == {
        "Activations": ["mdm.server.activation.assigned"],
        "Assets": [],
        "Configurations": ["mdm.server.status-subscriptions"],
        "Management": [],
    }
    report = {"StatusItems": {"device": {"identifier": {"udid": "hidden"}}}, "Errors": []}
    status, _ = device.checkin(
        {
            "MessageType": "DeclarativeManagement",
            "Endpoint": "status",
            "Data": json.dumps(report).encode(),
            **ids,
        }
    )
    assert status == 200
    assert Enrollment.objects.get().ddm_status["Errors"] == []


def test_macos_user_channel_is_a_child_enrollment(make_device: MakeDevice) -> None:
    device = make_device(platform="macOS", user_enrollment=False)
    device.enroll()
    assert device.token_update(user="ABCD-USER") == 200
    user = Enrollment.objects.get(channel=Enrollment.Channel.USER)
    assert user.parent == Enrollment.objects.get(channel=Enrollment.Channel.DEVICE)
    assert user.user_id == "ABCD-USER" and user.device.user_short_name == "ABCD-USER"
    assert user.status == Enrollment.Status.ENROLLED


def test_macos_user_enrollment_user_channel_uses_enrollment_user_id(
    make_device: MakeDevice,
) -> None:
    device = make_device(platform="macOS", user_enrollment=True)
    device.enroll()
    assert device.token_update(user="EUID-1") == 200
    user = Enrollment.objects.get(channel=Enrollment.Channel.USER)
    assert user.enrollment_user_id == "EUID-1" and user.device.udid is None
    assert user.enrollment_type == Enrollment.Type.USER


def test_checkin_messages_accepted_on_the_server_url(make_device: MakeDevice) -> None:
    device = make_device(checkin_url=None)
    device.enroll()
    assert Enrollment.objects.get().status == Enrollment.Status.ENROLLED


# --- refusals: 4xx with a reason, nothing stored ---------------------------------------------------


def _put(body: bytes, content_type: str = "application/x-apple-aspen-mdm-checkin", **headers: str):  # type: ignore[no-untyped-def]
    return Client().generic(
        "PUT", "/mdm/checkin", data=body, content_type=content_type, headers=headers
    )


def test_wrong_content_type_is_415(make_device: MakeDevice) -> None:
    response = _put(b"<plist/>", content_type="text/plain")
    assert response.status_code == 415


def test_missing_identity_is_403_not_401(server_pki: object) -> None:
    body = plistlib.dumps({"MessageType": "Authenticate", "UDID": "x"})
    response = _put(body)
    assert response.status_code == 403
    assert b"no device identity" in response.content
    assert not Enrollment.objects.exists()


def test_signature_over_other_body_is_refused(make_device: MakeDevice) -> None:
    device = make_device()
    body = plistlib.dumps({"MessageType": "Authenticate", "EnrollmentID": "E1"})
    headers = device._headers(body, "application/x-apple-aspen-mdm-checkin")
    tampered = body.replace(b"E1", b"E2")
    response = _put(tampered, **{"Mdm-Signature": headers["Mdm-Signature"]})
    assert response.status_code == 403 and b"does not verify" in response.content
    assert not Enrollment.objects.exists()


def test_garbage_signature_header_is_refused(server_pki: object) -> None:
    body = plistlib.dumps({"MessageType": "Authenticate", "EnrollmentID": "E1"})
    response = _put(body, **{"Mdm-Signature": "bm90IGNtcw=="})
    assert response.status_code == 403


def test_certificate_from_another_ca_is_refused(make_device: MakeDevice) -> None:
    other_key = certificates.new_rsa_key()
    other_ca = certificates.Identity(
        certificate=certificates.build_ca("Rogue CA", key=other_key), key=other_key
    )
    device = make_device()
    device.certificate, device.key = issue_identity(other_ca)
    assert device.authenticate() == 403
    assert not Enrollment.objects.exists()


def test_pinned_certificate_cannot_be_used_for_another_enrollment(
    make_device: MakeDevice,
) -> None:
    first = make_device()
    first.enroll()
    second = make_device()
    second.certificate, second.key = first.certificate, first.key
    assert second.authenticate() == 403
    # And a different valid certificate cannot speak for the first enrollment.
    intruder = make_device()
    intruder.enrollment_id = first.enrollment_id
    status, body = intruder.connect()
    assert status == 403 and b"belongs to another enrollment" in body
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize("mtls", [False, True], ids=["signature", "mtls"])
@override_settings(MDM_TRUSTED_PROXIES=["127.0.0.0/8"])
def test_another_certificate_cannot_authenticate_an_enrolled_channel(
    make_device: MakeDevice, mtls: bool
) -> None:
    # Certificates from our CA without an issuance record (or from MDM_EXTERNAL_CA_FILE) can
    # open channels of their own, never take over one pinned to another certificate, whichever
    # way the request proves its identity.
    victim = make_device(user_enrollment=False)
    victim.enroll()
    before = Enrollment.objects.get()
    intruder = make_device(user_enrollment=False, mtls_header="X-Client-Cert" if mtls else None)
    intruder.udid = victim.udid
    status, body = intruder.checkin(
        {"MessageType": "Authenticate", "UDID": victim.udid, "Topic": victim.topic}
    )
    assert status == 403 and b"another identity certificate" in body
    assert intruder.token_update() == 403
    after = Enrollment.objects.get()
    assert (after.cert_fingerprint, after.push_token, after.status) == (
        before.cert_fingerprint,
        before.push_token,
        Enrollment.Status.ENROLLED,
    )
    assert victim.connect()[0] == 200


def test_a_checked_out_channel_takes_no_check_in_but_a_new_authenticate(
    make_device: MakeDevice,
) -> None:
    device = make_device(user_enrollment=False)
    device.enroll()
    assert device.check_out() == 200
    status, body = device.checkin(
        {"MessageType": "TokenUpdate", "UDID": device.udid, "Token": b"t", "PushMagic": "m"}
    )
    assert status == 403 and b"checked out" in body
    assert device.authenticate() == 403  # the certificate it checked out with
    assert Enrollment.objects.get().status == Enrollment.Status.UNENROLLED
    # A new identity (the device enrolled again) may take the channel.
    again = make_device(user_enrollment=False)
    again.udid = device.udid
    again.enroll()
    assert Enrollment.objects.get().status == Enrollment.Status.ENROLLED
    assert device.check_out() == 403


@pytest.mark.parametrize(
    ("message", "status", "reason"),
    [
        ({"MessageType": "Hello"}, 400, b"unknown MessageType"),
        ({"MessageType": "TokenUpdate", "UDID": "A"}, 400, b"needs Token"),
        ({"MessageType": "Authenticate", "UDID": "A", "EnrollmentID": "B"}, 400, b"both UDID"),
        ({"MessageType": "Authenticate"}, 400, b"missing device identifier"),
        ({"MessageType": "CheckOut", "UDID": "nobody"}, 404, b"unknown enrollment"),
        (
            {"MessageType": "TokenUpdate", "UDID": "nobody", "Token": b"t", "PushMagic": "m"},
            404,
            b"Authenticate first",
        ),
    ],
)
def test_bad_messages_get_a_reason(
    make_device: MakeDevice, message: dict[str, object], status: int, reason: bytes
) -> None:
    device = make_device()
    got, body = device.checkin(message)
    assert got == status
    assert reason in body
    assert not Enrollment.objects.exists()


def test_binary_garbage_with_valid_signature_is_400(make_device: MakeDevice) -> None:
    device = make_device()
    body = b"bplist00\x00\x01\x02garbage"
    headers = device._headers(body, "application/x-apple-aspen-mdm-checkin")
    response = _put(body, **{"Mdm-Signature": headers["Mdm-Signature"]})
    assert response.status_code == 400


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_oversize_body_is_413(make_device: MakeDevice) -> None:
    device = make_device()
    status, _body = device.checkin(
        {"MessageType": "Authenticate", "EnrollmentID": "E", "Pad": "x" * 4096}
    )
    assert status == 413


def test_mtls_header_trusted_only_from_configured_proxy(make_device: MakeDevice) -> None:
    device = make_device(mtls_header="X-Client-Cert")
    with override_settings(MDM_TRUSTED_PROXIES=["10.9.9.9/32"]):
        assert device.authenticate() == 403  # the test client is 127.0.0.1: not trusted
    with override_settings(MDM_TRUSTED_PROXIES=["127.0.0.0/8"]):
        assert device.authenticate() == 200
    assert Enrollment.objects.get().events.get().detail["transport"] == "mtls"


def test_checkin_events_are_logged(make_device: MakeDevice) -> None:
    device = make_device(drain_inventory=False)
    device.enroll()
    kinds = set(DeviceEvent.objects.values_list("kind", flat=True))
    assert kinds == {DeviceEvent.Kind.CHECKIN}
    actions = set(DeviceEvent.objects.values_list("action", flat=True))
    assert actions == {"Authenticate", "TokenUpdate"}


def test_revoked_identity_is_refused(make_device: MakeDevice) -> None:
    from devices import identity
    from mdm_server.pki.models import IssuedCertificate
    from mdm_server.pki.services import revoke_certificate

    device = make_device()
    device.enroll()
    fingerprint = certificates.fingerprint(device.certificate)
    IssuedCertificate.objects.create(
        fingerprint=fingerprint,
        serial=str(device.certificate.serial_number),
        subject="CN=mdm-identity",
        not_before=device.certificate.not_valid_before_utc,
        not_after=device.certificate.not_valid_after_utc,
        pem="",
        reference="test",
    )
    revoke_certificate(fingerprint=fingerprint, reason="device lost")
    identity.forget_cached_state()
    status, body = device.connect()
    assert status == 403 and b"revoked" in body


def test_token_update_without_awaiting_configuration_keeps_stored_value(
    make_device: MakeDevice,
) -> None:
    """AwaitingConfiguration is sent only during Setup Assistant; a later TokenUpdate (a new push
    token) omits it, and must not clear what the device said before."""
    device = make_device(user_enrollment=False)
    assert device.authenticate() == 200
    assert device.token_update(awaiting=True) == 200
    enrollment = Enrollment.objects.get()
    assert enrollment.awaiting_configuration is True
    status, _ = device.checkin(
        {
            "MessageType": "TokenUpdate",
            "Topic": device.topic,
            "Token": b"new-token-after-restore",
            "PushMagic": device.push_magic,
            **device.ids(),
        }
    )
    assert status == 200
    enrollment.refresh_from_db()
    assert enrollment.push_token == b"new-token-after-restore".hex()
    assert enrollment.awaiting_configuration is True
    assert device.token_update(awaiting=False) == 200
    enrollment.refresh_from_db()
    assert enrollment.awaiting_configuration is False


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-apple-aspen-mdm-checkin; charset=UTF-8",
        "Application/X-Apple-Aspen-MDM-Checkin",
        " application/x-apple-aspen-mdm-checkin ;charset=utf-8",
    ],
)
def test_apples_media_type_with_parameters_is_accepted(
    make_device: MakeDevice, content_type: str
) -> None:
    device = make_device()
    status, _ = device.send(
        device.checkin_url, {"MessageType": "Authenticate", **device.ids()}, content_type
    )
    assert status == 200
    assert Enrollment.objects.get().status == Enrollment.Status.PENDING


@pytest.mark.parametrize("path", ["/mdm/checkin", "/mdm/connect"])
def test_a_property_list_without_content_type_is_accepted(
    make_device: MakeDevice, path: str
) -> None:
    device = make_device()
    body = plistlib.dumps({"MessageType": "Authenticate", **device.ids()})
    headers = device._headers(body, "")
    del headers["Content-Type"]
    # The test client writes an empty CONTENT_TYPE: what a WSGI server passes for no header.
    response = Client().generic("PUT", path, data=body, content_type="", headers=headers)
    assert response.status_code == 200, response.content
    assert Enrollment.objects.get().status == Enrollment.Status.PENDING


@pytest.mark.parametrize("path", ["/mdm/checkin", "/mdm/connect"])
def test_without_content_type_a_body_that_is_no_property_list_is_415(
    make_device: MakeDevice, path: str
) -> None:
    device = make_device()
    body = b'{"MessageType": "Authenticate"}'
    headers = device._headers(body, "")
    del headers["Content-Type"]
    response = Client().generic("PUT", path, data=body, content_type="", headers=headers)
    assert response.status_code == 415
    assert b"without one, the body must be a property list" in response.content
    assert not Enrollment.objects.exists()
