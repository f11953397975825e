import plistlib

import pytest

from profiles import builder


def test_build_payload_sets_common_keys_and_content() -> None:
    payload = builder.build_payload(
        "com.apple.mobiledevice.passwordpolicy",
        "com.example.passcode",
        {"minLength": 6, "allowSimple": False, "maxPINAgeInDays": None},
        uuid="AAAA",
        display_name="Passcode",
        version=2,
    )
    assert payload == {
        "PayloadType": "com.apple.mobiledevice.passwordpolicy",
        "PayloadIdentifier": "com.example.passcode",
        "PayloadUUID": "AAAA",
        "PayloadVersion": 2,
        "PayloadDisplayName": "Passcode",
        "minLength": 6,
        "allowSimple": False,
    }


def test_build_payload_generates_upper_case_uuid() -> None:
    a = builder.build_payload("com.apple.webClip.managed", "x.a", {})
    b = builder.build_payload("com.apple.webClip.managed", "x.b", {})
    assert a["PayloadUUID"] != b["PayloadUUID"]
    assert a["PayloadUUID"] == a["PayloadUUID"].upper()


def test_build_payload_refuses_content_overriding_structure() -> None:
    with pytest.raises(builder.BuilderError, match="PayloadType"):
        builder.build_payload("a", "b", {"PayloadType": "other"})


def test_configuration_profile_round_trips_as_plist() -> None:
    payload = builder.build_payload(
        "com.apple.webClip.managed", "com.example.clip", {"URL": "https://e.x"}
    )
    profile = builder.build_configuration_profile(
        identifier="com.example.profile",
        display_name="Example",
        payloads=[payload],
        uuid="PROFILE-UUID",
        organization="Example Org",
        removal_disallowed=False,
        scope="user",
    )
    data = builder.to_mobileconfig(profile)
    loaded = plistlib.loads(data)
    assert loaded["PayloadType"] == "Configuration"
    assert loaded["PayloadScope"] == "User"
    assert loaded["PayloadOrganization"] == "Example Org"
    assert loaded["PayloadRemovalDisallowed"] is False
    assert loaded["PayloadContent"][0]["URL"] == "https://e.x"
    assert "PayloadDescription" not in loaded


def test_duplicate_payload_uuids_are_refused() -> None:
    p1 = builder.build_payload("a.b", "x.1", {}, uuid="SAME")
    p2 = builder.build_payload("a.c", "x.2", {}, uuid="same")
    with pytest.raises(builder.BuilderError, match="duplicate PayloadUUID"):
        builder.build_configuration_profile(identifier="x", display_name="x", payloads=[p1, p2])


def test_bad_scope_is_refused() -> None:
    with pytest.raises(builder.BuilderError, match="PayloadScope"):
        builder.build_configuration_profile(
            identifier="x", display_name="x", payloads=[], scope="galaxy"
        )


def test_unencodable_value_is_a_builder_error() -> None:
    with pytest.raises(builder.BuilderError, match="plist"):
        builder.to_mobileconfig({"PayloadContent": [{"bad": object()}]})
