"""WSGI entry point (`granian --interface wsgi mdm_server.wsgi:application`)."""

import gc
import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdm_server.settings")
application: Callable[..., Any] = get_wsgi_application()

if settings.MDM_EDGE:
    from mdm_server.edge import Edge

    application = Edge(application)

if settings.MDM_CONNECT_SHORTCUT:
    from devices.connect_shortcut import IdlePollShortcut

    application = IdlePollShortcut(application)


def _settle() -> None:
    """What every worker keeps for its whole life, loaded and set aside from the collector.

    The URLconf and the view modules it imports are loaded now rather than by the first
    request. Then, after the start-up's garbage is collected, every object left (about 170,000:
    modules, classes, models, settings) moves to the collector's permanent generation. A full
    collection, which Python runs every few hundred requests, no longer walks them: in
    `bench.enroll_breakdown`, 88-104 ms of CPU for each one inside a request, 17-19 ms after
    (bench/RESULTS.md). What is frozen is never freed, which is what a worker's modules are.
    """
    get_resolver().url_patterns  # noqa: B018 - imports the views
    gc.collect()
    gc.freeze()


_settle()
