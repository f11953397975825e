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
