import base64
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from profiles import builder, schema, schema_source

SCHEMA_ROOT = Path(settings.BASE_DIR).resolve() / "mdm_server" / "apple_schema"


def _payload(payload_type: str, **content: object) -> dict:
    return builder.build_payload(payload_type, f"com.example.{payload_type}", content)


def _paths(report: schema.Report) -> dict[str, str]:
    return {issue.path: issue.message for issue in report.errors}


def test_committed_schema_equals_a_fresh_generation() -> None:
    import yaml  # noqa: F401  (PyYAML is a dev dependency: its absence fails)

    fresh = schema_source.render(schema_source.build_schema(SCHEMA_ROOT))
    assert schema.SCHEMA_PATH.read_text(encoding="utf-8") == fresh


def test_generation_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(schema_source.SchemaSourceError, match="not found"):
        schema_source.build_schema(tmp_path)


def test_generation_keeps_declared_types(tmp_path: Path) -> None:
    import yaml  # noqa: F401  (PyYAML is a dev dependency: its absence fails)

    folder = tmp_path / "mdm" / "profiles"
    folder.mkdir(parents=True)
    for name in ("TopLevel", "CommonPayloadKeys"):
        (folder / f"{name}.yaml").write_text(
            f"title: {name}\npayload:\n  payloadtype: {name}\npayloadkeys: []\n"
        )
    (folder / "com.example.yaml").write_text(
        "title: Example\npayload:\n  payloadtype: com.example\npayloadkeys:\n"
        "- key: Version\n  type: <string>\n  rangelist: [10.10, 11]\n"
        "- key: Level\n  type: <integer>\n  range: {min: 1, max: 5}\n  default: 2\n"
    )
    doc = schema_source.build_schema(tmp_path)
    keys = {k["key"]: k for k in doc["payloads"]["com.example"]["keys"]}
    assert keys["Version"]["rangelist"] == ["10.10", "11"]  # not 10.1
    assert keys["Level"]["range"] == {"max": 5, "min": 1}
    assert keys["Level"]["default"] == 2


def test_every_catalogue_entry_is_in_the_schema() -> None:
    known = set(schema.known_payload_types())
    for _section, payload_type in schema.CATALOGUE:
        assert payload_type in known, payload_type
    assert len(schema.catalogue()) == len(schema.CATALOGUE)


def test_range_type_and_unknown_key_errors() -> None:
    report = schema.validate_payload(
        _payload("com.apple.mobiledevice.passwordpolicy", minLength=30, allowSimple="no", bogus=1)
    )
    errors = _paths(report)
    assert errors["minLength"] == "must be at most 16"
    assert errors["allowSimple"] == "must be a boolean, not a string"
    assert "bogus" in errors
    assert schema.validate_payload(
        _payload("com.apple.mobiledevice.passwordpolicy", minLength=6, allowSimple=False)
    ).ok


def test_rangelist_and_required_keys() -> None:
    errors = _paths(
        schema.validate_payload(_payload("com.apple.wifi.managed", EncryptionType="WPA9"))
    )
    assert errors["EncryptionType"].startswith("must be one of 'WEP'")
    errors = _paths(schema.validate_payload(_payload("com.apple.webClip.managed", URL="https://x")))
    assert errors == {"Label": "this key is required"}


def test_format_and_common_key_rules() -> None:
    payload = _payload("com.apple.webClip.managed", URL="https://x", Label="X")
    payload["PayloadVersion"] = 2  # rangelist [1] in CommonPayloadKeys
    assert _paths(schema.validate_payload(payload)) == {"PayloadVersion": "must be one of 1"}


def test_nested_and_recursive_structures_are_checked() -> None:
    # Apple's 27.0 text lists the item type `Application` (its 18.1 rangelist said `App`, while
    # the description already said 'Application'): the old value is refused now.
    item = {"Type": "Application", "BundleID": "a"}
    layout = _payload(
        "com.apple.homescreenlayout",
        Pages=[],
        Dock=[{"Type": "Folder", "Pages": [[item, {"Type": "Bad"}, {"Type": "App"}]]}],
    )
    expected = "must be one of 'Application', 'Folder', 'WebClip'"
    assert _paths(schema.validate_payload(layout)) == {
        "Dock[0].Pages[0][1].Type": expected,
        "Dock[0].Pages[0][2].Type": expected,
    }


def test_unknown_keys_can_be_warnings() -> None:
    payload = _payload("com.apple.webClip.managed", URL="https://x", Label="X", NewKey=True)
    strict = schema.validate_payload(payload)
    lenient = schema.validate_payload(payload, unknown_keys_are_errors=False)
    assert not strict.ok
    assert lenient.ok and [w.path for w in lenient.warnings] == ["NewKey"]


def test_unknown_payload_type_is_reported() -> None:
    report = schema.validate_payload(_payload("com.example.custom", Anything=1))
    assert "PayloadType" in _paths(report)


def test_profile_validation_prefixes_paths_and_finds_duplicate_uuids() -> None:
    a = builder.build_payload(
        "com.apple.webClip.managed", "a", {"URL": "https://a", "Label": "A"}, uuid="U1"
    )
    b = builder.build_payload("com.apple.webClip.managed", "b", {"URL": 5, "Label": "B"}, uuid="U2")
    profile = builder.build_configuration_profile(identifier="p", display_name="p", payloads=[a, b])
    assert _paths(schema.validate_profile(profile)) == {
        "PayloadContent[1].URL": "must be a string, not an integer"
    }
    b2 = dict(b, URL="https://b", PayloadUUID="u1")
    profile["PayloadContent"] = [a, b2]
    assert (
        "duplicate PayloadUUID"
        in _paths(schema.validate_profile(profile))["PayloadContent[1].PayloadUUID"]
    )


def test_from_json_converts_data_and_dates() -> None:
    cert = b"\x30\x82binary"
    content = schema.from_json(
        "com.apple.security.root", {"PayloadContent": base64.b64encode(cert).decode()}
    )
    assert content["PayloadContent"] == cert
    assert schema.validate_payload(
        builder.build_payload("com.apple.security.root", "r", content)
    ).ok
    bad = schema.from_json("com.apple.security.root", {"PayloadContent": "%%not base64%%"})
    errors = _paths(
        schema.validate_payload(builder.build_payload("com.apple.security.root", "r", bad))
    )
    assert errors["PayloadContent"] == "must be a data, not a string"
    assert schema.to_json({"d": cert, "t": dt.datetime(2026, 1, 2, 3, 4, 5)}) == {
        "d": base64.b64encode(cert).decode(),
        "t": "2026-01-02T03:04:05",
    }


def test_placeholder_dictionaries_describe_their_values() -> None:
    profile = builder.build_configuration_profile(identifier="p", display_name="p", payloads=[])
    profile["ConsentText"] = {"default": "Accept", "fr": "Acceptez"}
    assert schema.validate_profile(profile).ok
    profile["ConsentText"] = {"default": 5}
    assert _paths(schema.validate_profile(profile)) == {
        "ConsentText.default": "must be a string, not an integer"
    }


@pytest.mark.parametrize("payload_type", [t for _s, t in schema.CATALOGUE])
def test_every_catalogue_payload_gets_a_generated_form(payload_type: str) -> None:
    from profiles import forms

    form_class = forms.payload_form_class(payload_type)
    spec = schema.payload_spec(payload_type)
    assert spec is not None and form_class.spec is spec
    form = form_class(prefix="p")
    html = form.as_p()
    assert form.fields and "name=" in html
    # Required schema keys are required form fields (nested ones only under required parents).
    for node in spec.keys:
        if node.get("presence") == "required" and node["key"] in form.fields:
            assert form.fields[node["key"]].required
