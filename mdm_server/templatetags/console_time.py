"""`{{ value|when }}`: a moment as "3 hours ago" with the absolute time and zone beside it.

A builtin of the templates (settings.TEMPLATES), so every page writes times one way.
`{{ value|when:"never" }}` says what to show when there is no time; `when_s` adds seconds.
`{{ value|day }}` is for a day without a time (a certificate's or token's expiry): "in 3 months"
with the date; a moment given to it counts in the local time zone's calendar days.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from mdm_server import times

register = template.Library()


def _render(value: object, empty: str, *, seconds: bool) -> str:
    if not isinstance(value, dt.datetime):
        return empty if value in (None, "") else str(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}" title="{}">{}</time> <span class="abs">{}</span>',
        value.isoformat(),
        times.absolute(local, seconds=True),
        times.relative(value, timezone.now()),
        times.absolute(local, seconds=seconds),
    )


@register.filter(is_safe=True)
def when(value: object, empty: str = "—") -> str:
    return _render(value, empty, seconds=False)


@register.filter(is_safe=True)
def when_s(value: object, empty: str = "—") -> str:
    return _render(value, empty, seconds=True)


@register.filter(is_safe=True)
def day(value: object, empty: str = "—") -> str:
    if isinstance(value, dt.datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if not isinstance(value, dt.date):
        return empty if value in (None, "") else str(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time> <span class="abs">{}</span>',
        value.isoformat(),
        times.absolute_day(value),
        times.relative_day(value, timezone.localdate()),
        times.absolute_day(value),
    )
