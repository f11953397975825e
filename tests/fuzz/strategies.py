"""Hypothesis strategies for hostile input: byte mutations and device-shaped property lists."""

from __future__ import annotations

import datetime as dt
import plistlib
from typing import Any

from hypothesis import strategies as st

MUTATION_KINDS = ("flip", "set", "insert", "delete", "truncate", "duplicate")


def mutations(max_steps: int = 4) -> st.SearchStrategy[list[tuple[str, int, int]]]:
    """A short list of (kind, position, value) byte edits, applied by the `mutate` fixture."""
    step = st.tuples(
        st.sampled_from(MUTATION_KINDS),
        st.integers(min_value=0, max_value=1 << 20),
        st.integers(min_value=0, max_value=255),
    )
    return st.lists(step, min_size=1, max_size=max_steps)


# Scalars a property list can hold, including what is hostile once parsed: NUL characters,
# surrogate-free but otherwise arbitrary text, huge and negative integers, NaN and infinities.
_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "9" * 40, "9" * 100, "9" * 300, "18.2", "E-1"]),
    st.text(min_size=20, max_size=300),  # longer than most columns, shorter than the wire limit
)
_SCALARS = st.one_of(
    _TEXT,
    st.integers(min_value=-(1 << 63), max_value=(1 << 64) - 1),
    st.floats(),
    st.booleans(),
    st.binary(max_size=40),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)


def plist_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    return st.recursive(
        _SCALARS,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(_TEXT, children, max_size=4)
        ),
        max_leaves=max_leaves,
    )


# Keys the server reads somewhere, so that random values land where they are looked at.
KNOWN_KEYS = (
    "UDID", "EnrollmentID", "UserID", "EnrollmentUserID", "Topic", "OSVersion", "BuildVersion",
    "ProductName", "Model", "ModelName", "DeviceName", "SerialNumber", "IMEI", "MEID", "Token",
    "PushMagic", "UnlockToken", "AwaitingConfiguration", "UserShortName", "UserLongName",
    "BootstrapToken", "TokenServiceType", "TokenParameters", "Endpoint", "Data", "Status",
    "CommandUUID", "ErrorChain", "QueryResponses", "SecurityInfo", "InstalledApplicationList",
    "ManagedApplicationList", "ProfileList", "CertificateList", "IsSupervised", "Identifier",
    "PayloadIdentifier", "PayloadContent", "CommonName", "IsIdentity", "Name", "Version",
)  # fmt: skip
MESSAGE_TYPES = (
    "Authenticate", "TokenUpdate", "CheckOut", "UserAuthenticate", "SetBootstrapToken",
    "GetBootstrapToken", "GetToken", "DeclarativeManagement", "Nonsense",
)  # fmt: skip
STATUSES = ("Idle", "Acknowledged", "Error", "CommandFormatError", "NotNow", "Nonsense")


def message_fields() -> st.SearchStrategy[dict[str, Any]]:
    """Random values under keys the server reads (and a few it does not)."""
    known = st.dictionaries(st.sampled_from(KNOWN_KEYS), _TEXT | plist_values(), max_size=6)
    return st.builds(
        lambda a, b: {**b, **a}, known, st.dictionaries(_TEXT, plist_values(), max_size=2)
    )


def nested_xml(depth: int, tag: str, fields: bytes) -> bytes:
    """An XML plist dict with `fields` (encoded key/value pairs) and a value nested `depth`
    levels deep, written by hand: plistlib cannot write (or in binary, read) such depths."""
    if tag == "dict":
        value = b"<dict><key>k</key>" * depth + b"<true/>" + b"</dict>" * depth
    else:
        value = b"<array>" * depth + b"</array>" * depth
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
        + fields
        + b"<key>Deep</key>"
        + value
        + b"</dict></plist>"
    )


def encode(message: Any, binary: bool) -> bytes:
    """The plist as a device would send it; XML cannot carry some text, binary carries all."""
    if not binary:
        try:
            return plistlib.dumps(message)
        except (ValueError, TypeError, OverflowError):
            pass
    return plistlib.dumps(message, fmt=plistlib.FMT_BINARY)
