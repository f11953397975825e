"""Profile-based User Enrollment's OS window comes from Apple's schema, not from constants."""

from pathlib import Path

import pytest
import yaml

from devices.capabilities import VersionWindow, profile_user_enrollment_window
from enrollment.services import decide_portal_enrollment

SCHEMA = Path(__file__).resolve().parents[2] / "mdm_server/apple_schema/mdm/profiles"


def _managed_apple_id_support() -> dict[str, dict[str, object]]:
    """Read straight from the vendored YAML: the oracle for what the generated table says."""
    payload = yaml.safe_load((SCHEMA / "com.apple.mdm.yaml").read_text())
    key = next(k for k in payload["payloadkeys"] if k["key"] == "ManagedAppleID")
    return key["supportedOS"]


@pytest.mark.parametrize("platform", ["iOS", "macOS"])
def test_window_is_the_schema_entry_of_the_key_profile_based_user_enrollment_requires(
    platform: str,
) -> None:
    entry = _managed_apple_id_support()[platform]
    assert entry["userenrollment"] == {"mode": "required"}
    assert profile_user_enrollment_window(platform) == VersionWindow(
        introduced=str(entry["introduced"]), removed=str(entry["removed"])
    )


@pytest.mark.parametrize("platform", ["tvOS", "visionOS", "watchOS", ""])
def test_no_window_where_the_schema_never_supported_it(platform: str) -> None:
    assert profile_user_enrollment_window(platform) is None


@pytest.mark.parametrize(
    ("platform", "os_version", "expected"),
    [
        ("iOS", "13.0", "device"),  # below the schema's 13.1
        ("iOS", "13.1", "user"),
        ("iOS", "17.7.2", "user"),
        ("iOS", "18", ""),  # removed in 18.0: advice instead
        ("macOS", "10.14.6", "device"),
        ("macOS", "10.15", "user"),
        ("macOS", "15.0", ""),
        ("visionOS", "2.0", ""),  # never had profile-based User Enrollment
    ],
)
def test_portal_decides_at_the_schema_boundaries(
    platform: str, os_version: str, expected: str
) -> None:
    decision = decide_portal_enrollment(
        platform=platform, os_version=os_version, personal=True, group_type=""
    )
    assert decision.enrollment_type == expected, decision
