"""Apple device-management vocabulary that every app shares, written once.

Platforms and how to tell them from a product, model or browser, OS version numbers, enrollment
types, and the bearer token of an `Authorization` header. Pure: no Django import.
"""

from __future__ import annotations

import re
from enum import EnumType, StrEnum
from functools import lru_cache
from typing import Any

# --- platforms ---------------------------------------------------------------------------------


class Platform(StrEnum):
    """Apple OS names, spelled as in the schema's supportedOS blocks."""

    IOS = "iOS"
    MACOS = "macOS"
    TVOS = "tvOS"
    VISIONOS = "visionOS"
    WATCHOS = "watchOS"


# Lower-case prefixes of ProductName / model identifiers ("iPhone17,2", "MacBookPro18,1",
# "VMware7,1" for a macOS virtual machine) and of discovery's model families ("iPad", "Mac",
# "RealityDevice", "AppleTV", "Watch").
_PRODUCT_PREFIXES: tuple[tuple[tuple[str, ...], Platform], ...] = (
    (("iphone", "ipad", "ipod"), Platform.IOS),
    (("mac", "imac", "vmware", "virtualmac"), Platform.MACOS),
    (("appletv",), Platform.TVOS),
    (("realitydevice", "vision"), Platform.VISIONOS),
    (("watch",), Platform.WATCHOS),
)


def platform_of(product: str | None) -> Platform | None:
    """The platform of a ProductName, model identifier or model family; None when unknown."""
    text = (product or "").strip().lower()
    if not text:
        return None
    for prefixes, platform in _PRODUCT_PREFIXES:
        if text.startswith(prefixes):
            return platform
    return None


# iPadOS Safari asks for desktop pages by default and then reads as a Mac: the portal lets the
# person choose the device type.
_UA_IOS = re.compile(r"(?:iPhone|iPad|CPU) OS (\d+)[_.](\d+)")
_UA_MACOS = re.compile(r"Mac OS X (\d+)[_.](\d+)")


def platform_of_user_agent(user_agent: str | None) -> tuple[Platform | None, str]:
    """(platform, "major.minor") from a browser User-Agent, best effort; (None, "") if unknown."""
    ua = user_agent or ""
    for pattern, platform in ((_UA_IOS, Platform.IOS), (_UA_MACOS, Platform.MACOS)):
        match = pattern.search(ua)
        if match:
            return platform, f"{match.group(1)}.{match.group(2)}"
    return None, ""


# --- OS versions -------------------------------------------------------------------------------

_VERSION_PREFIX = re.compile(r"\d+(?:\.\d+)*")


@lru_cache(maxsize=2048)
def parse_os_version(text: str | None) -> tuple[int, ...] | None:
    """Dotted numeric version ("17.4.1") as a comparable tuple; None when unknown or empty.

    Trailing zeros are dropped, so "18.0" and "18" compare equal (and both are >= "18")."""
    match = _VERSION_PREFIX.match((text or "").strip())
    if not match:
        return None
    parts = [int(part) for part in match.group(0).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


# --- enrollment types --------------------------------------------------------------------------


class _ChoicesEnumType(EnumType):
    """Django's `choices`, `values` and `labels` on a pure enum, so that models, forms and
    filters use it as they would a TextChoices class (which needs Django)."""

    @property
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls._labelled()]

    @property
    def values(cls) -> list[str]:
        return [member.value for member in cls._labelled()]

    @property
    def labels(cls) -> list[str]:
        return [member.label for member in cls._labelled()]

    def _labelled(cls) -> list[Any]:
        return list(cls.__members__.values())


class EnrollmentType(StrEnum, metaclass=_ChoicesEnumType):
    """How a device enrolled; only USER puts the schema's `userenrollment` modes in force."""

    USER = "user"  # User Enrollment (account-driven or profile-based)
    DEVICE = "device"  # profile-based Device Enrollment
    ADDE = "adde"  # account-driven Device Enrollment
    ADE = "ade"  # Automated Device Enrollment

    @property
    def label(self) -> str:
        return _ENROLLMENT_TYPE_LABELS[self]


_ENROLLMENT_TYPE_LABELS: dict[EnrollmentType, str] = {
    EnrollmentType.USER: "User Enrollment",
    EnrollmentType.DEVICE: "Device Enrollment",
    EnrollmentType.ADDE: "Account-driven Device Enrollment",
    EnrollmentType.ADE: "Automated Device Enrollment",
}


def enrollment_type_choices(*types: EnrollmentType) -> list[tuple[str, str]]:
    """(value, label) pairs of some enrollment types, for a field that allows only those."""
    return [(t.value, t.label) for t in types]


# --- Authorization: Bearer ---------------------------------------------------------------------

# RFC 6750 section 2.1: credentials = "Bearer" 1*SP b64token (the scheme is case-insensitive).
_BEARER = re.compile(r"bearer +([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)


def bearer_token(authorization: object) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None for anything else."""
    if not isinstance(authorization, str):
        return None
    match = _BEARER.fullmatch(authorization.strip())
    return match.group(1) if match else None
