"""Device lifecycle arithmetic, pure: where each enrollment's inventory refresh falls in the
refresh period, and which slots a scheduled run covers.

Every enrollment gets a random slot in [0, SLOTS) when it is created. A period of P seconds is
laid over time from the Unix epoch; slot s falls at `s / SLOTS * P` into each period. A run that
covers the time from `start` to `end` takes the slots whose instant lies in between, so runs every
few minutes each take their share of the devices (N * interval / P) and every device comes up
once per period, however many there are.
"""

from __future__ import annotations

import datetime as dt
import secrets

SLOTS = 1_000_000


def random_slot() -> int:
    return secrets.randbelow(SLOTS)


def _phase(when: dt.datetime, period: dt.timedelta) -> int:
    """The slot at instant `when` of its period."""
    seconds = period.total_seconds()
    into = when.timestamp() % seconds
    return int(into / seconds * SLOTS)


def slot_ranges(
    start: dt.datetime, end: dt.datetime, period: dt.timedelta
) -> list[tuple[int, int]]:
    """The half-open slot ranges [low, high) whose instants lie in [start, end): none when the
    window is empty, all of them when it spans a whole period, two when it wraps around."""
    if period.total_seconds() <= 0:
        raise ValueError("the refresh period must be positive")
    if end <= start:
        return []
    if end - start >= period:
        return [(0, SLOTS)]
    low, high = _phase(start, period), _phase(end, period)
    if low < high:
        return [(low, high)]
    if low == high:
        return []  # shorter than one slot
    return [(low, SLOTS), (0, high)] if high > 0 else [(low, SLOTS)]
