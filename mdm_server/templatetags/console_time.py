"""`{{ value|when }}`: a moment as "3 hours ago" with the absolute time and zone beside it.

A builtin of the templates (settings.TEMPLATES), so every page writes times one way.
`{{ value|when:"never" }}` says what to show when there is no time; `when_s` adds seconds.
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
