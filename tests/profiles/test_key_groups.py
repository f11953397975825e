"""The editor's key groups (curated for Restrictions, generated for every other payload from
the schema's dictionaries, required keys and shared leading words) and the per-key
User-Enrollment notes behind them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from devices import capabilities
from profiles import forms, key_groups

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
    # Apple's 26.x/27.0 schema adds about twenty keys (Apple Intelligence, satellite, ICCIDs);
    # the curated words place them rather than "Other settings".
    assert "allowSiriAI" in by_title["Siri, dictation and Apple Intelligence"]
    assert "allowSatelliteConnection" in by_title["Network and connectivity"]
    assert len(by_title.get(key_groups.OTHER, [])) < len(keys) // 10


def test_a_small_payload_without_a_curated_order_is_one_group() -> None:
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


YAML_DIR = Path(__file__).resolve().parents[2] / "mdm_server/apple_schema/mdm/profiles"


def _yaml(payload_type: str) -> dict:  # type: ignore[type-arg]
    """Oracle: Apple's YAML itself, not the generated schema the editor reads."""
    return yaml.safe_load((YAML_DIR / f"{payload_type}.yaml").read_text())


def _editor_groups(payload_type: str) -> list[tuple[str, list[str]]]:
    """The groups as the editor builds them, from the generated form's fields."""
    form = forms.payload_form_class(payload_type)
    fields = [
        key_groups.Field(
            name,
            required=form.nodes[name][1].get("presence") == "required",
            kind=str(form.nodes[name][1].get("type", "string")),
        )
        for name in form.base_fields
    ]
    sections = {
        k["key"]: k.get("title") or k["key"] for k in SCHEMA["payloads"][payload_type]["keys"]
    }
    return key_groups.group_keys(payload_type, fields, sections=sections)


@pytest.mark.parametrize("payload_type", sorted(SCHEMA["payloads"]))
def test_every_field_of_every_payload_is_in_exactly_one_group(payload_type: str) -> None:
    names = list(forms.payload_form_class(payload_type).base_fields)
    groups = _editor_groups(payload_type)
    listed = [name for _, members in groups for name in members]
    assert sorted(listed) == sorted(names)
    assert all(members for _, members in groups)
    if len(names) < key_groups.GENERATED_FROM:
        assert [title for title, _ in groups] in ([""], [])
    else:
        titles = [title for title, _ in groups]
        assert "" not in titles and len(titles) == len(set(titles)), titles


def test_vpn_is_grouped_by_the_schemas_dictionaries_with_their_titles() -> None:
    doc = _yaml("com.apple.vpn.managed")
    groups = dict(_editor_groups("com.apple.vpn.managed"))
    required = [k["key"] for k in doc["payloadkeys"] if k.get("presence") == "required"]
    assert groups[key_groups.REQUIRED] == required and required
    assert next(iter(groups)) == key_groups.REQUIRED
    ike = next(k for k in doc["payloadkeys"] if k["key"] == "IKEv2")
    assert "IKEv2.RemoteAddress" in groups[ike.get("title") or "IKEv2"]
    ipsec = next(k for k in doc["payloadkeys"] if k["key"] == "IPSec")
    assert all(name.startswith("IPSec.") for name in groups[ipsec["title"]])
    # The sections come in the schema's order.
    order = [k.get("title") or k["key"] for k in doc["payloadkeys"] if k.get("subkeys")]
    shown = [title for title in groups if title in order]
    assert shown == [title for title in order if title in shown]


def test_wifi_groups_keys_sharing_a_leading_word() -> None:
    doc = _yaml("com.apple.wifi.managed")
    groups = dict(_editor_groups("com.apple.wifi.managed"))
    proxy = [k["key"] for k in doc["payloadkeys"] if k["key"].startswith("Proxy")]
    assert groups["Proxy…"] == proxy and len(proxy) >= key_groups.MIN_PREFIX_GROUP
    # The group carries the schema's title (18.1: "EAP Client Configuration", 27.0: "EAP client
    # configuration"), so it is read from the schema, as for VPN above.
    eap = next(k for k in doc["payloadkeys"] if k["key"] == "EAPClientConfiguration")
    assert "EAPClientConfiguration.UserName" in groups[eap["title"]]
    booleans = [k["key"] for k in doc["payloadkeys"] if k.get("type") == "<boolean>"]
    assert set(groups[key_groups.SWITCHES]) <= set(booleans)
    assert "AutoJoin" in groups[key_groups.SWITCHES]


def test_a_shared_start_is_cut_at_a_whole_word() -> None:
    groups = dict(_editor_groups("com.apple.mail.managed"))
    assert "Email…" in groups and "EmailAddress" in groups["Email…"]
    assert "SMIME…" in groups and "Incoming…" in groups
