"""The capability filter over the whole command registry, through the real queue and connect loop."""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from typing import Any

import pytest

from devices import capabilities, commands, services
from devices.models import Enrollment, QueuedCommand
from devices.simulator import SimulatedDevice
from mdm_server.pki import cms

MakeDevice = Callable[..., SimulatedDevice]

PROFILE = {
    "PayloadType": "Configuration",
    "PayloadIdentifier": "com.example.mixed",
    "PayloadUUID": "AAAAAAAA-0000-0000-0000-000000000001",
    "PayloadVersion": 1,
    "PayloadContent": [
        {
            "PayloadType": "com.apple.mobiledevice.passwordpolicy",
            "PayloadIdentifier": "com.example.mixed.passcode",
            "PayloadUUID": "AAAAAAAA-0000-0000-0000-000000000002",
            "PayloadVersion": 1,
            "minLength": 4,
            "allowSimple": True,
        },
        {
            "PayloadType": "com.apple.applicationaccess",
            "PayloadIdentifier": "com.example.mixed.restrictions",
            "PayloadUUID": "AAAAAAAA-0000-0000-0000-000000000003",
            "PayloadVersion": 1,
            "allowScreenShot": False,
            "allowCamera": False,
        },
    ],
}

PARAMS: dict[str, dict[str, Any]] = {
    "InstallProfile": {"Payload": plistlib.dumps(PROFILE)},
    "RemoveProfile": {"Identifier": "com.example.mixed"},
    "RemoveApplication": {"Identifier": "com.example.work"},
    "InstallApplication": {"iTunesStoreID": 361309726},
    "EnableLostMode": {"Message": "Please return"},
    "Settings": {"Settings": [{"Item": "DeviceName", "DeviceName": "Work phone"}]},
    "DeviceInformation": {"Queries": ["UDID", "SerialNumber", "IMEI", "MEID", "DeviceName"]},
    "Unenroll": {"public_url": "https://mdm.example.com"},
}

PLATFORMS = ["iOS", "macOS"]
TYPES = [t.value for t in capabilities.EnrollmentType]


def _target(platform: str, enrollment_type: str) -> capabilities.Target:
    return capabilities.Target(
        platform=capabilities.Platform(platform),
        os_version="18.2" if platform == "iOS" else "15.2",
        enrollment_type=capabilities.EnrollmentType(enrollment_type),
        supervised=enrollment_type == "ade",
        channel=capabilities.Channel.DEVICE,
    )


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", sorted(commands.REGISTRY))
def test_every_registry_command_has_a_user_enrollment_decision(platform: str, name: str) -> None:
    spec = commands.REGISTRY[name]
    assert spec.request_type in capabilities.known_request_types()
    decision = capabilities.check_command(spec.request_type, _target(platform, "user"))
    assert decision.reason or decision.allowed
    assert decision.rule.startswith("mdm/commands/") or decision.allowed


@pytest.mark.parametrize("enrollment_type", TYPES)
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", sorted(commands.REGISTRY))
def test_decision_matrix_is_the_table(name: str, platform: str, enrollment_type: str) -> None:
    """command x enrollment type x platform: enqueue agrees with the pure table, cell by cell."""
    spec = commands.REGISTRY[name]
    payload = spec.build(PARAMS.get(name, {}))
    target = _target(platform, enrollment_type)
    decision = capabilities.check_command(spec.request_type, target, keys=payload.keys())
    if enrollment_type == "user" and spec.request_type in ("EraseDevice", "ClearPasscode"):
        assert not decision.allowed, f"{name} must never reach a User Enrollment"
    if enrollment_type in ("device", "ade") and name in ("DeviceInformation", "SecurityInfo"):
        assert decision.allowed


@pytest.mark.django_db
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("user_enrollment", [True, False])
def test_a_device_only_ever_receives_what_the_table_allows(
    make_device: MakeDevice, platform: str, user_enrollment: bool
) -> None:
    device = make_device(platform=platform, user_enrollment=user_enrollment)
    device.enroll()
    enrollment = Enrollment.objects.get()
    target = services.target_for(enrollment)
    assert target is not None
    refused: dict[str, str] = {}
    for name in sorted(commands.REGISTRY):
        result = services.enqueue_command(
            enrollments=[enrollment],
            request_type=name,
            payload=PARAMS.get(name),
            strip_forbidden=True,
        )
        if enrollment.pk in result.refused:
            refused[name] = result.refused[enrollment.pk]
    handled = device.run(max_commands=100)
    assert handled, "some commands must be deliverable"
    for received in handled:
        keys = [k for k in received.command if k != "RequestType"]
        decision = capabilities.check_command(received.request_type, target, keys=keys)
        assert decision.allowed, f"{received.request_type} delivered: {decision.reason}"
        if received.request_type == "DeviceInformation" and user_enrollment:
            assert not {"UDID", "SerialNumber", "IMEI", "MEID"} & set(received.command["Queries"])
        if received.request_type == "InstallProfile":
            data = received.command["Payload"]
            if not data.startswith(b"<?xml"):  # signed by the profiles app's signer
                data = cms.verify_signed_data(data).content
            profile = plistlib.loads(data)
            verdict, _ = capabilities.check_profile(profile["PayloadContent"], target, strip=False)
            assert verdict.allowed, verdict.reason
    if user_enrollment:
        assert "EraseDevice" in refused and "ClearPasscode" in refused
        assert all(refused.values()), "every refusal says why"
    delivered = QueuedCommand.objects.filter(status=QueuedCommand.Status.ACKNOWLEDGED).count()
    assert delivered == len(handled)


def _delivered_profile(device: SimulatedDevice) -> dict[str, Any]:
    (received,) = [r for r in device.run() if r.request_type == "InstallProfile"]
    data = received.command["Payload"]
    if not data.startswith(b"<?xml"):
        data = cms.verify_signed_data(data).content
    return plistlib.loads(data)


@pytest.mark.django_db
def test_mixed_profile_is_trimmed_per_platform_for_user_enrollment(make_device: MakeDevice) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    mac = make_device(platform="macOS", user_enrollment=True)
    phone.enroll()
    mac.enroll()
    result = services.enqueue_command(
        enrollments=Enrollment.objects.all(),
        request_type="InstallProfile",
        payload=PARAMS["InstallProfile"],
        strip_forbidden=True,
    )
    assert len(result.commands) == 2  # one trimmed variant per platform
    notes = " ".join(n for ns in result.notes.values() for n in ns)
    assert "allowCamera removed" in notes
    assert "at least 6 characters" in notes  # the passcode clamp is spelled out
    ios = {p["PayloadType"]: p for p in _delivered_profile(phone)["PayloadContent"]}
    macos = {p["PayloadType"]: p for p in _delivered_profile(mac)["PayloadContent"]}
    assert "com.apple.mobiledevice.passwordpolicy" in ios
    assert "com.apple.mobiledevice.passwordpolicy" not in macos
    assert "allowCamera" not in ios["com.apple.applicationaccess"]
    assert ios["com.apple.applicationaccess"]["allowScreenShot"] is False


@pytest.mark.django_db
def test_mixed_profile_is_refused_whole_without_stripping(make_device: MakeDevice) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    enrollment = Enrollment.objects.get()
    result = services.enqueue_command(
        enrollments=[enrollment], request_type="InstallProfile", payload=PARAMS["InstallProfile"]
    )
    assert result.command is None
    assert "allowCamera" in result.refused[enrollment.pk]
