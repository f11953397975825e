"""The pure parts: the generated table, the channel filter, payload validation, status parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devices.capability_source import SchemaError
from profiles.declarations import protocol, rules, table_source
from profiles.declarations.declaration_table import DECLARATIONS

SCHEMA = Path(__file__).resolve().parents[3] / "mdm_server" / "apple_schema"
ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"


def test_committed_table_is_what_the_generator_makes_from_the_vendored_schema() -> None:
    text = table_source.generate(SCHEMA, command="manage.py generate_declaration_table")
    committed = Path(rules.__file__).with_name("declaration_table.py").read_text(encoding="utf-8")
    assert text == committed
    # Apple's credential data formats (assets/credentials/) are not declarations.
    assert "com.apple.credential.acme" not in DECLARATIONS
    assert DECLARATIONS[ENFORCEMENT]["os"]["macOS"]["enrollments"] == ["supervised"]


def test_the_table_keeps_apples_shared_ipad_scopes_and_the_27_declarations() -> None:
    passcode = DECLARATIONS["com.apple.configuration.passcode.settings"]["os"]
    assert passcode["iOS"]["sharedipad_scopes"] == []  # never on a Shared iPad
    assert "sharedipad_scopes" not in passcode["macOS"]  # Apple states nothing there
    relay = DECLARATIONS["com.apple.configuration.network.relay"]["os"]["iOS"]
    assert relay["sharedipad_scopes"] == ["user"]
    assert relay["enrollments"] == ["device", "supervised", "user"]
    assert relay["introduced"] == "27.0"
    package = DECLARATIONS["com.apple.configuration.package"]["os"]
    assert package["macOS"]["introduced"] == "26.0"
    assert package["iOS"] == {"supported": False}


_MINIMAL = """title: T
payload:
  declarationtype: com.apple.configuration.t
  supportedOS:
    iOS:
      introduced: '27.0'
      allowed-enrollments: [user]
      allowed-scopes: [system]
      beta: true
      sharedipad:
        {sharedipad}
payloadkeys: []
"""


@pytest.mark.parametrize(
    ("sharedipad", "expected"),
    [
        ("allowed-scopes: [local, system]", ["local", "system"]),
        ("allowed-scopes: []", []),
        ("allowed-scopes: [everyone]", "sharedipad.allowed-scopes"),
        ("mode: allowed", "sharedipad"),
    ],
    ids=["local-and-system", "none", "unknown-scope", "no-scopes"],
)
def test_shared_ipad_scopes_are_read_or_refused(
    tmp_path: Path, sharedipad: str, expected: list[str] | str
) -> None:
    folder = tmp_path / "declarative" / "declarations" / "configurations"
    folder.mkdir(parents=True)
    (folder / "t.yaml").write_text(_MINIMAL.format(sharedipad=sharedipad), encoding="utf-8")
    if isinstance(expected, str):
        with pytest.raises(SchemaError, match=expected):
            table_source.build_table(tmp_path)
        return
    ios = table_source.build_table(tmp_path)["com.apple.configuration.t"]["os"]["iOS"]
    assert ios["sharedipad_scopes"] == expected
    assert ios["beta"] is True


def test_an_incomplete_schema_copy_fails(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no declaration YAML"):
        table_source.build_table(tmp_path)


@pytest.mark.parametrize(
    ("declaration_type", "channel", "expected"),
    [
        (ENFORCEMENT, rules.ChannelKind("iOS", "18.2", "user", "system"), "User Enrollments"),
        (ENFORCEMENT, rules.ChannelKind("iOS", "18.2", "device", "system"), None),
        (ENFORCEMENT, rules.ChannelKind("iOS", "16.4", "device", "system"), "needs iOS 17.0"),
        (ENFORCEMENT, rules.ChannelKind("macOS", "15.1", "device", "system"), "supervised"),
        (ENFORCEMENT, rules.ChannelKind("macOS", "15.1", "supervised", "user"), "user channel"),
        # Apple's 26.0 schema adds tvOS 18.4 (the 18.1 copy had it not supported on tvOS).
        (ENFORCEMENT, rules.ChannelKind("tvOS", "18.0", "supervised", "system"), "needs tvOS 18.4"),
        (ENFORCEMENT, rules.ChannelKind("tvOS", "18.4", "supervised", "system"), None),
        (
            ENFORCEMENT,
            rules.ChannelKind("watchOS", "11.0", "supervised", "system"),
            "not supported",
        ),
        (
            "com.apple.configuration.passcode.settings",
            rules.ChannelKind("iOS", "18.2", "user", "system"),
            None,
        ),
        (
            "com.example.made-up",
            rules.ChannelKind("iOS", "18.2", "user", "system"),
            "not a declaration",
        ),
        ("com.apple.asset.useridentity", rules.ChannelKind("macOS", "15.0", "user", "user"), None),
        ("com.apple.configuration.legacy", rules.ChannelKind("", "", "user", "system"), "platform"),
    ],
)
def test_refusal_reasons_come_from_the_table(
    declaration_type: str, channel: rules.ChannelKind, expected: str | None
) -> None:
    reason = rules.refusal(declaration_type, channel)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason


def test_channel_kind_of_each_enrollment() -> None:
    common = {"platform": "macOS", "os_version": "15.1"}
    ue = rules.channel_kind(**common, enrollment_type="user", supervised=True, user_channel=False)
    assert (ue.kind, ue.scope) == ("user", "system")  # a UE is never treated as supervised
    ade = rules.channel_kind(**common, enrollment_type="ade", supervised=True, user_channel=True)
    assert (ade.kind, ade.scope) == ("supervised", "user")
    assert (
        rules.channel_kind(
            **common, enrollment_type="adde", supervised=False, user_channel=False
        ).kind
        == "device"
    )


def test_validation_names_every_problem() -> None:
    errors = rules.validate_payload(
        ENFORCEMENT,
        {"TargetOSVersion": 18, "DetailsURL": "https://x", "Extra": True},
    )
    assert "TargetOSVersion: must be a string" in errors
    assert "TargetLocalDateTime: is required" in errors
    assert "Extra: is not a key of this declaration in Apple's schema" in errors
    mail = rules.validate_payload(
        "com.apple.configuration.account.mail",
        {
            "IncomingServer": {
                "ServerType": "SMTP",
                "HostName": "h",
                "AuthenticationMethod": "Password",
                "Port": True,
            },
            "OutgoingServer": {"HostName": "h", "AuthenticationMethod": "None"},
            "VisibleName": "{{ phone_number }}",
        },
    )
    assert "IncomingServer.ServerType: must be one of IMAP, POP" in mail
    assert "IncomingServer.Port: must be an integer" in mail
    assert any("phone_number" in e for e in mail)
    assert rules.validate_payload(ENFORCEMENT, [1]) == ["the payload must be a JSON object"]
    ok = {"StatusItems": [{"Name": "passcode.is-compliant"}]}
    assert (
        rules.validate_payload("com.apple.configuration.management.status-subscriptions", ok) == []
    )


def test_placeholders_are_filled_everywhere() -> None:
    payload = {"a": "{{ email }}", "b": ["x {{full_name}} y", 3], "c": {"d": "{{ username }}"}}
    assert rules.placeholders(payload) == {"email", "full_name", "username"}
    filled = rules.fill(payload, {"email": "e@x", "full_name": "F N", "username": "u"})
    assert filled == {"a": "e@x", "b": ["x F N y", 3], "c": {"d": "u"}}


def test_tokens_change_with_any_item() -> None:
    one = protocol.Item("configuration", "t", "a", "1", {})
    two = protocol.Item("configuration", "t", "b", "1", {})
    assert protocol.declarations_token([one, two]) == protocol.declarations_token([two, one])
    changed = protocol.Item("configuration", "t", "b", "2", {})
    assert protocol.declarations_token([one, changed]) != protocol.declarations_token([one, two])
    items = json.loads(protocol.items_body([one, two]))
    assert items["Declarations"]["Configurations"] == [
        {"Identifier": "a", "ServerToken": "1"},
        {"Identifier": "b", "ServerToken": "1"},
    ]
    assert protocol.parse_endpoint("declaration/asset/com.x/y") == ("asset", "com.x/y")
    assert protocol.parse_endpoint("declaration/profile/x") is None


def test_status_parsing_keeps_what_an_admin_asks_and_ignores_odd_shapes() -> None:
    summary = protocol.parse_status(
        {
            "StatusItems": {
                "device": {"operating-system": {"version": "18.1", "build-version": "22B83"}},
                "passcode": {"is-compliant": False, "is-present": "yes"},
                "softwareupdate": {
                    "pending-version": {"os-version": "18.2", "build-version": "22C152"}
                },
                "management": {
                    "declarations": {
                        "configurations": [
                            {
                                "identifier": "com.ex.p",
                                "server-token": "t",
                                "active": False,
                                "valid": "invalid",
                                "reasons": [{"code": "Error.X", "description": "bad"}, "junk"],
                            },
                            {"no": "identifier"},
                            "junk",
                        ],
                        "assets": "not a list",
                    }
                },
            },
            "Errors": [{"StatusItem": "x.y", "Reasons": [{"Code": "E", "Description": "d"}]}, 7],
        }
    )
    assert (summary.os_version, summary.build_version) == ("18.1", "22B83")
    assert summary.passcode_compliant is False and summary.passcode_present is None
    assert (summary.pending_version, summary.pending_build) == ("18.2", "22C152")
    assert summary.declarations == [
        protocol.DeclarationState(
            "configuration",
            "com.ex.p",
            "t",
            False,
            "invalid",
            ({"code": "Error.X", "description": "bad"},),
        )
    ]
    assert summary.errors == [
        {"status_item": "x.y", "reasons": [{"code": "E", "description": "d"}]}
    ]
    with pytest.raises(protocol.StatusError):
        protocol.parse_status({"StatusItems": []})
