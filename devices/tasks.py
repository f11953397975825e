"""Celery beat entry points of the device lifecycle: thin shells over the services."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from devices.services import lifecycle, renewal


@shared_task(name="devices.tasks.refresh_inventory_task", time_limit=600)
def refresh_inventory_task() -> dict[str, Any]:
    """Queue the inventory refresh of the devices whose slot came up since the last run."""
    run = lifecycle.refresh_inventory()
    return {"start": run.start.isoformat(), "end": run.end.isoformat(), "queued": run.queued}


@shared_task(name="devices.tasks.purge_ended_enrollments_task", time_limit=600)
def purge_ended_enrollments_task() -> dict[str, int]:
    """Delete what is left of User Enrollments that ended longer ago than the retention."""
    run = lifecycle.purge_ended_user_enrollments()
    return {"enrollments": run.enrollments, "events": run.events, "apps": run.apps}


@shared_task(name="devices.tasks.renew_identities_task", time_limit=600)
def renew_identities_task() -> dict[str, int]:
    """Queue the renewal of the identity certificates that are due (a bounded batch per run)."""
    run = renewal.renew_identities()
    return {"requested": len(run.requested), "failed": len(run.failed)}
