"""The User-Enrollment attacks of issue 17 (part 5), each as it was found, end to end.

Each test drives the real paths (services, the simulated device polling the command channel)
and checks what the device receives and what the server stores.
"""

from __future__ import annotations

import json
import plistlib
from collections.abc import Callable
from typing import Any

import pytest

from devices import services, signals
from devices.models import Device, DeviceEvent, Enrollment, QueuedCommand
from tests.devices._rows import enrolled, later_deliveries, later_events
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]

HARDWARE_IDS = ("UDID", "SerialNumber", "IMEI", "MEID")


def _profile(**top_level: Any) -> bytes:
    return plistlib.dumps(
        {
            "PayloadType": "Configuration",
            "PayloadIdentifier": "com.example.clip",
            "PayloadUUID": "11111111-2222-3333-4444-555555555555",
            "PayloadVersion": 1,
            "PayloadDisplayName": "Clip",
            **top_level,
            "PayloadContent": [
                {
                    "PayloadType": "com.apple.webClip.managed",
                    "PayloadIdentifier": "com.example.clip.1",
                    "PayloadUUID": "11111111-2222-3333-4444-555555555556",
                    "PayloadVersion": 1,
                    "URL": "https://intranet.example.com",
                    "Label": "Intranet",
                }
            ],
        }
    )


# --- top-level profile keys ----------------------------------------------------------------


def test_profile_with_payload_removal_disallowed_is_refused_for_ue_iphone(
    make_device: MakeDevice,
) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="InstallProfile",
        payload={"Payload": _profile(PayloadRemovalDisallowed=True)},
    )
    assert result.queued == []
    reason = result.refused[enrollment.pk]
    assert "PayloadRemovalDisallowed" in reason and "mdm/profiles/TopLevel.yaml" in reason
    assert device.run() == []


def test_profile_with_payload_removal_disallowed_is_stripped_when_asked(
    make_device: MakeDevice,
) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="InstallProfile",
        payload={"Payload": _profile(PayloadRemovalDisallowed=True)},
        strip_forbidden=True,
    )
    assert result.queued == [enrollment.pk]
    assert any("PayloadRemovalDisallowed" in note for note in result.notes[enrollment.pk])
    [received] = device.run()
    assert received.request_type == "InstallProfile"
    installed = device.installed_profiles["com.example.clip"]
    assert "PayloadRemovalDisallowed" not in installed
    assert installed["PayloadContent"][0]["URL"] == "https://intranet.example.com"


def test_profile_removal_disallowed_still_reaches_a_supervised_device_enrollment(
    make_device: MakeDevice,
) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=False)
    Device.objects.filter(channels=enrollment).update(supervised=True)
    enrollment.refresh_from_db()
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="InstallProfile",
        payload={"Payload": _profile(PayloadRemovalDisallowed=True)},
    )
    assert result.queued == [enrollment.pk]
    device.run()
    assert device.installed_profiles["com.example.clip"]["PayloadRemovalDisallowed"] is True


# --- Settings items ----------------------------------------------------------------------------

FORBIDDEN_SETTINGS = [
    {"Item": "DeviceName", "DeviceName": "Work phone"},
    {"Item": "Wallpaper", "Image": b"\x89PNG", "Where": 1},
    {"Item": "TimeZone", "TimeZone": "Europe/Paris"},
]


@pytest.mark.parametrize("item", FORBIDDEN_SETTINGS, ids=lambda i: i["Item"])
def test_forbidden_settings_item_is_refused_for_ue_iphone(
    make_device: MakeDevice, item: dict[str, Any]
) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    result = services.enqueue_command(
        enrollments=[enrollment], request_type="Settings", payload={"Settings": [item]}
    )
    assert result.queued == []
    reason = result.refused[enrollment.pk]
    assert f"Settings[].{item['Item']}" in reason
    assert "mdm/commands/settings.yaml" in reason and "userenrollment.mode=forbidden" in reason
    assert device.run() == []
    assert DeviceEvent.objects.filter(kind="filter", action="Settings", status="refused").exists()


def test_settings_strip_forbidden_keeps_the_allowed_items(make_device: MakeDevice) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    allowed = {"Item": "ApplicationConfiguration", "Identifier": "com.example.work"}
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="Settings",
        payload={"Settings": [*FORBIDDEN_SETTINGS, allowed]},
        strip_forbidden=True,
    )
    assert result.queued == [enrollment.pk]
    notes = " ".join(result.notes[enrollment.pk])
    assert all(f"Settings[].{i['Item']}" in notes for i in FORBIDDEN_SETTINGS)
    [received] = device.run()
    assert received.command["Settings"] == [allowed]


def test_settings_with_only_forbidden_items_is_refused_even_when_stripping(
    make_device: MakeDevice,
) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="Settings",
        payload={"Settings": FORBIDDEN_SETTINGS},
        strip_forbidden=True,
    )
    assert result.queued == []
    assert "nothing left" in result.refused[enrollment.pk]
    assert device.run() == []


def test_forbidden_settings_item_queued_before_becoming_ue_is_dropped_at_delivery(
    make_device: MakeDevice,
) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=False)
    Device.objects.filter(channels=enrollment).update(supervised=True)
    enrollment.refresh_from_db()
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="Settings",
        payload={"Settings": [FORBIDDEN_SETTINGS[0]]},
    )
    assert result.queued == [enrollment.pk]
    Device.objects.filter(channels=enrollment).update(
        user_enrollment=True, supervised=False, udid=None, serial_number=None
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(enrollment_type=Enrollment.Type.USER)
    assert device.run() == []
    row = later_deliveries().get()
    assert row.status == QueuedCommand.Status.DROPPED
    assert "Settings[].DeviceName" in row.status_reason


# --- DeviceInformation -------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["iOS", "macOS"])
def test_device_information_with_forbidden_queries_is_refused(
    make_device: MakeDevice, platform: str
) -> None:
    device, enrollment = enrolled(make_device, platform=platform, user_enrollment=True)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="DeviceInformation",
        payload={"Queries": ["DeviceName", "SerialNumber"]},
    )
    assert result.queued == []
    reason = result.refused[enrollment.pk]
    assert "SerialNumber" in reason and "information.device.yaml" in reason
    assert device.run() == []


def test_device_information_strip_forbidden_asks_only_the_allowed_queries(
    make_device: MakeDevice,
) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="DeviceInformation",
        payload={"Queries": ["DeviceName", "SerialNumber", "UDID"]},
        strip_forbidden=True,
    )
    assert result.queued == [enrollment.pk]
    notes = result.notes[enrollment.pk]
    assert any(n.startswith("SerialNumber not asked") for n in notes)
    assert any(n.startswith("UDID not asked") for n in notes)
    [received] = device.run()
    assert received.command["Queries"] == ["DeviceName"]


# --- results claiming what a User Enrollment cannot be or tell -----------------------------


def test_ue_result_claiming_supervision_and_hardware_ids_is_not_stored(
    make_device: MakeDevice,
) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="DeviceInformation",
        payload={"Queries": ["DeviceName", "IsSupervised"]},
    )
    uuid = result.command.uuid  # type: ignore[union-attr]
    status, _ = device.connect()
    assert status == 200
    lying = {
        "QueryResponses": {
            "DeviceName": "Personal phone",
            "IsSupervised": True,
            "UDID": "00008110-000A1C2E3C41801E",
            "SerialNumber": "F2LXK0LZKXKN",
            "IMEI": "35 123456 789012 3",
            "MEID": "35123456789012",
        }
    }
    assert device.connect("Acknowledged", command_uuid=uuid, extra=lying) == (200, b"")
    enrollment.refresh_from_db()
    assert enrollment.device.supervised is False
    assert enrollment.device.device_name == "Personal phone"
    assert "IsSupervised" not in enrollment.device.device_information
    assert not set(HARDWARE_IDS) & set(enrollment.device.device_information)
    assert (
        enrollment.device.udid,
        enrollment.device.serial_number,
        enrollment.device.imei,
        enrollment.device.meid,
    ) == (
        None,
        None,
        None,
        None,
    )
    stored = bytes(later_deliveries().get().result)
    for value in lying["QueryResponses"].values():
        if isinstance(value, str) and value != "Personal phone":
            assert value.encode() not in stored
    event = later_events().get(kind="result", action="DeviceInformation")
    assert "IsSupervised" in event.detail["discarded"]
    assert {"UDID", "SerialNumber", "IMEI", "MEID"} <= set(event.detail["discarded"])


@pytest.mark.parametrize(
    ("platform", "forbidden"),
    [
        ("iOS", {"PasscodePresent": True, "AutoLockTime": 60}),
        (
            "macOS",
            {
                "FDE_PersonalRecoveryKeyCMS": b"\x30\x82personal-recovery-key",
                "FirewallSettings": {"Applications": [{"BundleID": "com.example.personal"}]},
            },
        ),
    ],
)
def test_ue_security_info_keeps_nothing_apple_forbids(
    make_device: MakeDevice, platform: str, forbidden: dict[str, Any]
) -> None:
    device, enrollment = enrolled(make_device, platform=platform, user_enrollment=True)
    result = services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    uuid = result.command.uuid  # type: ignore[union-attr]
    assert device.connect()[0] == 200
    info = {"HardwareEncryptionCaps": 3, **forbidden}
    answer = {"SecurityInfo": info}
    assert device.connect("Acknowledged", command_uuid=uuid, extra=answer) == (200, b"")
    enrollment.refresh_from_db()
    assert enrollment.device.security_info["HardwareEncryptionCaps"] == 3
    stored = plistlib.loads(bytes(later_deliveries().get().result))["SecurityInfo"]
    for key, value in forbidden.items():
        if isinstance(value, dict):  # only the forbidden member goes
            assert "Applications" not in enrollment.device.security_info[key]
            assert "Applications" not in stored[key]
        else:
            assert key not in enrollment.device.security_info and key not in stored
    event = later_events().get(kind="result", action="SecurityInfo")
    assert event.detail["discarded"]


# --- declarative status reports ------------------------------------------------------------


def _status(device: SimulatedDevice, items: dict[str, Any]) -> int:
    report = {"StatusItems": items, "Errors": []}
    status, _ = device.checkin(
        {
            "MessageType": "DeclarativeManagement",
            "Endpoint": "status",
            "Data": json.dumps(report).encode(),
            **device.ids(),
        }
    )
    return status


IDENTIFIER_ITEMS = {
    "device": {
        "identifier": {"serial-number": "F2LXK0LZKXKN", "udid": "00008110-000A1C2E3C41801E"},
        "operating-system": {"version": "18.2"},
        "made-up": {"phone-number": "+44 7700 900123"},
    },
    "passcode": {"is-present": True},
}


@pytest.mark.parametrize("platform", ["iOS", "macOS"])
def test_ue_status_report_keeps_no_device_identifier(
    make_device: MakeDevice, platform: str
) -> None:
    device, enrollment = enrolled(make_device, platform=platform, user_enrollment=True)
    assert _status(device, IDENTIFIER_ITEMS) == 200
    enrollment.refresh_from_db()
    stored = json.dumps(enrollment.ddm_status)
    for secret in ("F2LXK0LZKXKN", "00008110-000A1C2E3C41801E", "+44 7700 900123"):
        assert secret not in stored
    assert enrollment.ddm_status["StatusItems"]["device"]["operating-system"] == {"version": "18.2"}
    # The admin is told what was not kept, and why (Apple's table of status items).
    event = later_events().filter(action="DeclarativeManagement/status").latest("pk")
    withheld = event.detail["withheld"]
    assert "user enrollment" in withheld["device.identifier.serial-number"].lower()
    assert "device.identifier.udid" in withheld
    # An item Apple does not name is counted, its name (the device's own text) not repeated.
    assert "1 reported value" in withheld["(not Apple's)"]
    for text in ("F2LXK0LZKXKN", "00008110", "+44 7700", "made-up", "phone-number"):
        assert text not in json.dumps(event.detail)


def test_a_device_enrollment_status_report_keeps_its_identifiers(make_device: MakeDevice) -> None:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=False)
    assert _status(device, IDENTIFIER_ITEMS) == 200
    enrollment.refresh_from_db()
    identifier = enrollment.ddm_status["StatusItems"]["device"]["identifier"]
    assert identifier["serial-number"] == "F2LXK0LZKXKN"


# --- results carrying what Apple's schema does not describe --------------------------------


def test_ue_result_keeps_no_key_apples_schema_does_not_describe(make_device: MakeDevice) -> None:
    """A modified device answers SecurityInfo with its hardware identifiers beside (and inside)
    Apple's keys: none of them is stored, logged or shown."""
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    result = services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    uuid = result.command.uuid  # type: ignore[union-attr]
    assert device.connect()[0] == 200
    answer = {
        "SecurityInfo": {
            "HardwareEncryptionCaps": 3,
            "PasscodeCompliant": True,
            "SerialNumber": "F2LXK0LZKXKN",
            "ManagementStatus": {"IsUserEnrollment": True, "WiFiMAC": "a4:83:e7:12:34:56"},
        },
        "IMEI": "35 123456 789012 3",
        "PhoneNumber": "+44 7700 900123",
    }
    assert device.connect("Acknowledged", command_uuid=uuid, extra=answer) == (200, b"")
    enrollment.refresh_from_db()
    info = enrollment.device.security_info
    assert info["HardwareEncryptionCaps"] == 3 and info["PasscodeCompliant"] is True
    assert info["ManagementStatus"] == {"IsUserEnrollment": True}
    stored = bytes(later_deliveries().get().result)
    assert plistlib.loads(stored)["SecurityInfo"]["HardwareEncryptionCaps"] == 3
    event = later_events().get(kind="result", action="SecurityInfo")
    shown = json.dumps([enrollment.device.security_info, event.detail])
    for secret in ("F2LXK0LZKXKN", "a4:83:e7", "35 123456", "+44 7700"):
        assert secret.encode() not in stored
        assert secret not in shown
    # The admin is told something was not kept, and why, without the device's own key names.
    why = event.detail["discarded"]["(not Apple's)"]
    assert why.startswith("4 key(s) Apple's schema does not describe in the SecurityInfo result")


def test_the_apps_that_follow_results_get_a_ue_result_as_stored(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """`signals.command_result` receivers (managed apps, profiles, ...) never see what a User
    Enrollment's answer may not keep."""
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    heard: list[dict[str, Any]] = []

    def receiver(*, sender: Any, delivery: QueuedCommand, report: Any) -> None:
        heard.append(report.raw)

    signals.command_result.connect(
        receiver, request_types=("SecurityInfo",), dispatch_uid="test.ue-results"
    )
    try:
        result = services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
        uuid = result.command.uuid  # type: ignore[union-attr]
        assert device.connect()[0] == 200
        answer = {
            "SecurityInfo": {"HardwareEncryptionCaps": 3, "PasscodePresent": True},
            "SerialNumber": "F2LXK0LZKXKN",
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert device.connect("Acknowledged", command_uuid=uuid, extra=answer)[0] == 200
    finally:
        signals.command_result.disconnect(dispatch_uid="test.ue-results")
    assert len(heard) == 1
    assert heard[0]["SecurityInfo"] == {"HardwareEncryptionCaps": 3}
    assert "SerialNumber" not in heard[0]


# --- results of a shape Apple's schema does not describe -----------------------------------

SERIAL = "F2LXK0LZKXKN"
WRONG_SHAPES = [
    # A list where the schema describes a dictionary.
    ("DeviceInformation", {"QueryResponses": [{"SerialNumber": SERIAL, "IMEI": "35 1"}]}),
    ("SecurityInfo", {"SecurityInfo": [{"SerialNumber": SERIAL, "WiFiMAC": "a4:83"}]}),
    ("ManagedApplicationList", {"ManagedApplicationList": [{"SerialNumber": SERIAL}]}),
    # A dictionary where the schema describes a list.
    ("ProfileList", {"ProfileList": {"SerialNumber": SERIAL, "UDID": "00008110-0"}}),
    ("InstalledApplicationList", {"InstalledApplicationList": {"SerialNumber": SERIAL}}),
    ("CertificateList", {"CertificateList": {"Items": [{"SerialNumber": SERIAL}]}}),
    # A scalar where either is described.
    ("SecurityInfo", {"SecurityInfo": f"SerialNumber={SERIAL}"}),
    ("DeviceInformation", {"QueryResponses": SERIAL.encode()}),
    ("ProfileList", {"ProfileList": SERIAL}),
    # Deeper down: a list item, a member of a member, an array member of an array item.
    ("ProfileList", {"ProfileList": [[{"SerialNumber": SERIAL}]]}),
    ("ProfileList", {"ProfileList": [SERIAL]}),
    ("ProfileList", {"ProfileList": [{"PayloadIdentifier": "a", "PayloadContent": {"S": SERIAL}}]}),
    ("SecurityInfo", {"SecurityInfo": {"ManagementStatus": [{"SerialNumber": SERIAL}]}}),
    ("SecurityInfo", {"SecurityInfo": {"SecureBoot": {"ReducedSecurity": {"S": SERIAL}}}}),
    ("ManagedApplicationList", {"ManagedApplicationList": {"com.example.work": [SERIAL]}}),
    ("DeviceInformation", {"QueryResponses": {"MDMOptions": [{"SerialNumber": SERIAL}]}}),
    ("DeviceInformation", {"QueryResponses": {"OrganizationInfo": SERIAL}}),
    ("DeviceInformation", {"QueryResponses": {"DevicePropertiesAttestation": {"S": SERIAL}}}),
]


def _answered(
    make_device: MakeDevice, request_type: str, answer: dict[str, Any], *, user_enrollment: bool
) -> tuple[Enrollment, bytes]:
    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=user_enrollment)
    kwargs: dict[str, Any] = {}
    if request_type == "DeviceInformation":
        kwargs["payload"] = {"Queries": ["OSVersion", "MDMOptions", "DevicePropertiesAttestation"]}
    result = services.enqueue_command(enrollments=[enrollment], request_type=request_type, **kwargs)
    uuid = result.command.uuid  # type: ignore[union-attr]
    assert device.connect()[0] == 200
    assert device.connect("Acknowledged", command_uuid=uuid, extra=answer)[0] == 200
    return enrollment, bytes(later_deliveries().get().result)


@pytest.mark.parametrize(("request_type", "answer"), WRONG_SHAPES)
def test_ue_result_of_an_unexpected_shape_keeps_no_hardware_identifier(
    make_device: MakeDevice, request_type: str, answer: dict[str, Any]
) -> None:
    """A value of another shape than Apple's schema describes (a list for a dictionary, a
    dictionary for a list, a scalar for either) is not kept as sent, at any depth."""
    _, stored = _answered(make_device, request_type, answer, user_enrollment=True)
    assert SERIAL.encode() not in stored, plistlib.loads(stored)
    # The admin is told a value was dropped, and why, without the value or the device's keys.
    event = later_events().get(kind="result", action=request_type)
    shown = json.dumps(event.detail)
    assert "not the shape Apple's schema describes" in shown
    assert SERIAL not in shown and 'IMEI": "35' not in shown


@pytest.mark.parametrize(("request_type", "answer"), WRONG_SHAPES[:6])
def test_a_company_device_result_of_an_unexpected_shape_is_stored_as_sent(
    make_device: MakeDevice, request_type: str, answer: dict[str, Any]
) -> None:
    _, stored = _answered(make_device, request_type, answer, user_enrollment=False)
    assert {k: v for k, v in plistlib.loads(stored).items() if k in answer} == answer
