"""How the console writes a moment: relative ("3 hours ago") and absolute with its time zone.

Pure: no Django imports. The template filter `when` (mdm_server/templatetags/console_time.py)
is its one user in pages; the device list's CSV export uses `absolute`.
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
