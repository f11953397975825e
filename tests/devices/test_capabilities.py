"""Capability decisions (devices.capabilities), checked against Apple's rules and an independent summary.

No database. `capabilities.json` next to the vendored schema was produced by someone else from
the same YAML; it serves as an oracle here and is never read by the generator.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from devices import capability_table
from devices.capabilities import (
    Channel,
    EnrollmentType,
    Platform,
    Target,
    allowed_query_keys,
    check_checkin,
    check_command,
    check_payload,
    check_profile,
    filter_query_keys,
    known_checkin_types,
    known_payload_types,
    known_request_types,
)

ORACLE_PATH = Path(__file__).resolve().parents[2] / "mdm_server/apple_schema/capabilities.json"

UE_IOS = Target(Platform.IOS, "18.1", EnrollmentType.USER)
UE_MAC = Target(Platform.MACOS, "15.1", EnrollmentType.USER)


@cache
def oracle() -> dict[str, Any]:
    return json.loads(ORACLE_PATH.read_text(encoding="utf-8"))


def target(
    platform: str,
    enrollment: str,
    *,
    version: str = "",
    supervised: bool = False,
    channel: str = "device",
) -> Target:
    return Target(platform, version, enrollment, supervised, channel)  # type: ignore[arg-type]


# --- commands: table-driven over command x enrollment type x platform -------------------------

COMMAND_MATRIX = [
    # (RequestType, platform, enrollment, supervised, allowed, rule ends with)
    ("EraseDevice", "iOS", "user", False, False, "iOS userenrollment.mode=forbidden"),
    ("EraseDevice", "macOS", "user", False, False, "macOS userenrollment.mode=forbidden"),
    ("EraseDevice", "iOS", "device", False, True, "iOS introduced=4.0"),
    ("EraseDevice", "macOS", "adde", False, True, "macOS introduced=10.7"),
    ("EraseDevice", "iOS", "ade", True, True, "iOS introduced=4.0"),
    ("ClearPasscode", "iOS", "user", False, False, "iOS userenrollment.mode=forbidden"),
    ("ClearPasscode", "iOS", "device", False, True, "iOS introduced=4.0"),
    ("ClearPasscode", "macOS", "device", False, False, "macOS introduced=n/a"),
    ("EnableLostMode", "iOS", "user", False, False, "iOS userenrollment.mode=forbidden"),
    ("EnableLostMode", "iOS", "device", False, False, "iOS supervised=true"),
    ("EnableLostMode", "iOS", "ade", True, True, "iOS introduced=9.3"),
    ("EnableLostMode", "macOS", "ade", True, False, "macOS introduced=n/a"),
    ("DeviceLock", "iOS", "user", False, True, "iOS userenrollment.mode=allowed"),
    ("DeviceLock", "macOS", "user", False, False, "macOS userenrollment.mode=forbidden"),
    ("DeviceLock", "macOS", "device", False, True, "macOS introduced=10.7"),
    ("DeviceLock", "visionOS", "user", False, True, "visionOS userenrollment.mode=allowed"),
    ("RestartDevice", "iOS", "user", False, False, "iOS userenrollment.mode=forbidden"),
    ("RestartDevice", "iOS", "device", False, False, "iOS supervised=true"),
    ("RestartDevice", "iOS", "ade", True, True, "iOS introduced=10.3"),
    ("DeviceInformation", "iOS", "user", False, True, "iOS userenrollment.mode=allowed"),
    ("DeviceInformation", "macOS", "user", False, True, "macOS userenrollment.mode=allowed"),
    ("DeviceInformation", "tvOS", "device", False, True, "tvOS introduced=9.0"),
    ("InstallProfile", "iOS", "user", False, True, "iOS userenrollment.mode=allowed"),
    ("InstallProfile", "macOS", "user", False, True, "macOS userenrollment.mode=allowed"),
    ("InstallProfile", "iOS", "adde", False, True, "iOS introduced=4.0"),
    ("SecurityInfo", "iOS", "user", False, True, "iOS userenrollment.mode=allowed"),
    ("RequestUnlockToken", "iOS", "user", False, False, "iOS userenrollment.mode=forbidden"),
    ("AccountConfiguration", "macOS", "device", False, False, "macOS requiresdep=true"),
    ("AccountConfiguration", "macOS", "ade", False, True, "macOS introduced=10.11"),
    # User Enrollment does not exist on tvOS/watchOS: the schema states no mode there.
    ("DeviceInformation", "tvOS", "user", False, False, "tvOS userenrollment.mode not stated"),
]


@pytest.mark.parametrize(
    ("request_type", "platform", "enrollment", "supervised", "allowed", "rule_end"),
    COMMAND_MATRIX,
)
def test_command_matrix(
    request_type: str,
    platform: str,
    enrollment: str,
    supervised: bool,
    allowed: bool,
    rule_end: str,
) -> None:
    decision = check_command(request_type, target(platform, enrollment, supervised=supervised))
    assert decision.allowed is allowed, decision
    assert decision.rule.endswith(rule_end), decision.rule
    assert decision.rule.startswith("mdm/commands/")
    assert decision.reason


def test_erase_device_rule_cites_the_schema_file() -> None:
    decision = check_command("EraseDevice", UE_IOS)
    assert decision.rule == "mdm/commands/device.erase.yaml: iOS userenrollment.mode=forbidden"
    assert "User Enrollment" in decision.reason


def test_unknown_request_type_is_denied() -> None:
    decision = check_command("FormatTheMoon", UE_IOS)
    assert not decision.allowed
    assert "unknown RequestType" in decision.reason


@pytest.mark.parametrize(
    ("version", "allowed"),
    [("9.2", False), ("9.3", True), ("9.3.0", True), ("17.4.1", True), ("", True), ("beta", True)],
)
def test_os_version_gate(version: str, allowed: bool) -> None:
    decision = check_command(
        "EnableLostMode", target("iOS", "ade", version=version, supervised=True)
    )
    assert decision.allowed is allowed, decision
    if not allowed:
        assert decision.rule.endswith("iOS introduced=9.3")
        assert "9.3 or later" in decision.reason


def test_removed_key_is_reported_by_version() -> None:
    payload = {"PayloadType": "com.apple.mdm", "ManagedAppleID": "a@example.com"}
    old = check_payload(payload, target("iOS", "user", version="17.5"))
    assert "ManagedAppleID" not in old.ignored_keys
    new = check_payload(payload, target("iOS", "user", version="18.0"))
    assert "removed in iOS 18.0" in new.ignored_keys["ManagedAppleID"]
    # The key is only meaningful under User Enrollment (mode=required).
    device = check_payload(payload, target("iOS", "device", version="17.5"))
    assert "userenrollment.mode=required" in device.ignored_keys["ManagedAppleID"]


@pytest.mark.parametrize(
    ("request_type", "platform", "channel", "allowed", "rule_end"),
    [
        ("DeviceInformation", "macOS", "user", True, "macOS introduced=10.7"),
        ("EraseDevice", "macOS", "user", False, "macOS userchannel=false"),
        ("EraseDevice", "macOS", "device", True, "macOS introduced=10.7"),
        # iOS has a user channel only on Shared iPad; its block carries the channel flags.
        ("DeviceInformation", "iOS", "user", True, "iOS introduced=4.0"),
        ("EraseDevice", "iOS", "user", False, "iOS sharedipad.userchannel=false"),
        ("DeviceInformation", "tvOS", "user", False, "tvOS userchannel not stated"),
    ],
)
def test_channel_rules(
    request_type: str, platform: str, channel: str, allowed: bool, rule_end: str
) -> None:
    decision = check_command(request_type, target(platform, "device", channel=channel))
    assert decision.allowed is allowed, decision
    assert decision.rule.endswith(rule_end)


def test_command_keys_forbidden_under_user_enrollment() -> None:
    decision = check_command("Settings", UE_IOS, keys=["Settings[].Wallpaper"])
    assert not decision.allowed
    assert "Settings[].Wallpaper" in decision.reason
    assert decision.rule.endswith("Settings[].Wallpaper iOS userenrollment.mode=forbidden")
    fine = check_command("Settings", UE_IOS, keys=["Settings[].ApplicationConfiguration"])
    assert fine.allowed, fine
    # Device enrollment: same key, no User Enrollment rule, but Wallpaper needs supervision.
    unsupervised = check_command("Settings", target("iOS", "device"), keys=["Settings[].Wallpaper"])
    assert not unsupervised.allowed
    assert unsupervised.rule.endswith("iOS supervised=true")
    supervised = check_command(
        "Settings", target("iOS", "ade", supervised=True), keys=["Settings[].Wallpaper"]
    )
    assert supervised.allowed


def test_target_rejects_unknown_values() -> None:
    with pytest.raises(ValueError, match="unknown platform 'android'"):
        Target("android", "14", EnrollmentType.USER)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown enrollment_type"):
        Target(Platform.IOS, "14", "byod")  # type: ignore[arg-type]
    assert Target("macOS", None, "user").os_version == ""  # type: ignore[arg-type]


# --- check-in messages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message_type", "platform", "enrollment", "channel", "allowed", "rule_end"),
    [
        ("SetBootstrapToken", "macOS", "user", "device", False, "userenrollment.mode=forbidden"),
        ("SetBootstrapToken", "macOS", "ade", "device", True, "macOS introduced=10.15"),
        ("SetBootstrapToken", "macOS", "device", "device", False, "macOS supervised=true"),
        ("SetBootstrapToken", "iOS", "user", "device", False, "iOS introduced=n/a"),
        ("GetBootstrapToken", "macOS", "user", "device", False, "userenrollment.mode=forbidden"),
        ("Authenticate", "iOS", "user", "device", True, "iOS userenrollment.mode=allowed"),
        ("TokenUpdate", "macOS", "user", "user", True, "macOS userenrollment.mode=allowed"),
        ("UserAuthenticate", "macOS", "device", "device", False, "macOS devicechannel=false"),
    ],
)
def test_checkin_matrix(
    message_type: str, platform: str, enrollment: str, channel: str, allowed: bool, rule_end: str
) -> None:
    # Automated Device Enrollment Macs are supervised; the others here are not.
    supervised = enrollment == "ade"
    decision = check_checkin(
        message_type, target(platform, enrollment, channel=channel, supervised=supervised)
    )
    assert decision.allowed is allowed, decision
    assert decision.rule.endswith(rule_end), decision.rule


def test_unknown_checkin_is_denied() -> None:
    assert not check_checkin("Hello", UE_IOS).allowed


# --- exhaustiveness, cross-checked against the independent summary ----------------------------


def _expected_allowed_under_ue(os_entry: dict[str, Any]) -> bool:
    """What an unsupervised, device-channel UE target may use, from the oracle's fields."""
    return bool(
        os_entry.get("supported")
        and not os_entry.get("removed")
        and os_entry.get("userenrollment") == "allowed"
        and not os_entry.get("supervised")
        and not os_entry.get("requiresdep")
        and os_entry.get("devicechannel") is not False
    )


def test_every_request_type_has_a_decision_matching_the_oracle() -> None:
    commands = oracle()["commands"]
    assert known_request_types() == set(commands)
    for request_type, entry in commands.items():
        for platform in (Platform.IOS, Platform.MACOS):
            decision = check_command(request_type, Target(platform, "", EnrollmentType.USER))
            assert decision.rule.startswith(entry["file"]), (request_type, decision)
            expected = _expected_allowed_under_ue(entry["os"][platform.value])
            assert decision.allowed is expected, (request_type, platform, decision)


def test_every_payload_type_has_a_decision_matching_the_oracle() -> None:
    profiles = oracle()["profiles"]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in profiles.values():
        by_type.setdefault(entry["payloadtype"], []).append(entry)
    pseudo = {"TopLevel", "CommonPayloadKeys"}
    assert known_payload_types() == set(by_type) - pseudo
    for payload_type in sorted(known_payload_types()):
        entries = by_type[payload_type]
        files = {entry["file"] for entry in entries}
        # The payload-level rule only: with the keys Apple requires of it on a User Enrollment
        # (tests/devices/test_ue_required_payload_keys.py judges their absence).
        required = {
            key: "x"
            for entry in capability_table.PROFILES.get(payload_type, ())
            for key in entry.get("ue_required", ())
        }
        for platform in (Platform.IOS, Platform.MACOS):
            decision = check_payload(
                {"PayloadType": payload_type, **required}, Target(platform, "", EnrollmentType.USER)
            )
            assert decision.payload_type == payload_type
            assert decision.rule.split(":")[0] in files, (payload_type, decision)
            expected = _expected_allowed_under_ue(entries[0]["os"][platform.value])
            assert decision.allowed is expected, (payload_type, platform, decision)


@pytest.mark.parametrize("platform", ["iOS", "macOS", "visionOS"])
@pytest.mark.parametrize(("section", "kind"), [("commands", "commands"), ("checkin", "checkin")])
@pytest.mark.parametrize(("version", "which"), [("", "all"), ("999", "current")])
def test_counts_match_the_oracle(
    platform: str, section: str, kind: str, version: str, which: str
) -> None:
    """An unknown OS version is judged on every item ('all'); a version later than every
    release on the items the OS still has ('current'), the removed ones counted apart."""
    counts = oracle()["counts"][section][platform][which]
    names = known_request_types() if kind == "commands" else known_checkin_types()
    check = check_command if kind == "commands" else check_checkin
    tally = {"forbidden": 0, "not_supported_on_os": 0, "removed": 0}
    for name in names:
        target = Target(platform, version, EnrollmentType.USER)  # type: ignore[arg-type]
        rule = check(name, target).rule
        if rule.endswith("userenrollment.mode=forbidden"):
            tally["forbidden"] += 1
        elif rule.endswith("introduced=n/a"):
            tally["not_supported_on_os"] += 1
        elif " removed=" in rule:
            tally["removed"] += 1
    assert tally["forbidden"] == counts.get("forbidden", 0)
    assert tally["not_supported_on_os"] == counts.get("not_supported_on_os", 0)
    assert tally["removed"] == counts.get("removed", 0)


@pytest.mark.parametrize("platform", ["iOS", "macOS"])
def test_payload_type_counts_match_the_oracle(platform: str) -> None:
    counts = oracle()["counts"]["profiles_by_payloadtype"][platform]["current"]
    # 'current' leaves out the items removed on the OS, so the device runs a version later than
    # every release (as for the commands above). Apple's 27.0 text removes com.apple.SoftwareUpdate
    # on macOS 27.0: on the 15.1 this test used with the 18.1 schema it is only forbidden.
    version = "999"
    tally: dict[str, int] = {}
    for payload_type in known_payload_types():
        rule = check_payload(
            {"PayloadType": payload_type}, Target(platform, version, EnrollmentType.USER)
        ).rule  # type: ignore[arg-type]
        for suffix, name in (
            ("userenrollment.mode=forbidden", "forbidden"),
            ("introduced=n/a", "not_supported_on_os"),
            ("not listed", "os_not_listed"),
        ):
            if rule.endswith(suffix):
                tally[name] = tally.get(name, 0) + 1
        if " removed=" in rule:
            tally["removed"] = tally.get("removed", 0) + 1
    for name in ("forbidden", "not_supported_on_os", "os_not_listed", "removed"):
        assert tally.get(name, 0) == counts.get(name, 0), name


# --- DeviceInformation queries --------------------------------------------------------------------


@pytest.mark.parametrize("key", ["UDID", "SerialNumber", "IMEI", "MEID"])
def test_user_enrolled_iphone_is_never_asked_for_identifiers(key: str) -> None:
    allowed, removed = filter_query_keys("DeviceInformation", [key, "DeviceName"], UE_IOS)
    assert allowed == ["DeviceName"]
    assert "User Enrollment" in removed[key]
    assert key not in allowed_query_keys("DeviceInformation", UE_IOS)


def test_device_enrollment_may_ask_for_identifiers() -> None:
    keys = allowed_query_keys("DeviceInformation", target("iOS", "device", version="18.1"))
    assert {"UDID", "SerialNumber", "IMEI", "MEID"} <= set(keys)


@pytest.mark.parametrize("platform", ["iOS", "macOS", "visionOS"])
def test_query_filter_matches_the_oracle(platform: str) -> None:
    keys = oracle()["commands"]["DeviceInformation"]["keys_with_userenrollment"]
    prefix = "Queries[].QueriesItem="
    forbidden = {
        k["key"][len(prefix) :]
        for k in keys
        if k["key"].startswith(prefix) and k["userenrollment"].get(platform) == "forbidden"
    }
    assert forbidden, "the oracle lists forbidden queries"
    allowed = set(allowed_query_keys("DeviceInformation", target(platform, "user")))
    assert allowed
    assert not allowed & forbidden


def test_macos_query_list_differs_from_ios() -> None:
    ios = set(allowed_query_keys("DeviceInformation", UE_IOS))
    mac = set(allowed_query_keys("DeviceInformation", UE_MAC))
    assert ios != mac
    assert "EthernetMAC" not in mac  # forbidden under UE on macOS
    assert "IsAppleSilicon" in mac and "IsAppleSilicon" not in ios  # macOS-only query
    assert "EASDeviceIdentifier" in ios


def test_query_filter_reports_unknown_and_too_new_keys() -> None:
    allowed, removed = filter_query_keys(
        "DeviceInformation",
        ["DevicePropertiesAttestation", "NoSuchQuery", "OSVersion", "OSVersion"],
        target("iOS", "user", version="15.4"),
    )
    assert allowed == ["OSVersion"]
    assert "needs iOS 16.0 or later" in removed["DevicePropertiesAttestation"]
    assert "not a DeviceInformation query" in removed["NoSuchQuery"]
    assert "DevicePropertiesAttestation" in allowed_query_keys(
        "DeviceInformation", target("iOS", "user", version="16.0")
    )


def test_query_filter_needs_a_command_with_a_query_list() -> None:
    with pytest.raises(ValueError, match="no query list"):
        filter_query_keys("EraseDevice", ["UDID"], UE_IOS)
    with pytest.raises(ValueError, match="unknown RequestType"):
        allowed_query_keys("Nope", UE_IOS)


# --- profile payloads -----------------------------------------------------------------------------

PASSCODE = {
    "PayloadType": "com.apple.mobiledevice.passwordpolicy",
    "PayloadIdentifier": "com.example.passcode",
    "PayloadUUID": "9A3C1D8E-0000-4000-8000-000000000001",
    "PayloadVersion": 1,
    "minLength": 4,
    "allowSimple": True,
    "requireAlphanumeric": True,
    "maxInactivity": 5,
}


def test_passcode_payload_under_user_enrollment_ios() -> None:
    decision = check_payload(PASSCODE, UE_IOS)
    assert decision.allowed
    assert decision.forbidden_keys == {}
    # Which keys are ignored comes from the schema (every iOS key is marked `ignored`).
    assert set(decision.ignored_keys) == {
        "minLength",
        "allowSimple",
        "requireAlphanumeric",
        "maxInactivity",
    }
    assert all("userenrollment.mode=ignored" in r for r in decision.ignored_keys.values())
    notes = " ".join(decision.notes)
    assert "at least 6" in notes
    assert "simple" in notes
    assert "complex characters cannot be required" in notes


def test_passcode_payload_forbidden_under_user_enrollment_macos() -> None:
    decision = check_payload(PASSCODE, UE_MAC)
    assert not decision.allowed
    assert decision.rule == (
        "mdm/profiles/com.apple.mobiledevice.passwordpolicy.yaml: "
        "macOS userenrollment.mode=forbidden"
    )


def test_passcode_payload_on_device_enrollment_has_no_ue_notes() -> None:
    decision = check_payload(PASSCODE, target("iOS", "device"))
    assert decision.allowed
    assert decision.ignored_keys == {}
    assert decision.notes == ()


@pytest.mark.parametrize("platform", ["iOS", "macOS"])
def test_restrictions_keys_follow_the_oracle(platform: str) -> None:
    entry = oracle()["profiles"]["com.apple.applicationaccess"]
    keys = [k for k in entry["keys_with_userenrollment"] if "." not in k["key"]]
    payload: dict[str, Any] = {"PayloadType": "com.apple.applicationaccess"}
    payload.update({k["key"]: False for k in keys})
    decision = check_payload(payload, target(platform, "user"))
    assert decision.allowed
    expected = {k["key"] for k in keys if k["userenrollment"].get(platform) == "forbidden"}
    assert set(decision.forbidden_keys) == expected


def test_restrictions_differ_between_ios_and_macos() -> None:
    payload = {
        "PayloadType": "com.apple.applicationaccess",
        "allowCamera": False,
        "allowScreenShot": False,
        "allowAssistant": False,
    }
    ios = check_payload(payload, UE_IOS)
    mac = check_payload(payload, UE_MAC)
    assert "allowCamera" in ios.forbidden_keys and "allowCamera" in mac.forbidden_keys
    assert "allowScreenShot" not in ios.forbidden_keys | mac.forbidden_keys
    assert "allowAssistant" not in ios.forbidden_keys
    assert "allowAssistant" in mac.forbidden_keys | mac.ignored_keys


def test_supervised_only_restriction_is_ignored_on_unsupervised_device() -> None:
    payload = {"PayloadType": "com.apple.applicationaccess", "allowAppRemoval": False}
    unsupervised = check_payload(payload, target("iOS", "device"))
    assert "supervised=true" in unsupervised.ignored_keys["allowAppRemoval"]
    supervised = check_payload(payload, target("iOS", "ade", supervised=True))
    assert supervised.ignored_keys == {}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"PayloadType": "com.example.custom"}, "unknown PayloadType"),
        ({"PayloadType": "CommonPayloadKeys"}, "unknown PayloadType"),
        ({"minLength": 6}, "no PayloadType"),
        ("not a dict", "must be a dictionary"),
    ],
)
def test_bad_payloads_are_refused_with_a_reason(payload: Any, reason: str) -> None:
    decision = check_payload(payload, UE_IOS)
    assert not decision.allowed
    assert reason in decision.reason


def test_profile_envelope_keys_are_checked() -> None:
    envelope = {"PayloadType": "Configuration", "PayloadRemovalDisallowed": True}
    decision = check_payload(envelope, UE_IOS)
    assert decision.allowed
    assert decision.rule.startswith("mdm/profiles/TopLevel.yaml")
    assert "PayloadRemovalDisallowed" in decision.forbidden_keys


def test_mcx_payload_type_uses_the_matching_file() -> None:
    payload = {"PayloadType": "com.apple.MCX", "com.apple.EnergySaver.desktop.ACPower": {}}
    decision = check_payload(payload, target("macOS", "device"))
    assert decision.allowed
    assert decision.rule.startswith("mdm/profiles/com.apple.MCX(EnergySaver).yaml")
    assert not check_payload(payload, UE_MAC).allowed


def test_nested_forbidden_keys_are_found() -> None:
    payload = {"PayloadType": "com.apple.airplay", "AllowList": [{"DeviceID": "AA:BB"}]}
    ios = check_payload(payload, UE_IOS)
    assert "AllowList" in ios.forbidden_keys
    mac = check_payload(payload, UE_MAC)
    assert mac.forbidden_keys == {}
    assert "AllowList" in mac.ignored_keys


# --- whole profiles -----------------------------------------------------------------------------

RESTRICTIONS = {
    "PayloadType": "com.apple.applicationaccess",
    "PayloadIdentifier": "com.example.restrictions",
    "allowCamera": False,
    "allowScreenShot": False,
}
VPN = {"PayloadType": "com.apple.vpn.managed", "VPNType": "IKEv2"}


def test_mixed_profile_is_refused_without_strip() -> None:
    decision, payloads = check_profile([PASSCODE, RESTRICTIONS, VPN], UE_IOS, strip=False)
    assert not decision.allowed
    assert payloads == []
    assert "com.apple.vpn.managed" in decision.reason
    assert "allowCamera" in decision.reason
    assert [d.payload_type for d in decision.payloads] == [
        "com.apple.mobiledevice.passwordpolicy",
        "com.apple.applicationaccess",
        "com.apple.vpn.managed",
    ]


def test_strip_keeps_the_allowed_subset() -> None:
    original = [dict(PASSCODE), dict(RESTRICTIONS), dict(VPN)]
    decision, payloads = check_profile(original, UE_IOS, strip=True)
    assert decision.allowed
    assert [p["PayloadType"] for p in payloads] == [
        "com.apple.mobiledevice.passwordpolicy",
        "com.apple.applicationaccess",
    ]
    assert "allowCamera" not in payloads[1]
    assert payloads[1]["allowScreenShot"] is False
    assert payloads[0]["minLength"] == 4  # ignored keys stay: the device ignores them itself
    assert original[1]["allowCamera"] is False  # the input is not modified


def test_strip_removes_nested_items_and_emptied_lists() -> None:
    payload = {"PayloadType": "com.apple.airplay", "AllowList": [{"DeviceID": "AA:BB"}]}
    _, ios = check_profile([payload], UE_IOS, strip=True)
    assert "AllowList" not in ios[0]
    _, mac = check_profile([payload], UE_MAC, strip=True)
    assert mac[0]["AllowList"] == [{"DeviceID": "AA:BB"}]


def test_clean_profile_passes_unchanged() -> None:
    decision, payloads = check_profile([RESTRICTIONS], target("iOS", "device"), strip=False)
    assert decision.allowed
    assert payloads == [RESTRICTIONS]
    assert payloads[0] is not RESTRICTIONS


@pytest.mark.parametrize("strip", [True, False])
def test_profile_input_errors(strip: bool) -> None:
    assert not check_profile([], UE_IOS, strip=strip)[0].allowed
    assert not check_profile(RESTRICTIONS, UE_IOS, strip=strip)[0].allowed  # type: ignore[arg-type]
    decision, payloads = check_profile([VPN], UE_IOS, strip=strip)
    assert not decision.allowed
    assert payloads == []


def test_profile_on_macos_user_channel() -> None:
    screenshots = {"PayloadType": "com.apple.applicationaccess", "allowScreenShot": False}
    user_channel = target("macOS", "user", channel=Channel.USER.value)
    decision, payloads = check_profile([screenshots], user_channel, strip=False)
    assert decision.allowed, decision
    assert payloads == [screenshots]
    # The same profile with a UE-forbidden restriction is refused as a whole.
    refused, _ = check_profile([RESTRICTIONS], user_channel, strip=False)
    assert not refused.allowed
    assert "allowCamera" in refused.reason
