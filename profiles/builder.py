"""Build configuration profiles (the `.mobileconfig` envelope and its payloads) as plain dicts.

Pure: no Django imports. Apple document: "Configuration Profile Reference" / TopLevel.
"""

from __future__ import annotations

import plistlib
import uuid as uuid_module
from collections.abc import Iterable, Mapping
from typing import Any

# Keys the builder owns; content may not smuggle in a different value for them.
_PAYLOAD_KEYS = ("PayloadType", "PayloadIdentifier", "PayloadUUID", "PayloadVersion")

# PayloadScope values Apple accepts, plus the console's channel names for them.
_SCOPES = {"system": "System", "device": "System", "user": "User"}


class BuilderError(ValueError):
    """A profile cannot be built or serialised; the message names the offending key."""


def new_uuid() -> str:
    """An upper-case UUID string, the form Apple's own tools write."""
    return str(uuid_module.uuid4()).upper()


def build_payload(
    payload_type: str,
    identifier: str,
    content: Mapping[str, Any],
    *,
    uuid: str | None = None,
    display_name: str | None = None,
    version: int = 1,
) -> dict[str, Any]:
    """One payload dict: the common Payload* keys plus the payload-specific content."""
    if not payload_type:
        raise BuilderError("PayloadType is required")
    if not identifier:
        raise BuilderError("PayloadIdentifier is required")
    for key in _PAYLOAD_KEYS:
        if key in content:
            raise BuilderError(f"{key} is set by the builder, not in the payload content")
    payload: dict[str, Any] = {k: v for k, v in content.items() if v is not None}
    payload["PayloadType"] = payload_type
    payload["PayloadIdentifier"] = identifier
    payload["PayloadUUID"] = uuid or new_uuid()
    payload["PayloadVersion"] = int(version)
    if display_name:
        payload["PayloadDisplayName"] = display_name
    return payload


def normalise_scope(scope: str) -> str:
    """ "device"/"system" -> "System", "user" -> "User" (PayloadScope values)."""
    try:
        return _SCOPES[scope.lower()]
    except KeyError:
        raise BuilderError(f"PayloadScope must be System or User, not {scope!r}") from None


def check_unique_uuids(payloads: Iterable[Mapping[str, Any]], *, profile_uuid: str = "") -> None:
    """Refuse duplicate PayloadUUIDs: devices reject such a profile, so we say it first."""
    seen: set[str] = {profile_uuid.upper()} if profile_uuid else set()
    for index, payload in enumerate(payloads):
        value = str(payload.get("PayloadUUID", "")).upper()
        if not value:
            raise BuilderError(f"payload {index + 1} has no PayloadUUID")
        if value in seen:
            raise BuilderError(f"duplicate PayloadUUID {value} (payload {index + 1})")
        seen.add(value)


def build_configuration_profile(
    *,
    identifier: str,
    display_name: str,
    payloads: Iterable[Mapping[str, Any]],
    uuid: str | None = None,
    organization: str = "",
    description: str = "",
    removal_disallowed: bool | None = None,
    scope: str | None = None,
) -> dict[str, Any]:
    """The top-level "Configuration" dict wrapping `payloads` (PayloadContent)."""
    if not identifier:
        raise BuilderError("PayloadIdentifier is required")
    content = [dict(p) for p in payloads]
    profile_uuid = uuid or new_uuid()
    check_unique_uuids(content, profile_uuid=profile_uuid)
    profile: dict[str, Any] = {
        "PayloadContent": content,
        "PayloadDisplayName": display_name or identifier,
        "PayloadIdentifier": identifier,
        "PayloadType": "Configuration",
        "PayloadUUID": profile_uuid,
        "PayloadVersion": 1,
    }
    if organization:
        profile["PayloadOrganization"] = organization
    if description:
        profile["PayloadDescription"] = description
    if removal_disallowed is not None:
        profile["PayloadRemovalDisallowed"] = bool(removal_disallowed)
    if scope is not None:
        profile["PayloadScope"] = normalise_scope(scope)
    return profile


def _drop_none(value: Any) -> Any:
    # plistlib cannot encode None; an unset optional key is simply absent in a profile.
    if isinstance(value, Mapping):
        return {str(k): _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value if v is not None]
    return value


def to_mobileconfig(profile: Mapping[str, Any]) -> bytes:
    """Serialise a profile dict to XML plist bytes (unsigned `.mobileconfig`)."""
    try:
        return plistlib.dumps(_drop_none(profile), fmt=plistlib.FMT_XML, sort_keys=True)
    except (TypeError, OverflowError) as exc:
        raise BuilderError(f"the profile cannot be written as a plist: {exc}") from None


__all__ = [
    "BuilderError",
    "build_configuration_profile",
    "build_payload",
    "check_unique_uuids",
    "new_uuid",
    "normalise_scope",
    "to_mobileconfig",
]
