"""Media types of request headers, compared the way HTTP defines them (RFC 9110 §8.3.1).

Pure: no Django import. Devices send `application/x-apple-aspen-mdm; charset=UTF-8` as readily
as the bare type, and tools vary the case and the spaces: a media type is its type/subtype,
case-insensitive, and its parameters (`charset`, …) do not change what the body is. Every
endpoint that checks a Content-Type (the check-in and command channel views, the Idle-poll
shortcut in front of them, SCEP) compares through here.
"""

from __future__ import annotations


def essence(value: str | None) -> str:
    """The type/subtype of a Content-Type value in lower case, parameters dropped; "" when the
    header is absent or empty."""
    if not value:
        return ""
    return value.partition(";")[0].strip().lower()


def is_one_of(value: str | None, *media_types: str) -> bool:
    """Whether a Content-Type value names one of `media_types` (given in lower case)."""
    return essence(value) in media_types


__all__ = ["essence", "is_one_of"]
