"""Read an uploaded `.mobileconfig`: size cap, CMS signature check, plist parse, schema check.

Pure: no Django imports. Errors are `ProfileError` with a message an admin can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mdm_server import untrusted
from mdm_server.pki import certificates, cms
from profiles import schema
from profiles.exceptions import ProfileError

# Uploads larger than this are refused before parsing: real profiles are a few KB, and even one
# with several certificates stays far below (a bounded plistlib parse of hostile input).
MAX_UPLOAD_BYTES = 1024 * 1024
_PLAIN_PREFIXES = (b"<?xml", b"<plist", b"bplist", b"\xef\xbb\xbf<?xml")


@dataclass(frozen=True)
class ParsedProfile:
    """A `.mobileconfig` read from an upload: its dict, who signed it, schema warnings."""

    profile: dict[str, Any]
    signer: str = ""
    warnings: tuple[str, ...] = ()


def parse_mobileconfig(data: bytes) -> ParsedProfile:
    """Read a plain or CMS-signed `.mobileconfig`; a bad signature or content is a ProfileError."""
    if not data:
        raise ProfileError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ProfileError(
            f"The file is {len(data):,} bytes; profiles up to {MAX_UPLOAD_BYTES:,} bytes are accepted."
        )
    signer = ""
    raw = data
    if not data.lstrip().startswith(_PLAIN_PREFIXES):
        if data[:1] != b"\x30":
            raise ProfileError("Not a profile: the file is neither a property list nor signed CMS.")
        try:
            verified = cms.verify_signed_data(data)
        except cms.CMSError as exc:
            raise ProfileError(f"The profile's signature is not valid: {exc}.") from None
        raw = verified.content
        signer = certificates.subject_common_name(verified.signer) or (
            verified.signer.subject.rfc4514_string()
        )
    try:
        value = untrusted.load_plist(raw)
    except untrusted.UntrustedDataError as exc:
        raise ProfileError(
            f"Not a profile: the content is not a property list we accept ({exc})."
        ) from None
    if not isinstance(value, dict):
        raise ProfileError("Not a profile: the property list is not a dictionary.")
    if value.get("PayloadType") != "Configuration":
        raise ProfileError(
            "Not a configuration profile: PayloadType must be 'Configuration' "
            f"(found {value.get('PayloadType')!r})."
        )
    if "EncryptedPayloadContent" in value:
        raise ProfileError("Encrypted profiles cannot be imported: upload the unencrypted profile.")
    if not isinstance(value.get("PayloadIdentifier"), str) or not value["PayloadIdentifier"]:
        raise ProfileError("The profile has no PayloadIdentifier.")
    if not isinstance(value.get("PayloadContent"), list) or not value["PayloadContent"]:
        raise ProfileError("The profile has no payloads (PayloadContent).")
    # Keys newer than our copy of Apple's schema are kept, with a warning, not refused.
    report = schema.validate_profile(value, unknown_keys_are_errors=False)
    if not report.ok:
        raise ProfileError(
            "The profile does not match Apple's schema: " + "; ".join(map(str, report.errors[:5])),
            report.error_map(),
        )
    return ParsedProfile(
        profile=value, signer=signer, warnings=tuple(str(w) for w in report.warnings)
    )
