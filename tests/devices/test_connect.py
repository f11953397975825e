"""The command channel end to end: queue, deliver, results, NotNow, the capability filter."""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from typing import Any

import pytest

from devices import commands, services, signals
from devices.models import Device, DeviceEvent, Enrollment, InstalledApplication, QueuedCommand
from tests.channels import bulk_create_channels, new_channel
from tests.devices._rows import later_commands, later_deliveries, later_events
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]

HARDWARE_IDS = {"UDID", "SerialNumber", "IMEI", "MEID"}


def _enrolled(make_device: MakeDevice, **kwargs: object) -> tuple[SimulatedDevice, Enrollment]:
    device = make_device(**kwargs)
    device.enroll()
    return device, Enrollment.objects.get(
        channel_key=f"{'eid' if device.user_enrollment else 'udid'}:{device.enrollment_id if device.user_enrollment else device.udid}"
    )


def test_idle_with_empty_queue_is_empty_200(make_device: MakeDevice) -> None:
    device, _ = _enrolled(make_device)
    status, body = device.connect()
    assert (status, body) == (200, b"")


@pytest.mark.parametrize("platform", ["iOS", "macOS"])
def test_user_enrollment_is_never_asked_for_hardware_ids(
    make_device: MakeDevice, platform: str
) -> None:
    device, enrollment = _enrolled(make_device, platform=platform, user_enrollment=True)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="DeviceInformation",
        payload={"Queries": ["UDID", "SerialNumber", "IMEI", "DeviceName", "OSVersion"]},
        strip_forbidden=True,  # without it the command is refused (test_ue_attacks.py)
    )
    assert result.queued == [enrollment.pk]
    assert any("UDID not asked" in n for n in result.notes[enrollment.pk])
    handled = device.run()
    assert [h.request_type for h in handled] == ["DeviceInformation"]
    assert set(handled[0].command["Queries"]) == {"DeviceName", "OSVersion"}
    enrollment.refresh_from_db()
    assert enrollment.device.device_information["DeviceName"].startswith("Simulated")
    assert not HARDWARE_IDS & set(enrollment.device.device_information)


@pytest.mark.parametrize("platform", ["iOS", "macOS"])
def test_default_device_information_queries_follow_the_table(
    make_device: MakeDevice, platform: str
) -> None:
    ue_device, ue = _enrolled(make_device, platform=platform, user_enrollment=True)
    de_device, de = _enrolled(make_device, platform=platform, user_enrollment=False)
    result = services.enqueue_command(enrollments=[ue, de], request_type="DeviceInformation")
    # Different allowed query lists: two stored commands, each fanned out by reference.
    assert len(result.commands) == 2
    ue_queries = set(ue_device.run()[0].command["Queries"])
    de_queries = set(de_device.run()[0].command["Queries"])
    assert not HARDWARE_IDS & ue_queries
    assert {"UDID", "SerialNumber"} <= de_queries
    de.refresh_from_db()
    assert de.device.device_information["SerialNumber"] == de_device.serial_number
    assert de.device.serial_number == de_device.serial_number


@pytest.mark.parametrize(
    ("request_type", "platform"),
    [
        ("EraseDevice", "iOS"),
        ("EraseDevice", "macOS"),
        ("ClearPasscode", "iOS"),
        ("EnableLostMode", "iOS"),
        ("RestartDevice", "iOS"),
    ],
)
def test_user_enrollment_refuses_forbidden_commands_with_reason(
    make_device: MakeDevice, request_type: str, platform: str
) -> None:
    _, enrollment = _enrolled(make_device, platform=platform, user_enrollment=True)
    params = {"Message": "x"} if request_type == "EnableLostMode" else {}
    result = services.enqueue_command(
        enrollments=[enrollment], request_type=request_type, payload=params
    )
    assert result.command is None
    assert result.queued == []
    reason = result.refused[enrollment.pk]
    assert reason
    event = later_events().get(kind=DeviceEvent.Kind.FILTER, action=request_type)
    assert event.action == request_type and event.detail["reason"] == reason
    assert not later_deliveries().exists()


def test_device_enrollment_gets_erase(make_device: MakeDevice) -> None:
    device, enrollment = _enrolled(make_device, platform="iOS", user_enrollment=False)
    result = services.enqueue_command(enrollments=[enrollment], request_type="EraseDevice")
    assert result.queued == [enrollment.pk]
    assert [h.request_type for h in device.run()] == ["EraseDevice"]


def test_delivery_time_filter_drops_a_command_no_longer_allowed(make_device: MakeDevice) -> None:
    device, enrollment = _enrolled(make_device, platform="iOS", user_enrollment=False)
    services.enqueue_command(enrollments=[enrollment], request_type="EraseDevice")
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    # The enrollment became a User Enrollment while the command waited.
    Device.objects.filter(channels=enrollment).update(
        user_enrollment=True, udid=None, serial_number=None
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(enrollment_type=Enrollment.Type.USER)
    handled = device.run()
    assert [h.request_type for h in handled] == ["SecurityInfo"]
    erase = QueuedCommand.objects.get(command__request_type="EraseDevice")
    assert erase.status == QueuedCommand.Status.DROPPED and erase.status_reason
    assert DeviceEvent.objects.filter(
        kind="filter", action="EraseDevice", status="dropped"
    ).exists()


def test_priority_then_age(make_device: MakeDevice) -> None:
    device, enrollment = _enrolled(make_device, user_enrollment=False)
    for name in ("SecurityInfo", "ProfileList"):
        services.enqueue_command(enrollments=[enrollment], request_type=name)
    services.enqueue_command(enrollments=[enrollment], request_type="CertificateList", priority=99)
    order = [h.request_type for h in device.run()]
    assert order == ["CertificateList", "SecurityInfo", "ProfileList"]


def test_not_now_is_kept_and_offered_again_on_next_idle(make_device: MakeDevice) -> None:
    device, enrollment = _enrolled(make_device)
    device.not_now_once = {"SecurityInfo"}
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    services.enqueue_command(enrollments=[enrollment], request_type="ProfileList")
    first = device.run()
    assert [(h.request_type, h.answered) for h in first] == [
        ("SecurityInfo", "NotNow"),
        ("ProfileList", "Acknowledged"),
    ]
    row = later_deliveries().get(command__request_type="SecurityInfo")
    assert row.status == QueuedCommand.Status.NOT_NOW and row.not_now_count == 1
    second = device.run()
    assert [(h.request_type, h.answered) for h in second] == [("SecurityInfo", "Acknowledged")]


def test_results_are_idempotent_and_unknown_uuids_harmless(make_device: MakeDevice) -> None:
    device, enrollment = _enrolled(make_device)
    result = services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    uuid = result.command.uuid  # type: ignore[union-attr]
    _status, body = device.connect()
    assert plistlib.loads(body)["CommandUUID"] == uuid
    ack = {"SecurityInfo": {"PasscodeCompliant": True}}
    assert device.connect("Acknowledged", command_uuid=uuid, extra=ack) == (200, b"")
    # The device repeats its answer: nothing changes, still 200.
    later = {"SecurityInfo": {"PasscodeCompliant": False}}
    assert device.connect("Error", command_uuid=uuid, extra=later) == (200, b"")
    row = later_deliveries().get()
    assert row.status == QueuedCommand.Status.ACKNOWLEDGED
    assert plistlib.loads(bytes(row.result))["SecurityInfo"] == {"PasscodeCompliant": True}
    assert device.connect("Acknowledged", command_uuid="NOT-OURS") == (200, b"")
    assert DeviceEvent.objects.filter(command_uuid="NOT-OURS", status="Acknowledged").exists()


def test_results_are_announced_to_the_receivers_of_their_request_type_only(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """`signals.command_result`: a result goes, after its commit, to the receivers connected
    for its request type; a type nobody follows (SecurityInfo) schedules nothing at all."""
    device, enrollment = _enrolled(make_device)
    heard: list[tuple[str, str]] = []

    def receiver(*, sender: Any, delivery: QueuedCommand, report: Any) -> None:
        heard.append((delivery.command.request_type, str(report.status)))

    signals.command_result.connect(
        receiver, request_types=("DeviceInformation",), dispatch_uid="test.results"
    )
    try:
        answered = {}
        for request_type in ("SecurityInfo", "DeviceInformation"):
            services.enqueue_command(enrollments=[enrollment], request_type=request_type)
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                device.run()
            answered[request_type] = len(callbacks)
    finally:
        signals.command_result.disconnect(dispatch_uid="test.results")
    assert heard == [("DeviceInformation", "Acknowledged")]
    assert answered["SecurityInfo"] == 0
    assert answered["DeviceInformation"] >= 1
    assert signals.command_result.receivers("DeviceInformation") == []


def test_a_dispatch_uid_connected_twice_keeps_its_first_receiver() -> None:
    """As Django's `Signal.connect`: the same `dispatch_uid` again changes nothing."""

    def first(**kwargs: Any) -> None: ...

    def second(**kwargs: Any) -> None: ...

    for receiver in (first, second):
        signals.command_result.connect(
            receiver, request_types=("Restart",), dispatch_uid="test.twice"
        )
    try:
        connected = signals.command_result.receivers("Restart")
    finally:
        signals.command_result.disconnect(dispatch_uid="test.twice")
    assert connected == [first]
    assert signals.command_result.receivers("Restart") == []


def test_error_result_keeps_the_error_chain(make_device: MakeDevice) -> None:
    device, enrollment = _enrolled(make_device)
    device.fail = {"ProfileList"}
    services.enqueue_command(enrollments=[enrollment], request_type="ProfileList")
    device.run()
    row = later_deliveries().get()
    assert row.status == QueuedCommand.Status.ERROR
    assert row.error_chain[0]["ErrorCode"] == 12021
    event = later_events().get(kind="result")
    assert event.status == "error" and event.detail["error_chain"][0]["ErrorDomain"]


def test_inventory_from_results(make_device: MakeDevice) -> None:
    device, enrollment = _enrolled(make_device, user_enrollment=True)
    for name in ("InstalledApplicationList", "CertificateList", "SecurityInfo"):
        services.enqueue_command(enrollments=[enrollment], request_type=name)
    device.run()
    apps = list(InstalledApplication.objects.values_list("identifier", "is_managed"))
    assert apps == [("com.example.work", True)]
    cert = enrollment.certificates.get()
    assert cert.is_identity and len(cert.fingerprint) == 64
    enrollment.refresh_from_db()
    assert "PasscodePresent" not in enrollment.device.security_info


def test_install_profile_and_profile_list(make_device: MakeDevice) -> None:
    device, enrollment = _enrolled(make_device, user_enrollment=False)
    profile = {
        "PayloadType": "Configuration",
        "PayloadIdentifier": "com.example.wifi",
        "PayloadUUID": "11111111-2222-3333-4444-555555555555",
        "PayloadVersion": 1,
        "PayloadDisplayName": "Wi-Fi",
        "PayloadContent": [
            {
                "PayloadType": "com.apple.wifi.managed",
                "PayloadIdentifier": "com.example.wifi.1",
                "PayloadUUID": "11111111-2222-3333-4444-555555555556",
                "PayloadVersion": 1,
                "SSID_STR": "Corp",
                "EncryptionType": "WPA2",
            }
        ],
    }
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="InstallProfile",
        payload={"Payload": plistlib.dumps(profile)},
    )
    assert result.queued == [enrollment.pk]
    assert result.command.payload_summary[0]["PayloadType"] == "com.apple.wifi.managed"  # type: ignore[union-attr]
    services.enqueue_command(enrollments=[enrollment], request_type="ProfileList")
    device.run()
    installed = enrollment.profiles.get()
    assert installed.identifier == "com.example.wifi"
    assert installed.payload_types == ["com.apple.wifi.managed"]


def test_bad_command_input_is_refused_before_anything_is_stored(make_device: MakeDevice) -> None:
    _, enrollment = _enrolled(make_device)
    with pytest.raises(commands.CommandInputError, match="Payload: not a"):
        services.enqueue_command(
            enrollments=[enrollment], request_type="InstallProfile", payload={"Payload": b"junk"}
        )
    with pytest.raises(commands.CommandInputError, match="unknown command"):
        services.enqueue_command(enrollments=[enrollment], request_type="MakeCoffee")
    assert not later_commands().exists()


def test_fan_out_stores_one_command_and_references(make_device: MakeDevice) -> None:
    rows = [
        new_channel(
            channel_key=f"udid:FAN-{i}",
            udid=f"FAN-{i}",
            enrollment_type=Enrollment.Type.DEVICE,
            platform="iOS",
            os_version="18.1",
            status=Enrollment.Status.ENROLLED,
        )
        for i in range(300)
    ]
    bulk_create_channels(rows)
    result = services.enqueue_command(
        enrollments=Enrollment.objects.all(), request_type="SecurityInfo"
    )
    assert later_commands().count() == 1
    assert later_deliveries().count() == 300
    assert result.command is not None and result.command.target_count == 300


def test_user_channel_command_only_on_that_channel(make_device: MakeDevice) -> None:
    device, _enrollment = _enrolled(make_device, platform="macOS", user_enrollment=False)
    device.token_update(user="U1")
    user = Enrollment.objects.get(channel=Enrollment.Channel.USER)
    # The user channel's first synchronisation, queued with its TokenUpdate, answered first.
    assert [h.request_type for h in device.run(user="U1")] == ["DeclarativeManagement"]
    services.enqueue_command(enrollments=[user], request_type="ProfileList")
    assert device.run() == []
    assert [h.request_type for h in device.run(user="U1")] == ["ProfileList"]


def test_connect_query_budget(
    make_device: MakeDevice, django_assert_max_num_queries: Callable[..., object]
) -> None:
    device, enrollment = _enrolled(make_device)
    device.connect()  # warm the per-process CA cache and last_seen
    # An Idle poll with an empty queue is one query (enrollment and next command together).
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        assert device.connect() == (200, b"")
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        _status, body = device.connect()
    uuid = plistlib.loads(body)["CommandUUID"]
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        device.connect("Acknowledged", command_uuid=uuid, extra={"SecurityInfo": {}})


def test_checkin_query_budget(
    make_device: MakeDevice, django_assert_max_num_queries: Callable[..., object]
) -> None:
    device = make_device()
    device.connect()  # warms the CA cache (404, unknown enrollment)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert device.authenticate() == 200
    # The TokenUpdate that completes the enrollment also queues its inventory: five commands
    # through the normal enqueue (the filter, the stored command, its queue row, the push).
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        assert device.token_update() == 200
    # Any later TokenUpdate (a new push token) is what it always was.
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        assert device.token_update() == 200


def test_poll_records_last_seen_at_most_once_a_minute(make_device: MakeDevice) -> None:
    import datetime as dt

    from django.utils import timezone

    device, enrollment = _enrolled(make_device)
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_seen_at=hour_ago)
    assert device.connect() == (200, b"")
    enrollment.refresh_from_db()
    assert enrollment.last_seen_at is not None and enrollment.last_seen_at > hour_ago
    first = enrollment.last_seen_at
    assert device.connect() == (200, b"")
    enrollment.refresh_from_db()
    assert enrollment.last_seen_at == first  # within the minute: the poll stays read-only
