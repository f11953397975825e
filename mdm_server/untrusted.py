"""Property lists and JSON from outside, read so that whatever parses can be stored and walked.

Pure: no Django imports. The parsers alone accept things that break the code after them: an
XML plist nested thousands of levels deep parses fine (expat keeps no recursion) and then
overflows the stack of every recursive walk, JSON encoding included; JSON that deep overflows
the decoder itself (RecursionError, not ValueError); a binary plist can refer to the same array
from itself (a cycle), fan one array out a billion times (shared references) or hold a UID (a
keyed archive's object reference, which no JSON, column or written plist takes); strings may hold
NUL characters, which PostgreSQL refuses in text and JSON; and NaN or Infinity is not JSON.
`load_plist` and `load_json` refuse all of these with `UntrustedDataError`, saying why.

An XML property list of at least 2 kB in the shape Apple writes (what devices send) is read by
libxml2 (lxml) and turned into the values `plistlib` would return, with the same bounds checked
on the way; this is about three times cheaper than `plistlib`'s expat callbacks on a device's
inventory (a ProfileList of 30 profiles: 2.5 → 0.86 ms, 0.11 ms of it the check below), and
dearer on a smaller one inside a request (`_LIBXML2_FROM`). Only such documents reach libxml2
(`_plain`): UTF-8,
Apple's prolog, the property-list elements and no other name, no entity but XML's own, no
processing instruction, blanks between tags only as writers indent, at most 512 kB. libxml2
keeps every name it reads (and every text of 16 to 59 blanks) in a table for the life of the
thread, so names made up by a sender would make the process grow for good; it also
reads encodings and names that expat refuses, and builds the whole tree first (about 40 times
the body). Anything else (a binary property list, another encoding or name, a date, a document
libxml2 refuses or that is over a bound) is read by `plistlib` and `check` as before.
"""

from __future__ import annotations

import binascii
import json
import math
import plistlib
import re
import threading
from typing import Any

from lxml import etree

# Apple's deepest messages (a ProfileList with payload content, a DeclarativeManagement status
# report) are about a dozen levels deep; so are the API's bodies.
MAX_DEPTH = 64
# Containers and their members, counted over the whole tree: an InstalledApplicationList of
# 5,000 apps is under 100,000. Refusing a fan-out bomb at this bound costs ~0.15 s of CPU.
MAX_NODES = 250_000


class UntrustedDataError(ValueError):
    """The bytes are not data this server accepts; the text says why."""


def load_plist(body: bytes) -> Any:
    """Parse an XML or binary property list, then `check` it."""
    if not body:
        raise UntrustedDataError("empty body: expected a property list")
    if len(body) >= _LIBXML2_FROM and _plain(body):
        try:
            return _read_xml(body)
        except _NotPlain:
            pass  # plistlib reads it, and decides
    try:
        value = plistlib.loads(body)
    except Exception as exc:  # plistlib raises assorted errors on hostile input
        raise UntrustedDataError(
            f"body is not a valid property list ({exc.__class__.__name__})"
        ) from None
    check(value, "property list")
    return value


# More significant digits than any id, length or count this server reads can have: `int()`
# refuses over 4,300 with a ValueError (a 500 wherever a Content-Length of that many was read).
_NATURAL_DIGITS = 30


def natural(text: str) -> int | None:
    """The number `text` writes in ASCII digits alone, else None. `int()` also takes a sign,
    blanks and underscores, and `str.isdigit()` is true of digits `int()` refuses ("²"): an id,
    a length or a count from outside is read with this. Leading zeros are allowed; a number of
    more than 30 significant digits is None (nothing from outside counts that high)."""
    if text.isascii() and text.isdigit():
        significant = text.lstrip("0")
        if len(significant) > _NATURAL_DIGITS:
            return None
        return int(significant or "0")
    return None


def _no_constant(name: str) -> Any:
    raise UntrustedDataError(f"JSON contains {name}, which is not a number")


def load_json(text: str | bytes) -> Any:
    """Parse JSON (NaN and Infinity refused), then `check` it."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise UntrustedDataError(f"JSON is nested more than {MAX_DEPTH} levels deep") from None
    except UntrustedDataError:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise UntrustedDataError(f"JSON parse error - {exc}") from None
    check(value, "JSON")
    return value


def check(value: Any, what: str = "data") -> None:
    """UntrustedDataError when `value` is nested too deeply, too large, or holds what cannot be
    stored. Iterative (no recursion); stops at the first problem."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            nodes += len(item)
        else:
            _check_scalar(item, what)
            continue
        if depth > MAX_DEPTH:
            raise UntrustedDataError(f"{what} is nested more than {MAX_DEPTH} levels deep")
        if nodes > MAX_NODES:
            raise UntrustedDataError(f"{what} has more than {MAX_NODES} elements")
        if isinstance(item, dict):
            for key, member in item.items():
                _check_scalar(key, what)
                stack.append((member, depth + 1))
        else:
            stack.extend((member, depth + 1) for member in item)


# What a property list's integer can be (plistlib writes no other: a result is written again
# once what a User Enrollment may not report is taken out of it).
PLIST_INT_MIN, PLIST_INT_MAX = -(1 << 63), (1 << 64) - 1
_INT_MIN, _INT_END = PLIST_INT_MIN, PLIST_INT_MAX + 1
# A UTF-16 surrogate on its own (JSON's "\ud800", or UTF-8 bytes decoded with surrogatepass):
# not Unicode text, which PostgreSQL refuses in text and JSON.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_scalar(value: Any, what: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise UntrustedDataError(f"{what} string contains a NUL character")
        if not value.isascii() and _SURROGATE.search(value) is not None:
            raise UntrustedDataError(f"{what} string contains a lone UTF-16 surrogate")
    elif isinstance(value, int):
        if not _INT_MIN <= value < _INT_END:
            raise UntrustedDataError(f"{what} contains an integer outside 64 bits")
    elif isinstance(value, float) and not math.isfinite(value):
        raise UntrustedDataError(f"{what} contains a number that is not finite")
    elif isinstance(value, plistlib.UID):
        raise UntrustedDataError(f"{what} contains a UID, which only keyed archives use")


# --- XML property lists through libxml2 -----------------------------------------------------


class _NotPlain(Exception):
    """Not a document `_read_xml` reads: `plistlib` reads it instead."""


# Smaller documents are read by `plistlib`: inside a request, where the code of libxml2 and lxml
# has left the CPU's caches since the last one, a SecurityInfo result (0.5 kB) costs 0.13 ms of
# CPU through them against 0.07 ms through plistlib and `check`; from about 2 kB on they cost the
# same, and larger documents less (6 kB: 0.38 against 0.52 ms; 15 kB: 0.73 against 1.2 ms). In a
# loop, where they stay cached, libxml2 is cheaper at every size (0.012 against 0.024 ms). Measured
# on 7 December at a reference of RSA sign 0.22 ms (bench.reference).
_LIBXML2_FROM = 2048

# What a document must look like to be read by libxml2: Apple's prolog (UTF-8), then only these
# tags (the root's version the only attribute), comments, and XML's own entities.
_MAX_PLAIN = 512 * 1024
_COMMENTS = rb"(?:<!--.*?-->\s*)*"
_PROLOG = re.compile(
    rb'<\?xml version="1\.0"(?: encoding="[Uu][Tt][Ff]-8")?\?>\s*'
    + _COMMENTS
    + rb'(?:<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1\.0//EN" '
    rb'"http://www\.apple\.com/DTDs/PropertyList-1\.0\.dtd">\s*)?' + _COMMENTS,
    re.DOTALL,
)
_ELEMENTS = rb"(?:plist|dict|array|key|string|integer|real|data)"
# A "<" that does not open one of the property-list tags or a comment (inside a comment too).
_OTHER_MARKUP = re.compile(
    rb"<(?!/?" + _ELEMENTS + rb">|" + _ELEMENTS + rb'/>|(?:true|false)/>|plist version="1\.0">|!--)'
)
_OTHER_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)")
# libxml2 keeps a text made only of blanks (16 to 59 bytes) in the same table: between two tags
# only the indentation writers use is taken (a newline, then tabs alone or spaces alone).
_OTHER_BLANKS = re.compile(rb">(?!\n?(?:\t*| *)<)[\t\n\r ]+<")


def _plain(body: bytes) -> bool:
    """Whether `body` is a document libxml2 may read (see the module's docstring)."""
    if len(body) > _MAX_PLAIN:
        return False
    prolog = _PROLOG.match(body)
    start = prolog.end() if prolog else 0
    return (
        body.startswith(b"<plist", start)
        and _OTHER_MARKUP.search(body, start) is None
        and _OTHER_ENTITY.search(body, start) is None
        and _OTHER_BLANKS.search(body, start) is None
    )


class _Parsers(threading.local):
    """One libxml2 parser per thread (lxml's parsers are not to be shared between threads).
    No entity is expanded, no DTD loaded, nothing fetched; comments and processing instructions
    are dropped, as `plistlib` ignores them."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
        )


_parsers = _Parsers()


def _read_xml(body: bytes) -> Any:
    """The value `plistlib.loads(body)` returns, `check`ed, for a `_plain` body; _NotPlain when
    libxml2 refuses it, an element is out of place, a bound is crossed or a value does not
    convert."""
    try:
        root = etree.fromstring(body, _parsers.parser)
        values = list(root)  # the root is <plist> (`_plain`)
        if not values:
            return None
        if len(values) > 1:
            raise _NotPlain
        return _Reader().value(values[0], 1)
    except _NotPlain:
        raise
    except Exception:  # libxml2's errors, a value that does not convert (int, float, base64)
        raise _NotPlain from None


class _Reader:
    """Elements to values as `plistlib`'s parser builds them, counting containers' members as
    `check` does; a construct `plistlib` would read otherwise, or refuse, raises _NotPlain."""

    def __init__(self) -> None:
        self.nodes = 0

    def value(self, element: Any, depth: int) -> Any:
        tag = element.tag
        if tag == "dict" or tag == "array":
            if depth > MAX_DEPTH:
                raise _NotPlain
            found = self._dict(element, depth) if tag == "dict" else self._array(element, depth)
            self.nodes += len(found)
            if self.nodes > MAX_NODES:
                raise _NotPlain
            return found
        if len(element):
            raise _NotPlain  # an element inside a scalar
        text = element.text or ""
        if tag == "string":
            return text
        if tag == "integer":
            integer = int(text, 16) if text.startswith(("0x", "0X")) else int(text)
            if not _INT_MIN <= integer < _INT_END:
                raise _NotPlain  # plistlib reads it, and `check` says why it is refused
            return integer
        if tag == "true":
            return True
        if tag == "false":
            return False
        if tag == "real":
            number = float(text)
            if not math.isfinite(number):
                raise _NotPlain
            return number
        if tag == "data":
            return binascii.a2b_base64(text.encode("utf-8"))
        raise _NotPlain  # a key out of place

    def _dict(self, element: Any, depth: int) -> dict[str, Any]:
        found: dict[str, Any] = {}
        members = iter(element)
        for key in members:
            if key.tag != "key" or len(key):
                raise _NotPlain
            member = next(members, None)
            if member is None:
                raise _NotPlain  # a key without a value
            found[key.text or ""] = self.value(member, depth + 1)
        return found

    def _array(self, element: Any, depth: int) -> list[Any]:
        return [self.value(member, depth + 1) for member in element]
