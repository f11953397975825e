"""Paths of the named routes that device-facing requests write into their answers (an
enrollment's base URL and sign-in page, the privacy page), kept per process.

Django's `reverse()` walks the resolver's namespaces, then quotes each argument and checks it
against the route's pattern, on every call: 40-95 µs of CPU (7 December), for a result that
depends only on the route's name and arguments, the URLconf and the script prefix (what stands
in front of the application in its address, set per request under WSGI). `path_for` keeps the
result under all four, so a changed URLconf setting or prefix gets its own paths.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Routes times arguments: the enrollment configurations' slugs, a handful per organisation.
_KEPT = 1024


def path_for(viewname: str, *args: str) -> str:
    """`reverse(viewname, args=args)`, kept per URLconf and script prefix."""
    return _path(viewname, args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=_KEPT)
def _path(viewname: str, args: tuple[str, ...], urlconf: str, prefix: str) -> str:
    # `prefix` is the script prefix reverse() reads itself: part of the key only.
    return reverse(viewname, urlconf=urlconf, args=args)
