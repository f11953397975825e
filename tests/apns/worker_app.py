"""The project's Celery app for the worker-kill test: unacked tasks come back within seconds.

Production keeps the one-hour visibility timeout; here a killed worker's task must be handed to
the next worker quickly, and the push concurrency is lowered so a batch takes a while.
"""

from __future__ import annotations

import os

from django.conf import settings

from mdm_server.celery import app

app.conf.broker_transport_options = {
    "visibility_timeout": float(os.environ.get("TEST_VISIBILITY_TIMEOUT", "3")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
settings.APNS_STREAMS = int(os.environ.get("TEST_APNS_STREAMS", "4"))

__all__ = ["app"]
