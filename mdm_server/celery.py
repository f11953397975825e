"""The Celery application; periodic schedules are declared here, in code."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdm_server.settings")

app = Celery("mdm_server")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "drain-push-outbox": {
        "task": "apns.tasks.drain_push_outbox_task",
        "schedule": float(settings.APNS_OUTBOX_SWEEP_SECONDS),
    },
    "repush-pending-commands": {
        "task": "apns.tasks.repush_stale_enrollments_task",
        "schedule": crontab(minute="*/30"),
    },
    "sweep-silent-devices": {
        "task": "apns.tasks.sweep_silent_devices_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "push-certificate-expiry": {
        "task": "apns.tasks.check_push_certificate_expiry_task",
        "schedule": crontab(hour=6, minute=0),
    },
    "directory-sync": {
        "task": "directory.tasks.sync_all_sources_task",
        "schedule": crontab(minute=0, hour="*/4"),
    },
}


@app.task(name="mdm_server.ping")
def ping(value: int) -> int:
    """Round-trip check used by the health probe and the worker integration test."""
    return value + 1
