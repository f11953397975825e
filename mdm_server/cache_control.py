"""`never_cache` for the server's views: Django's decorator, without parsing headers it just set.

Django's `never_cache` patches a response's Cache-Control through `patch_cache_control`, which
reads the header back into its directives and writes it again, twice: about 16 µs in a loop
and 40-50 µs inside a request, for each of the six enrollment and SCEP requests a device makes
that carry it (bench/RESULTS.md). A response without Cache-Control or Expires (all of ours) gets
the very headers Django's would give it, set at once; any other goes through Django's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from inspect import iscoroutinefunction
from typing import Any, cast

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.views.decorators.cache import never_cache as djangos_never_cache

# What `add_never_cache_headers` writes on a response that had no Cache-Control.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"

View = Callable[..., HttpResponseBase]


def never_cache(view: View) -> View:
    """As `django.views.decorators.cache.never_cache` (which takes asynchronous views)."""
    if iscoroutinefunction(view):
        return cast(View, djangos_never_cache(view))

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.has_header("Cache-Control") or response.has_header("Expires"):
            add_never_cache_headers(response)
        else:
            response.headers["Expires"] = http_date()
            response.headers["Cache-Control"] = NEVER_CACHE
        return response

    return wrapped
