"""Automated Device Enrollment end to end with the simulator: bought through ABM, synced,
profile assigned, Setup Assistant enrolls, waits, gets DeviceConfigured; and the Managed Apple
Account GetToken of an account-driven iPhone."""

from __future__ import annotations

import plistlib
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from devices.models import Enrollment
from devices.simulator import enrollment_flow as flow
from devices.simulator.device import SimulatedDevice
from enrollment.abm import services
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from enrollment.models import EnrollmentSettings
from tests.enrollment.abm.fake_abm import SERVER_UUID, FakeAbm, abm_device
from tests.enrollment.conftest import DOMAIN, PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(
    link: AbmLink,
    stocked: FakeAbm,
    admin_user: Any,
    settings: Any,
    server_pki: Any,
    push_topic: str,
) -> FakeAbm:
    """The devices synced; a default profile (installing a restrictions profile before
    DeviceConfigured) and one for Macs, defined and assigned by rule."""
    from profiles import services as profiles

    settings.PUBLIC_URL = "https://mdm.example.com"
    services.sync_devices(link=link)
    first = profiles.create_profile(
        identifier="com.example.first",
        display_name="First restrictions",
        actor=admin_user,
        payloads=[profiles.PayloadInput("com.apple.applicationaccess", {"allowCamera": False})],
    )
    services.define_profile(
        profile=AbmProfile(
            link=link, name="Company iPhone", is_default=True, first_profiles=[first.pk]
        ),
        actor=admin_user,
    )
    services.define_profile(
        profile=AbmProfile(link=link, name="Macs", models_rule=["Mac"]), actor=admin_user
    )
    assert services.assign_by_rule(link=link) == 3
    return stocked


def _cloud_configuration(fake: FakeAbm, serial: str) -> dict[str, Any]:
    """What Apple hands the device at activation: the profile assigned to its serial number."""
    return fake.profiles[fake.devices[serial]["profile_uuid"]]


def _device(transport: Any, result: flow.AutomatedEnrollment, platform: str) -> SimulatedDevice:
    mdm = result.mdm_payload
    return SimulatedDevice(
        transport=transport,
        certificate=result.identity_certificate,
        key=result.identity_key,
        server_url=mdm["ServerURL"],
        checkin_url=mdm["CheckInURL"],
        platform=platform,
        user_enrollment=False,
        automated=True,
        supervised=result.supervised,
        os_version="18.2" if platform == "iOS" else "15.2",
        udid=result.udid,
        serial_number=result.serial_number,
        topic=mdm["Topic"],
    )


@pytest.mark.parametrize(
    ("serial", "product", "platform"),
    [("F2LXK1AAAAAA", "iPhone17,2", "iOS"), ("C02ZZ1CCCCCC", "Mac15,12", "macOS")],
)
def test_ade_device_enrolls_supervised_and_reaches_device_configured(
    assigned: FakeAbm,
    transport: Any,
    serial: str,
    product: str,
    platform: str,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The simulator polls by itself: the push outbox stays (APNs has its own tests).
    monkeypatch.setattr("apns.services.request_drain", lambda **_: None)
    cloud = _cloud_configuration(assigned, serial)
    assert cloud["is_supervised"] and cloud["await_device_configured"]
    # Known before it enrolls: the sync made its Device (corporate, no channel yet).
    before = AbmDevice.objects.get(serial_number=serial).device
    assert before is not None and before.serial_number == serial
    assert before.ownership == "corporate" and not before.channels.exists()
    result = flow.enroll_automated(transport, cloud, serial_number=serial, product=product)
    assert "com.apple.mdm.token" in result.mdm_payload["ServerCapabilities"]
    device = _device(transport, result, platform)
    with django_capture_on_commit_callbacks(execute=True):
        device.enroll_awaiting_configuration()
    handled = device.await_device_configured()
    kinds = [h.request_type for h in handled]
    assert kinds[-1] == "DeviceConfigured"
    if platform == "iOS":  # the default profile installs its first profile before releasing
        assert kinds.index("InstallProfile") < kinds.index("DeviceConfigured")
        assert "com.example.first" in device.installed_profiles
    assert all(h.answered == "Acknowledged" for h in handled)
    enrollment = Enrollment.objects.get(device__udid=result.udid)
    assert enrollment.enrollment_type == "ade"
    assert enrollment.supervised and not enrollment.awaiting_configuration
    known = AbmDevice.objects.get(serial_number=serial)
    assert known.enrollment == enrollment and known.configured_at is not None
    # The channel took the Device ABM made known: the same row, now with what it reported.
    assert enrollment.device_id == before.pk == known.device_id
    assert enrollment.device.udid == result.udid and enrollment.device.platform == platform


def test_erased_device_enrolls_again_and_another_device_cannot_take_its_place(
    assigned: FakeAbm, transport: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apns.services.request_drain", lambda **_: None)
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    first = flow.enroll_automated(transport, cloud, serial_number="F2LXK1AAAAAA")
    _device(transport, first, "iOS").enroll()
    # Erased without checking out: Setup Assistant enrolls it again with a new identity.
    again = flow.enroll_automated(transport, cloud, serial_number="F2LXK1AAAAAA", udid=first.udid)
    assert again.identity_certificate != first.identity_certificate
    assert _device(transport, again, "iOS").authenticate() == 200
    # A device with another UDID presenting the same serial number gets a certificate, but
    # cannot authenticate as a new channel under the reference another channel holds.
    other = flow.enroll_automated(transport, cloud, serial_number="F2LXK1AAAAAA")
    assert _device(transport, other, "iOS").authenticate() == 403
    assert Enrollment.objects.filter(enrollment_type="ade").count() == 1
    # One Device for that serial number: ABM's, taken by the channel.
    channel = Enrollment.objects.get(enrollment_type="ade")
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").device_id == channel.device_id


def test_device_not_assigned_to_us_is_refused(assigned: FakeAbm, transport: Any) -> None:
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    with pytest.raises(flow.EnrollmentFlowError) as exc:
        flow.enroll_automated(transport, cloud, serial_number="DMPSTRANGER1")
    assert exc.value.status == 403 and b"not assigned to this organisation" in exc.value.body


def test_removed_device_is_refused(assigned: FakeAbm, link: AbmLink, transport: Any) -> None:
    assigned.remove_device("F2LXK1BBBBBB")
    services.sync_devices(link=link)
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    with pytest.raises(flow.EnrollmentFlowError) as exc:
        flow.enroll_automated(transport, cloud, serial_number="F2LXK1BBBBBB")
    assert exc.value.status == 403


def test_unsigned_machine_info_is_refused_when_apple_ca_is_configured(
    assigned: FakeAbm, transport: Any
) -> None:
    apple = flow.throwaway_apple_identity()
    options = EnrollmentSettings.load()
    options.apple_device_ca_pem = apple.ca.certificate.public_bytes(Encoding.PEM).decode()
    options.save()
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    plain = plistlib.dumps({"SERIAL": "F2LXK1AAAAAA", "UDID": "X", "PRODUCT": "iPhone17,2"})
    status, _h, _body = flow.post_enroll(transport, cloud["url"], plain)
    assert status == 400
    # A device signed by another CA than Apple's is refused; Apple's own passes.
    with pytest.raises(flow.EnrollmentFlowError) as exc:
        flow.enroll_automated(transport, cloud, serial_number="F2LXK1AAAAAA")
    assert exc.value.status == 400
    result = flow.enroll_automated(
        transport, cloud, serial_number="F2LXK1AAAAAA", apple_identity=apple
    )
    assert result.supervised


def test_unknown_profile_url_is_404(assigned: FakeAbm, transport: Any) -> None:
    url = "https://mdm.example.com/enroll/ade/00000000-0000-0000-0000-000000000000"
    status, _h, _body = flow.post_enroll(transport, url, b"x")
    assert status == 404


def test_account_driven_iphone_gets_a_maid_token_signed_by_the_link(
    org: dict[str, Any], link: AbmLink, fake_abm: FakeAbm, transport: Any
) -> None:
    result = flow.enroll_account_driven(
        transport, "http://127.0.0.1:8000", user_identifier=f"alice@{DOMAIN}", password=PASSWORD
    )
    mdm = result.mdm_payload
    assert "com.apple.mdm.token" in mdm["ServerCapabilities"]
    device = SimulatedDevice(
        transport=transport,
        certificate=result.identity_certificate,
        key=result.identity_key,
        server_url=mdm["ServerURL"],
        checkin_url=mdm["CheckInURL"],
        user_enrollment=mdm["EnrollmentMode"] == "BYOD",
        bearer=result.bearer,
        topic=mdm["Topic"],
    )
    device.enroll()
    status, body = device.get_token("com.apple.maid")
    assert status == 403 and b"server_uuid" in body  # the account is not known yet
    services.refresh_account(link=link)
    tokens = []
    for _ in range(2):
        status, body = device.get_token("com.apple.maid")
        assert status == 200
        tokens.append(plistlib.loads(body)["TokenData"].decode())
    public_key = x509.load_pem_x509_certificate(link.certificate_pem.encode()).public_key()
    claims = [jwt.decode(t, public_key, algorithms=["RS256"]) for t in tokens]
    assert {c["iss"] for c in claims} == {SERVER_UUID}
    assert {c["service_type"] for c in claims} == {"com.apple.maid"}
    assert claims[0]["jti"] != claims[1]["jti"] and all(c["iat"] for c in claims)
    other_key = x509.load_pem_x509_certificate(
        services.create_link(
            name="Other", actor=None, api_url=fake_abm.base
        ).certificate_pem.encode()
    ).public_key()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tokens[0], other_key, algorithms=["RS256"])
    status, body = device.get_token("com.example.unknown")
    assert status == 400


def test_sync_adds_devices_bought_later(assigned: FakeAbm, link: AbmLink) -> None:
    assigned.add_device(abm_device("F2LXK1EEEEEE", "iPhone 16", "iPhone"))
    totals = services.sync_devices(link=link)
    assert totals["changed"] == 1 and totals["assigned"] == 1
    assert assigned.devices["F2LXK1EEEEEE"]["profile_status"] == "assigned"
