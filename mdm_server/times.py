"""How the console writes a moment: relative ("3 hours ago") and absolute with its time zone.

Pure: no Django imports. The template filters `when` and, for a day without a time (a
certificate's or token's expiry), `day` (mdm_server/templatetags/console_time.py) are its users in
pages; the device list's CSV export uses `absolute`.
"""

from __future__ import annotations

import datetime as dt

_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def relative(value: dt.datetime, now: dt.datetime) -> str:
    """'just now', '5 minutes ago', 'in 3 days': the largest whole unit, rounded down."""
    seconds = (now - value).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    for size, name in _UNITS:
        if seconds >= size:
            n = int(seconds // size)
            text = f"{n} {name}{'' if n == 1 else 's'}"
            return f"in {text}" if future else f"{text} ago"
    raise AssertionError("unreachable: seconds >= 60 always has a unit")


def absolute(value: dt.datetime, *, seconds: bool = False) -> str:
    """'2026-12-06 09:38 UTC' in the value's own time zone (the caller converts to local)."""
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    zone = value.tzname() or "UTC"
    return f"{value.strftime(fmt)} {zone}"


_DAY_UNITS = ((365, "year"), (30, "month"), (7, "week"), (1, "day"))


def relative_day(value: dt.date, today: dt.date) -> str:
    """'today', 'tomorrow', 'in 12 days', '3 weeks ago': calendar days, the largest whole unit."""
    days = (value - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    count = abs(days)
    for size, name in _DAY_UNITS:
        if count >= size:
            n = count // size
            text = f"{n} {name}{'' if n == 1 else 's'}"
            return f"in {text}" if days > 0 else f"{text} ago"
    raise AssertionError("unreachable: a day count of 2 or more always has a unit")


def absolute_day(value: dt.date) -> str:
    """'2027-03-01' (ISO 8601: the one way a date reads the same everywhere)."""
    return value.strftime("%Y-%m-%d")
