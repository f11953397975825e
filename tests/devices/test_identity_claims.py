"""What a device says about itself in its messages never reaches another device's channel: an
identifier that would spell another channel's lookup key, a user channel's name on a device
channel. Every request is the signed one a device sends."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from devices import protocol
from devices.models import Enrollment
from mdm_server.pki import certificates
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]


@pytest.mark.parametrize(
    ("user_enrollment", "field"), [(False, "user_id"), (True, "enrollment_user_id")]
)
def test_a_device_channel_cannot_take_the_key_of_another_devices_user_channel(
    make_device: MakeDevice, user_enrollment: bool, field: str
) -> None:
    victim = make_device(platform="macOS", user_enrollment=user_enrollment)
    victim.enroll()
    # The attacker's own device channel, named so that its key is the victim's user channel's:
    # "udid:<victim>/uid:ALICE" (or "eid:<victim>/euid:ALICE").
    tag = "uid" if not user_enrollment else "euid"
    own_id = (victim.enrollment_id if user_enrollment else victim.udid) + f"/{tag}:ALICE"
    attacker = make_device(
        platform="macOS",
        user_enrollment=user_enrollment,
        udid=own_id,
        enrollment_id=own_id,
    )
    attacked = attacker.authenticate()
    # The victim's user channel comes as it would have come, bound to the victim's identity.
    assert victim.token_update(user="ALICE") == 200
    user_channel = Enrollment.objects.get(**{field: "ALICE"})
    assert user_channel.parent is not None
    assert user_channel.parent.cert_fingerprint == certificates.fingerprint(victim.certificate)
    assert victim.connect(user="ALICE")[0] == 200
    # The attacker was told why.
    assert attacked == 400
    assert Enrollment.objects.filter(channel_key__contains="ALICE").count() == 1


@pytest.mark.parametrize("key", ["UDID", "EnrollmentID", "UserID", "EnrollmentUserID"])
def test_an_identifier_with_the_channel_keys_separator_is_refused(key: str) -> None:
    data = {"UDID": "A"} if key in ("UDID", "UserID") else {"EnrollmentID": "A"}
    data[key] = "A/uid:B"
    with pytest.raises(protocol.ProtocolError, match=key):
        protocol.parse_ids(data)


def test_ordinary_identifiers_make_distinct_keys() -> None:
    device = protocol.EnrollmentIds(udid="00008030-001A2B3C4D5E802E")
    user = replace(device, user_id="FF9E7C2A-1D1B-4B1E-9A43-0D6C3B2A1F00")
    assert device.key != user.key and user.key.startswith(device.key + "/")


def test_status_reports_keep_only_apples_keys_and_never_grow_the_channel_row(
    make_device: MakeDevice,
) -> None:
    device = make_device()
    device.enroll()
    filler = "x" * 20_000
    for n in range(5):
        report = {
            "StatusItems": {"device": {"operating-system": {"version": f"18.{n}"}}},
            "Errors": [],
            f"made-up-{n}": filler,
        }
        status, _ = device.checkin(
            {
                "MessageType": "DeclarativeManagement",
                "Endpoint": "status",
                "Data": json.dumps(report).encode(),
                **device.ids(),
            }
        )
        assert status == 200
    stored = Enrollment.objects.get().ddm_status
    assert set(stored) <= {"StatusItems", "Errors", "FullReport"}
    assert stored["StatusItems"] == {"device": {"operating-system": {"version": "18.4"}}}


def test_a_user_channel_enrolls_again_after_its_device_channel_did(
    make_device: MakeDevice,
) -> None:
    mac = make_device(platform="macOS", user_enrollment=False)
    mac.enroll()
    assert mac.token_update(user="LOCAL-USER") == 200
    assert mac.check_out() == 200
    # The Mac enrolls again with a new identity, and its user logs in again.
    again = make_device(platform="macOS", user_enrollment=False, udid=mac.udid)
    again.enroll()
    assert again.token_update(user="LOCAL-USER") == 200
    user_channel = Enrollment.objects.get(user_id="LOCAL-USER")
    assert user_channel.status == Enrollment.Status.ENROLLED
    assert user_channel.push_token == again.push_token.hex()
    assert again.connect(user="LOCAL-USER")[0] == 200
    # The identity it checked out with opens nothing, on either channel.
    assert mac.token_update(user="LOCAL-USER") == 403
    assert mac.connect(user="LOCAL-USER")[0] == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_check_out_meeting_a_user_channels_new_enrollment_leaves_nothing_queued(
    make_device: MakeDevice,
) -> None:
    """The user channel of a Mac enrolled again sends its TokenUpdate (which queues its first
    commands) while the Mac checks out: the CheckOut waits for the user channel's row, and
    what it ends is ended whole, with nothing left queued for it."""
    from django.db import connection

    from devices import services
    from devices.exceptions import CheckinRejected
    from devices.identity import DeviceIdentity
    from devices.models import QueuedCommand
    from tests import races

    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL")
    mac = make_device(platform="macOS", user_enrollment=False)
    mac.enroll()
    assert mac.token_update(user="LOCAL-USER") == 200
    assert mac.check_out() == 200
    again = make_device(platform="macOS", user_enrollment=False, udid=mac.udid)
    again.enroll()
    cert = again.certificate
    identity = DeviceIdentity(
        fingerprint=certificates.fingerprint(cert),
        not_valid_before=cert.not_valid_before_utc,
        not_valid_after=cert.not_valid_after_utc,
        transport="signature",
    )

    def send(message: dict[str, object]) -> object:
        try:
            return services.handle_checkin(
                identity=identity,
                message=protocol.checkin_from_dict({**message, "UDID": again.udid}),
            )
        except CheckinRejected as exc:
            return exc

    token_update: dict[str, object] = {
        "MessageType": "TokenUpdate",
        "UserID": "LOCAL-USER",
        "Token": b"user-token",
        "PushMagic": "user-magic",
    }
    first, second = races.second_waits_for_first(
        lambda: send(token_update), lambda: send({"MessageType": "CheckOut"})
    )
    assert getattr(first, "status", None) == 200
    assert getattr(second, "status", None) == 200
    user_channel = Enrollment.objects.get(user_id="LOCAL-USER")
    assert user_channel.status == Enrollment.Status.UNENROLLED
    assert not QueuedCommand.objects.filter(
        enrollment=user_channel, status__in=QueuedCommand.PENDING
    ).exists()
