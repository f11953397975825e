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
