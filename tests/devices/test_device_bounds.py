"""What one enrolled device can make the server store is bounded: user channels per device
channel (a Mac has a few local users, not hundreds), and the device log rows its repeated
check-ins write (a TokenUpdate that changes nothing is not logged again within a window)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.conf import settings
from django.utils import timezone

from devices.models import DeviceEvent, Enrollment
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]


def _mac(make_device: MakeDevice) -> tuple[SimulatedDevice, Enrollment]:
    device = make_device(platform="macOS", user_enrollment=False)
    device.enroll()
    return device, Enrollment.objects.get(channel=Enrollment.Channel.DEVICE)


def test_the_default_cap_on_user_channels_is_a_mac_s_users_not_thousands() -> None:
    assert 4 <= settings.MDM_MAX_USER_CHANNELS <= 64


def test_a_device_cannot_make_user_channels_without_bound(
    make_device: MakeDevice, settings: object
) -> None:
    settings.MDM_MAX_USER_CHANNELS = 3  # type: ignore[attr-defined]
    device, channel = _mac(make_device)
    answers = [device.token_update(user=f"MADE-UP-{n}") for n in range(8)]
    assert answers == [200] * 3 + [403] * 5
    assert channel.user_channels.count() == 3
    # The refusal says why, and the device log shows it (once, not once per attempt).
    status, body = device.checkin(
        {
            "MessageType": "TokenUpdate",
            "Topic": device.topic,
            "Token": device.push_token,
            "PushMagic": device.push_magic,
            "UserShortName": "one-more",
            **device.ids(user="ONE-MORE"),
        }
    )
    assert status == 403 and b"user channels" in body, body
    refused = DeviceEvent.objects.filter(enrollment=channel, status="refused")
    (event,) = refused
    assert event.action == "TokenUpdate" and "user channels" in event.detail["reason"]
    assert event.detail["repeated"] == 5  # six refusals: one row
    # The user channels it has keep working.
    assert device.token_update(user="MADE-UP-0") == 200
    assert device.token_update(user="MADE-UP-2") == 200
    assert channel.user_channels.count() == 3


def test_a_checked_out_user_channel_still_counts_toward_the_cap(
    make_device: MakeDevice, settings: object
) -> None:
    """Ending a user channel (its CheckOut) and making another must not make rows without
    bound: every user channel row of the device channel counts."""
    settings.MDM_MAX_USER_CHANNELS = 2  # type: ignore[attr-defined]
    device, channel = _mac(make_device)
    for n in range(2):
        assert device.token_update(user=f"U{n}") == 200
        status, _ = device.checkin({"MessageType": "CheckOut", **device.ids(user=f"U{n}")})
        assert status == 200
    assert device.token_update(user="U2") == 403
    assert channel.user_channels.count() == 2


def _token_updates(channel: Enrollment) -> list[dict[str, object]]:
    return list(
        DeviceEvent.objects.filter(enrollment=channel, action="TokenUpdate")
        .order_by("pk")
        .values_list("detail", flat=True)
    )


def test_repeated_token_updates_that_change_nothing_are_logged_once(
    make_device: MakeDevice,
) -> None:
    device = make_device(platform="iOS", user_enrollment=False)
    device.enroll()
    channel = Enrollment.objects.get()
    before = DeviceEvent.objects.filter(enrollment=channel).count()
    for _ in range(50):
        assert device.token_update() == 200
    assert DeviceEvent.objects.filter(enrollment=channel).count() == before
    assert [d["first"] for d in _token_updates(channel)] == [True]
    channel.refresh_from_db()
    assert channel.push_token == device.push_token.hex()
    assert channel.last_seen_at is not None


def test_a_token_update_that_changes_something_is_logged(make_device: MakeDevice) -> None:
    device = make_device(platform="iOS", user_enrollment=False)
    device.enroll()
    channel = Enrollment.objects.get()
    device.push_token = b"\x01" * 32
    assert device.token_update() == 200
    device.push_magic = "NEW-MAGIC"
    assert device.token_update() == 200
    assert device.token_update(awaiting=True) == 200  # AwaitingConfiguration changed
    assert device.token_update(awaiting=True) == 200  # the same again: not logged
    assert [d["first"] for d in _token_updates(channel)] == [True, False, False, False]
    channel.refresh_from_db()
    assert channel.push_token == (b"\x01" * 32).hex() and channel.push_magic == "NEW-MAGIC"


def test_a_changed_unlock_token_is_logged_and_stored(make_device: MakeDevice) -> None:
    from mdm_server import encryption

    device = make_device(platform="iOS", user_enrollment=False)
    device.enroll()
    channel = Enrollment.objects.get()
    message = {
        "MessageType": "TokenUpdate",
        "Topic": device.topic,
        "Token": device.push_token,
        "PushMagic": device.push_magic,
        "AwaitingConfiguration": False,
        "UnlockToken": b"another unlock token",
        **device.ids(),
    }
    assert device.checkin(message)[0] == 200
    assert device.checkin(message)[0] == 200
    assert len(_token_updates(channel)) == 2
    channel.refresh_from_db()
    assert encryption.decrypt(channel.unlock_token) == b"another unlock token"


def test_an_unchanged_token_update_is_logged_again_after_the_window(
    make_device: MakeDevice,
) -> None:
    device = make_device(platform="iOS", user_enrollment=False)
    device.enroll()
    channel = Enrollment.objects.get()
    assert device.token_update() == 200
    assert len(_token_updates(channel)) == 1
    window = dt.timedelta(minutes=settings.MDM_TOKEN_UPDATE_LOG_MINUTES)
    Enrollment.objects.filter(pk=channel.pk).update(
        token_update_logged_at=timezone.now() - window - dt.timedelta(seconds=1)
    )
    assert device.token_update() == 200
    assert device.token_update() == 200
    assert [d["first"] for d in _token_updates(channel)] == [True, False]


def test_other_check_ins_a_device_repeats_at_will_keep_one_log_row_each(
    make_device: MakeDevice,
) -> None:
    import json
    import uuid

    from devices.models import Device

    device, channel = _mac(make_device)
    Device.objects.update(supervised=True)
    before = DeviceEvent.objects.filter(enrollment=channel).count()
    report = json.dumps({"StatusItems": {}, "Errors": []}).encode()
    for _ in range(20):
        assert device.checkin({"MessageType": "UserAuthenticate", **device.ids()})[0] == 410
        assert device.checkin({"MessageType": "GetBootstrapToken", **device.ids()})[0] == 200
        ddm = {"MessageType": "DeclarativeManagement", "Endpoint": "status", "Data": report}
        assert device.checkin({**ddm, **device.ids()})[0] == 200
        # A result for a command it was never sent.
        assert device.connect("Acknowledged", command_uuid=str(uuid.uuid4()))[0] == 200
    added = DeviceEvent.objects.filter(enrollment=channel).order_by("pk")[before:]
    rows = {(e.action, e.status): e.detail for e in added}
    assert len(added) == len(rows), [(e.action, e.status) for e in added]
    assert {("UserAuthenticate", "gone"), ("GetBootstrapToken", "ok")} <= set(rows)
    assert ("unknown", "Acknowledged") in rows
    assert all(detail["repeated"] == 19 for detail in rows.values()), rows


def test_a_refused_authenticate_repeated_keeps_one_log_row(make_device: MakeDevice) -> None:
    """Another enrolled device's valid identity naming this channel is refused and logged on
    it, once, however often it tries."""
    from dataclasses import replace

    device, channel = _mac(make_device)
    other = make_device(platform="macOS", user_enrollment=False)
    other.enroll()
    intruder = replace(other, udid=device.udid)
    for _ in range(10):
        assert intruder.authenticate() == 403
    (refused,) = DeviceEvent.objects.filter(enrollment=channel, status="refused")
    assert refused.detail["repeated"] == 9


def test_the_cap_counts_the_users_of_this_enrollment_not_of_earlier_ones(
    make_device: MakeDevice, settings: object
) -> None:
    """A lab Mac checked out and enrolled again starts with room for its users: the user
    channels that ended with an earlier enrollment of the same device channel do not count."""
    settings.MDM_MAX_USER_CHANNELS = 2  # type: ignore[attr-defined]
    device, _channel = _mac(make_device)
    assert [device.token_update(user=f"U-{n}") for n in range(2)] == [200, 200]
    assert device.check_out() == 200
    device = make_device(platform="macOS", user_enrollment=False, udid=device.udid)
    device.enroll()
    assert device.token_update(user="NEW-USER") == 200
    assert device.token_update(user="ANOTHER-USER") == 200
    assert device.token_update(user="ONE-TOO-MANY") == 403


def test_a_changed_or_cleared_bootstrap_token_is_logged_each_time(
    make_device: MakeDevice,
) -> None:
    """Escrowing, replacing and clearing a bootstrap token are changes the log keeps one by
    one; the same token sent again is a repeat."""
    from devices.models import Device

    device, channel = _mac(make_device)
    Device.objects.update(supervised=True)
    sent = (b"first", b"first", b"first", b"second", b"", b"")
    for token in sent:
        message = {"MessageType": "SetBootstrapToken", "BootstrapToken": token}
        assert device.checkin({**message, **device.ids()})[0] == 200
    rows = DeviceEvent.objects.filter(enrollment=channel, action="SetBootstrapToken")
    logged = [(r.detail["token"], r.detail.get("repeated")) for r in rows.order_by("pk")]
    assert logged == [
        ("escrowed", None),
        ("unchanged", 1),
        ("replaced", None),
        ("cleared", None),
        ("unchanged", None),
    ]


def test_the_newest_bootstrap_row_tells_the_token_s_state(make_device: MakeDevice) -> None:
    from devices.models import Device

    device, channel = _mac(make_device)
    Device.objects.update(supervised=True)
    for token in (b"first", b"", b"second"):
        message = {"MessageType": "SetBootstrapToken", "BootstrapToken": token}
        assert device.checkin({**message, **device.ids()})[0] == 200
    channel.refresh_from_db()
    assert channel.bootstrap_token is not None
    rows = DeviceEvent.objects.filter(enrollment=channel, action="SetBootstrapToken")
    assert [r.detail["token"] for r in rows.order_by("pk")] == ["escrowed", "cleared", "escrowed"]


def test_a_second_check_out_after_enrolling_again_is_its_own_log_row(
    make_device: MakeDevice,
) -> None:
    device = make_device(platform="iOS", user_enrollment=False)
    device.enroll()
    assert device.check_out() == 200
    device = make_device(platform="iOS", user_enrollment=False, udid=device.udid)
    device.enroll()
    assert device.check_out() == 200
    channel = Enrollment.objects.get(channel=Enrollment.Channel.DEVICE)
    log = list(
        DeviceEvent.objects.filter(enrollment=channel)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert log.count("CheckOut") == 2, log
    assert log[-1] == "CheckOut", log


def test_a_repeat_is_counted_into_a_row_of_the_same_detail_only(make_device: MakeDevice) -> None:
    """A clean status report is not counted into an earlier row that says what was withheld."""
    import json

    device = make_device(platform="iOS", user_enrollment=True)
    device.enroll()
    channel = Enrollment.objects.get(channel=Enrollment.Channel.DEVICE)
    items = {"device": {"identifier": {"udid": device.udid}}}
    before = DeviceEvent.objects.order_by("pk").last()
    assert before is not None
    for status_items in (items, {}, {}):
        report = json.dumps({"StatusItems": status_items, "Errors": []}).encode()
        message = {"MessageType": "DeclarativeManagement", "Endpoint": "status", "Data": report}
        assert device.checkin({**message, **device.ids()})[0] == 200
    rows = list(
        DeviceEvent.objects.filter(
            enrollment=channel, action="DeclarativeManagement/status", pk__gt=before.pk
        ).order_by("pk")
    )
    # The clean ones are not counted into the withheld one: the newest row says the latest.
    assert ["withheld" in r.detail for r in rows] == [True, False], [r.detail for r in rows]
    assert rows[1].detail["repeated"] == 1


def test_alternating_bootstrap_tokens_do_not_grow_the_log_without_bound(
    make_device: MakeDevice,
) -> None:
    from devices.models import Device

    device, channel = _mac(make_device)
    Device.objects.update(supervised=True)
    for n in range(40):
        message = {"MessageType": "SetBootstrapToken", "BootstrapToken": b"AB"[n % 2 :][:1]}
        assert device.checkin({**message, **device.ids()})[0] == 200
    rows = DeviceEvent.objects.filter(enrollment=channel, action="SetBootstrapToken")
    assert rows.count() <= 16
    latest = rows.order_by("-created_at", "-id").first()
    assert latest is not None and latest.detail["token"] == "replaced"


def test_alternating_status_reports_do_not_grow_the_log_without_bound(
    make_device: MakeDevice,
) -> None:
    import json

    device = make_device(platform="iOS", user_enrollment=True)
    device.enroll()
    channel = Enrollment.objects.get(channel=Enrollment.Channel.DEVICE)
    before = DeviceEvent.objects.order_by("pk").last()
    assert before is not None
    items = {"device": {"identifier": {"udid": device.udid}}}
    for n in range(40):
        report = json.dumps({"StatusItems": items if n % 2 else {}, "Errors": []}).encode()
        message = {"MessageType": "DeclarativeManagement", "Endpoint": "status", "Data": report}
        assert device.checkin({**message, **device.ids()})[0] == 200
    rows = DeviceEvent.objects.filter(enrollment=channel, action="DeclarativeManagement/status")
    assert rows.count() <= 16  # then the newest row is rewritten, counting
    latest = rows.order_by("-created_at", "-id").first()
    assert latest is not None and "withheld" in latest.detail  # the last report had the item
    assert sum(r.detail.get("repeated", 0) + 1 for r in rows) == 41  # the enrollment's too
