"""WSGI entry point (`granian --interface wsgi mdm_server.wsgi:application`)."""

import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdm_server.settings")
application: Callable[..., Any] = get_wsgi_application()

if settings.MDM_CONNECT_SHORTCUT:
    from devices.connect_shortcut import IdlePollShortcut

    application = IdlePollShortcut(application)
