"""The editor's key groups (curated order) and the per-key User-Enrollment notes behind them."""

from __future__ import annotations

import json
from pathlib import Path

from devices import capabilities
from profiles import key_groups

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "profiles/payload_schema.json").read_text()
)


def _keys(payload_type: str) -> list[str]:
    return [k["key"] for k in SCHEMA["payloads"][payload_type]["keys"]]


def test_every_restrictions_key_is_in_exactly_one_group_and_few_are_left_over() -> None:
    keys = _keys("com.apple.applicationaccess")
    groups = key_groups.group_keys("com.apple.applicationaccess", keys)
    listed = [k for _, members in groups for k in members]
    assert sorted(listed) == sorted(keys)
    by_title = dict(groups)
    assert "allowCamera" in by_title["Camera, screen and sharing"]
    assert "allowOpenFromManagedToUnmanaged" in by_title["Managed and personal data"]
    assert "safariAllowPopups" in by_title["Safari"]
    assert len(by_title.get(key_groups.OTHER, [])) < len(keys) // 10


def test_a_payload_without_a_curated_order_is_one_group() -> None:
    assert key_groups.group_keys("com.apple.webClip.managed", ["URL", "Label"]) == [
        ("", ["URL", "Label"])
    ]
    assert key_groups.group_keys("com.apple.webClip.managed", []) == []


def test_key_notes_mark_only_what_a_personal_device_would_not_apply() -> None:
    ios = capabilities.Target(platform="iOS", os_version="", enrollment_type="user")
    mac = capabilities.Target(platform="macOS", os_version="", enrollment_type="user")
    whole, notes = capabilities.payload_key_notes(
        "com.apple.applicationaccess",
        ["allowAccountModification", "allowCamera", "allowStartupDiskModification", "nope"],
        ios,
    )
    assert whole == ""
    assert "userenrollment.mode=forbidden" in notes["allowAccountModification"]
    # A macOS-only key is no User-Enrollment matter on iOS; an unknown key is not judged.
    assert "allowStartupDiskModification" not in notes and "nope" not in notes
    whole, notes = capabilities.payload_key_notes(
        "com.apple.mobiledevice.passwordpolicy", ["minLength"], mac
    )
    assert "not available under User Enrollment on macOS" in whole and notes == {}
    whole, _ = capabilities.payload_key_notes("com.example.unknown", ["x"], ios)
    assert "not in Apple's schema" in whole
