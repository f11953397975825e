"""Automated Device Enrollment end to end with the simulator: bought through ABM, synced,
profile assigned, Setup Assistant enrolls, waits, gets DeviceConfigured; and the Managed Apple
Account GetToken of an account-driven iPhone."""

from __future__ import annotations

import plistlib
from typing import Any

import jwt
import pytest
from cryptography import x509

from devices.models import Enrollment
from enrollment.abm import services
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from enrollment.models import EnrollmentSettings
from tests.enrollment.abm.fake_abm import SERVER_UUID, FakeAbm, abm_device
from tests.enrollment.conftest import DOMAIN, PASSWORD
from tests.simulator import enrollment_flow as flow
from tests.simulator.device import SimulatedDevice

pytestmark = pytest.mark.django_db

SETTINGS = {"Settings": [{"Item": "DeviceName", "DeviceName": "Company iPhone"}]}


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
            link=link,
            name="Company iPhone",
            is_default=True,
            first_profiles=[first.pk],
            first_commands=[{"request_type": "Settings", "params": SETTINGS}],
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


MAC_SERIAL = "C02ZZ1CCCCCC"  # assigned to the "Macs" profile by rule


def _ade_mac(
    transport: Any, cloud: dict[str, Any], apple_device: Any, on_commit: Any, **kwargs: Any
) -> tuple[flow.AutomatedEnrollment, SimulatedDevice]:
    """An ADE Mac through Setup Assistant up to its first TokenUpdate (still awaiting
    configuration); `udid` names the same Mac enrolling again."""
    result = flow.enroll_automated(
        transport,
        cloud,
        apple_identity=apple_device(),
        serial_number=MAC_SERIAL,
        product="Mac15,12",
        os_version="15.2",
        **kwargs,
    )
    mac = _device(transport, result, "macOS")
    with on_commit(execute=True):
        mac.enroll_awaiting_configuration()
    return result, mac


@pytest.mark.parametrize(
    ("serial", "product", "platform"),
    [("F2LXK1AAAAAA", "iPhone17,2", "iOS"), ("C02ZZ1CCCCCC", "Mac15,12", "macOS")],
)
def test_ade_device_enrolls_supervised_and_reaches_device_configured(
    assigned: FakeAbm,
    apple_device: Any,
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
    result = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number=serial, product=product
    )
    assert "com.apple.mdm.token" in result.mdm_payload["ServerCapabilities"]
    device = _device(transport, result, platform)
    with django_capture_on_commit_callbacks(execute=True):
        device.enroll_awaiting_configuration()
    handled = device.await_device_configured()
    kinds = [h.request_type for h in handled]
    # Released once; the DeclarativeManagement turning declarations on may come in the round.
    assert kinds.count("DeviceConfigured") == 1
    assert set(kinds[kinds.index("DeviceConfigured") + 1 :]) <= {"DeclarativeManagement"}
    if platform == "iOS":  # the default profile installs its first profile before releasing
        assert kinds.index("InstallProfile") < kinds.index("Settings")
        assert kinds.index("Settings") < kinds.index("DeviceConfigured")
        settings_command = handled[kinds.index("Settings")].command
        assert settings_command["Settings"] == SETTINGS["Settings"]
        assert "com.example.first" in device.installed_profiles
    assert all(h.answered == "Acknowledged" for h in handled)
    enrollment = Enrollment.objects.get(device__udid=result.udid)
    assert enrollment.enrollment_type == "ade"
    assert enrollment.device.supervised and not enrollment.awaiting_configuration
    known = AbmDevice.objects.get(serial_number=serial)
    assert known.enrollment == enrollment and known.configured_at is not None
    # The channel took the Device ABM made known: the same row, now with what it reported.
    assert enrollment.device_id == before.pk == known.device_id
    assert enrollment.device.udid == result.udid and enrollment.device.platform == platform


def test_erased_device_enrolls_again_and_another_device_cannot_take_its_place(
    assigned: FakeAbm, apple_device: Any, transport: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apns.services.request_drain", lambda **_: None)
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    first = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA"
    )
    _device(transport, first, "iOS").enroll()
    # Erased without checking out: Setup Assistant enrolls it again with a new identity.
    again = flow.enroll_automated(
        transport,
        cloud,
        apple_identity=apple_device(),
        serial_number="F2LXK1AAAAAA",
        udid=first.udid,
    )
    assert again.identity_certificate != first.identity_certificate
    assert _device(transport, again, "iOS").authenticate() == 200
    # A device with another UDID presenting the same serial number gets a certificate, but
    # cannot authenticate as a new channel under the reference another channel holds.
    other = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA"
    )
    assert _device(transport, other, "iOS").authenticate() == 403
    assert Enrollment.objects.filter(enrollment_type="ade").count() == 1
    # One Device for that serial number: ABM's, taken by the channel.
    channel = Enrollment.objects.get(enrollment_type="ade")
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").device_id == channel.device_id


def test_device_not_assigned_to_us_is_refused(
    assigned: FakeAbm, apple_device: Any, transport: Any
) -> None:
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    with pytest.raises(flow.EnrollmentFlowError) as exc:
        flow.enroll_automated(
            transport, cloud, apple_identity=apple_device(), serial_number="DMPSTRANGER1"
        )
    assert exc.value.status == 403 and b"not assigned to this organisation" in exc.value.body


def test_removed_device_is_refused(
    assigned: FakeAbm, apple_device: Any, link: AbmLink, transport: Any
) -> None:
    assigned.remove_device("F2LXK1BBBBBB")
    services.sync_devices(link=link)
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    with pytest.raises(flow.EnrollmentFlowError) as exc:
        flow.enroll_automated(
            transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1BBBBBB"
        )
    assert exc.value.status == 403


def test_unsigned_or_foreign_machine_info_is_refused(
    assigned: FakeAbm, apple_device: Any, transport: Any
) -> None:
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    # Knowing a company serial number is not enough: an unsigned MachineInfo is refused...
    plain = plistlib.dumps(
        {"SERIAL": "F2LXK1AAAAAA", "UDID": "X", "PRODUCT": "iPhone17,2", "VERSION": "22C152"}
    )
    status, _h, body = flow.post_enroll(transport, cloud["url"], plain)
    assert status == 400 and b"unsigned MachineInfo is not accepted" in body
    # ... and so is one signed by a certificate of another CA than Apple's.
    with pytest.raises(flow.EnrollmentFlowError) as exc:
        flow.enroll_automated(
            transport,
            cloud,
            serial_number="F2LXK1AAAAAA",
            apple_identity=flow.throwaway_apple_identity(),
        )
    assert exc.value.status == 400 and b"trusted Apple device CA" in exc.value.body
    assert not AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").enrollment_reference
    # A device whose identity Apple's CA (the test CA here) issued enrolls.
    result = flow.enroll_automated(
        transport, cloud, serial_number="F2LXK1AAAAAA", apple_identity=apple_device()
    )
    assert result.supervised


def test_without_apple_device_ca_ade_is_refused_unless_unsigned_mode_is_chosen(
    assigned: FakeAbm, transport: Any, settings: Any
) -> None:
    """The default is safe: with no Apple device CA configured, no ADE enrollment is believed."""
    options = EnrollmentSettings.load()
    options.apple_device_ca_pem = ""
    options.save()
    cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    plain = plistlib.dumps(
        {"SERIAL": "F2LXK1AAAAAA", "UDID": "X", "PRODUCT": "iPhone17,2", "VERSION": "22C152"}
    )
    status, _h, body = flow.post_enroll(transport, cloud["url"], plain)
    assert status == 403 and b"Apple's device CA" in body
    with pytest.raises(flow.EnrollmentFlowError) as exc:
        flow.enroll_automated(transport, cloud, serial_number="F2LXK1AAAAAA")
    assert exc.value.status == 403
    # The administrator's explicit, documented choice: unsigned MachineInfo accepted.
    settings.MDM_ADE_ACCEPT_UNSIGNED_MACHINE_INFO = True
    status, headers, _body = flow.post_enroll(transport, cloud["url"], plain)
    assert status == 200 and headers["content-type"] == "application/x-apple-aspen-config"


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


def test_ade_mac_escrows_its_bootstrap_token_from_setup_assistant_on(
    assigned: FakeAbm,
    apple_device: Any,
    transport: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Apple: Set/GetBootstrapToken need an Automated Device Enrollment, supervised. An ADE Mac
    is supervised from its Authenticate (its ABM profile), so its token is kept for good from
    the first message, even while Setup Assistant still waits and before any DeviceInformation
    answer; an iPhone (no bootstrap token in the schema this server reads) is refused."""
    monkeypatch.setattr("apns.services.request_drain", lambda **_: None)
    cloud = _cloud_configuration(assigned, MAC_SERIAL)
    result, mac = _ade_mac(transport, cloud, apple_device, django_capture_on_commit_callbacks)
    assert "com.apple.mdm.bootstraptoken" in result.mdm_payload["ServerCapabilities"]
    # Setup Assistant waits: nothing escrowed yet, the answer is an empty success.
    assert mac.get_bootstrap_token(awaiting=True) == (200, None)
    assert mac.set_bootstrap_token(b"bootstrap-1", awaiting=True) == 200
    enrollment = Enrollment.objects.get(device__udid=result.udid)
    assert (
        enrollment.device.supervised and "IsSupervised" not in enrollment.device.device_information
    )
    event = enrollment.events.filter(action="SetBootstrapToken").latest("pk")
    assert event.status == "stored"
    assert event.detail == {"token": "escrowed"}  # not a provisional escrow
    assert bytes(enrollment.bootstrap_token) != b"bootstrap-1"  # encrypted at rest
    mac.await_device_configured()
    # The DeviceInformation answer (supervised) keeps it; the Mac gets it back at login.
    assert mac.get_bootstrap_token() == (200, b"bootstrap-1")
    assert mac.set_bootstrap_token(b"bootstrap-2") == 200
    assert mac.get_bootstrap_token() == (200, b"bootstrap-2")
    assert mac.set_bootstrap_token(b"") == 200  # an empty token: the server forgets it
    assert mac.get_bootstrap_token() == (200, None)
    # An ADE iPhone: refused with the reason, nothing stored.
    phone_cloud = _cloud_configuration(assigned, "F2LXK1AAAAAA")
    phone_result = flow.enroll_automated(
        transport, phone_cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA"
    )
    phone = _device(transport, phone_result, "iOS")
    with django_capture_on_commit_callbacks(execute=True):
        phone.enroll_awaiting_configuration()
    assert phone.set_bootstrap_token(b"nope", awaiting=True) == 403
    assert Enrollment.objects.get(device__udid=phone_result.udid).bootstrap_token is None


def test_an_erased_mac_enrolling_again_is_not_given_its_old_bootstrap_token(
    assigned: FakeAbm,
    apple_device: Any,
    transport: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bootstrap token belongs to one installation of macOS: erased, the Mac enrolls again
    from Setup Assistant with a new identity, and asks for its bootstrap token before it has
    escrowed the new one. The old token would not work there; it is forgotten at the new
    enrollment's Authenticate (a renewal of the identity keeps it: tests/enrollment)."""
    monkeypatch.setattr("apns.services.request_drain", lambda **_: None)
    cloud = _cloud_configuration(assigned, MAC_SERIAL)
    first, mac = _ade_mac(transport, cloud, apple_device, django_capture_on_commit_callbacks)
    assert mac.set_bootstrap_token(b"old-installation", awaiting=True) == 200
    mac.await_device_configured()
    assert mac.get_bootstrap_token() == (200, b"old-installation")
    # Erased without checking out: Setup Assistant enrolls it again with a new identity.
    _, erased = _ade_mac(
        transport, cloud, apple_device, django_capture_on_commit_callbacks, udid=first.udid
    )
    assert erased.get_bootstrap_token(awaiting=True) == (200, None)
    enrollment = Enrollment.objects.get(device__udid=first.udid)
    assert enrollment.bootstrap_token is None
    event = enrollment.events.filter(action="Authenticate").latest("pk")
    assert event.detail["forgot"] == ["BootstrapToken"]
    assert erased.set_bootstrap_token(b"new-installation", awaiting=True) == 200
    assert erased.get_bootstrap_token(awaiting=True) == (200, b"new-installation")


def test_first_commands_are_checked_when_the_profile_is_saved(
    link: AbmLink, admin_user: Any, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://mdm.example.com"
    for commands, reason in [
        ([{"request_type": "EraseDevice", "params": {}}], "cannot be sent while Setup"),
        ([{"request_type": "DeviceConfigured"}], "cannot be sent while Setup"),
        (
            [{"request_type": "Settings", "params": {"Settings": "x"}}],
            "must be a list of dictionaries",
        ),
        ([{"request_type": "Settings", "params": [], "x": 1}], "request_type and params only"),
        ([{"request_type": "SecurityInfo"}] * 21, "at most 20"),
    ]:
        profile = AbmProfile(link=link, name="P", first_commands=commands)
        with pytest.raises(services.AbmError, match=reason):
            services.define_profile(profile=profile, actor=admin_user)
        assert not AbmProfile.objects.filter(name="P").exists()
