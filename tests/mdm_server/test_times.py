"""Times in the console: one filter writes each moment relative and absolute with its zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone

from mdm_server import times

NOW = dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(seconds=20), "just now"),
        (dt.timedelta(minutes=1), "1 minute ago"),
        (dt.timedelta(hours=3, minutes=59), "3 hours ago"),
        (dt.timedelta(days=9), "1 week ago"),
        (dt.timedelta(days=400), "1 year ago"),
        (-dt.timedelta(days=3, hours=1), "in 3 days"),
    ],
)
def test_relative_uses_the_largest_whole_unit(delta: dt.timedelta, text: str) -> None:
    assert times.relative(NOW - delta, NOW) == text


def test_absolute_names_the_zone() -> None:
    paris = NOW.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert times.absolute(paris) == "2026-12-06 10:30 CET"
    assert times.absolute(NOW, seconds=True) == "2026-12-06 09:30:00 UTC"


def test_the_when_filter_is_a_builtin_of_every_template(settings: object) -> None:
    settings.TIME_ZONE = "America/New_York"  # type: ignore[attr-defined]
    template = engines["django"].from_string("{{ t|when }}|{{ none|when:'never' }}|{{ t|when_s }}")
    moment = timezone.now() - dt.timedelta(hours=2, minutes=5)
    with timezone.override("America/New_York"):
        html = template.render({"t": moment, "none": None})
    first, never, with_seconds = html.split("|")
    assert "2 hours ago</time>" in first and f'datetime="{moment.isoformat()}"' in first
    local = timezone.localtime(moment, zoneinfo.ZoneInfo("America/New_York"))
    assert f"{local:%Y-%m-%d %H:%M} E" in first  # EST or EDT, never a bare number
    assert never == "never"
    assert f"{local:%H:%M:%S}" in with_seconds


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "today"),
        (1, "tomorrow"),
        (-1, "yesterday"),
        (2, "in 2 days"),
        (-6, "6 days ago"),
        (13, "in 1 week"),
        (45, "in 1 month"),
        (-400, "1 year ago"),
        (730, "in 2 years"),
    ],
)
def test_relative_day_counts_calendar_days(days: int, text: str) -> None:
    today = dt.date(2026, 12, 6)
    assert times.relative_day(today + dt.timedelta(days=days), today) == text


def test_the_day_filter_writes_a_day_relative_and_absolute(settings: object) -> None:
    """An expiry is a day: no hours, and the calendar day of the console's time zone."""
    settings.TIME_ZONE = "Pacific/Auckland"  # type: ignore[attr-defined]
    template = engines["django"].from_string("{{ d|day }}|{{ t|day }}|{{ none|day:'never' }}")
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    with timezone.override(zone):
        today = timezone.localdate()
        # Noon in Auckland is still the day before in UTC: the local day is the one shown.
        moment = dt.datetime.combine(today, dt.time(12), tzinfo=zone).astimezone(dt.UTC)
        html = template.render({"d": today + dt.timedelta(days=90), "t": moment, "none": None})
    date_part, moment_part, never = html.split("|")
    later = today + dt.timedelta(days=90)
    assert f'<time datetime="{later.isoformat()}"' in date_part
    assert "in 3 months</time>" in date_part
    assert f'<span class="abs">{later:%Y-%m-%d}</span>' in date_part
    assert "today</time>" in moment_part and f"{today:%Y-%m-%d}" in moment_part
    assert ":" not in moment_part.split("</time>")[1]  # no time of day
    assert never == "never"
