"""The XML property-list reader (`mdm_server.untrusted`, libxml2) against plistlib: every
property list plistlib writes, and every byte-level change of the recorded device messages, is
read to the same value or refused for the same reason as plistlib and `check` read it."""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from tests.fuzz import strategies as fz
from tests.mdm_server.test_untrusted import outcome, reference_outcome

PLISTS = Path(__file__).resolve().parents[1] / "fixtures" / "plists"
RECORDED = [p.read_bytes() for p in sorted(PLISTS.glob("*.plist"))]

_TEXT_EDGES = st.sampled_from(
    ["", " ", "  padded  ", "\t", "\n", "a\r\nb", "<&>\"'", "]]>", "caf\u00e9", "\U0001f600"]
)
_VALUES = st.recursive(
    fz.plist_values(max_leaves=6) | _TEXT_EDGES,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(_TEXT_EDGES | st.text(), children)
    ),
    max_leaves=30,
)


@given(value=_VALUES, sort_keys=st.booleans())
def test_what_plistlib_writes_reads_the_same(value: Any, sort_keys: bool) -> None:
    try:
        body = plistlib.dumps(value, sort_keys=sort_keys)
    except (ValueError, TypeError, OverflowError):
        assume(False)  # not writable as XML (control characters, integers over 64 bits)
        raise
    assert outcome(body) == reference_outcome(body)


@given(which=st.integers(min_value=0), steps=fz.mutations(max_steps=3))
def test_a_changed_device_message_reads_as_plistlib_reads_it(
    which: int, steps: list[tuple[str, int, int]], mutate: Callable[..., bytes]
) -> None:
    body = mutate(RECORDED[which % len(RECORDED)], steps)
    assert outcome(body) == reference_outcome(body)
