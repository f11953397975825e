"""Property lists and JSON from outside, read so that whatever parses can be stored and walked.

Pure: no Django imports. The parsers alone accept things that break the code after them: an
XML plist nested thousands of levels deep parses fine (expat keeps no recursion) and then
overflows the stack of every recursive walk, JSON encoding included; JSON that deep overflows
the decoder itself (RecursionError, not ValueError); a binary plist can refer to the same array
from itself (a cycle) or fan one array out a billion times (shared references); strings may hold
NUL characters, which PostgreSQL refuses in text and JSON; and NaN or Infinity is not JSON.
`load_plist` and `load_json` refuse all of these with `UntrustedDataError`, saying why.

An XML property list in the shape Apple writes (what devices send) is read by libxml2 (lxml) and
turned into the values `plistlib` would return, with the same bounds checked on the way; this is
three to four times cheaper than `plistlib`'s expat callbacks on a device's inventory (a
ProfileList of 30 profiles: 2.0 → 0.56 ms). Anything else (a binary property list, an XML one
that libxml2 refuses or that uses a construct this reader does not take, a document over a bound)
is read by `plistlib` and `check` as before, so what is refused, and why, does not change.
"""

from __future__ import annotations

import binascii
import json
import math
import plistlib
import threading
from typing import Any
from xml.sax.saxutils import escape

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
    if body.startswith((b"<?xml", b"<plist")):
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


def _check_scalar(value: Any, what: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise UntrustedDataError(f"{what} string contains a NUL character")
    elif isinstance(value, float) and not math.isfinite(value):
        raise UntrustedDataError(f"{what} contains a number that is not finite")


# --- XML property lists through libxml2 -----------------------------------------------------


class _NotPlain(Exception):
    """Not a document `_read_xml` reads: `plistlib` reads it instead."""


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
    """The value `plistlib.loads(body)` returns, `check`ed; _NotPlain for anything that is
    not a plain property list within the bounds (libxml2 refuses it, an entity is declared, an
    element is out of place or unknown, a limit is crossed, a value does not convert)."""
    try:
        root = etree.fromstring(body, _parsers.parser)
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise _NotPlain  # plistlib refuses entity declarations
        if root.tag != "plist":
            return _Reader().value(root, 1)  # plistlib takes a bare value as the document
        values = list(root)
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
            return int(text, 16) if text.startswith(("0x", "0X")) else int(text)
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
        if tag == "date":
            # Rare in device messages: plistlib's own reading of the date.
            return plistlib.loads(b"<plist><date>%s</date></plist>" % escape(text).encode())
        raise _NotPlain  # a key out of place, or an element plistlib would skip

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
