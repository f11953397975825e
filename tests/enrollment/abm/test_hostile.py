"""Apple Business Manager answering what it should not: the same device twice in a sync page,
results of the wrong shape, text PostgreSQL cannot store. Each ends in an AbmError the admin
reads (or a plain success), never an exception from deeper down, and nothing known is lost."""

from __future__ import annotations

import json
from typing import Any

import pytest

from enrollment.abm import services
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from tests.enrollment.abm.fake_abm import FakeAbm, abm_device

pytestmark = pytest.mark.django_db


def test_a_device_added_then_changed_in_one_sync_page_is_stored_once(
    link: AbmLink, stocked: FakeAbm
) -> None:
    services.sync_devices(link=link)
    # Bought, then given an asset tag, between two syncs: Apple's sync page lists it twice.
    stocked.add_device(abm_device("F2LXK1DDDDDD", "iPad Air", "iPad"))
    stocked.add_device(abm_device("F2LXK1DDDDDD", "iPad Air", "iPad", asset_tag="A-17"))
    totals = services.sync_devices(link=link)
    assert totals["changed"] == 2 and totals["pages"] == 1
    device = AbmDevice.objects.get(serial_number="F2LXK1DDDDDD")
    assert device.asset_tag == "A-17" and device.removed_at is None
    assert AbmDevice.objects.count() == 4


def test_a_device_changed_then_deleted_in_one_sync_page_is_marked_removed(
    link: AbmLink, stocked: FakeAbm
) -> None:
    services.sync_devices(link=link)
    stocked.add_device(abm_device("F2LXK1EEEEEE", "iPad Air", "iPad"))
    stocked.remove_device("F2LXK1EEEEEE")
    # Both events in one page: added, then deleted -> known and marked removed.
    services.sync_devices(link=link)
    device = AbmDevice.objects.filter(serial_number="F2LXK1EEEEEE").first()
    assert device is not None and device.removed_at is not None


def _defined(link: AbmLink, admin_user: Any, settings: Any) -> AbmProfile:
    settings.PUBLIC_URL = "https://mdm.example.com"
    services.sync_devices(link=link)
    return services.define_profile(profile=AbmProfile(link=link, name="P"), actor=admin_user)


@pytest.fixture
def cloud(
    link: AbmLink,
    stocked: FakeAbm,
    admin_user: Any,
    settings: Any,
    server_pki: Any,
    push_topic: str,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """What Apple hands a company device at activation: the cloud configuration of a Setup
    Assistant profile defined for the stocked link (pushes not drained)."""
    monkeypatch.setattr("apns.services.request_drain", lambda **_: None)
    profile = _defined(link, admin_user, settings)
    return {"url": services.enrollment_url(profile), "is_supervised": True}


@pytest.mark.parametrize(
    "answer",
    ['{"devices": ["F2LXK1AAAAAA"]}', '{"devices": "SUCCESS"}', '["F2LXK1AAAAAA"]', '"x"'],
    ids=["list", "text", "top-level-list", "top-level-text"],
)
def test_assign_and_remove_answers_of_the_wrong_shape_are_told(
    link: AbmLink, stocked: FakeAbm, admin_user: Any, settings: Any, answer: str
) -> None:
    profile = _defined(link, admin_user, settings)
    stocked.fail("/profile/devices", 200, answer)
    with pytest.raises(services.AbmError, match="Apple Business Manager") as exc:
        services.assign_profile(profile=profile, serials=["F2LXK1AAAAAA"], actor=admin_user)
    assert exc.value.status == 502
    stocked.fail("/profile/devices", 200, answer)
    with pytest.raises(services.AbmError, match="Apple Business Manager") as exc:
        services.remove_profile(link=link, serials=["F2LXK1AAAAAA"], actor=admin_user)
    assert exc.value.status == 502
    link.refresh_from_db()
    assert link.last_error  # on the dashboard
    assert AbmDevice.objects.filter(removed_at__isnull=True).count() == 3


def test_a_nul_character_from_apple_is_refused_before_the_database(
    link: AbmLink, stocked: FakeAbm
) -> None:
    services.sync_devices(link=link)
    page = (
        '{"devices": [{"serial_number": "F2LXK1\\u0000ZZ", "model": "iPad", "op_type": "added"}],'
        ' "cursor": "s99", "more_to_follow": false}'
    )
    stocked.fail("/devices/sync", 200, page)
    with pytest.raises(services.AbmError, match="not data this server accepts") as exc:
        services.sync_devices(link=link)
    assert exc.value.status == 502
    link.refresh_from_db()
    assert link.cursor != "s99"  # the page was not taken
    assert AbmDevice.objects.count() == 3


def _token_for(link: AbmLink, document: dict[str, Any]) -> bytes:
    """A server token with this content, encrypted to the link's certificate (which is public:
    anyone who can read the link can make one)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    message = (
        "Content-Type: text/plain;charset=UTF-8\r\n\r\n"
        f"-----BEGIN MESSAGE-----\n{json.dumps(document)}\n-----END MESSAGE-----\n"
    ).encode()
    certificate = x509.load_pem_x509_certificate(link.certificate_pem.encode())
    return (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(message)
        .add_recipient(certificate)
        .encrypt(serialization.Encoding.SMIME, [])
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("consumer_key", "CK_\x00evil"),
        ("access_secret", "AS_\x00"),
        ("access_token_expiry", "9999-12-31T23:59:59-14:00"),
    ],
    ids=["nul-consumer-key", "nul-secret", "expiry-beyond-year-9999-in-utc"],
)
def test_a_crafted_server_token_is_refused_and_the_stored_one_kept(
    link: AbmLink, admin_user: Any, field: str, value: str
) -> None:
    before = (link.encrypted_token, link.consumer_key, link.token_expires_at)
    document = {
        "consumer_key": "CK_x",
        "consumer_secret": "CS_x",
        "access_token": "AT_x",
        "access_secret": "AS_x",
        "access_token_expiry": "2030-01-01T00:00:00Z",
        field: value,
    }
    with pytest.raises(services.AbmError, match="server token") as exc:
        services.upload_server_token(link=link, data=_token_for(link, document), actor=admin_user)
    assert exc.value.status == 400
    link.refresh_from_db()
    assert (link.encrypted_token, link.consumer_key, link.token_expires_at) == before


def test_a_time_from_apple_that_cannot_be_stored_is_left_out(
    link: AbmLink, stocked: FakeAbm
) -> None:
    services.sync_devices(link=link)
    stocked.add_device(
        abm_device(
            "F2LXK1FFFFFF",
            "iPad Air",
            "iPad",
            device_assigned_date="9999-12-31T23:59:59-14:00",
            profile_assign_time="0001-01-01T00:00:00+14:00",
        )
    )
    assert services.sync_devices(link=link)["changed"] == 1
    device = AbmDevice.objects.get(serial_number="F2LXK1FFFFFF")  # still readable
    assert device.assigned_at is None and device.profile_assign_time is None
    assert device.model == "iPad Air"


def test_ade_for_a_serial_of_another_link_is_refused(
    link: AbmLink,
    stocked: FakeAbm,
    admin_user: Any,
    settings: Any,
    server_pki: Any,
    push_topic: str,
    apple_device: Any,
    transport: Any,
) -> None:
    """A genuine device another MDM server of the organisation (another link) owns cannot get
    this link's enrollment profile by posting to its URL."""
    from enrollment.abm.token import new_link_identity
    from tests.simulator import enrollment_flow as flow

    profile = _defined(link, admin_user, settings)
    identity = new_link_identity(name="Other")
    other = AbmLink.objects.create(
        name="Other",
        api_url=stocked.base,
        certificate_pem=identity.certificate_pem.decode(),
        encrypted_key=link.encrypted_key,
    )
    AbmDevice.objects.create(link=other, serial_number="DMPOTHERLNK1", model="iPhone 16")
    cloud = {"url": services.enrollment_url(profile), "is_supervised": True}
    with pytest.raises(flow.EnrollmentFlowError) as exc:
        flow.enroll_automated(
            transport, cloud, apple_identity=apple_device(), serial_number="DMPOTHERLNK1"
        )
    assert exc.value.status == 403 and b"not assigned to this organisation" in exc.value.body
    assert not AbmDevice.objects.get(serial_number="DMPOTHERLNK1").enrollment_reference
    # The same device posting to a profile URL of no link at all: 404.
    status, _h, _b = flow.post_enroll(
        transport, "https://mdm.example.com/enroll/ade/6f1d4c1e-0000-4000-8000-000000000000", b"x"
    )
    assert status == 404


def test_apple_not_answering_in_time_is_a_503_and_nothing_is_lost(
    admin_client: Any, link: AbmLink, stocked: FakeAbm, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from enrollment.abm import client

    services.sync_devices(link=link)
    cursor = AbmLink.objects.get(pk=link.pk).cursor
    monkeypatch.setattr(client, "TIMEOUT", 0.5)
    stocked.fail("/devices/sync", 200, '{"devices": []}', delay=2.0)
    started = time.monotonic()
    response = admin_client.post(f"/api/v1/abm/links/{link.pk}/sync/")
    assert time.monotonic() - started < 1.9  # bounded by the timeout, not Apple's delay
    assert response.status_code == 503
    assert "cannot be reached" in response.json()["error"]["message"]
    link.refresh_from_db()
    assert "cannot be reached" in link.last_error and link.cursor == cursor
    assert AbmDevice.objects.filter(removed_at__isnull=True).count() == 3


def test_a_device_claiming_a_company_serial_cannot_keep_the_company_device_out(
    cloud: dict[str, Any], apple_device: Any, transport: Any
) -> None:
    """A profile-based Device Enrollment reports whatever serial number it likes; linked to
    the ABM device by that serial, it must not stop the real device, whose serial Apple's
    signature vouches for, from enrolling through Setup Assistant."""
    from devices.models import Enrollment
    from tests.apns.conftest import make_enrollment
    from tests.enrollment.abm.test_ade_flow import _device
    from tests.simulator import enrollment_flow as flow

    spoof = make_enrollment(
        channel_key="udid:SPOOFED",
        enrollment_type=Enrollment.Type.DEVICE,
        enrollment_id=None,
        udid="SPOOFED",
        serial_number="F2LXK1AAAAAA",
    )
    services.start_device_configuration(spoof)  # what its enrollment completing does
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").enrollment == spoof
    genuine = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA"
    )
    assert _device(transport, genuine, "iOS").authenticate() == 200
    real = Enrollment.objects.get(device__udid=genuine.udid)
    assert real.enrollment_type == "ade"
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").enrollment == real


def test_a_device_claiming_a_company_serial_leaves_the_company_device_its_known_device(
    cloud: dict[str, Any], apple_device: Any, transport: Any
) -> None:
    """The Device the sync made known for a company serial number (what an administrator
    prepares before it enrolls) stays the real device's: a profile-based Device Enrollment
    reporting that serial does not move the ABM record onto its own Device."""
    from devices.models import Enrollment
    from tests.apns.conftest import make_enrollment
    from tests.enrollment.abm.test_ade_flow import _device
    from tests.simulator import enrollment_flow as flow

    known = AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").device
    assert known is not None
    spoof = make_enrollment(
        channel_key="udid:SPOOFED",
        enrollment_type=Enrollment.Type.DEVICE,
        enrollment_id=None,
        udid="SPOOFED",
        serial_number="F2LXK1AAAAAA",
    )
    services.start_device_configuration(spoof)  # what its enrollment completing does
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").device_id == known.pk
    genuine = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA"
    )
    assert _device(transport, genuine, "iOS").authenticate() == 200
    real = Enrollment.objects.get(device__udid=genuine.udid)
    assert real.device_id == known.pk
    assert spoof.device_id != known.pk
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").device_id == known.pk


def test_a_device_squatting_a_company_udid_cannot_keep_the_company_device_out(
    cloud: dict[str, Any], apple_device: Any, transport: Any
) -> None:
    """An enrolled device that learnt a company device's UDID opens a profile-based Device
    Enrollment under it first; the company device, enrolling through Setup Assistant, must
    still get its channel."""
    from devices.models import Enrollment
    from mdm_server.pki import services as pki
    from tests.enrollment.abm.test_ade_flow import _device
    from tests.simulated import client_device
    from tests.simulator import enrollment_flow as flow

    udid = "00008030-0011223344556677"
    squatter = client_device(
        pki.active_identity("ca"), user_enrollment=False, udid=udid, serial_number="SQUATTER01"
    )
    squatter.enroll()
    genuine = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA", udid=udid
    )
    from devices.models import QueuedCommand

    squatted = Enrollment.objects.select_related("device").get(channel_key=f"udid:{udid}")
    pending = QueuedCommand.objects.filter(enrollment=squatted, status__in=QueuedCommand.PENDING)
    squatters_commands = list(pending.values_list("pk", flat=True))
    assert squatters_commands  # its first commands, not yet answered
    assert _device(transport, genuine, "iOS").authenticate() == 200
    channel = Enrollment.objects.select_related("device").get(channel_key=f"udid:{udid}")
    assert channel.enrollment_type == "ade"
    assert channel.cert_fingerprint != squatted.cert_fingerprint
    # A Device of its own: the squatter's (its serial, its person) is not inherited.
    assert channel.device_id != squatted.device_id
    assert channel.device.serial_number == "F2LXK1AAAAAA"
    assert channel.device.directory_user_id is None
    squatted.device.refresh_from_db()
    assert squatted.device.udid is None  # one Device of that UDID: the real one
    # The squatter's pending commands are not delivered to the real device.
    assert not pending.filter(pk__in=squatters_commands).exists()
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").enrollment == channel
    # The squatter's identity opens nothing any more, and cannot take the channel back.
    assert squatter.connect()[0] == 403
    assert squatter.authenticate() == 403
    assert _device(transport, genuine, "iOS").connect()[0] == 200


def test_an_ade_identity_authenticates_only_the_udid_apple_vouched_for(
    cloud: dict[str, Any], apple_device: Any, transport: Any
) -> None:
    """A company device's ADE identity (its MachineInfo signed by Apple, UDID included) naming
    another UDID is refused: it would open, or take, that device's channel."""
    from dataclasses import replace

    from devices.models import Enrollment
    from tests.enrollment.abm.test_ade_flow import _device
    from tests.simulator import enrollment_flow as flow

    genuine = flow.enroll_automated(
        transport,
        cloud,
        apple_identity=apple_device(),
        serial_number="F2LXK1AAAAAA",
        udid="00008030-0011223344556677",
    )
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").vouched_udid == genuine.udid
    liar = _device(transport, replace(genuine, udid="00008030-00AABBCCDDEEFF00"), "iOS")
    assert liar.authenticate() == 403
    assert not Enrollment.objects.exists()
    assert _device(transport, genuine, "iOS").authenticate() == 200


def test_a_profile_enrollment_cannot_take_the_udid_of_a_company_device_enrolled_by_ade(
    cloud: dict[str, Any], apple_device: Any, transport: Any
) -> None:
    """The other way round: once the company device holds its channel by its vouched
    identity, a profile-based enrollment naming that UDID is refused (the channel stays)."""
    from devices.models import Enrollment
    from mdm_server.pki import services as pki
    from tests.enrollment.abm.test_ade_flow import _device
    from tests.simulated import client_device
    from tests.simulator import enrollment_flow as flow

    udid = "00008030-0011223344556677"
    genuine = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA", udid=udid
    )
    assert _device(transport, genuine, "iOS").authenticate() == 200
    before = Enrollment.objects.get(channel_key=f"udid:{udid}")
    squatter = client_device(
        pki.active_identity("ca"), user_enrollment=False, udid=udid, serial_number="SQUATTER01"
    )
    assert squatter.authenticate() == 403
    after = Enrollment.objects.get(channel_key=f"udid:{udid}")
    assert (after.cert_fingerprint, after.device_id) == (before.cert_fingerprint, before.device_id)


def test_a_squatter_that_checked_out_leaves_the_company_device_nothing_of_its_own(
    cloud: dict[str, Any], apple_device: Any, transport: Any
) -> None:
    """Checking out before the company device enrolls does not hand it the squatter's Device
    (its person, its Managed Apple ID): a released channel taken by the identity Apple vouches
    for gets a Device of its own too."""
    from devices.models import Enrollment
    from mdm_server.pki import services as pki
    from tests.enrollment.abm.test_ade_flow import _device
    from tests.simulated import client_device
    from tests.simulator import enrollment_flow as flow

    udid = "00008030-0011223344556677"
    squatter = client_device(
        pki.active_identity("ca"), user_enrollment=False, udid=udid, serial_number="SQUATTER01"
    )
    squatter.enroll()
    squatted = Enrollment.objects.get(channel_key=f"udid:{udid}")
    assert squatter.check_out() == 200
    genuine = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA", udid=udid
    )
    assert _device(transport, genuine, "iOS").authenticate() == 200
    channel = Enrollment.objects.select_related("device").get(channel_key=f"udid:{udid}")
    assert channel.device_id != squatted.device_id
    assert channel.device.serial_number == "F2LXK1AAAAAA"
    # A new enrollment: the squatter's log (its CheckOut included) stays on its own.
    assert channel.pk != squatted.pk
    assert list(channel.events.values_list("action", flat=True)) == ["Authenticate"]
    assert Enrollment.objects.get(pk=squatted.pk).events.filter(action="CheckOut").exists()


def test_the_company_device_that_takes_its_udid_back_sees_nothing_of_the_squatter(
    cloud: dict[str, Any],
    apple_device: Any,
    transport: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The channel the company device takes from a squatter is a new enrollment: none of the
    squatter's declarative status, declarations, command history or queue, device log, user
    channels or inventory is the company device's. They stay, as the squatter's record, on its
    own (ended) enrollment and Device."""
    from devices.models import (
        DeviceEvent,
        Enrollment,
        InstalledApplication,
        InstalledCertificate,
        QueuedCommand,
    )
    from mdm_server.pki import services as pki
    from profiles.declarations import services as declarations
    from profiles.declarations.models import ChannelStatus, DeclarationState, SetAssignment
    from tests.enrollment.abm.test_ade_flow import _device
    from tests.simulated import client_device
    from tests.simulator import enrollment_flow as flow

    udid = "00008030-0011223344556677"
    squatter = client_device(
        pki.active_identity("ca"),
        platform="macOS",
        os_version="15.2",
        user_enrollment=False,
        supervised=True,  # its word, in DeviceInformation
        udid=udid,
        serial_number="SQUATTER01",
    )
    squatter.enroll()
    assert squatter.token_update(user="SHARED-USER") == 200
    squatted = Enrollment.objects.get(channel_key=f"udid:{udid}")
    # An administrator assigned declarations to the enrollment the squatter opened.
    with django_capture_on_commit_callbacks(execute=True):
        subscriptions = declarations.create_declaration(
            declaration_type="com.apple.configuration.management.status-subscriptions",
            identifier="com.ex.subscriptions",
            display_name="Status",
            payload={"StatusItems": [{"Name": "device.operating-system.version"}]},
        )
        declarations.assign_set(
            declaration_set=declarations.create_set(name="work", declarations=[subscriptions]),
            kind=SetAssignment.Kind.ENROLLMENT,
            enrollment=squatted,
        )
    squatter.run()  # its inventory and declarations: command history, apps, profiles, states
    squatted.refresh_from_db()
    squatters = {
        "events": DeviceEvent.objects.filter(enrollment=squatted).count(),
        "queue": QueuedCommand.objects.filter(enrollment=squatted).count(),
        "states": DeclarationState.objects.filter(enrollment=squatted).count(),
        "apps": InstalledApplication.objects.filter(enrollment=squatted).count(),
    }
    assert all(squatters.values()), squatters
    assert squatted.ddm_status and ChannelStatus.objects.filter(enrollment=squatted).exists()
    assert squatted.user_channels.count() == 1
    assert InstalledCertificate.objects.filter(enrollment=squatted).exists()

    genuine = flow.enroll_automated(
        transport,
        cloud,
        apple_identity=apple_device(),
        serial_number="F2LXK1AAAAAA",
        udid=udid,
        product="Mac15,12",
        os_version="15.2",
    )
    mac = _device(transport, genuine, "macOS")
    assert mac.authenticate() == 200
    channel = Enrollment.objects.get(channel_key=f"udid:{udid}")
    assert channel.pk != squatted.pk  # a new enrollment
    assert channel.ddm_status == {}
    assert not ChannelStatus.objects.filter(enrollment=channel).exists()
    assert not DeclarationState.objects.filter(enrollment=channel).exists()
    assert not QueuedCommand.objects.filter(enrollment=channel).exists()
    assert not InstalledApplication.objects.filter(enrollment=channel).exists()
    assert not InstalledCertificate.objects.filter(enrollment=channel).exists()
    assert list(channel.events.values_list("action", flat=True)) == ["Authenticate"]
    assert not declarations.sets_for(channel).exists()  # the squatter's assignment stays
    assert not channel.user_channels.exists()
    assert channel.enrolled_at is None and channel.bootstrap_token is None

    # The squatter's record stays whole, on its own ended enrollment and Device.
    squatted = Enrollment.objects.get(pk=squatted.pk)
    assert squatted.status == Enrollment.Status.UNENROLLED
    assert squatted.channel_key != f"udid:{udid}" and squatted.device_id != channel.device_id
    assert DeviceEvent.objects.filter(enrollment=squatted).count() > squatters["events"]
    assert QueuedCommand.objects.filter(enrollment=squatted).count() == squatters["queue"]
    assert DeclarationState.objects.filter(enrollment=squatted).count() == squatters["states"]
    assert InstalledApplication.objects.filter(enrollment=squatted).count() == squatters["apps"]
    assert squatted.ddm_status and ChannelStatus.objects.filter(enrollment=squatted).exists()
    (user,) = squatted.user_channels.all()
    assert user.status == Enrollment.Status.UNENROLLED and user.device_id == squatted.device_id
    assert not QueuedCommand.objects.filter(
        enrollment__in=[squatted, user], status__in=QueuedCommand.PENDING
    ).exists()

    # The company Mac enrolls, and its own user of that name gets a user channel of its own.
    assert mac.token_update() == 200
    assert mac.token_update(user="SHARED-USER") == 200
    (own,) = Enrollment.objects.get(pk=channel.pk).user_channels.all()
    assert own.pk != user.pk and own.device_id == channel.device_id
    assert own.channel_key == f"udid:{udid}/uid:SHARED-USER"
    # The squatter's identity opens nothing any more, its user channel neither.
    assert squatter.connect()[0] == 403
    assert squatter.connect(user="SHARED-USER")[0] == 403
    assert squatter.token_update(user="SHARED-USER") == 403
    assert squatter.authenticate() == 403
