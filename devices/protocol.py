"""Apple MDM check-in and command-channel messages: plist bytes <-> typed dataclasses.

Pure: no Django imports. Apple's PascalCase keys appear only here (and in command builders).
Sources: Apple "Authenticate", "Token Update", "Check Out", "Get Bootstrap Token", "Get Token",
"Declarative Management" (check-in) and "Sending MDM commands to a device" (command channel).
"""

from __future__ import annotations

import base64
import plistlib
import re
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mdm_server import untrusted


class ProtocolError(ValueError):
    """The request body is not a message we can act on; the text is the 400 reason."""


class MessageType(StrEnum):
    AUTHENTICATE = "Authenticate"
    TOKEN_UPDATE = "TokenUpdate"
    CHECK_OUT = "CheckOut"
    USER_AUTHENTICATE = "UserAuthenticate"
    SET_BOOTSTRAP_TOKEN = "SetBootstrapToken"
    GET_BOOTSTRAP_TOKEN = "GetBootstrapToken"
    GET_TOKEN = "GetToken"
    DECLARATIVE_MANAGEMENT = "DeclarativeManagement"


class ReportStatus(StrEnum):
    ACKNOWLEDGED = "Acknowledged"
    ERROR = "Error"
    COMMAND_FORMAT_ERROR = "CommandFormatError"
    IDLE = "Idle"
    NOT_NOW = "NotNow"


@dataclass(frozen=True)
class EnrollmentIds:
    """Who is talking: device enrollment sends UDID, User Enrollment sends EnrollmentID.

    A user channel adds UserID (device enrollment, macOS) or EnrollmentUserID (User Enrollment).
    """

    udid: str | None = None
    enrollment_id: str | None = None
    user_id: str | None = None
    enrollment_user_id: str | None = None

    @property
    def is_user_enrollment(self) -> bool:
        return self.enrollment_id is not None

    @property
    def is_user_channel(self) -> bool:
        return self.user_id is not None or self.enrollment_user_id is not None

    @property
    def device_key(self) -> str:
        """Lookup key of the device channel."""
        return f"udid:{self.udid}" if self.udid else f"eid:{self.enrollment_id}"

    @property
    def key(self) -> str:
        """Lookup key of this channel: the device key, plus the user for a user channel."""
        if self.enrollment_user_id:
            return f"{self.device_key}/euid:{self.enrollment_user_id}"
        if self.user_id:
            return f"{self.device_key}/uid:{self.user_id}"
        return self.device_key


@dataclass(frozen=True)
class CheckinMessage:
    message_type: MessageType
    ids: EnrollmentIds
    topic: str | None
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Authenticate(CheckinMessage):
    os_version: str = ""
    build_version: str = ""
    product_name: str = ""
    model: str = ""
    model_name: str = ""
    device_name: str = ""
    serial_number: str | None = None
    imei: str | None = None
    meid: str | None = None


@dataclass(frozen=True)
class TokenUpdate(CheckinMessage):
    token: bytes = b""
    push_magic: str = ""
    unlock_token: bytes | None = None
    # None when the message leaves the key out (any TokenUpdate after Setup Assistant): the
    # stored value stands.
    awaiting_configuration: bool | None = None
    user_short_name: str = ""
    user_long_name: str = ""


@dataclass(frozen=True)
class CheckOut(CheckinMessage):
    pass


@dataclass(frozen=True)
class UserAuthenticate(CheckinMessage):
    pass


@dataclass(frozen=True)
class SetBootstrapToken(CheckinMessage):
    bootstrap_token: bytes | None = None
    awaiting_configuration: bool = False


@dataclass(frozen=True)
class GetBootstrapToken(CheckinMessage):
    awaiting_configuration: bool = False


@dataclass(frozen=True)
class GetToken(CheckinMessage):
    token_service_type: str = ""
    token_parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeclarativeManagement(CheckinMessage):
    endpoint: str = ""
    data: bytes | None = None


@dataclass(frozen=True)
class CommandReport:
    """A command-channel request: a status, and the result of a command when it names one."""

    status: ReportStatus
    ids: EnrollmentIds
    command_uuid: str | None
    error_chain: list[dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)


def load_plist(body: bytes) -> dict[str, Any]:
    try:
        value = untrusted.load_plist(body)
    except untrusted.UntrustedDataError as exc:
        raise ProtocolError(str(exc)) from None
    if not isinstance(value, dict):
        raise ProtocolError("property list must be a dictionary")
    return value


def _str(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ProtocolError(f"missing {key}")
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"{key} must be a string")
    value = value.strip()
    if required and not value:
        raise ProtocolError(f"{key} is empty")
    if len(value) > 255:
        raise ProtocolError(f"{key} is too long")
    return value or None


def _bytes(data: dict[str, Any], key: str) -> bytes | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bytes):
        raise ProtocolError(f"{key} must be data")
    return value


def _bool(data: dict[str, Any], key: str) -> bool:
    return bool(_optional_bool(data, key))


def _optional_bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise ProtocolError(f"{key} must be a boolean")
    return value


def _identifier(data: dict[str, Any], key: str) -> str | None:
    """A channel identifier: never with "/", which separates a user channel's part of a lookup
    key from its device's (`EnrollmentIds.key`). Apple's are UUID-like (hex and dashes); one
    with "/" would name another device's user channel ("udid:<UDID>/uid:<UserID>")."""
    value = _str(data, key)
    if value is not None and "/" in value:
        raise ProtocolError(f"{key} must not contain '/'")
    return value


def parse_ids(data: dict[str, Any]) -> EnrollmentIds:
    udid = _identifier(data, "UDID")
    enrollment_id = _identifier(data, "EnrollmentID")
    if udid and enrollment_id:
        raise ProtocolError("both UDID and EnrollmentID given: a device sends exactly one")
    if not udid and not enrollment_id:
        raise ProtocolError("missing device identifier: UDID or EnrollmentID")
    user_id = _identifier(data, "UserID")
    enrollment_user_id = _identifier(data, "EnrollmentUserID")
    if enrollment_id and user_id and not enrollment_user_id:
        raise ProtocolError("a User Enrollment user channel is identified by EnrollmentUserID")
    return EnrollmentIds(
        udid=udid,
        enrollment_id=enrollment_id,
        user_id=user_id if udid else None,
        enrollment_user_id=enrollment_user_id if enrollment_id else None,
    )


def parse_checkin(body: bytes) -> CheckinMessage:
    """Parse a check-in request body (Content-Type application/x-apple-aspen-mdm-checkin)."""
    return checkin_from_dict(load_plist(body))


def checkin_from_dict(data: dict[str, Any]) -> CheckinMessage:
    raw_type = data.get("MessageType")
    if not isinstance(raw_type, str):
        raise ProtocolError("missing MessageType")
    try:
        message_type = MessageType(raw_type)
    except ValueError:
        raise ProtocolError(f"unknown MessageType {raw_type[:64]!r}") from None
    ids = parse_ids(data)
    common: dict[str, Any] = {
        "message_type": message_type,
        "ids": ids,
        "topic": _str(data, "Topic"),
        "raw": data,
    }
    match message_type:
        case MessageType.AUTHENTICATE:
            return Authenticate(
                **common,
                os_version=_str(data, "OSVersion") or "",
                build_version=_str(data, "BuildVersion") or "",
                product_name=_str(data, "ProductName") or "",
                model=_str(data, "Model") or "",
                model_name=_str(data, "ModelName") or "",
                device_name=_str(data, "DeviceName") or "",
                serial_number=_str(data, "SerialNumber"),
                imei=_str(data, "IMEI"),
                meid=_str(data, "MEID"),
            )
        case MessageType.TOKEN_UPDATE:
            token = _bytes(data, "Token")
            push_magic = _str(data, "PushMagic")
            if not token or not push_magic:
                raise ProtocolError("TokenUpdate needs Token and PushMagic")
            if len(token) > 128:
                raise ProtocolError("Token is too long")
            return TokenUpdate(
                **common,
                token=token,
                push_magic=push_magic,
                unlock_token=_bytes(data, "UnlockToken"),
                awaiting_configuration=_optional_bool(data, "AwaitingConfiguration"),
                user_short_name=_str(data, "UserShortName") or "",
                user_long_name=_str(data, "UserLongName") or "",
            )
        case MessageType.CHECK_OUT:
            return CheckOut(**common)
        case MessageType.USER_AUTHENTICATE:
            return UserAuthenticate(**common)
        case MessageType.SET_BOOTSTRAP_TOKEN:
            return SetBootstrapToken(
                **common,
                bootstrap_token=_bytes(data, "BootstrapToken"),
                awaiting_configuration=_bool(data, "AwaitingConfiguration"),
            )
        case MessageType.GET_BOOTSTRAP_TOKEN:
            return GetBootstrapToken(
                **common, awaiting_configuration=_bool(data, "AwaitingConfiguration")
            )
        case MessageType.GET_TOKEN:
            params = data.get("TokenParameters") or {}
            if not isinstance(params, dict):
                raise ProtocolError("TokenParameters must be a dictionary")
            return GetToken(
                **common,
                token_service_type=_str(data, "TokenServiceType", required=True) or "",
                token_parameters=params,
            )
        case MessageType.DECLARATIVE_MANAGEMENT:
            return DeclarativeManagement(
                **common,
                endpoint=_str(data, "Endpoint", required=True) or "",
                data=_bytes(data, "Data"),
            )
    raise ProtocolError(f"unhandled MessageType {message_type}")  # pragma: no cover


def parse_report(body: bytes) -> CommandReport:
    """Parse a command-channel request body (Content-Type application/x-apple-aspen-mdm)."""
    return report_from_dict(load_plist(body))


def is_checkin(data: dict[str, Any]) -> bool:
    """Check-in messages carry MessageType; command-channel requests carry Status."""
    return "MessageType" in data


def report_from_dict(data: dict[str, Any]) -> CommandReport:
    raw_status = data.get("Status")
    if not isinstance(raw_status, str):
        raise ProtocolError("missing Status")
    try:
        status = ReportStatus(raw_status)
    except ValueError:
        raise ProtocolError(f"unknown Status {raw_status[:64]!r}") from None
    command_uuid = _str(data, "CommandUUID")
    if status is not ReportStatus.IDLE and not command_uuid:
        raise ProtocolError(f"Status {status} needs a CommandUUID")
    chain = data.get("ErrorChain") or []
    if not isinstance(chain, list) or not all(isinstance(item, dict) for item in chain):
        raise ProtocolError("ErrorChain must be an array of dictionaries")
    return CommandReport(
        status=status,
        ids=parse_ids(data),
        command_uuid=command_uuid if status is not ReportStatus.IDLE else None,
        error_chain=[_plain(item) for item in chain],
        raw=data,
    )


def _plain(value: Any) -> Any:
    """A JSON-safe copy of plist data (bytes become base64, dates ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return {"$data": base64.b64encode(value).decode()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


to_json_safe = _plain


def new_command_uuid() -> str:
    return str(uuid.uuid4()).upper()


def render_command(command_uuid: str, request_type: str, payload: dict[str, Any]) -> bytes:
    """The body of a command-channel reply: {CommandUUID, Command: {RequestType, ...}}."""
    command = {"RequestType": request_type, **payload}
    return plistlib.dumps({"CommandUUID": command_uuid, "Command": command})


# Stands for the CommandUUID in a rendered command (`command_template`); a UUID string needs no
# escaping in a property list, so any other one takes its place byte for byte.
_UUID_SLOT = "00000000-0000-0000-0000-000000000000"
_COMMAND_UUID = re.compile(r"[0-9A-Fa-f-]{1,64}")


def command_template(request_type: str, payload: dict[str, Any]) -> tuple[bytes, bytes] | None:
    """`render_command`'s bytes before and after the CommandUUID, for commands that differ
    only by it (the same inventory queued for every new enrollment). None when the payload
    holds the placeholder itself (render such a command whole)."""
    body = render_command(_UUID_SLOT, request_type, payload)
    slot = _UUID_SLOT.encode()
    if body.count(slot) != 1:
        return None
    head, _, tail = body.partition(slot)
    return head, tail


def fill_command_template(template: tuple[bytes, bytes], command_uuid: str) -> bytes:
    """`render_command(command_uuid, ...)` from its `command_template`."""
    if not _COMMAND_UUID.fullmatch(command_uuid):
        raise ValueError("a CommandUUID placed in a template is hexadecimal digits and hyphens")
    head, tail = template
    return head + command_uuid.encode() + tail


def render_plist(value: dict[str, Any]) -> bytes:
    return plistlib.dumps(value)
