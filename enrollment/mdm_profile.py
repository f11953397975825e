"""The MDM enrollment profile: an identity payload (SCEP or PKCS#12) plus `com.apple.mdm`.

Pure: no Django imports. Apple "MDM" payload (com.apple.mdm), "Onboarding users with account
sign-in" (EnrollmentMode, AssignedManagedAppleID; no AccessRights for BYOD) and the legacy
profile-based User Enrollment (ManagedAppleID).
"""

from __future__ import annotations

import plistlib
import re
import secrets
import threading
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from enrollment import access_rights
from profiles.builder import (
    build_configuration_profile,
    build_payload,
    new_uuid,
    to_mobileconfig,
)

SERVER_CAPABILITIES = (
    "com.apple.mdm.per-user-connections",
    "com.apple.mdm.bootstraptoken",
    "com.apple.mdm.token",  # GetToken (Apple "Get Token"): com.apple.maid
)
ALL_ACCESS_RIGHTS = 8191


class ProfileKind(StrEnum):
    """Which enrollment the profile is for; decides the mode keys of `com.apple.mdm`."""

    ACCOUNT_BYOD = "account-byod"  # account-driven User Enrollment: EnrollmentMode BYOD
    ACCOUNT_ADDE = "account-adde"  # account-driven Device Enrollment: EnrollmentMode ADDE
    PROFILE_UE = "profile-ue"  # profile-based User Enrollment (iOS 13-17, macOS 10.15-14)
    DEVICE = "device"  # classic profile-based device enrollment


class MdmProfileError(ValueError):
    """The enrollment profile cannot be built; the message says which setting is missing."""


@dataclass(frozen=True)
class ScepIdentity:
    url: str
    challenge: str
    subject_cn: str
    key_size: int = 2048
    ca_fingerprint: bytes | None = None


@dataclass(frozen=True)
class Pkcs12Identity:
    data: bytes
    password: str


@dataclass(frozen=True)
class EnrollmentProfileSpec:
    kind: ProfileKind
    identifier: str  # reverse-DNS prefix, e.g. "com.example.mdm"
    organisation: str
    server_url: str
    check_in_url: str
    topic: str
    identity: ScepIdentity | Pkcs12Identity
    managed_apple_id: str = ""
    access_rights: int = ALL_ACCESS_RIGHTS
    server_capabilities: tuple[str, ...] = SERVER_CAPABILITIES
    extra: dict[str, Any] = field(default_factory=dict)


def _identity_payload(spec: EnrollmentProfileSpec, uuid: str) -> dict[str, Any]:
    identity = spec.identity
    if isinstance(identity, ScepIdentity):
        content: dict[str, Any] = {
            "URL": identity.url,
            "Name": spec.organisation,
            "Challenge": identity.challenge,
            "Keysize": identity.key_size,
            "Key Type": "RSA",
            "Key Usage": 5,  # signing + encryption
            "Subject": [[["CN", identity.subject_cn]]],
        }
        if identity.ca_fingerprint:
            content["CAFingerprint"] = identity.ca_fingerprint
        return build_payload(
            "com.apple.security.scep",
            f"{spec.identifier}.identity",
            {"PayloadContent": content},
            uuid=uuid,
            display_name="MDM identity (SCEP)",
        )
    return build_payload(
        "com.apple.security.pkcs12",
        f"{spec.identifier}.identity",
        {"PayloadContent": identity.data, "Password": identity.password},
        uuid=uuid,
        display_name="MDM identity",
    )


def _validate(spec: EnrollmentProfileSpec) -> None:
    if not spec.topic.startswith("com.apple.mgmt."):
        raise MdmProfileError(
            "no usable APNs topic: upload the MDM push certificate before enrolling devices"
        )
    for name, url in (("ServerURL", spec.server_url), ("CheckInURL", spec.check_in_url)):
        if not url.startswith(("https://", "http://")):
            raise MdmProfileError(f"{name} must be an absolute URL, not {url!r}")
    needs_apple_id = spec.kind != ProfileKind.DEVICE
    if needs_apple_id and "@" not in spec.managed_apple_id:
        raise MdmProfileError("the user has no Managed Apple ID; set one in the directory")
    if spec.kind == ProfileKind.DEVICE or spec.kind == ProfileKind.ACCOUNT_ADDE:
        reason = access_rights.problem(spec.access_rights)
        if reason:
            raise MdmProfileError(reason)


def mdm_payload_content(spec: EnrollmentProfileSpec, identity_uuid: str) -> dict[str, Any]:
    """The `com.apple.mdm` keys for the spec's kind (Payload* keys excluded)."""
    content: dict[str, Any] = {
        "IdentityCertificateUUID": identity_uuid,
        "Topic": spec.topic,
        "ServerURL": spec.server_url,
        "CheckInURL": spec.check_in_url,
        "SignMessage": True,
        "CheckOutWhenRemoved": True,
        "ServerCapabilities": list(spec.server_capabilities),
    }
    if spec.kind == ProfileKind.ACCOUNT_BYOD:
        # The device cancels a BYOD enrollment whose profile carries AccessRights.
        content["EnrollmentMode"] = "BYOD"
        content["AssignedManagedAppleID"] = spec.managed_apple_id
    elif spec.kind == ProfileKind.ACCOUNT_ADDE:
        content["EnrollmentMode"] = "ADDE"
        content["AssignedManagedAppleID"] = spec.managed_apple_id
        content["AccessRights"] = spec.access_rights
    elif spec.kind == ProfileKind.PROFILE_UE:
        content["ManagedAppleID"] = spec.managed_apple_id
    else:
        content["AccessRights"] = spec.access_rights
    content.update(spec.extra)
    return content


def build_enrollment_profile(spec: EnrollmentProfileSpec) -> dict[str, Any]:
    """The Configuration dict: identity payload first, then `com.apple.mdm` referencing it."""
    _validate(spec)
    return _profile(spec, identity_uuid=new_uuid(), mdm_uuid=new_uuid(), profile_uuid=new_uuid())


def _profile(
    spec: EnrollmentProfileSpec, *, identity_uuid: str, mdm_uuid: str, profile_uuid: str
) -> dict[str, Any]:
    identity = _identity_payload(spec, identity_uuid)
    mdm = build_payload(
        "com.apple.mdm",
        f"{spec.identifier}.mdm",
        mdm_payload_content(spec, identity_uuid),
        uuid=mdm_uuid,
        display_name="Mobile Device Management",
    )
    return build_configuration_profile(
        identifier=f"{spec.identifier}.enrollment",
        display_name=f"{spec.organisation} MDM",
        payloads=[identity, mdm],
        uuid=profile_uuid,
        organization=spec.organisation,
        description="Enrolls this device in your organisation's device management.",
    )


# --- the unsigned .mobileconfig, from the parts that do not change ------------------------------
#
# Every enrollment profile of a configuration is the same XML but for six strings: its three
# PayloadUUIDs, the SCEP challenge, the certificate's subject and the person's Managed Apple ID.
# plistlib writes a profile in Python, element by element (about 0.1 ms in a loop, twice that in
# a request); the XML around those strings is written once per spec and kept, each new profile
# is the kept text with the six strings escaped as plistlib escapes them. Same bytes as
# `to_mobileconfig(build_enrollment_profile(spec))` (tests/enrollment/test_mdm_profile.py).

# What stands for each changing string in the kept XML: drawn per process (no configured text
# can contain it), letters and digits only (plistlib writes them as they are).
_MARK = f"MDMPROFILE{secrets.token_hex(12)}"
_SLOTS = ("identity_uuid", "mdm_uuid", "profile_uuid", "challenge", "subject_cn", "apple_id")
_SLOT = re.compile(f"{_MARK}({'|'.join(_SLOTS)})")
# The spec's fields and the SCEP identity's that change from one profile to the next; every
# other field is part of the kept XML's key (`extra` is empty: other profiles are not kept).
_CHANGING = frozenset({"identity", "managed_apple_id", "extra"})
_CHANGING_SCEP = frozenset({"challenge", "subject_cn"})
_KEY_FIELDS = tuple(f.name for f in fields(EnrollmentProfileSpec) if f.name not in _CHANGING)
_SCEP_KEY_FIELDS = tuple(f.name for f in fields(ScepIdentity) if f.name not in _CHANGING_SCEP)
_KEPT_MAX = 64
# key -> the XML's pieces: text, slot name, text, slot name, ..., text
_kept: dict[tuple[Any, ...], list[str]] = {}
_kept_lock = threading.Lock()
# plistlib's rule for <string> text (Lib/plistlib.py, _escape): no control characters but tab and
# line ends; CR LF and CR become LF; &, < and > become entities.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(value: str) -> str:
    if _CONTROL.search(value) is not None:
        raise ValueError("strings can't contain control characters; use bytes instead")
    return (
        value.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _pieces(spec: EnrollmentProfileSpec, identity: ScepIdentity) -> list[str]:
    """The XML of `spec`'s profiles, split at the changing strings (kept per spec)."""
    # With each value's type: 1 and True (or 2048 and 2048.0) are equal keys, not equal XML.
    key = (
        tuple((type(v), v) for v in (getattr(spec, name) for name in _KEY_FIELDS)),
        tuple((type(v), v) for v in (getattr(identity, name) for name in _SCEP_KEY_FIELDS)),
    )
    pieces = _kept.get(key)
    if pieces is not None:
        return pieces
    marked = EnrollmentProfileSpec(
        **{name: getattr(spec, name) for name in _KEY_FIELDS},
        identity=ScepIdentity(
            **{name: getattr(identity, name) for name in _SCEP_KEY_FIELDS},
            challenge=f"{_MARK}challenge",
            subject_cn=f"{_MARK}subject_cn",
        ),
        managed_apple_id=f"{_MARK}apple_id",
    )
    xml = to_mobileconfig(
        _profile(
            marked,
            identity_uuid=f"{_MARK}identity_uuid",
            mdm_uuid=f"{_MARK}mdm_uuid",
            profile_uuid=f"{_MARK}profile_uuid",
        )
    ).decode()
    pieces = _SLOT.split(xml)
    with _kept_lock:
        if len(_kept) >= _KEPT_MAX:
            _kept.clear()
        _kept[key] = pieces
    return pieces


def enrollment_profile_xml(spec: EnrollmentProfileSpec) -> bytes:
    """The unsigned `.mobileconfig` of a new enrollment profile: the same bytes as
    `to_mobileconfig(build_enrollment_profile(spec))`, with new PayloadUUIDs."""
    _validate(spec)
    identity = spec.identity
    # A PKCS#12 identity is data (base64 written by depth), extra keys may be anything, and a
    # field of an unhashable type cannot be a key: those go through plistlib.
    if not isinstance(identity, ScepIdentity) or spec.extra:
        return to_mobileconfig(build_enrollment_profile(spec))
    try:
        pieces = _pieces(spec, identity)
    except TypeError:
        return to_mobileconfig(build_enrollment_profile(spec))
    values = {
        "identity_uuid": new_uuid(),
        "mdm_uuid": new_uuid(),
        "profile_uuid": new_uuid(),
        "challenge": _xml_text(identity.challenge),
        "subject_cn": _xml_text(identity.subject_cn),
        # A Device Enrollment profile carries no Managed Apple ID (plistlib never read it).
        "apple_id": _xml_text(spec.managed_apple_id) if "apple_id" in pieces[1::2] else "",
    }
    out = pieces.copy()
    out[1::2] = [values[slot] for slot in pieces[1::2]]
    return "".join(out).encode()


def mdm_payload_of(profile: dict[str, Any]) -> dict[str, Any]:
    """The `com.apple.mdm` payload of a profile dict (raises MdmProfileError if absent)."""
    for payload in profile.get("PayloadContent", []):
        if isinstance(payload, dict) and payload.get("PayloadType") == "com.apple.mdm":
            return payload
    raise MdmProfileError("the profile has no com.apple.mdm payload")


def parse_profile(data: bytes) -> dict[str, Any]:
    """Read an unsigned profile plist (raises MdmProfileError on anything else)."""
    try:
        value = plistlib.loads(data)
    except Exception as exc:  # plistlib raises several types for malformed input
        raise MdmProfileError(f"not a property list: {exc}") from None
    if not isinstance(value, dict) or value.get("PayloadType") != "Configuration":
        raise MdmProfileError("not a configuration profile")
    return value
