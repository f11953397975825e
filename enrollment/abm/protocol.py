"""Device Assignment records and profiles: Apple's JSON <-> typed values.

Pure: no Django imports. Apple "Device Assignment" > "Fetch Devices" (Device), "Sync Devices"
(op_type), "Define Profile" (Profile).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

# Setup Assistant panes a profile may skip (Apple "SkipKeys"); unknown keys are refused so a
# typo does not silently show a pane.
SKIP_SETUP_ITEMS = frozenset(
    {
        "Accessibility", "Appearance", "AppleID", "AppStore", "Biometric", "CameraButton",
        "DeviceToDeviceMigration", "Diagnostics", "EnableLockdownMode", "FileVault",
        "iCloudDiagnostics", "iCloudStorage", "iMessageAndFaceTime", "Intelligence", "Keyboard",
        "Location", "MessagingActivationUsingPhoneNumber", "Multitasking", "OSShowcase",
        "Passcode", "Payment", "Privacy", "Restore", "RestoreCompleted", "Safety",
        "ScreenSaver", "ScreenTime", "SIMSetup", "Siri", "SoftwareUpdate", "SpokenLanguage",
        "TapToSetup", "TermsOfAddress", "TOS", "TVHomeScreenSync", "TVProviderSignIn",
        "TVRoom", "UnlockWithWatch", "UpdateCompleted", "Wallpaper", "WatchMigration",
        "Welcome",
    }
)  # fmt: skip
OP_TYPES = frozenset({"added", "modified", "deleted"})


class ProfileError(ValueError):
    """A Setup Assistant profile's options are not valid; the text is a form error."""


@dataclass(frozen=True)
class DeviceRecord:
    """One device as the Device Assignment API describes it."""

    serial_number: str
    model: str = ""
    description: str = ""
    color: str = ""
    os: str = ""
    device_family: str = ""
    asset_tag: str = ""
    profile_status: str = ""
    profile_uuid: str = ""
    profile_assign_time: dt.datetime | None = None
    profile_push_time: dt.datetime | None = None
    device_assigned_by: str = ""
    device_assigned_date: dt.datetime | None = None
    op_type: str = ""  # sync only: added, modified, deleted
    op_date: dt.datetime | None = None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        # Stored in UTC: a time that leaves year 1-9999 there could not be read back.
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None


def _text(data: dict[str, Any], key: str, width: int = 128) -> str:
    value = data.get(key)
    return str(value)[:width] if isinstance(value, str | int) else ""


def parse_device(data: dict[str, Any]) -> DeviceRecord | None:
    """A record of fetch/sync; None when it has no serial number (it cannot be matched)."""
    serial = _text(data, "serial_number", 64).strip().upper()
    if not serial:
        return None
    op_type = _text(data, "op_type", 16).lower()
    return DeviceRecord(
        serial_number=serial,
        model=_text(data, "model"),
        description=_text(data, "description", 255),
        color=_text(data, "color", 64),
        os=_text(data, "os", 32),
        device_family=_text(data, "device_family", 32),
        asset_tag=_text(data, "asset_tag", 128),
        profile_status=_text(data, "profile_status", 16).lower(),
        profile_uuid=_text(data, "profile_uuid", 64),
        profile_assign_time=_time(data.get("profile_assign_time")),
        profile_push_time=_time(data.get("profile_push_time")),
        device_assigned_by=_text(data, "device_assigned_by", 255),
        device_assigned_date=_time(data.get("device_assigned_date")),
        op_type=op_type if op_type in OP_TYPES else "",
        op_date=_time(data.get("op_date")),
    )


@dataclass(frozen=True)
class ProfileOptions:
    """What an admin sets for Setup Assistant (Apple "Profile" of Define Profile)."""

    name: str
    url: str
    supervised: bool = True
    await_device_configured: bool = True
    mdm_removable: bool = False
    mandatory: bool = True
    allow_pairing: bool = True
    skip_setup_items: tuple[str, ...] = ()
    department: str = ""
    support_phone_number: str = ""
    support_email_address: str = ""
    org_magic: str = ""
    anchor_certs_pem: str = ""
    language: str = ""
    region: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _anchor_certs(pem: str) -> list[str]:
    if not pem.strip():
        return []
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        raise ProfileError("Anchor certificates must be PEM certificates.") from None
    return [
        base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in certificates
    ]


def build_profile(options: ProfileOptions) -> dict[str, Any]:
    """The Define Profile body (Apple's key names)."""
    if not options.name.strip():
        raise ProfileError("A profile needs a name.")
    if not options.url.startswith("https://"):
        raise ProfileError("The enrollment URL must be https://.")
    unknown = sorted(set(options.skip_setup_items) - SKIP_SETUP_ITEMS)
    if unknown:
        raise ProfileError(f"Unknown Setup Assistant panes: {', '.join(unknown)}.")
    if options.await_device_configured and not options.supervised:
        # Apple: await_device_configured needs a supervised device (iOS) to be honoured.
        raise ProfileError("Await device configured needs a supervised profile.")
    profile: dict[str, Any] = {
        "profile_name": options.name.strip()[:255],
        "url": options.url,
        "is_supervised": options.supervised,
        "await_device_configured": options.await_device_configured,
        "is_mdm_removable": options.mdm_removable,
        "is_mandatory": options.mandatory,
        "allow_pairing": options.allow_pairing,
        "skip_setup_items": sorted(set(options.skip_setup_items)),
    }
    for key, value in (
        ("department", options.department),
        ("support_phone_number", options.support_phone_number),
        ("support_email_address", options.support_email_address),
        ("org_magic", options.org_magic),
        ("language", options.language),
        ("region", options.region),
    ):
        if value.strip():
            profile[key] = value.strip()
    anchors = _anchor_certs(options.anchor_certs_pem)
    if anchors:
        profile["anchor_certs"] = anchors
    return profile
