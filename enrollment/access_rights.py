"""AccessRights of a Device Enrollment's MDM payload: the named bits, read from Apple's schema.

Pure: no Django imports. The bits, their meanings and the "specify X if you specify Y" rules are
parsed from the key's documentation in Apple's schema (com.apple.mdm, AccessRights), the one
place they are written; the console's checkboxes, the API and the enrollment profile use them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from profiles import schema

PAYLOAD_TYPE = "com.apple.mdm"
KEY = "AccessRights"
# Apple's 18.1 text quotes the bits ("* '1': ..."), its 26.x/27.0 text marks them as code ("- `1`: ...").
_FLAG = re.compile(r"^[*-] ['`](\d+)['`]: (.+?)\.?$", re.MULTILINE)
_NEEDS = re.compile(r"Specify ['`](\d+)['`] if you specify ['`](\d+)['`]")


def _content() -> str:
    spec = schema.payload_spec(PAYLOAD_TYPE)
    node = spec.key(KEY) if spec else None
    if node is None:
        raise RuntimeError(f"Apple's schema has no {PAYLOAD_TYPE} {KEY}")
    return str(node.get("content", ""))


@lru_cache(maxsize=1)
def flags() -> tuple[tuple[int, str], ...]:
    """(bit, what it allows), in Apple's order."""
    found = tuple((int(bit), text) for bit, text in _FLAG.findall(_content()))
    if not found:
        raise RuntimeError(f"no bit flags found in the documentation of {KEY}")
    return found


@lru_cache(maxsize=1)
def requirements() -> dict[int, int]:
    """bit -> the bit it needs ('Specify 1 if you specify 2' gives {2: 1})."""
    return {int(needer): int(needed) for needed, needer in _NEEDS.findall(_content())}


def all_rights() -> int:
    return sum(bit for bit, _ in flags())


def label(bit: int) -> str:
    return dict(flags()).get(bit, str(bit))


def problem(value: int) -> str | None:
    """Why this AccessRights value may not be used, or None."""
    if not 1 <= value <= all_rights():
        return f"AccessRights must be between 1 and {all_rights()} (at least one right)"
    for needer, needed in requirements().items():
        if value & needer and not value & needed:
            return f"AccessRights {needer} ({label(needer)}) needs {needed} ({label(needed)})"
    return None
