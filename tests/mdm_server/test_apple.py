"""The shared Apple vocabulary (mdm_server.apple): one rule each for platforms, OS versions,
enrollment types and bearer tokens, whichever app asks."""

import pytest

from mdm_server.apple import (
    EnrollmentType,
    Platform,
    bearer_token,
    enrollment_type_choices,
    parse_os_version,
    platform_of,
    platform_of_user_agent,
)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("17.4.1", (17, 4, 1)),
        ("17.0", (17,)),
        ("17", (17,)),
        ("10.10", (10, 10)),
        ("18.0.1", (18, 0, 1)),
        (" 15.2 (24C101)", (15, 2)),
        ("", None),
        ("beta", None),
        (None, None),
    ],
)
def test_parse_os_version(text: str | None, parsed: tuple[int, ...] | None) -> None:
    assert parse_os_version(text) == parsed


def test_a_major_version_and_its_dot_zero_compare_equal() -> None:
    # Written "18" in one place and "18.0" in another, the removal version is the same.
    eighteen, eighteen_zero = parse_os_version("18"), parse_os_version("18.0")
    assert eighteen is not None and eighteen_zero is not None
    assert eighteen == eighteen_zero and eighteen_zero >= eighteen


@pytest.mark.parametrize(
    ("product", "platform"),
    [
        ("iPhone17,2", Platform.IOS),
        ("iPad13,18", Platform.IOS),
        ("iPod9,1", Platform.IOS),
        ("Mac15,3", Platform.MACOS),
        ("MacBookPro18,3", Platform.MACOS),
        ("iMac21,1", Platform.MACOS),
        ("VirtualMac2,1", Platform.MACOS),
        ("VMware7,1", Platform.MACOS),
        ("AppleTV14,1", Platform.TVOS),
        ("RealityDevice14,1", Platform.VISIONOS),
        ("Watch7,1", Platform.WATCHOS),
        # discovery's model families
        ("iPhone", Platform.IOS),
        ("Mac", Platform.MACOS),
        ("RealityDevice", Platform.VISIONOS),
        # case does not matter; unknown and empty are None
        ("IPHONE16,1", Platform.IOS),
        ("Pixel 8", None),
        ("", None),
        (None, None),
    ],
)
def test_platform_of(product: str | None, platform: Platform | None) -> None:
    assert platform_of(product) is platform


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15",
            (Platform.IOS, "18.2"),
        ),
        ("Mozilla/5.0 (iPad; CPU OS 17_5_1 like Mac OS X)", (Platform.IOS, "17.5")),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)", (Platform.MACOS, "10.15")),
        ("Mozilla/5.0 (X11; Linux x86_64)", (None, "")),
        ("", (None, "")),
        (None, (None, "")),
    ],
)
def test_platform_of_user_agent(
    user_agent: str | None, expected: tuple[Platform | None, str]
) -> None:
    assert platform_of_user_agent(user_agent) == expected


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc-DEF_123.~+/", "abc-DEF_123.~+/"),
        ("bearer tok==", "tok=="),
        ("BEARER   tok", "tok"),
        ("  Bearer tok  ", "tok"),
        ("Bearer", None),
        ("Bearer ", None),
        ("Bearer two words", None),
        ("Bearer tok=en", None),
        ("Bearertok", None),
        ("Basic dXNlcjpwYXNz", None),
        ("Token abc", None),
        ("", None),
        (None, None),
        (b"Bearer tok", None),
    ],
)
def test_bearer_token(header: object, token: str | None) -> None:
    assert bearer_token(header) == token


def test_enrollment_types_carry_their_labels_and_choices() -> None:
    assert EnrollmentType.values == ["user", "device", "adde", "ade"]
    assert EnrollmentType.USER.label == "User Enrollment"
    assert EnrollmentType.ADE.label == "Automated Device Enrollment"
    assert EnrollmentType.labels == [label for _, label in EnrollmentType.choices]
    assert EnrollmentType.choices[2] == ("adde", "Account-driven Device Enrollment")
    assert enrollment_type_choices(EnrollmentType.USER, EnrollmentType.DEVICE) == [
        ("user", "User Enrollment"),
        ("device", "Device Enrollment"),
    ]
    assert EnrollmentType("adde") is EnrollmentType.ADDE
