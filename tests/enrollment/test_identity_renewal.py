"""Identity renewal end to end (issue 18): devices enrolled through every path this server
supports keep being accepted for two simulated years, across a CA rollover. The server's clock
and the devices' clock are one `ManualClock`; every certificate is really issued through SCEP.
"""

from __future__ import annotations

import datetime as dt
import plistlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes

from devices.identity import forget_cached_state
from devices.models import DeviceEvent, Enrollment, QueuedCommand
from devices.services import renewal
from directory import services as directory
from enrollment import services
from enrollment.abm import services as abm
from enrollment.abm.models import AbmDevice, AbmProfile
from enrollment.models import EnrollmentSettings
from mdm_server import clock
from mdm_server.pki import certificates
from mdm_server.pki.models import IssuedCertificate
from mdm_server.pki.services import find_issued_certificate
from tests.devices._rows import drain_inventory
from tests.enrollment.abm.fake_abm import FakeAbm, abm_device
from tests.enrollment.conftest import DOMAIN, PASSWORD
from tests.simulator import enrollment_flow as flow
from tests.simulator import scep_client
from tests.simulator.device import SimulatedDevice

pytestmark = pytest.mark.django_db

SERVER = "http://127.0.0.1:8000"
DAY = dt.timedelta(days=1)


@pytest.fixture
def moving_clock() -> Iterator[clock.ManualClock]:
    manual = clock.ManualClock()
    previous = clock.use(manual)
    forget_cached_state()
    yield manual
    clock.use(previous)
    forget_cached_state()


@pytest.fixture
def fake_abm() -> Iterator[FakeAbm]:
    server = FakeAbm()
    yield server
    server.close()


def _ade_devices(
    transport: Any, fake: FakeAbm, settings: Any, now: clock.ManualClock, on_commit: Any
) -> dict[str, SimulatedDevice]:
    """An iPhone and a Mac bought through Apple Business Manager: the link's token uploaded,
    devices synced, a default Setup Assistant profile assigned; each goes through Setup
    Assistant (signed MachineInfo, a test CA standing in for Apple's) to DeviceConfigured."""
    link = abm.create_link(name="Fleet", actor=None, api_url=fake.base, ca_pem=fake.ca_pem)
    abm.upload_server_token(link=link, data=fake.server_token(link.certificate_pem), actor=None)
    fake.add_device(abm_device("F2LXKFLEET01", "iPhone 16", "iPhone"))
    fake.add_device(abm_device("C02FLEETMAC1", "MacBook Air", "Mac"))
    abm.sync_devices(link=link)
    public_url = settings.PUBLIC_URL
    settings.PUBLIC_URL = "https://mdm.example.com"  # Apple accepts only https enrollment URLs
    abm.define_profile(profile=AbmProfile(link=link, name="Fleet", is_default=True), actor=None)
    settings.PUBLIC_URL = public_url
    assert abm.assign_by_rule(link=link) == 2
    ca_key = certificates.new_rsa_key()
    apple_ca = certificates.Identity(
        certificate=certificates.build_ca("Test Apple iPhone Device CA", key=ca_key), key=ca_key
    )
    options = EnrollmentSettings.load()
    options.apple_device_ca_pem = certificates.cert_to_pem(apple_ca.certificate)
    options.save()
    devices = {}
    for name, serial, product, platform, version in [
        ("iPhone, Automated Device Enrollment", "F2LXKFLEET01", "iPhone17,2", "iOS", "18.2"),
        ("Mac, Automated Device Enrollment", "C02FLEETMAC1", "Mac15,12", "macOS", "15.2"),
    ]:
        cloud = fake.profiles[fake.devices[serial]["profile_uuid"]]
        result = flow.enroll_automated(
            transport,
            cloud,
            serial_number=serial,
            product=product,
            os_version=version,
            apple_identity=flow.apple_device_identity(apple_ca),
        )
        mdm = result.mdm_payload
        device = SimulatedDevice(
            transport=transport,
            certificate=result.identity_certificate,
            key=result.identity_key,
            server_url=mdm["ServerURL"],
            checkin_url=mdm["CheckInURL"],
            platform=platform,
            user_enrollment=False,
            automated=True,
            supervised=True,
            os_version=version,
            udid=result.udid,
            serial_number=serial,
            topic=mdm["Topic"],
            clock=now,
        )
        with on_commit(execute=True):  # the first TokenUpdate queues DeviceConfigured on commit
            device.enroll_awaiting_configuration()
        device.await_device_configured()
        drain_inventory(device)
        devices[name] = device
    return devices


def _fingerprint(cert: Any) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _account_device(
    transport: Any, who: str, *, mac: bool, now: clock.ManualClock
) -> SimulatedDevice:
    family = (
        {"model_family": "Mac", "product": "Mac15,3", "os_version": "15.2"}
        if mac
        else {"model_family": "iPhone", "product": "iPhone17,2", "os_version": "18.2"}
    )
    result = flow.enroll_account_driven(
        transport, SERVER, user_identifier=f"{who}@{DOMAIN}", password=PASSWORD, **family
    )
    mdm = result.mdm_payload
    device = SimulatedDevice(
        transport=transport,
        certificate=result.identity_certificate,
        key=result.identity_key,
        server_url=mdm["ServerURL"],
        checkin_url=mdm["CheckInURL"],
        platform="macOS" if mac else "iOS",
        user_enrollment=mdm["EnrollmentMode"] == "BYOD",
        os_version=family["os_version"],
        bearer=None if mac else result.bearer,  # a Mac sends its token on user channels only
        topic=mdm["Topic"],
        clock=now,
    )
    device.enroll()
    drain_inventory(device)  # the inventory asked at enrollment comes first
    return device


def _portal_device(
    transport: Any, client: Any, who: str, *, mac: bool, personal: bool, now: clock.ManualClock
) -> SimulatedDevice:
    platform, version = ("macOS", "14.6") if mac else ("iOS", "17.5")
    client.logout()
    response = client.post(
        "/enroll/",
        {
            "identifier": who,
            "password": PASSWORD,
            "platform": platform,
            "os_version": version,
            "ownership": "personal" if personal else "corporate",
            "accept_terms": "1",
        },
    )
    link = re.search(r'id="download" href="([^"]+)"', response.content.decode())
    assert link is not None, response.content[:400]
    profile = flow.read_profile(client.get(link.group(1)).content)
    identity = flow.install_identity(transport, profile)
    mdm = flow.payload_of(profile, "com.apple.mdm")
    device = SimulatedDevice(
        transport=transport,
        certificate=identity.certificate,
        key=identity.key,
        server_url=mdm["ServerURL"].replace("https://", "http://"),
        checkin_url=mdm["CheckInURL"].replace("https://", "http://"),
        platform=platform,
        os_version=version,
        user_enrollment="ManagedAppleID" in mdm,
        topic=mdm["Topic"],
        clock=now,
    )
    device.enroll()
    drain_inventory(device)  # the inventory asked at enrollment comes first
    return device


def _channel(device: SimulatedDevice) -> Enrollment:
    key = f"eid:{device.enrollment_id}" if device.user_enrollment else f"udid:{device.udid}"
    return Enrollment.objects.get(channel_key=key)


def _users(*names: str) -> None:
    for name in names:
        directory.create_local_user(
            username=name, email=f"{name}@{DOMAIN}", password=PASSWORD, actor=None
        )


def test_an_identity_older_than_a_year_is_refused_without_renewal(
    org: dict[str, Any], transport: Any, moving_clock: clock.ManualClock
) -> None:
    """The defect: every identity lasts 365 days, so a device nobody renews falls off."""
    device = _account_device(transport, "alice", mac=False, now=moving_clock)
    assert device.connect()[0] == 200
    moving_clock.advance(366 * DAY)
    status, body = device.connect()
    assert status == 403
    assert b"expired" in body


def test_a_device_keeps_working_after_a_year_with_scheduled_renewal(
    org: dict[str, Any], transport: Any, moving_clock: clock.ManualClock
) -> None:
    device = _account_device(transport, "alice", mac=False, now=moving_clock)
    first = device.certificate
    channel = _channel(device)
    assert channel.identity_not_after == first.not_valid_after_utc
    for _ in range(40):  # 400 days, the scheduled run every ten days
        moving_clock.advance(10 * DAY)
        renewal.renew_identities()
        device.run()
    assert device.certificate != first
    assert len(device.renewals) == 1
    channel.refresh_from_db()
    assert channel.status == Enrollment.Status.ENROLLED
    assert channel.cert_fingerprint == _fingerprint(device.certificate)
    assert channel.renewal_status == "renewed"
    assert channel.identity_not_after == device.certificate.not_valid_after_utc
    # Renewed inside its window, not at the last moment and not right away.
    renewed_at = device.renewals[0]
    assert first.not_valid_after_utc - dt.timedelta(days=31) < renewed_at
    assert renewed_at < first.not_valid_after_utc
    # The old certificate was revoked once the new one was used; the new one renews it.
    old = find_issued_certificate(_fingerprint(first))
    new = find_issued_certificate(_fingerprint(device.certificate))
    assert old is not None and old.revoked_at is not None
    assert new is not None and new.renews == old.fingerprint and new.reference == old.reference
    assert DeviceEvent.objects.filter(enrollment=channel, action="IdentityRenewed").count() == 1


def test_a_renewed_mac_keeps_its_bootstrap_token(
    org: dict[str, Any],
    transport: Any,
    moving_clock: clock.ManualClock,
    fake_abm: FakeAbm,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The renewal's Authenticate comes from the same installation of macOS (unlike an erased
    Mac enrolling again, tests/enrollment/abm/test_ade_flow.py): its bootstrap token stays."""
    monkeypatch.setattr("apns.services.request_drain", lambda **_: None)
    mac = _ade_devices(
        transport, fake_abm, settings, moving_clock, django_capture_on_commit_callbacks
    )["Mac, Automated Device Enrollment"]
    assert mac.set_bootstrap_token(b"this-installation") == 200
    channel = _channel(mac)
    assert renewal.request_renewal(enrollment=channel) == ""
    first = mac.certificate
    mac.run()  # InstallProfile: SCEP, then Authenticate and TokenUpdate with the new identity
    channel.refresh_from_db()
    assert mac.certificate != first and channel.renewal_status == "renewed"
    assert mac.get_bootstrap_token() == (200, b"this-installation")


def test_the_old_identity_works_until_the_new_one_is_used(
    org: dict[str, Any], transport: Any, moving_clock: clock.ManualClock
) -> None:
    device = _account_device(transport, "alice", mac=False, now=moving_clock)
    channel = _channel(device)
    assert renewal.request_renewal(enrollment=channel) == ""
    # The device has not installed the profile yet: its current identity still works.
    assert device.connect()[0] == 200  # receives the InstallProfile (not answered here)
    old_cert, old_key = device.certificate, device.key
    device.checkin_after_renewal = False
    device.run()  # answers InstallProfile: SCEP, then the result signed with the new identity
    channel.refresh_from_db()
    assert channel.cert_fingerprint == _fingerprint(device.certificate) != _fingerprint(old_cert)
    assert channel.renewal_status == "renewed"
    forget_cached_state()  # the revocation list is cached for a minute per process
    stale = SimulatedDevice(
        transport=transport,
        certificate=old_cert,
        key=old_key,
        server_url=device.server_url,
        user_enrollment=True,
        enrollment_id=device.enrollment_id,
        bearer=device.bearer,
    )
    assert stale.connect()[0] == 403


def test_a_renewed_identity_is_accepted_for_its_own_channel_only(
    org: dict[str, Any], transport: Any, moving_clock: clock.ManualClock
) -> None:
    _users("dave")
    alice = _account_device(transport, "alice", mac=False, now=moving_clock)
    dave = _account_device(transport, "dave", mac=False, now=moving_clock)
    channel = _channel(alice)
    renewal.request_renewal(enrollment=channel)
    # alice's renewal profile reaches an attacker who enrolls its identity himself.
    status, body = alice.connect()
    assert status == 200
    command = plistlib.loads(body)["Command"]
    profile = flow.read_profile(command["Payload"])
    issued = flow.install_identity(transport, profile)
    # dave's channel with alice's renewed identity: refused on Authenticate and on a poll.
    posing = SimulatedDevice(
        transport=transport,
        certificate=issued.certificate,
        key=issued.key,
        server_url=dave.server_url,
        checkin_url=dave.checkin_url,
        enrollment_id=dave.enrollment_id,
        bearer=dave.bearer,
        topic=dave.topic,
    )
    assert posing.authenticate() == 403
    assert posing.connect()[0] == 403
    assert _channel(dave).cert_fingerprint == _fingerprint(dave.certificate)
    assert dave.connect()[0] == 200
    # On alice's own channel it is her renewal.
    alice.certificate, alice.key = issued.certificate, issued.key
    assert alice.connect()[0] == 200
    assert _channel(alice).cert_fingerprint == _fingerprint(issued.certificate)


def test_scep_renewal_request_signed_by_the_old_identity_is_adopted(
    org: dict[str, Any], transport: Any, moving_clock: clock.ManualClock
) -> None:
    """A SCEP RenewalReq (messageType 17) signed with the current identity: the new certificate
    renews it and is adopted at its first use."""
    from cryptography import x509

    from mdm_server.pki import certificates

    device = _account_device(transport, "alice", mac=False, now=moving_clock)
    # The account-driven identity is RSA (from the profile's SCEP payload).
    ca_der = transport.request("GET", f"{SERVER}/scep?operation=GetCACert", headers={})[2]
    ca_cert = x509.load_der_x509_certificate(ca_der)
    new_key = certificates.new_rsa_key()
    message, _tid = scep_client.build_renewal_req(
        key=new_key,
        subject_cn="renewed",
        current_cert=device.certificate,
        current_key=device.key,  # type: ignore[arg-type]
        ca_cert=ca_cert,
    )
    status, _h, reply = transport.request(
        "POST",
        f"{SERVER}/scep?operation=PKIOperation",
        headers={"Content-Type": "application/x-pki-message"},
        body=message,
    )
    assert status == 200
    result = scep_client.parse_cert_rep(
        reply,
        key=device.key,  # type: ignore[arg-type]
        self_signed_cert=device.certificate,
        ca_cert=ca_cert,
        new_key=new_key,
    )
    assert result.ok and result.certificate is not None
    row = IssuedCertificate.objects.get(fingerprint=_fingerprint(result.certificate))
    assert row.renews == _fingerprint(device.certificate)
    device.certificate, device.key = result.certificate, new_key
    assert device.connect()[0] == 200
    assert _channel(device).cert_fingerprint == row.fingerprint


def test_a_fleet_stays_enrolled_for_two_years_across_a_ca_rollover(
    org: dict[str, Any],
    transport: Any,
    client: Any,
    moving_clock: clock.ManualClock,
    fake_abm: FakeAbm,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The simulator polls by itself: the push outbox stays (APNs has its own tests).
    monkeypatch.setattr("apns.services.request_drain", lambda **_: None)
    _users("dave", "erin", "frank", "grace", "heidi")
    config = services.default_configuration()
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()
    fleet = {
        "iPhone, account-driven User Enrollment": _account_device(
            transport, "alice", mac=False, now=moving_clock
        ),
        "Mac, account-driven Device Enrollment": _account_device(
            transport, "carol", mac=True, now=moving_clock
        ),
        "iPhone, profile-based User Enrollment": _portal_device(
            transport, client, "dave", mac=False, personal=True, now=moving_clock
        ),
        "Mac, profile-based User Enrollment": _portal_device(
            transport, client, "erin", mac=True, personal=True, now=moving_clock
        ),
        "iPhone, Device Enrollment": _portal_device(
            transport, client, "frank", mac=False, personal=False, now=moving_clock
        ),
        "Mac, Device Enrollment": _portal_device(
            transport, client, "grace", mac=True, personal=False, now=moving_clock
        ),
    }
    fleet.update(
        _ade_devices(
            transport, fake_abm, settings, moving_clock, django_capture_on_commit_callbacks
        )
    )
    fleet["Mac, Device Enrollment"].checkin_after_renewal = False
    kinds = {name: (_channel(d).enrollment_type, d.user_enrollment) for name, d in fleet.items()}
    assert kinds["Mac, account-driven Device Enrollment"] == ("adde", False)
    assert kinds["iPhone, profile-based User Enrollment"] == ("user", True)
    assert kinds["Mac, profile-based User Enrollment"] == ("user", True)
    assert kinds["iPhone, Device Enrollment"] == ("device", False)
    assert kinds["iPhone, Automated Device Enrollment"] == ("ade", False)
    assert kinds["Mac, Automated Device Enrollment"] == ("ade", False)
    first_generation = {name: d.certificate for name, d in fleet.items()}
    for device in fleet.values():
        device.run()
    rolled_over_on = None
    # A poll every two weeks: inside every renewal window (its first 15 days are staggered).
    for day in range(14, 731, 14):
        moving_clock.advance(14 * DAY)
        if day == 14 * 32:
            rolled_over_on = renewal.rollover_ca().ca.generation
            assert rolled_over_on == 2
        run = renewal.renew_identities()
        assert not run.failed
        for device in fleet.values():
            device.run()  # raises unless every poll is answered 200
        if day == 14 * 34:
            generations = {g.generation: g.devices for g in renewal.ca_generations()}
            assert generations == {1: 0, 2: len(fleet)}
            renewal.retire_ca(generation=1)
    for name, device in fleet.items():
        channel = _channel(device)
        assert channel.status == Enrollment.Status.ENROLLED, name
        assert channel.cert_fingerprint == _fingerprint(device.certificate), name
        # Renewed before the first year ended, then from the new CA generation.
        assert len(device.renewals) == 2, (name, device.renewals)
        assert device.renewals[0] < first_generation[name].not_valid_after_utc, name
        assert device.certificate.issuer != first_generation[name].issuer, name
        assert device.certificate.not_valid_after_utc > moving_clock.now(), name
        assert device.connect()[0] == 200, name
        # Nothing the renewals sent is left waiting.
        assert not QueuedCommand.objects.filter(
            enrollment=channel, status__in=QueuedCommand.PENDING
        ).exists(), name
        if channel.enrollment_type == "ade":  # still the supervised company device ABM knows
            assert channel.device.supervised, name
            assert AbmDevice.objects.filter(enrollment=channel).count() == 1, name


def test_console_shows_the_renewal_and_an_administrator_renews_now(
    org: dict[str, Any],
    transport: Any,
    moving_clock: clock.ManualClock,
    admin_client: Any,
    helpdesk_client: Any,
) -> None:
    from django.urls import reverse

    device = _account_device(transport, "alice", mac=False, now=moving_clock)
    channel = _channel(device)
    detail = reverse("devices-detail", args=[channel.public_id])
    page = admin_client.get(detail).content.decode()
    from django.utils import timezone

    # A day without a time (the `day` filter): relative, then the date in the console's zone.
    day = timezone.localtime(device.certificate.not_valid_after_utc).date()
    expires = f'expires <time datetime="{day.isoformat()}"'
    assert "data-identity-renewal" in page and expires in page and "Not needed yet" in page
    renew = reverse("devices-renew-identity", args=[channel.public_id])
    assert helpdesk_client.post(renew).status_code == 403
    assert admin_client.get(renew).status_code == 405
    assert admin_client.post(renew).status_code == 302
    channel.refresh_from_db()
    assert channel.renewal_status == "requested"
    assert "Renewal sent, waiting for the device" in admin_client.get(detail).content.decode()
    handled = device.run()
    assert [r.request_type for r in handled if r.request_type == "InstallProfile"]
    assert "Renewed" in admin_client.get(detail).content.decode()


def test_dashboard_warns_of_server_certificates_and_devices_left_on_an_old_ca(
    org: dict[str, Any], transport: Any, moving_clock: clock.ManualClock, admin_client: Any
) -> None:
    from devices.models import LifecycleSettings

    device = _account_device(transport, "alice", mac=False, now=moving_clock)
    page = admin_client.get("/console/").content.decode()
    assert "data-pki-alert" not in page
    moving_clock.advance(DAY)
    renewal.rollover_ca()
    page = admin_client.get("/console/").content.decode()
    assert "1 enrolled device(s) still hold an identity of an older CA generation" in page
    device.run()  # nothing due yet: the scheduled run has not come
    renewal.renew_identities()
    device.run()
    assert "data-pki-alert" not in admin_client.get("/console/").content.decode()
    # The signing certificate lasts 825 days, the CA ten years: a long warning period shows both.
    LifecycleSettings.objects.update_or_create(
        pk=1, defaults={"server_certificate_warning_days": 900}
    )
    page = admin_client.get("/console/").content.decode()
    assert "The profile-signing certificate (generation 2) expires on" in page
    assert "The server CA" not in page
    moving_clock.advance(3000 * DAY)
    assert (
        "The server CA (generation 2) expires on" in admin_client.get("/console/").content.decode()
    )


def test_a_device_that_refuses_the_renewal_profile_shows_why(
    org: dict[str, Any],
    transport: Any,
    moving_clock: clock.ManualClock,
    django_capture_on_commit_callbacks: Any,
) -> None:
    device = _account_device(transport, "alice", mac=False, now=moving_clock)
    channel = _channel(device)
    # The device holds another topic than the profile carries: it refuses the update.
    device.topic = "com.apple.mgmt.External.99999999-0000-0000-0000-000000000000"
    first = device.certificate
    assert renewal.request_renewal(enrollment=channel) == ""
    with django_capture_on_commit_callbacks(execute=True):  # the result signal is on commit
        device.run()
    channel.refresh_from_db()
    assert channel.renewal_status == "failed"
    assert "Topic or ServerURL changed" in channel.renewal_detail
    assert device.certificate == first and device.connect()[0] == 200
    # Asked again only after the retry delay, even inside its window (from its start: slot 0).
    assert channel.renewal_requested_at is not None
    Enrollment.objects.filter(pk=channel.pk).update(refresh_slot=0)
    window = 400 * DAY

    def due(at: dt.datetime) -> bool:
        return renewal.renewal_due(now=at, window=window).filter(pk=channel.pk).exists()

    assert not due(channel.renewal_requested_at + DAY)
    assert due(channel.renewal_requested_at + 4 * DAY)


def test_a_renewal_asked_again_is_replaced_and_the_device_installs_the_one_it_has(
    org: dict[str, Any], transport: Any, moving_clock: clock.ManualClock
) -> None:
    device = _account_device(transport, "alice", mac=False, now=moving_clock)
    channel = _channel(device)
    Enrollment.objects.filter(pk=channel.pk).update(refresh_slot=0)
    moving_clock.advance(340 * DAY)
    assert len(renewal.renew_identities().requested) == 1
    status, body = device.connect()  # fetched, then the device goes quiet
    first = plistlib.loads(body)
    assert status == 200 and first["Command"]["RequestType"] == "InstallProfile"
    moving_clock.advance(4 * DAY)
    assert len(renewal.renew_identities().requested) == 1  # asked again, the first canceled
    canceled = QueuedCommand.objects.get(command__uuid=first["CommandUUID"])
    assert canceled.status == QueuedCommand.Status.CANCELED
    # The device installs the profile it had: its new identity is adopted all the same.
    answer, _extra = device.answer("InstallProfile", first["Command"])
    assert answer == "Acknowledged"
    channel.refresh_from_db()
    assert channel.cert_fingerprint == _fingerprint(device.certificate)
    assert channel.renewal_status == "renewed"
    # The second renewal waits no more; the device keeps polling.
    assert not QueuedCommand.objects.filter(
        enrollment=channel, status__in=QueuedCommand.PENDING
    ).exists()
    assert device.connect("Acknowledged", command_uuid=first["CommandUUID"])[0] == 200
    moving_clock.advance(40 * DAY)
    assert device.run() == []


def test_a_renewal_under_a_revoked_session_is_adopted_by_no_request(
    org: dict[str, Any], transport: Any, moving_clock: clock.ManualClock
) -> None:
    """The enrollment session was revoked without ending the enrollment (an authorization code
    replayed): the server makes no renewal profile for it, and a renewal the device asks
    itself (a SCEP RenewalReq signed with its identity) is not adopted either, on Authenticate
    nor on any other request: the device must sign in and enroll again."""
    from cryptography import x509

    from enrollment.models import EnrollmentSession

    mac = _account_device(transport, "alice", mac=True, now=moving_clock)
    pinned = _channel(mac).cert_fingerprint
    session = EnrollmentSession.objects.get(public_id=_channel(mac).enrollment_reference)
    assert services.revoke_session(session=session, end_enrollment=False)
    ca_der = transport.request("GET", f"{SERVER}/scep?operation=GetCACert", headers={})[2]
    ca_cert = x509.load_der_x509_certificate(ca_der)
    new_key = certificates.new_rsa_key()
    message, _tid = scep_client.build_renewal_req(
        key=new_key,
        subject_cn="renewed",
        current_cert=mac.certificate,
        current_key=mac.key,  # type: ignore[arg-type]
        ca_cert=ca_cert,
    )
    _status, _h, reply = transport.request(
        "POST",
        f"{SERVER}/scep?operation=PKIOperation",
        headers={"Content-Type": "application/x-pki-message"},
        body=message,
    )
    result = scep_client.parse_cert_rep(
        reply,
        key=mac.key,  # type: ignore[arg-type]
        self_signed_cert=mac.certificate,
        ca_cert=ca_cert,
        new_key=new_key,
    )
    if result.ok:  # issued: no request of the device adopts it
        assert result.certificate is not None
        renewed = SimulatedDevice(**{**mac.__dict__, "certificate": result.certificate})
        renewed.key = new_key
        assert renewed.connect()[0] == 403
        assert renewed.token_update() == 403
        assert renewed.authenticate() == 403
    assert _channel(mac).cert_fingerprint == pinned
