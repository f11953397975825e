"""Profile payloads and payload keys Apple removed or restricted in the 26/27 releases: refused like
the removed commands (tests/devices/test_removed_commands.py), and User Enrollment follows the
refreshed schema.

Oracle, read by a person off the vendored YAML (`mdm/profiles/`, upstream 27.0):
`com.apple.SoftwareUpdate.yaml` says macOS `deprecated: '26.0'`, `removed: '27.0'`, and its
description ends "Removed: use the declarative management
`com.apple.configuration.softwareupdate.settings` configuration." (Apple's 27.0 CHANGES.md lists
the file under "Removed Objects"; the file stays, marked removed.) `com.apple.applicationaccess.yaml`
marks `forceDelayedSoftwareUpdates` macOS `removed: '27.0'`; `allowSafariPrivateBrowsing` is new in
iOS 26.0 with `userenrollment: forbidden`; `com.apple.cellularprivatenetwork.managed.yaml` is iOS
`userenrollment: forbidden` (18.1 said allowed); `com.apple.fileproviderd.yaml` is macOS
`userenrollment: forbidden` (18.1 said allowed).
"""

from __future__ import annotations

import pytest

from devices import capabilities
from devices.capabilities import EnrollmentType, Platform, Target

SETTINGS = "com.apple.configuration.softwareupdate.settings"


def mac(version: str) -> Target:
    return Target(Platform.MACOS, version, EnrollmentType.ADE, supervised=True)


@pytest.mark.parametrize("version", ["27.0", "27.1", "28"])
def test_software_update_payload_is_refused_from_macos_27_with_what_to_use(version: str) -> None:
    decision = capabilities.check_payload(
        {"PayloadType": "com.apple.SoftwareUpdate", "AutomaticCheckEnabled": True}, mac(version)
    )
    assert decision.allowed is False
    assert decision.reason.startswith(
        f"Apple removed com.apple.SoftwareUpdate in macOS 27.0 (device runs {version}); instead "
    )
    assert SETTINGS in decision.reason
    assert decision.rule.endswith("macOS removed=27.0")


@pytest.mark.parametrize("version", ["26.0", "26.4.1"])
def test_a_macos_26_device_still_gets_it_with_the_deprecation_said(version: str) -> None:
    decision = capabilities.check_payload(
        {"PayloadType": "com.apple.SoftwareUpdate", "AutomaticCheckEnabled": True}, mac(version)
    )
    assert decision.allowed is True, decision.reason
    assert "(deprecated since macOS 26.0, removed in macOS 27.0; instead " in decision.reason
    assert SETTINGS in decision.reason


def test_an_older_mac_gets_it_without_a_deprecation_note() -> None:
    decision = capabilities.check_payload(
        {"PayloadType": "com.apple.SoftwareUpdate", "AutomaticCheckEnabled": True}, mac("15.2")
    )
    assert decision.allowed is True, decision.reason
    assert "deprecated" not in decision.reason and "removed" not in decision.reason


def test_a_restriction_removed_in_27_is_left_out_on_27_and_kept_on_26() -> None:
    payload = {"PayloadType": "com.apple.applicationaccess", "forceDelayedSoftwareUpdates": True}
    on_27 = capabilities.check_payload(payload, mac("27.0"))
    assert on_27.allowed is True
    assert "removed in macOS 27.0" in on_27.ignored_keys["forceDelayedSoftwareUpdates"]
    on_26 = capabilities.check_payload(payload, mac("26.3"))
    assert on_26.allowed is True and not on_26.ignored_keys and not on_26.forbidden_keys


def test_a_26_restriction_forbidden_under_user_enrollment_is_stripped() -> None:
    target = Target(Platform.IOS, "26.1", EnrollmentType.USER)
    decision = capabilities.check_payload(
        {
            "PayloadType": "com.apple.applicationaccess",
            "allowSafariPrivateBrowsing": False,
            "allowOpenFromManagedToUnmanaged": False,
        },
        target,
    )
    assert decision.allowed is True
    assert set(decision.forbidden_keys) == {"allowSafariPrivateBrowsing"}
    assert "userenrollment.mode=forbidden" in decision.forbidden_keys["allowSafariPrivateBrowsing"]


@pytest.mark.parametrize(
    ("payload", "platform", "version"),
    [
        (
            {
                "PayloadType": "com.apple.cellularprivatenetwork.managed",
                "DataSetName": "campus",
                "VersionNumber": "1",
            },
            Platform.IOS,
            "26.0",
        ),
        ({"PayloadType": "com.apple.fileproviderd"}, Platform.MACOS, "26.0"),
    ],
)
def test_payloads_the_refreshed_schema_forbids_under_user_enrollment(
    payload: dict[str, object], platform: Platform, version: str
) -> None:
    decision = capabilities.check_payload(payload, Target(platform, version, EnrollmentType.USER))
    assert decision.allowed is False
    assert decision.rule.endswith("userenrollment.mode=forbidden")
