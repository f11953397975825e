"""Property lists from devices: what parses is bounded and can be stored (PostgreSQL, JSON)."""

from __future__ import annotations

import plistlib
import struct
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from mdm_server import untrusted

PLISTS = Path(__file__).resolve().parents[1] / "fixtures" / "plists"


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
        # A keyed archive's object reference: no JSON, plist or column can hold it.
        (plistlib.dumps({"a": [plistlib.UID(3)]}, fmt=plistlib.FMT_BINARY), "UID"),
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
        ('{"a": "\\ud800"}', "lone UTF-16 surrogate"),
        ('{"\\udfff": 1}', "lone UTF-16 surrogate"),
        (b'{"a": "\xed\xa0\x80"}', "lone UTF-16 surrogate"),  # UTF-8 of a lone surrogate
        ('{"a": 18446744073709551616}', "integer outside 64 bits"),
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


# --- XML property lists read through libxml2 -------------------------------------------------


def typed(value: Any) -> Any:
    """`value` with the type of every part beside it, so that True and 1, 1.0 and 1, or str and
    bytes never compare equal."""
    if isinstance(value, dict):
        return ("dict", sorted((typed(k), typed(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float):
        return ("float", value.hex())  # -0.0 and 0.0 differ too
    return (type(value).__name__, value)


def reference_outcome(body: bytes) -> tuple[str, Any]:
    """What `load_plist` answered before it read XML through libxml2: plistlib, then `check`."""
    if not body:
        return ("refused", "empty body: expected a property list")
    try:
        value = plistlib.loads(body)
    except Exception as exc:
        return ("refused", f"body is not a valid property list ({exc.__class__.__name__})")
    try:
        untrusted.check(value, "property list")
    except untrusted.UntrustedDataError as exc:
        return ("refused", str(exc))
    return ("read", typed(value))


def outcome(body: bytes) -> tuple[str, Any]:
    """What `load_plist` answers, with libxml2 given plain documents of every size (smaller
    ones are otherwise read by plistlib), so that its reading is compared on them too."""
    with mock.patch.object(untrusted, "_LIBXML2_FROM", 0):
        try:
            return ("read", typed(untrusted.load_plist(body)))
        except untrusted.UntrustedDataError as exc:
            return ("refused", str(exc))


def _profile_list(count: int) -> bytes:
    return plistlib.dumps(
        {
            "Status": "Acknowledged",
            "UDID": "00008110-000A1C2E3F40801E",
            "CommandUUID": "6D1C2E4A-0000-4000-8000-000000000001",
            "ProfileList": [
                {
                    "PayloadIdentifier": f"com.example.profile.{n}",
                    "PayloadUUID": f"6D1C2E4A-0000-4000-8000-{n:012d}",
                    "PayloadDisplayName": f"Profile {n} & <friends>",
                    "PayloadVersion": 1,
                    "IsManaged": True,
                    "PayloadContent": [{"PayloadType": "com.apple.wifi.managed"}],
                    "Data": b"\x00\x01\xff" * n,
                    "Ratio": n / 7,
                }
                for n in range(count)
            ],
        }
    )


def _apple_shaped() -> list[bytes]:
    return [path.read_bytes() for path in sorted(PLISTS.glob("*.plist"))] + [_profile_list(30)]


def test_apple_shaped_property_lists_are_read_without_plistlib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The recorded messages are smaller than libxml2's lower bound: given to it all the same.
    monkeypatch.setattr(untrusted, "_LIBXML2_FROM", 0)
    bodies = _apple_shaped()
    assert len(bodies) >= 9
    expected = [typed(plistlib.loads(body)) for body in bodies]

    def refuse(body: bytes, **kwargs: Any) -> Any:
        raise AssertionError("a device message went to plistlib")

    monkeypatch.setattr(untrusted.plistlib, "loads", refuse)
    assert [typed(untrusted.load_plist(body)) for body in bodies] == expected


def test_small_property_lists_are_read_by_plistlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under 2 kB (a SecurityInfo result, an Idle poll), plistlib costs less CPU inside a
    request than libxml2, whose code has left the CPU's caches since the last one."""
    bodies = [body for body in _apple_shaped() if len(body) < untrusted._LIBXML2_FROM]
    assert len(bodies) >= 8
    expected = [reference_outcome(body) for body in bodies]
    given: list[bytes] = []
    parse = untrusted.etree.fromstring

    def spy(body: bytes, *args: Any, **kwargs: Any) -> Any:
        given.append(body)
        return parse(body, *args, **kwargs)

    monkeypatch.setattr(untrusted.etree, "fromstring", spy)
    assert [("read", typed(untrusted.load_plist(body))) for body in bodies] == expected
    assert given == []
    # Larger ones go to libxml2.
    large = _profile_list(30)
    assert len(large) >= untrusted._LIBXML2_FROM
    assert typed(untrusted.load_plist(large)) == typed(plistlib.loads(large))
    assert given == [large]


@pytest.mark.parametrize(
    "body",
    [
        # Names made up by a sender: libxml2 would keep each in a table for good.
        pytest.param(
            b"<plist " + b" ".join(b'n%06d=""' % n for n in range(2000)) + b"><true/></plist>",
            id="made-up-attributes",
        ),
        pytest.param(b"<plist><x/><true/></plist>", id="made-up-element"),
        # Blanks libxml2 would keep too (16 to 59 of them, not as writers indent).
        pytest.param(
            b"<plist><array>"
            + b"".join(b"<string>%s</string>" % bin(n)[2:].zfill(20).encode() for n in range(50))
            .replace(b"0", b" ")
            .replace(b"1", b"\t")
            + b"</array></plist>",
            id="made-up-blanks",
        ),
        pytest.param(b"<plist><string>&made_up;</string></plist>", id="made-up-entity"),
        pytest.param(b"<plist><?made-up x?><true/></plist>", id="processing-instruction"),
        pytest.param(
            b'<?xml version="1.0" encoding="Shift_JIS"?><plist><true/></plist>',
            id="another-encoding",
        ),
        pytest.param(b"<plist><date>2026-12-07T05:30:01Z</date></plist>", id="a-date"),
        pytest.param(
            b"<plist><array>" + b"<true/>" * (untrusted._MAX_PLAIN // 7) + b"</array></plist>",
            id="over-512-kB",
        ),
    ],
)
def test_what_is_not_plain_never_reaches_libxml2(
    body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = reference_outcome(body)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("libxml2 was given it")

    monkeypatch.setattr(untrusted.etree, "fromstring", refuse)
    assert outcome(body) == expected


_DECLARES_ENTITIES = (
    b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
    b"<plist><dict><key>Status</key><string>&secret;</string></dict></plist>"
)
_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b"<plist><string>&c;</string></plist>"
)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<plist><integer>0x1F</integer></plist>", id="hex-integer"),
        pytest.param(b"<plist><integer> 1_000 </integer></plist>", id="integer-as-python-reads"),
        pytest.param(b"<plist><integer>" + b"9" * 5000 + b"</integer></plist>", id="huge-int"),
        pytest.param(b"<plist><integer>x</integer></plist>", id="not-an-integer"),
        pytest.param(b"<plist><string>a<!-- c -->b</string></plist>", id="comment-in-string"),
        pytest.param(b"<plist><string><![CDATA[<a>&]]></string></plist>", id="cdata"),
        pytest.param(b"<plist><string>a &amp; &#x41;&#13;</string></plist>", id="references"),
        pytest.param(b"<plist><string>a<b/>c</string></plist>", id="element-in-string"),
        pytest.param(b"<plist></plist>", id="empty-plist"),
        pytest.param(b"<plist><true/><false/></plist>", id="two-values"),
        pytest.param(b"<?xml version='1.0'?><dict><key>a</key><true/></dict>", id="bare-dict"),
        pytest.param(b"<plist><dict><key>a</key></dict></plist>", id="key-without-value"),
        pytest.param(b"<plist><dict><true/></dict></plist>", id="value-without-key"),
        pytest.param(b"<plist><dict><key>a</key><key>b</key></dict></plist>", id="two-keys"),
        pytest.param(b"<plist><array><key>a</key></array></plist>", id="key-in-array"),
        pytest.param(
            b"<plist><dict><key>a</key><x/><key>a</key><true/></dict></plist>",
            id="unknown-element-in-dict",
        ),
        pytest.param(b"<plist><array><wrap><true/></wrap></array></plist>", id="unknown-element"),
        pytest.param(
            b"<plist><dict><key>a</key><true/><key>a</key><false/></dict></plist>", id="dup"
        ),
        pytest.param(b"<plist><real>1e400</real></plist>", id="real-overflows"),
        pytest.param(b"<plist><real>nan</real></plist>", id="nan"),
        pytest.param(b"<plist><data>AAE C/w==</data></plist>", id="data-with-space"),
        pytest.param(b"<plist><data>!!</data></plist>", id="data-not-base64"),
        pytest.param(b"<plist><date>2026-12-07T05:30:01Z</date></plist>", id="date"),
        pytest.param(b"<plist><date>yesterday</date></plist>", id="bad-date"),
        pytest.param(b"<plist><string>&#0;</string></plist>", id="nul-reference"),
        pytest.param(b"<plist><string>a\x00b</string></plist>", id="nul-byte"),
        pytest.param(b"<plist><string>a</plist>", id="not-well-formed"),
        pytest.param(b"<plist><true/></plist><plist/>", id="two-roots"),
        pytest.param(b"<plist><true>text</true></plist>", id="text-in-true"),
        pytest.param(b"<plist>" + b"<array>" * 65 + b"</array>" * 65 + b"</plist>", id="depth-65"),
        pytest.param(
            b"<plist>" + b"<array>" * 300 + b"</array>" * 300 + b"</plist>", id="depth-300"
        ),
        pytest.param(
            b"<plist><array>" + b"<true/>" * (untrusted.MAX_NODES + 1) + b"</array></plist>",
            id="too-many-nodes",
        ),
        pytest.param(_DECLARES_ENTITIES, id="external-entity"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY unused "x">]><plist><true/></plist>',
            id="entity-declared-not-used",
        ),
        pytest.param(_LAUGHS, id="entity-expansion"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE plist [<!ELEMENT plist ANY>]><plist><true/></plist>',
            id="internal-subset-without-entities",
        ),
        pytest.param("<plist><string>caf\u00e9</string></plist>".encode("utf-16"), id="utf-16"),
        pytest.param(
            b'<?xml version="1.0" encoding="utf8"?><plist><string>caf\xc3\xa9</string></plist>',
            id="utf8-alias",
        ),
        pytest.param(
            b'<?xml version="1.0" encoding="UTF-7"?><plist>+ADw-dict+AD4APA-key+AD4-Status'
            b"+ADw-/key+AD4APA-string+AD4-Acknowledged+ADw-/string+AD4APA-/dict+AD4-</plist>",
            id="utf-7",
        ),
        pytest.param(b'<plist><true \xf0\x90\x80\x80="1"/></plist>', id="non-ascii-attribute"),
        pytest.param('<plist \u20ac="1"><true/></plist>'.encode(), id="euro-attribute"),
        pytest.param(b"<plist><string>a</string>\x00</plist>", id="nul-after-value"),
        pytest.param(b'<plist version="1.0"><integer>-0</integer></plist>', id="minus-zero"),
        pytest.param(b'<plist version="1.0"><real>-0</real></plist>', id="minus-zero-real"),
        pytest.param(b'<plist version="1.0"><real>1</real></plist>', id="real-one"),
        pytest.param(b"<plist><dict/><array/></plist>", id="empty-containers"),
        pytest.param(b"<plist><array><string/><integer/></array></plist>", id="empty-scalars"),
        pytest.param(
            b'<?xml version="1.0" encoding="ISO-8859-1"?><plist><string>caf\xe9</string></plist>',
            id="latin-1",
        ),
    ],
)
def test_odd_xml_reads_as_plistlib_reads_it(body: bytes) -> None:
    assert outcome(body) == reference_outcome(body)


def test_no_entity_is_expanded_and_no_file_is_read() -> None:
    for body in (_DECLARES_ENTITIES, _LAUGHS):
        with pytest.raises(untrusted.UntrustedDataError, match="not a valid property list"):
            untrusted.load_plist(body)


@pytest.mark.parametrize(
    ("number", "refused"),
    [(1 << 64, True), (-(1 << 63) - 1, True), ((1 << 64) - 1, False), (-(1 << 63), False)],
)
def test_integers_are_those_a_property_list_can_hold(number: int, refused: bool) -> None:
    """plistlib writes no other, and a result is written again once what a User Enrollment may
    not report is taken out (an integer beyond was an OverflowError there: a 500)."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
        b"<key>Big</key><integer>%d</integer></dict></plist>" % number
    )
    if refused:
        with pytest.raises(untrusted.UntrustedDataError, match="integer outside 64 bits"):
            untrusted.load_plist(body)
    else:
        assert untrusted.load_plist(body) == {"Big": number}
        assert plistlib.loads(plistlib.dumps({"Big": number})) == {"Big": number}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("007", 7),
        ("18446744073709551616", 2**64),
        ("0" * 5000 + "1", 1),  # leading zeros are still the number
        ("9" * 5000, None),  # more digits than int() reads: a ValueError was a 500
        ("+5", None),
        ("²", None),
        ("1_0", None),
        ("", None),
    ],
)
def test_natural_reads_ascii_digits_and_nothing_longer_than_a_count_can_be(
    text: str, number: int | None
) -> None:
    assert untrusted.natural(text) == number
