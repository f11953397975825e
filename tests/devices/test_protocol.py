import json
import plistlib
from pathlib import Path

import pytest

from devices import protocol
from devices.protocol import MessageType, ProtocolError, ReportStatus

PLISTS = Path(__file__).resolve().parents[1] / "fixtures" / "plists"


def load(name: str) -> bytes:
    return (PLISTS / f"{name}.plist").read_bytes()


def test_authenticate_user_enrollment_from_capture() -> None:
    message = protocol.parse_checkin(load("authenticate_ue_ios"))
    assert isinstance(message, protocol.Authenticate)
    assert message.message_type is MessageType.AUTHENTICATE
    assert message.ids.is_user_enrollment
    assert message.ids.udid is None
    assert message.ids.key == "eid:FB833D84-50C0-41DD-99DE-F748E44FFEF5"
    assert message.os_version == "18.2.1"
    assert message.product_name == "iPhone12,1"


def test_token_update_keeps_token_bytes_and_push_magic() -> None:
    message = protocol.parse_checkin(load("token_update_ue_ios"))
    assert isinstance(message, protocol.TokenUpdate)
    assert len(message.token) == 32
    assert message.push_magic == "7B8A04B0-E9B8-4BB3-8A85-4FD5FA1F70E9"
    assert message.unlock_token is None


def test_token_update_tells_absent_awaiting_configuration_from_false() -> None:
    body = plistlib.loads(load("token_update_ue_ios"))
    assert protocol.parse_checkin(plistlib.dumps(body)).awaiting_configuration is False
    body["AwaitingConfiguration"] = True
    assert protocol.parse_checkin(plistlib.dumps(body)).awaiting_configuration is True
    del body["AwaitingConfiguration"]
    assert protocol.parse_checkin(plistlib.dumps(body)).awaiting_configuration is None


def test_user_channel_key_of_device_enrollment() -> None:
    message = protocol.parse_checkin(load("token_update_de_macos_user"))
    assert message.ids.is_user_channel
    assert message.ids.device_key == "udid:0000FE00-1234-5678-9ABC-DEF012345678"
    assert message.ids.key.endswith("/uid:A1B2C3D4-0000-1111-2222-333344445555")


def test_authenticate_of_a_user_enrollment_mac() -> None:
    message = protocol.parse_checkin(load("authenticate_ue_macos"))
    assert isinstance(message, protocol.Authenticate)
    assert message.ids == protocol.EnrollmentIds(
        enrollment_id="5E3C2B1A-7D4F-4C2E-9A8B-1C0D2E3F4A5B"
    )
    assert message.os_version == "15.2"
    assert message.product_name == "Mac15,3"


def test_user_channel_of_a_user_enrollment_mac() -> None:
    message = protocol.parse_checkin(load("token_update_ue_macos_user"))
    assert isinstance(message, protocol.TokenUpdate)
    assert message.ids.is_user_enrollment and message.ids.is_user_channel
    assert message.ids.udid is None and message.ids.user_id is None
    assert message.ids.device_key == "eid:5E3C2B1A-7D4F-4C2E-9A8B-1C0D2E3F4A5B"
    assert message.ids.key == (
        "eid:5E3C2B1A-7D4F-4C2E-9A8B-1C0D2E3F4A5B/euid:9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D"
    )
    assert len(message.token) == 32 and message.unlock_token is None
    assert message.push_magic == "2C4E6A8B-0D1F-4B3C-8E5A-7F9B1D3C5E7A"


def test_declarative_management_status_report() -> None:
    message = protocol.parse_checkin(load("declarative_management_status_ue_ios"))
    assert isinstance(message, protocol.DeclarativeManagement)
    assert message.ids.key == "eid:FB833D84-50C0-41DD-99DE-F748E44FFEF5"
    assert message.endpoint == "status"
    assert message.data is not None
    report = json.loads(message.data)
    assert report["Errors"] == []
    declarations = report["StatusItems"]["management"]["declarations"]
    assert [d["identifier"] for d in declarations["configurations"]] == [
        "com.example.config.passcode"
    ]
    assert "identifier" not in report["StatusItems"]["device"]  # no UDID or serial for UE


def test_declarative_management_status_as_a_real_ipad_sends_it() -> None:
    message = protocol.parse_checkin(load("declarative_management_status_de_ipad_capture"))
    assert isinstance(message, protocol.DeclarativeManagement)
    assert message.ids.key == "udid:00008112-000A2B3C4D5E601E"
    assert message.ids.is_user_enrollment is False
    assert message.endpoint == "status"
    assert message.data is not None
    report = json.loads(message.data)
    assert report == {"StatusItems": {"passcode": {"is-compliant": True}}, "Errors": []}


def test_every_fixture_says_where_it_came_from() -> None:
    readme = (PLISTS / "README.md").read_text()
    files = sorted(p.name for p in PLISTS.glob("*.plist"))
    assert len(files) == 8
    for name in files:
        text = (PLISTS / name).read_text()
        assert text.splitlines()[1].startswith("<!-- "), f"{name} has no source comment"
        assert f"`{name}`" in readme, f"{name} is not listed in the README"


def test_idle_report() -> None:
    report = protocol.parse_report(load("idle_ue_ios"))
    assert report.status is ReportStatus.IDLE
    assert report.command_uuid is None


def _plist(**values: object) -> bytes:
    return plistlib.dumps(values)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"\x00\xffgarbage\x01", "not a valid property list"),
        (b"bplist00\xff\xff\xff", "not a valid property list"),
        (b"<plist><array/></plist>", "must be a dictionary"),
        (plistlib.dumps(["x"]), "must be a dictionary"),
        (_plist(UDID="x"), "missing MessageType"),
        (_plist(MessageType="Hello", UDID="x"), "unknown MessageType"),
        (_plist(MessageType="Authenticate"), "missing device identifier"),
        (_plist(MessageType="Authenticate", UDID="a", EnrollmentID="b"), "both UDID and"),
        (_plist(MessageType="TokenUpdate", UDID="a"), "needs Token and PushMagic"),
        (_plist(MessageType="Authenticate", UDID=5), "UDID must be a string"),
        (_plist(MessageType="GetToken", UDID="a"), "missing TokenServiceType"),
    ],
)
def test_bad_checkin_bodies_raise_protocol_error(body: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        protocol.parse_checkin(body)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"UDID": "a"}, "missing Status"),
        ({"UDID": "a", "Status": "Maybe"}, "unknown Status"),
        ({"UDID": "a", "Status": "Acknowledged"}, "needs a CommandUUID"),
        ({"Status": "Idle"}, "missing device identifier"),
        ({"UDID": "a", "Status": "Error", "CommandUUID": "c", "ErrorChain": "x"}, "ErrorChain"),
    ],
)
def test_bad_reports_raise_protocol_error(values: dict[str, object], reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        protocol.parse_report(plistlib.dumps(values))


def test_render_command_round_trips() -> None:
    body = protocol.render_command("ABC", "DeviceLock", {"Message": "Lost", "PIN": "123456"})
    data = plistlib.loads(body)
    assert data == {
        "CommandUUID": "ABC",
        "Command": {"RequestType": "DeviceLock", "Message": "Lost", "PIN": "123456"},
    }


def test_a_filled_command_template_is_the_command_rendered() -> None:
    payload = {"Queries": ["DeviceName", "OSVersion"], "Message": "a <b> & c", "N": 3}
    template = protocol.command_template("DeviceInformation", payload)
    assert template is not None
    for command_uuid in ("0C1F0E5A-9D7B-4B39-9E0A-2B5C1D3E4F60", "abc-123"):
        filled = protocol.fill_command_template(template, command_uuid)
        assert filled == protocol.render_command(command_uuid, "DeviceInformation", payload)


def test_a_payload_holding_the_placeholder_has_no_template() -> None:
    payload = {"Message": "00000000-0000-0000-0000-000000000000"}
    assert protocol.command_template("DeviceLock", payload) is None


@pytest.mark.parametrize("command_uuid", ["", "A<B", "A&B", "é"])
def test_a_template_is_filled_only_with_a_uuid_that_needs_no_escaping(command_uuid: str) -> None:
    template = protocol.command_template("SecurityInfo", {})
    assert template is not None
    with pytest.raises(ValueError, match="CommandUUID"):
        protocol.fill_command_template(template, command_uuid)


def test_error_chain_is_json_safe() -> None:
    report = protocol.parse_report(
        _plist(
            UDID="a",
            Status="Error",
            CommandUUID="c",
            ErrorChain=[{"ErrorCode": 12021, "ErrorDomain": "MCMDM", "Extra": b"\x01"}],
        )
    )
    assert report.error_chain == [
        {"ErrorCode": 12021, "ErrorDomain": "MCMDM", "Extra": {"$data": "AQ=="}}
    ]
