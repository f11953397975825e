"""Property lists and JSON from outside, read so that whatever parses can be stored and walked.

Pure: no Django imports. The parsers alone accept things that break the code after them: an
XML plist nested thousands of levels deep parses fine (expat keeps no recursion) and then
overflows the stack of every recursive walk, JSON encoding included; JSON that deep overflows
the decoder itself (RecursionError, not ValueError); a binary plist can refer to the same array
from itself (a cycle) or fan one array out a billion times (shared references); strings may hold
NUL characters, which PostgreSQL refuses in text and JSON; and NaN or Infinity is not JSON.
`load_plist` and `load_json` refuse all of these with `UntrustedDataError`, saying why.
"""

from __future__ import annotations

import json
import math
import plistlib
from typing import Any

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
