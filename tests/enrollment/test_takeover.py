"""Enrollment takeover (issue 17): a valid identity certificate from our CA never wins another
device's enrollment. Every certificate here is really issued (account-driven sign-in, signed
profile, SCEP or PKCS#12), and every attack is sent as the signed check-in a device would send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes

from devices import services as device_services
from devices.models import Enrollment, QueuedCommand
from enrollment import services
from enrollment.models import EnrollmentConfiguration, EnrollmentSession, EnrollmentToken
from mdm_server.pki.models import ScepChallenge
from mdm_server.pki.services import find_issued_certificate
from tests import races
from tests.devices._rows import drain_inventory
from tests.enrollment._devices import account_device, portal_device, portal_form
from tests.enrollment._issued import identity_issued_for
from tests.enrollment.conftest import DOMAIN, PASSWORD
from tests.simulator import enrollment_flow as flow
from tests.simulator.device import SimulatedDevice

pytestmark = pytest.mark.django_db

SERVER = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _fresh_device_ca_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every test has its own server CA; the devices app caches the trusted CAs for a minute.
    monkeypatch.setattr("devices.identity._ca_cache", (0.0, []))


def _fingerprint(cert: Any) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


@dataclass
class Enrolled:
    result: flow.AccountEnrollment
    device: SimulatedDevice


# The devices: an iPhone (User Enrollment: EnrollmentID) and a Mac (with `macs_are_adde` an
# account-driven Device Enrollment: UDID, and user channels with UserID; else a User Enrollment:
# EnrollmentID, and user channels with EnrollmentUserID).
CHANNELS = {
    "iphone": {"model_family": "iPhone", "product": "iPhone17,2", "os_version": "18.2"},
    "mac": {"model_family": "Mac", "product": "Mac15,3", "os_version": "15.2"},
}


@pytest.fixture
def macs_are_adde(org: dict[str, Any]) -> None:
    config = services.default_configuration()
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()


def _sign_in(transport: Any, who: str, channel: str) -> Enrolled:
    """`who` signs in and installs the profile's identity; the device has not checked in yet."""
    result = flow.enroll_account_driven(
        transport,
        SERVER,
        user_identifier=f"{who}@{DOMAIN}",
        password=PASSWORD,
        **CHANNELS[channel],
    )
    device = account_device(transport, result, "macOS" if channel == "mac" else "iOS")
    if device.platform == "macOS":
        device.bearer = None  # a Mac sends its token on the user channel only
    return Enrolled(result, device)


def _enrolled(transport: Any, who: str, channel: str) -> Enrolled:
    enrolled = _sign_in(transport, who, channel)
    enrolled.device.enroll()
    drain_inventory(enrolled.device)
    return enrolled


def _posing_as(attacker: SimulatedDevice, victim: SimulatedDevice) -> SimulatedDevice:
    """The attacker's identity (certificate and key) with the victim's channel identifiers."""
    return SimulatedDevice(
        transport=attacker.transport,
        certificate=attacker.certificate,
        key=attacker.key,
        server_url=victim.server_url,
        checkin_url=victim.checkin_url,
        platform=victim.platform,
        user_enrollment=victim.user_enrollment,
        os_version=victim.os_version,
        bearer=attacker.bearer,
        topic=victim.topic,
        udid=victim.udid,
        enrollment_id=victim.enrollment_id,
    )


def _channel_of(device: SimulatedDevice) -> Enrollment:
    key = f"eid:{device.enrollment_id}" if device.user_enrollment else f"udid:{device.udid}"
    return Enrollment.objects.get(channel_key=key)


def _attacker_certificate(transport: Any, kind: str, channel: str) -> SimulatedDevice:
    """carol's device holding a valid identity from our CA, in each state an attacker may have."""
    if kind == "pkcs12":
        config = services.default_configuration()
        config.identity_kind = EnrollmentConfiguration.Identity.PKCS12
        config.save()
        attacker = _sign_in(transport, "carol", channel)
        assert find_issued_certificate(_fingerprint(attacker.device.certificate)).source == "pkcs12"
        return attacker.device
    attacker = _sign_in(transport, "carol", channel)
    if kind == "enrolled":
        attacker.device.enroll()
    elif kind == "checked_out":
        attacker.device.enroll()
        assert attacker.device.check_out() == 200
    else:
        assert kind == "never_used"
    return attacker.device


ATTACKS = ["enrolled", "never_used", "checked_out", "pkcs12"]


@pytest.mark.usefixtures("macs_are_adde")
@pytest.mark.parametrize("channel", list(CHANNELS))
@pytest.mark.parametrize("kind", ATTACKS)
def test_another_devices_certificate_cannot_take_over_an_enrollment(
    org: dict[str, Any], transport: Any, channel: str, kind: str
) -> None:
    victim = _enrolled(transport, "alice", channel).device
    before = _channel_of(victim)
    queued = device_services.enqueue_command(enrollments=[before], request_type="ProfileList")
    assert queued.queued
    attacker = _posing_as(_attacker_certificate(transport, kind, channel), victim)

    assert attacker.authenticate() == 403
    assert attacker.token_update() == 403
    status, _body = attacker.connect()
    assert status == 403

    after = _channel_of(victim)
    assert after.cert_fingerprint == _fingerprint(victim.certificate)
    assert (after.status, after.push_token, after.push_magic) == (
        Enrollment.Status.ENROLLED,
        before.push_token,
        before.push_magic,
    )
    assert after.device.directory_user_id == org["alice"].pk
    # The refusal is in the victim's device log, with the certificate that tried.
    refused = after.events.get(action="Authenticate", status="refused")
    assert refused.detail["certificate"] == _fingerprint(attacker.certificate)
    assert refused.detail["reason"]
    # The real device keeps its enrollment and gets its commands.
    (received,) = victim.run()
    assert received.request_type == "ProfileList"


@pytest.mark.usefixtures("macs_are_adde")
@pytest.mark.parametrize("kind", ["enrolled", "never_used", "checked_out"])
def test_another_devices_certificate_cannot_take_over_a_user_channel(
    org: dict[str, Any], transport: Any, kind: str
) -> None:
    enrolled = _enrolled(transport, "alice", "mac")
    victim = enrolled.device
    victim.bearer = enrolled.result.bearer
    assert victim.token_update(user="ALICE-USER") == 200
    user_channel = Enrollment.objects.get(channel_key=f"udid:{victim.udid}/uid:ALICE-USER")
    attacker = _posing_as(_attacker_certificate(transport, kind, "mac"), victim)

    assert attacker.authenticate() == 403
    assert attacker.token_update(user="ALICE-USER") == 403
    assert attacker.token_update(user="SOMEONE-NEW") == 403
    assert attacker.connect(user="ALICE-USER")[0] == 403

    user_channel.refresh_from_db()
    assert user_channel.push_token == victim.push_token.hex()
    assert not Enrollment.objects.filter(user_id="SOMEONE-NEW").exists()
    assert victim.connect(user="ALICE-USER")[0] == 200


@pytest.mark.parametrize("kind", ["enrolled", "never_used", "checked_out"])
def test_another_devices_certificate_cannot_take_over_a_user_enrollment_user_channel(
    org: dict[str, Any], transport: Any, kind: str
) -> None:
    # A User Enrollment Mac: EnrollmentID on the device channel, EnrollmentUserID on the user's.
    enrolled = _enrolled(transport, "alice", "mac")
    victim = enrolled.device
    assert victim.user_enrollment
    victim.bearer = enrolled.result.bearer
    assert victim.token_update(user="ALICE-EUID") == 200
    attacker = _posing_as(_attacker_certificate(transport, kind, "mac"), victim)

    assert attacker.authenticate() == 403
    assert attacker.token_update(user="ALICE-EUID") == 403
    assert attacker.connect(user="ALICE-EUID")[0] == 403
    user_channel = Enrollment.objects.get(enrollment_user_id="ALICE-EUID")
    assert user_channel.push_token == victim.push_token.hex()


@pytest.mark.usefixtures("macs_are_adde")
def test_a_checked_out_certificate_cannot_come_back(org: dict[str, Any], transport: Any) -> None:
    device = _enrolled(transport, "alice", "mac").device
    fingerprint = _fingerprint(device.certificate)
    queued = device_services.enqueue_command(
        enrollments=[_channel_of(device)], request_type="ProfileList"
    )
    assert device.check_out() == 200
    # Its own channel, with the old certificate: neither Authenticate nor TokenUpdate revives it.
    assert device.authenticate() == 403
    assert device.token_update() == 403
    channel = _channel_of(device)
    assert channel.status == Enrollment.Status.UNENROLLED
    issued = find_issued_certificate(fingerprint)
    assert issued is not None and issued.revoked_at is not None
    assert "checked out" in issued.revocation_reason
    assert QueuedCommand.objects.get(command__uuid=queued.command.uuid).status == "canceled"


# --- legitimate re-enrollment keeps working ---------------------------------------------------


@pytest.mark.usefixtures("macs_are_adde")
def test_the_same_person_re_enrolls_the_same_device_with_a_new_certificate(
    org: dict[str, Any], transport: Any
) -> None:
    first = _enrolled(transport, "alice", "mac")
    # The Mac is set up again without a CheckOut (say, erased): a fresh sign-in, a new profile
    # and a new certificate, the same UDID.
    second = _sign_in(transport, "alice", "mac")
    again = second.device
    again.udid = first.device.udid
    again.enroll()
    channel = _channel_of(again)
    assert channel.cert_fingerprint == _fingerprint(again.certificate)
    assert channel.status == Enrollment.Status.ENROLLED
    new_session = EnrollmentSession.objects.get(
        public_id=find_issued_certificate(_fingerprint(again.certificate)).reference
    )
    assert channel.enrollment_reference == new_session.public_id
    assert new_session.enrollment_id == channel.pk
    assert again.connect()[0] == 200
    # The certificate it replaced is revoked and refused.
    old = find_issued_certificate(_fingerprint(first.device.certificate))
    assert old is not None and old.revoked_at is not None
    assert first.device.authenticate() == 403
    assert first.device.connect()[0] == 403
    assert Enrollment.objects.filter(channel="device").count() == 1


@pytest.mark.usefixtures("macs_are_adde")
def test_a_checked_out_device_enrolls_again_with_a_new_certificate(
    org: dict[str, Any], transport: Any
) -> None:
    first = _enrolled(transport, "alice", "mac").device
    assert first.check_out() == 200
    again = _sign_in(transport, "alice", "mac").device
    again.udid = first.udid
    again.enroll()
    channel = _channel_of(again)
    assert channel.status == Enrollment.Status.ENROLLED
    assert channel.cert_fingerprint == _fingerprint(again.certificate)
    assert again.connect()[0] == 200
    assert first.authenticate() == 403


@pytest.mark.usefixtures("macs_are_adde")
def test_a_checked_out_device_may_be_handed_to_someone_else(
    org: dict[str, Any], transport: Any
) -> None:
    first = _enrolled(transport, "alice", "mac").device
    assert first.check_out() == 200
    carols = _sign_in(transport, "carol", "mac").device
    carols.udid = first.udid
    carols.enroll()
    channel = _channel_of(carols)
    assert channel.status == Enrollment.Status.ENROLLED
    assert channel.device.directory_user_id != org["alice"].pk


def test_check_out_ends_the_account_session_and_its_tokens(
    org: dict[str, Any], transport: Any
) -> None:
    enrolled = _enrolled(transport, "alice", "iphone")
    session = EnrollmentSession.objects.get()
    assert session.enrollment_id == _channel_of(enrolled.device).pk
    assert enrolled.device.check_out() == 200
    session.refresh_from_db()
    assert session.revoked_at is not None and session.status == EnrollmentSession.Status.REVOKED
    tokens = EnrollmentToken.objects.filter(session=session)
    assert tokens.exists() and not tokens.filter(revoked_at__isnull=True).exists()


def test_a_session_enrolls_one_channel_only(org: dict[str, Any], transport: Any) -> None:
    """A certificate is bound to the session it was issued for, and the session to one channel:
    a second identity issued under the same session cannot open another channel."""
    from mdm_server.pki import services as pki
    from mdm_server.pki.models import IssuedCertificate

    enrolled = _enrolled(transport, "alice", "iphone")
    reference = find_issued_certificate(_fingerprint(enrolled.device.certificate)).reference
    scep = flow.payload_of(enrolled.result.profile, "com.apple.security.scep")
    # The name the profile asks for, as the enrollment's own challenge carries it.
    subject = str(scep["PayloadContent"]["Subject"][0][0][1])
    challenge = pki.create_scep_challenge(reference=reference, subject=subject)
    scep["PayloadContent"] = {**scep["PayloadContent"], "Challenge": challenge}
    issued = flow.scep_enroll(transport, scep)
    assert IssuedCertificate.objects.filter(reference=reference).count() == 2
    other = SimulatedDevice(
        transport=transport,
        certificate=issued.certificate,
        key=issued.key,
        server_url=enrolled.device.server_url,
        checkin_url=enrolled.device.checkin_url,
        bearer=enrolled.device.bearer,
        topic=enrolled.device.topic,
    )
    assert other.authenticate() == 403
    assert Enrollment.objects.count() == 1


# --- server-side unenroll ---------------------------------------------------------------------


@pytest.mark.usefixtures("macs_are_adde")
def test_unenroll_acknowledged_ends_the_enrollment_like_a_check_out(
    org: dict[str, Any], transport: Any
) -> None:
    enrolled = _enrolled(transport, "alice", "mac")
    device = enrolled.device
    channel = _channel_of(device)
    outcome = device_services.enqueue_command(enrollments=[channel], request_type="Unenroll")
    assert outcome.queued
    later = device_services.enqueue_command(enrollments=[channel], request_type="ProfileList")
    status, body = device.connect()
    assert status == 200 and b"RemoveProfile" in body
    command_uuid = outcome.commands[0].uuid
    status, _body = device.connect("Acknowledged", command_uuid=command_uuid)
    assert status == 200
    channel.refresh_from_db()
    assert channel.status == Enrollment.Status.UNENROLLED
    issued = find_issued_certificate(_fingerprint(device.certificate))
    assert issued is not None and issued.revoked_at is not None
    assert EnrollmentSession.objects.get().revoked_at is not None
    assert QueuedCommand.objects.get(command=later.commands[0]).status == "canceled"
    assert device.connect()[0] == 403
    assert device.authenticate() == 403


@pytest.mark.usefixtures("macs_are_adde")
def test_an_administrator_unenrolls_a_lost_device_and_it_is_enrolled_again(
    org: dict[str, Any], transport: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    from mdm_server.models import AuditEvent

    lost = _enrolled(transport, "alice", "mac").device
    channel = _channel_of(lost)
    out = StringIO()
    call_command("unenroll_device", str(channel.public_id), "--reason", "stolen", stdout=out)
    assert "unenrolled" in out.getvalue()
    channel.refresh_from_db()
    assert channel.status == Enrollment.Status.UNENROLLED
    assert find_issued_certificate(_fingerprint(lost.certificate)).revoked_at is not None
    assert AuditEvent.objects.filter(action="devices.unenrolled").exists()
    # Its enrollment sessions end with the administrator's reason, not a check-out's.
    from enrollment.models import EnrollmentSession

    reasons = set(
        EnrollmentSession.objects.filter(enrollment=channel).values_list(
            "revoked_reason", flat=True
        )
    )
    assert reasons == {"stolen"}
    assert lost.connect()[0] == 403
    # The Mac, erased and given to carol, enrolls on the same UDID.
    carols = _sign_in(transport, "carol", "mac").device
    carols.udid = lost.udid
    carols.enroll()
    carol = _channel_of(carols).device.directory_user
    assert carol is not None and carol.email == f"carol@{DOMAIN}"


@pytest.mark.usefixtures("macs_are_adde")
def test_an_administrator_grants_a_re_enrollment_of_one_channel(
    org: dict[str, Any], transport: Any
) -> None:
    """A SCEP challenge made for one channel: its certificate may replace that channel's pin
    (the device re-enrolls with a hand-made profile) and no other channel's."""
    from io import StringIO

    from django.core.management import call_command

    victim = _enrolled(transport, "alice", "mac")
    bystander = _enrolled(transport, "carol", "mac").device
    channel = _channel_of(victim.device)
    out = StringIO()
    call_command("reenroll_challenge", str(channel.public_id), stdout=out)
    challenge = out.getvalue().strip()
    scep = flow.payload_of(victim.result.profile, "com.apple.security.scep")
    # The profile the device enrolled with, with the new challenge: the challenge carries the
    # name its identity has now, the one that profile asks for.
    assert ScepChallenge.objects.latest("pk").subject == str(
        scep["PayloadContent"]["Subject"][0][0][1]
    )
    scep["PayloadContent"] = {**scep["PayloadContent"], "Challenge": challenge}
    issued = flow.scep_enroll(transport, scep)
    granted = SimulatedDevice(
        transport=transport,
        certificate=issued.certificate,
        key=issued.key,
        server_url=victim.device.server_url,
        checkin_url=victim.device.checkin_url,
        platform="macOS",
        user_enrollment=False,
        topic=victim.device.topic,
        udid=bystander.udid,
    )
    assert granted.authenticate() == 403  # not the channel it was made for
    granted.udid = victim.device.udid
    granted.enroll()
    assert _channel_of(granted).cert_fingerprint == _fingerprint(issued.certificate)
    assert victim.device.connect()[0] == 403
    with pytest.raises(Exception, match="no enrollment"):
        call_command("reenroll_challenge", "00000000-0000-0000-0000-000000000000")


def test_a_re_enrollment_challenge_carries_the_name_asked_for(
    org: dict[str, Any], transport: Any
) -> None:
    """--subject names the certificate; a name the CA does not issue is refused with the
    reason; without it, the channel's current name."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    enrolled = _enrolled(transport, "alice", "iphone")
    channel = _channel_of(enrolled.device)
    current = enrolled.device.certificate.subject.rfc4514_string().removeprefix("CN=")
    public_id = str(channel.public_id)
    said = StringIO()
    call_command("reenroll_challenge", public_id, stdout=StringIO(), stderr=said)
    assert ScepChallenge.objects.latest("pk").subject == current
    assert said.getvalue().strip() == f"subject: {current}"  # what the profile must ask for
    call_command("reenroll_challenge", public_id, "--subject", "Front desk", stdout=StringIO())
    assert ScepChallenge.objects.latest("pk").subject == "Front desk"
    with pytest.raises(CommandError, match="--subject"):
        call_command("reenroll_challenge", public_id, "--subject", "bad\nname")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_authenticates_cannot_both_bind_one_session(server_pki: Any) -> None:
    """The same certificate sent for two new channels at once: the second Authenticate reads the
    session unbound (the first has not committed), waits on the session row, and is refused."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from devices import protocol
    from devices.exceptions import CheckinRejected

    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL")
    now = timezone.now()
    session = EnrollmentSession.objects.create(
        kind="account",
        enrollment_type="user",
        user_identifier=f"alice@{DOMAIN}",
        expires_at=now + dt.timedelta(days=1),
    )
    identity = identity_issued_for(session.public_id, "c" * 64)

    def authenticate(enrollment_id: str) -> Any:
        message = protocol.checkin_from_dict(
            {"MessageType": "Authenticate", "EnrollmentID": enrollment_id, "OSVersion": "18.2"}
        )
        try:
            return device_services.handle_checkin(identity=identity, message=message)
        except CheckinRejected as exc:
            return exc

    first, refused = races.second_waits_for_first(
        lambda: authenticate("FIRST"), lambda: authenticate("SECOND")
    )
    assert first.status == 200
    assert isinstance(refused, CheckinRejected) and refused.status == 403
    assert "belongs to another enrollment" in refused.reason
    (only,) = Enrollment.objects.all()
    assert only.enrollment_id == "FIRST"
    session.refresh_from_db()
    assert session.enrollment_id == only.pk


def _portal_device(transport: Any, client: Any, who: str, udid: str) -> SimulatedDevice:
    """`who` signs in at the portal, downloads a Device Enrollment profile and installs it."""
    return portal_device(transport, client, client.post("/enroll/", portal_form(who)), udid)


def test_portal_device_enrollment_re_enrolls_its_owner_never_someone_else(
    org: dict[str, Any], transport: Any, client: Any
) -> None:
    first = _portal_device(transport, client, "alice", udid="PORTAL-UDID-1")
    first.enroll()
    client.logout()
    carols = _portal_device(transport, client, "carol", udid="PORTAL-UDID-1")
    assert carols.authenticate() == 403
    client.logout()
    again = _portal_device(transport, client, "alice", udid="PORTAL-UDID-1")
    again.enroll()
    channel = Enrollment.objects.get(channel_key="udid:PORTAL-UDID-1")
    assert channel.cert_fingerprint == _fingerprint(again.certificate)
    assert channel.device.directory_user_id == org["alice"].pk
    assert first.connect()[0] == 403
    assert again.connect()[0] == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_certificate", [True, False], ids=["same", "other"])
def test_two_first_authenticates_of_one_new_channel_at_once_are_not_a_500(
    server_pki: Any, same_certificate: bool
) -> None:
    """Both find no channel; the second's INSERT waits for the first's and failed on the
    channel key once that committed (an IntegrityError: a 500 a device could cause). It is now
    taken again as the existing channel's Authenticate, which the binding rules decide: the
    same certificate is accepted, another one refused."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from devices import protocol
    from devices.exceptions import CheckinRejected
    from devices.identity import DeviceIdentity
    from mdm_server.pki.models import IssuedCertificate

    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL")
    now = timezone.now()
    identities = []
    for n, fingerprint in enumerate(["e" * 64, "e" * 64 if same_certificate else "f" * 64]):
        IssuedCertificate.objects.get_or_create(
            fingerprint=fingerprint,
            defaults={
                "serial": str(n + 1),
                "subject": f"CN={n}",
                "not_before": now,
                "not_after": now + dt.timedelta(days=1),
                "pem": "",
            },
        )
        identities.append(
            DeviceIdentity(
                fingerprint=fingerprint,
                not_valid_before=now,
                not_valid_after=now + dt.timedelta(days=1),
                transport="signature",
            )
        )

    def authenticate(identity: DeviceIdentity) -> Any:
        message = protocol.checkin_from_dict(
            {"MessageType": "Authenticate", "UDID": "U-RACE", "OSVersion": "15.2",
             "ProductName": "Mac14,2", "Topic": "com.apple.mgmt.External.x"}
        )  # fmt: skip
        try:
            return device_services.handle_checkin(identity=identity, message=message)
        except CheckinRejected as exc:
            return exc

    first, second_result = races.second_waits_for_first(
        lambda: authenticate(identities[0]), lambda: authenticate(identities[1])
    )
    assert first.status == 200
    if same_certificate:
        assert not isinstance(second_result, Exception), second_result
        assert second_result.status == 200
    else:
        assert isinstance(second_result, CheckinRejected), second_result
        assert second_result.status == 403
    (only,) = Enrollment.objects.filter(channel_key="udid:U-RACE")
    assert only.cert_fingerprint == "e" * 64


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_authenticates_claiming_one_known_device_at_once_are_not_a_500(
    server_pki: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two new channels (two UDIDs) whose sessions name the same device known before
    enrollment (ADE), with its serial number: the second waits for the Device row and read,
    from before its wait, that no channel held it; its INSERT then failed on the one-channel-
    a-device key (a 500). Taken again, it is decided as if the two had come one after the
    other: here the same certificate on another channel, refused."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from devices import hooks, protocol
    from devices.exceptions import CheckinRejected
    from devices.identity import DeviceIdentity
    from devices.models import Device

    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL")
    known = Device.objects.create(serial_number="C02KNOWN1", user_enrollment=False)
    monkeypatch.setattr(
        hooks,
        "_resolver",
        lambda ids, reference, bearer, read: hooks.EnrollmentContext(
            enrollment_type="ade", device_id=known.pk
        ),
    )
    now = timezone.now()
    identity = DeviceIdentity(
        fingerprint="d" * 64,
        not_valid_before=now,
        not_valid_after=now + dt.timedelta(days=1),
        transport="signature",
    )

    def authenticate(udid: str) -> Any:
        message = protocol.checkin_from_dict(
            {"MessageType": "Authenticate", "UDID": udid, "SerialNumber": "C02KNOWN1",
             "OSVersion": "15.2", "Topic": "com.apple.mgmt.External.x"}
        )  # fmt: skip
        return device_services.handle_checkin(identity=identity, message=message)

    first, second = races.second_waits_for_first(
        lambda: authenticate("U-ONE"), lambda: authenticate("U-TWO")
    )
    assert not isinstance(first, Exception), first
    assert first.status == 200
    # The same certificate for another channel: refused by the binding rules, not a 500.
    assert isinstance(second, CheckinRejected) and second.status == 403, second
    holders = Enrollment.objects.filter(device=known, parent__isnull=True)
    assert [e.channel_key for e in holders] == ["udid:U-ONE"]


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_a_user_enrollment_identity_cannot_enroll_a_device_enrollment(
    org: dict[str, Any], transport: Any, channel: str
) -> None:
    # The organisation offers User Enrollment only (the default configuration): alice's
    # profile and identity are for one. Her device sends a UDID instead of the EnrollmentID,
    # as a Device Enrollment would, to be taken for a company device.
    device = _sign_in(transport, "alice", channel).device
    assert device.user_enrollment
    device.user_enrollment = False
    assert device.authenticate() == 403
    assert device.token_update() == 404  # no channel was made
    assert not Enrollment.objects.filter(enrollment_type=Enrollment.Type.DEVICE).exists()
    # The enrollment she was given still works.
    device.user_enrollment = True
    device.enroll()
    enrolled = _channel_of(device)
    assert enrolled.enrollment_type == Enrollment.Type.USER
    assert enrolled.device.ownership == "personal"


@pytest.mark.postgres  # the statement's read needs PostgreSQL's LATERAL; elsewhere not made
def test_the_session_read_with_the_certificate_is_what_the_resolver_reads(
    server_pki: Any,
) -> None:
    """An Authenticate's first statement reads the certificate's session by the enrollment
    app's SQL (`session_context_sql`); the resolver makes the same context of that row as of
    its own read, for a session bound or not, revoked or not, and for no session at all."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from devices import hotpath, protocol
    from tests.channels import create_channel

    now = timezone.now()
    sessions = [
        EnrollmentSession.objects.create(
            kind="account",
            enrollment_type=kind,
            user_identifier=f"alice@{DOMAIN}",
            managed_apple_id=f"alice@{DOMAIN}" if kind == "user" else "",
            directory_user_id=7 if kind == "user" else None,
            ownership="corporate" if kind == "device" else "",
            expires_at=now + dt.timedelta(days=1),
            revoked_at=now if kind == "device" else None,
        )
        for kind in ("user", "device")
    ]
    channel = create_channel(channel_key="eid:BOUND", channel="device")
    EnrollmentSession.objects.filter(pk=sessions[0].pk).update(enrollment=channel)
    sql, width = services.session_context_sql("%s")
    for reference, udid in [(s.public_id, None) for s in sessions] + [("nobody", "U-1")]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [reference])
            row = cursor.fetchone()
        assert row is None or len(row) == width
        ids = protocol.EnrollmentIds(udid=udid, enrollment_id=None if udid else "E-1")
        read = hotpath.SessionRead(None if row is None else tuple(row))
        assert services.resolve_enrollment(ids, reference, None, read) == (
            services.resolve_enrollment(ids, reference, None)
        )
    bound = services.resolve_enrollment(
        protocol.EnrollmentIds(enrollment_id="E-1"), sessions[0].public_id, None
    )
    assert bound is not None and bound.session_enrollment_id == channel.pk
    assert bound.managed_apple_id == f"alice@{DOMAIN}" and not bound.session_revoked
