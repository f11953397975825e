"""The Celery application; periodic schedules are declared here, in code."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdm_server.settings")

app = Celery("mdm_server")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
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
    "refresh-inventory": {
        "task": "devices.tasks.refresh_inventory_task",
        "schedule": crontab(minute="*/15"),
    },
    "renew-identities": {
        "task": "devices.tasks.renew_identities_task",
        "schedule": crontab(minute="7-59/15"),
    },
    "purge-ended-enrollments": {
        "task": "devices.tasks.purge_ended_enrollments_task",
        "schedule": crontab(hour=4, minute=30),
    },
    "managed-apps-advance": {
        "task": "devices.managed_apps.tasks.advance_installs",
        "schedule": crontab(minute="*"),
    },
    "managed-apps-sync": {
        "task": "devices.managed_apps.tasks.sync_apps_books",
        "schedule": crontab(minute=20),
    },
    "abm-device-sync": {
        "task": "enrollment.abm.tasks.sync_all_links_task",
        "schedule": crontab(minute="*/30"),
    },
    "directory-sync": {
        "task": "directory.tasks.sync_all_sources_task",
        "schedule": crontab(minute=0, hour="*/4"),
    },
    "directory-start-waiting-runs": {
        "task": "directory.tasks.start_waiting_runs_task",
        "schedule": crontab(minute="*"),
    },
}


@app.on_after_configure.connect
def _sweep_push_outbox(sender: Celery, **_: object) -> None:
    """Drain the push outbox every APNS_OUTBOX_SWEEP_SECONDS: pushes whose worker could not be
    asked (Redis was down), retries after their backoff, rows of a worker that died. Added
    once Celery reads its configuration, so that importing this module reads no setting."""
    from django.conf import settings

    sender.conf.beat_schedule["drain-push-outbox"] = {
        "task": "apns.tasks.drain_push_outbox_task",
        "schedule": float(settings.APNS_OUTBOX_SWEEP_SECONDS),
    }


@app.task(name="mdm_server.ping")
def ping(value: int) -> int:
    """Round-trip check used by the health probe and the worker integration test."""
    return value + 1
