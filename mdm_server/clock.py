"""The server's clock for certificate lifetimes: identity validity, issuance, renewal decisions.

Pure: no Django imports. Production reads the system time; a test or a simulation injects a
`ManualClock` with `use()` and moves it forward, so two years of certificate lifetimes pass in
seconds without sleeping and without touching `datetime` itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that stands still until it is moved (aware UTC datetimes only)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        moment = start or dt.datetime.now(dt.UTC)
        if moment.tzinfo is None:
            raise ValueError("a ManualClock needs an aware datetime")
        self._now = moment.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        if delta < dt.timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += delta
        return self._now


_SYSTEM = SystemClock()
_current: Clock = _SYSTEM


def now() -> dt.datetime:
    """The current time of the installed clock."""
    return _current.now()


def use(clock: Clock | None) -> Clock:
    """Install `clock` (None: the system clock again); returns the clock it replaces."""
    global _current  # one process-wide clock, replaced only by tests and simulations
    previous = _current
    _current = clock if clock is not None else _SYSTEM
    return previous
