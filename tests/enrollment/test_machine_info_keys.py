"""The MachineInfo keys a User Enrollment keeps (`enrollment.machine_info.UE_KEYS`) against
Apple's schema as vendored (`mdm_server/apple_schema/other/machineinfo.yaml`), read here on its
own: a key Apple adds, or one it forbids under User Enrollment, cannot drift past the list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from enrollment.machine_info import UE_KEYS

SCHEMA = Path(__file__).resolve().parents[2] / "mdm_server/apple_schema/other/machineinfo.yaml"
# Allowed by the schema, left out on purpose: its DeviceInformation counterpart is forbidden
# under User Enrollment (the device-model id for software-update lookups).
LEFT_OUT = {"SOFTWARE_UPDATE_DEVICE_ID"}


def _keys() -> list[dict[str, Any]]:
    doc = yaml.safe_load(SCHEMA.read_text())
    return list(doc["payloadkeys"])


def _forbidden(item: dict[str, Any]) -> bool:
    os_rules = item.get("supportedOS") or {}
    return any(
        (rules or {}).get("userenrollment", {}).get("mode") == "forbidden"
        for rules in os_rules.values()
    )


def _on_ios_or_macos(item: dict[str, Any]) -> bool:
    os_rules = item.get("supportedOS")
    if not os_rules:  # no supportedOS: every platform
        return True
    return any(
        (os_rules.get(name) or {}).get("introduced", "n/a") != "n/a" for name in ("iOS", "macOS")
    )


def test_a_user_enrollment_keeps_every_machine_info_key_apple_allows_it() -> None:
    expected = {
        item["key"]
        for item in _keys()
        if not _forbidden(item) and _on_ios_or_macos(item) and item["key"] not in LEFT_OUT
    }
    assert set(UE_KEYS) == expected


def test_no_key_apple_forbids_under_user_enrollment_is_kept() -> None:
    forbidden = {item["key"] for item in _keys() if _forbidden(item)}
    assert forbidden >= {"UDID", "SERIAL", "IMEI", "MEID"}
    assert not forbidden & set(UE_KEYS)
