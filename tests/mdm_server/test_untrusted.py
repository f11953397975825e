"""Property lists from devices: what parses is bounded and can be stored (PostgreSQL, JSON)."""

from __future__ import annotations

import plistlib
import struct

import pytest

from mdm_server import untrusted


def _binary(objects: list[bytes], top: int = 0) -> bytes:
    """A binary plist from encoded objects (one-byte offsets and references)."""
    body = b"bplist00"
    offsets = []
    for obj in objects:
        offsets.append(len(body))
        body += obj
    table = len(body)
    body += bytes(offsets)
    return body + b"\x00" * 6 + struct.pack(">BBQQQ", 1, 1, len(objects), top, table)


def test_an_ordinary_message_is_returned() -> None:
    message = {"Status": "Idle", "UDID": "X", "List": [{"a": 1.5, "b": b"\x00\x01"}]}
    assert untrusted.load_plist(plistlib.dumps(message)) == message


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"\x00\xffgarbage", "not a valid property list"),
        (
            b"<plist><dict><key>a</key>"
            + b"<array>" * 2000
            + b"</array>" * 2000
            + b"</dict></plist>",
            "nested more than 64 levels",
        ),
        (
            plistlib.dumps({"OSVersion": "18\x002"}, fmt=plistlib.FMT_BINARY),
            "NUL character",
        ),
        (
            plistlib.dumps({"18\x002": "key"}, fmt=plistlib.FMT_BINARY),
            "NUL character",
        ),
        (b"<plist><dict><key>a</key><real>nan</real></dict></plist>", "not finite"),
        (b"<plist><array><real>-inf</real></array></plist>", "not finite"),
        # An array that contains itself.
        (_binary([b"\xa1\x00"]), "nested more than"),
    ],
)
def test_hostile_property_lists_are_refused_with_the_reason(body: bytes, reason: str) -> None:
    with pytest.raises(untrusted.UntrustedDataError, match=reason):
        untrusted.load_plist(body)


def test_shared_references_cannot_fan_out_into_a_billion_elements() -> None:
    # Object i is an array holding object i+1 twice: 40 objects, 2**40 elements when walked.
    objects = [bytes([0xA2, i + 1, i + 1]) for i in range(40)] + [b"\x10\x01"]
    with pytest.raises(untrusted.UntrustedDataError, match="more than 250000 elements"):
        untrusted.load_plist(_binary(objects))


def test_the_depth_limit_is_exact() -> None:
    def nested(depth: int) -> bytes:
        return b"<plist>" + b"<array>" * depth + b"</array>" * depth + b"</plist>"

    assert untrusted.load_plist(nested(untrusted.MAX_DEPTH)) is not None
    with pytest.raises(untrusted.UntrustedDataError):
        untrusted.load_plist(nested(untrusted.MAX_DEPTH + 1))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 2000 + "]" * 2000, "nested more than 64 levels"),
        ("[" * 100 + "]" * 100, "nested more than 64 levels"),
        ('{"a": NaN}', "NaN, which is not a number"),
        ("[Infinity]", "Infinity, which is not a number"),
        ('{"a": "x\\u0000y"}', "NUL character"),
        ('{"a": ', "JSON parse error"),
        (b"\xff\xfe{", "JSON parse error"),
    ],
)
def test_hostile_json_is_refused_with_the_reason(text: str | bytes, reason: str) -> None:
    with pytest.raises(untrusted.UntrustedDataError, match=reason):
        untrusted.load_json(text)


def test_ordinary_json_is_returned() -> None:
    assert untrusted.load_json('{"a": [1, 2.5, "x", null, true]}') == {
        "a": [1, 2.5, "x", None, True]
    }
