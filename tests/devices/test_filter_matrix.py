"""The capability filter over the whole command registry, through the real queue and connect loop.

The oracle is the hand-written EXPECTED table below, read off Apple's device-management schema
(`mdm/commands/<file>.yaml`, supportedOS per OS: `userenrollment.mode`, `supervised`,
`introduced`) by a person, not computed by the server's filter. Every cell goes through
`enqueue_command` against a stored enrollment.
"""

from __future__ import annotations

import itertools
import plistlib
from collections.abc import Callable
from typing import Any

import pytest

from devices import commands, services
from devices.models import Enrollment, QueuedCommand
from mdm_server.pki import cms
from tests.channels import create_channel
from tests.devices._rows import later_commands, later_deliveries
from tests.simulator import SimulatedDevice

MakeDevice = Callable[..., SimulatedDevice]

MIXED_PROFILE = {
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

# Wi-Fi: com.apple.wifi.managed.yaml allows it under User Enrollment, on the device channel of
# iOS and macOS alike (a web clip would not do: on macOS it is a user-channel payload).
WIFI_PROFILE = {
    "PayloadType": "Configuration",
    "PayloadIdentifier": "com.example.wifi",
    "PayloadUUID": "BBBBBBBB-0000-0000-0000-000000000001",
    "PayloadVersion": 1,
    "PayloadContent": [
        {
            "PayloadType": "com.apple.wifi.managed",
            "PayloadIdentifier": "com.example.wifi.office",
            "PayloadUUID": "BBBBBBBB-0000-0000-0000-000000000002",
            "PayloadVersion": 1,
            "SSID_STR": "Office",
            "EncryptionType": "WPA2",
            "Password": "office-wifi-pw",
        }
    ],
}

IDENTIFIERS = ["IMEI", "MEID", "SerialNumber", "UDID"]  # never asked of a User Enrollment

PARAMS: dict[str, dict[str, Any]] = {
    "InstallProfile": {"Payload": plistlib.dumps(WIFI_PROFILE)},
    "RemoveProfile": {"Identifier": "com.example.wifi"},
    "RemoveApplication": {"Identifier": "com.example.work"},
    "InstallApplication": {"iTunesStoreID": 361309726},
    "InstallEnterpriseApplication": {"ManifestURL": "https://apps.example.com/tool.plist"},
    "EnableLostMode": {"Message": "Please return"},
    # settings.yaml: the ApplicationConfiguration item states no User Enrollment restriction.
    "Settings": {
        "Settings": [
            {
                "Item": "ApplicationConfiguration",
                "Identifier": "com.example.work",
                "Configuration": {"Server": "https://work.example.com"},
            }
        ]
    },
    "DeviceInformation": {"Queries": [*IDENTIFIERS, "DeviceName"]},
}

TYPES = ("user", "device", "adde", "ade")  # the cell order of EXPECTED's strings
OS_VERSION = {"iOS": "18.2", "macOS": "15.2"}

# command -> (iOS 18.2, macOS 15.2); one letter per enrollment type in TYPES order:
#   A  allowed
#   U  refused: userenrollment.mode=forbidden on that OS
#   S  refused: supervised=true and only ADE devices are supervised here
#   N  refused: the OS does not have the command (introduced=n/a)
#   D  refused: requiresdep=true and the device did not come through Automated Device Enrollment
EXPECTED: dict[str, tuple[str, str]] = {
    "AvailableOSUpdates": ("USSA", "UAAA"),  # system.update.available.yaml
    "CertificateList": ("AAAA", "AAAA"),  # certificate.list.yaml
    "ClearPasscode": ("UAAA", "NNNN"),  # passcode.clear.yaml
    "DeclarativeManagement": ("AAAA", "AAAA"),  # declarativemanagement.yaml (iOS 15, macOS 13)
    "DeviceConfigured": ("UDDA", "UDDA"),  # device.configured.yaml (Setup Assistant released)
    "DeviceInformation": ("AAAA", "AAAA"),  # information.device.yaml
    "DeviceLock": ("AAAA", "UAAA"),  # device.lock.yaml
    "DisableLostMode": ("USSA", "NNNN"),  # device.lostmode.disable.yaml
    "EnableLostMode": ("USSA", "NNNN"),  # device.lostmode.enable.yaml
    "EraseDevice": ("UAAA", "UAAA"),  # device.erase.yaml
    # application.install.yaml; on macOS User Enrollment without ManagementFlags (forbidden
    # there, a key the builder adds by itself: left out with a note, tests/managed_apps)
    "InstallApplication": ("AAAA", "AAAA"),
    # application.install.enterprise.yaml: macOS only (iOS n/a); on macOS User Enrollment
    # without InstallAsManaged and ManagementFlags (forbidden there, default keys: left out)
    "InstallEnterpriseApplication": ("NNNN", "AAAA"),
    "InstallProfile": ("AAAA", "AAAA"),  # profile.install.yaml
    "InstalledApplicationList": ("AAAA", "UAAA"),  # application.installed.list.yaml
    "ManagedApplicationList": ("AAAA", "AAAA"),  # application.managed.list.yaml
    "ProfileList": ("AAAA", "AAAA"),  # profile.list.yaml
    # application.remove.yaml; macOS allowed under User Enrollment since Apple's schema 26.2
    # (its errata: it was wrongly marked forbidden there)
    "RemoveApplication": ("AAAA", "AAAA"),
    "RemoveProfile": ("AAAA", "AAAA"),  # profile.remove.yaml
    "RestartDevice": ("USSA", "UAAA"),  # device.restart.yaml
    "ScheduleOSUpdate": ("USSA", "USSA"),  # system.update.schedule.yaml
    "SecurityInfo": ("AAAA", "AAAA"),  # information.security.yaml
    "Settings": ("AAAA", "AAAA"),  # settings.yaml
    "ShutDownDevice": ("USSA", "UAAA"),  # device.shutdown.yaml
    "Unenroll": ("AAAA", "AAAA"),  # RemoveProfile of our enrollment profile
}

# What a refusal's reason must say, per letter.
REASON_WORDS = {
    "U": "User Enrollment",
    "S": "supervised",
    "N": "not supported on",
    "D": "Automated Device Enrollment",
}

_serial = itertools.count(1)


def expected(name: str, platform: str, enrollment_type: str) -> str:
    return EXPECTED[name][0 if platform == "iOS" else 1][TYPES.index(enrollment_type)]


def stored_enrollment(platform: str, enrollment_type: str) -> Enrollment:
    n = next(_serial)
    user = enrollment_type == "user"
    return create_channel(
        channel_key=f"matrix:{n}",
        enrollment_type=enrollment_type,
        platform=platform,
        os_version=OS_VERSION[platform],
        supervised=enrollment_type == "ade",
        status=Enrollment.Status.ENROLLED,
        enrollment_id=f"EID-{n}" if user else None,
        udid=None if user else f"UDID-{n}",
        push_token=f"{n:064x}",
        push_magic=f"magic-{n}",
        topic="com.apple.mgmt.test",
    )


def test_the_table_covers_the_whole_registry() -> None:
    """A command added to the registry must get its row (and its cells) here."""
    assert sorted(EXPECTED) == sorted(commands.REGISTRY)
    for name, rows in EXPECTED.items():
        assert [len(row) for row in rows] == [len(TYPES)] * 2, name
        assert set("".join(rows)) <= {"A", *REASON_WORDS}, name


@pytest.mark.django_db
@pytest.mark.parametrize("enrollment_type", TYPES)
@pytest.mark.parametrize("platform", ["iOS", "macOS"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_enqueue_decides_each_cell_as_the_table_says(
    name: str, platform: str, enrollment_type: str
) -> None:
    """command x platform x enrollment type: enqueue queues or refuses as Apple's schema says."""
    enrollment = stored_enrollment(platform, enrollment_type)
    cell = expected(name, platform, enrollment_type)
    if name == "DeviceInformation" and enrollment_type == "user":
        # Asking a personal device for its identifiers is refused, naming one, unless the
        # admin asked for them to be left out (strip_forbidden).
        refused = services.enqueue_command(
            enrollments=[enrollment], request_type=name, payload=PARAMS[name]
        )
        assert refused.queued == []
        assert any(q in refused.refused[enrollment.pk] for q in IDENTIFIERS)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type=name,
        payload=PARAMS.get(name),
        strip_forbidden=name == "DeviceInformation",
    )
    queued = QueuedCommand.objects.filter(enrollment=enrollment).select_related("command")
    if cell != "A":
        assert result.queued == []
        assert name in result.refused[enrollment.pk] or (
            commands.REGISTRY[name].request_type in result.refused[enrollment.pk]
        )
        assert REASON_WORDS[cell] in result.refused[enrollment.pk]
        assert not queued.exists()
        return
    assert result.refused == {}
    assert result.queued == [enrollment.pk]
    (row,) = queued
    assert row.command.request_type == commands.REGISTRY[name].request_type
    if name == "DeviceInformation":
        asked = plistlib.loads(bytes(row.command.body))["Command"]["Queries"]
        if enrollment_type == "user":
            assert asked == ["DeviceName"]
        elif platform == "iOS":
            assert sorted(asked) == ["DeviceName", *IDENTIFIERS]
        else:  # IMEI and MEID are cellular queries: information.device.yaml, macOS n/a
            assert sorted(asked) == ["DeviceName", "SerialNumber", "UDID"]


@pytest.mark.django_db
@pytest.mark.parametrize("platform", ["iOS", "macOS"])
@pytest.mark.parametrize("user_enrollment", [True, False])
def test_a_device_only_ever_receives_what_the_table_allows(
    make_device: MakeDevice, platform: str, user_enrollment: bool
) -> None:
    """Queue every registry command, poll like a device: exactly the allowed ones arrive."""
    device = make_device(platform=platform, user_enrollment=user_enrollment)
    device.enroll()
    enrollment = Enrollment.objects.get()
    kind = "user" if user_enrollment else "device"
    refused: dict[str, str] = {}
    for name in sorted(commands.REGISTRY):
        result = services.enqueue_command(
            enrollments=[enrollment],
            request_type=name,
            payload=PARAMS.get(name),
            strip_forbidden=name == "DeviceInformation",  # identifiers left out, as asked
        )
        if enrollment.pk in result.refused:
            refused[name] = result.refused[enrollment.pk]
    allowed = {n for n in EXPECTED if expected(n, platform, kind) == "A"}
    assert set(refused) == set(EXPECTED) - allowed
    assert all(refused.values()), "every refusal says why"
    handled = device.run(max_commands=100)
    # Unenroll is a RemoveProfile too: count request types as the device sees them.
    wanted = sorted(commands.REGISTRY[n].request_type for n in allowed)
    assert sorted(r.request_type for r in handled) == wanted
    for received in handled:
        if received.request_type == "DeviceInformation" and user_enrollment:
            assert received.command["Queries"] == ["DeviceName"]
    delivered = later_deliveries().filter(status=QueuedCommand.Status.ACKNOWLEDGED).count()
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
        payload={"Payload": plistlib.dumps(MIXED_PROFILE)},
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
        enrollments=[enrollment],
        request_type="InstallProfile",
        payload={"Payload": plistlib.dumps(MIXED_PROFILE)},
    )
    assert result.command is None
    assert "allowCamera" in result.refused[enrollment.pk]
    assert not later_commands().exists()
