"""Celery entry points for profiles: thin shells over `profiles.services`."""

from __future__ import annotations

import logging

from celery import shared_task

from devices.models import Enrollment
from profiles import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def sync_enrolled(enrollment_id: int) -> int:
    """Install what the assignments give a newly enrolled channel; the number of installs queued.

    Run by a worker, not in the device's TokenUpdate: queueing signs each profile for the device.
    """
    enrollment = Enrollment.objects.filter(pk=enrollment_id).first()
    if enrollment is None:  # deleted before the worker got to it
        return 0
    try:
        outcomes = services.sync_enrollment(enrollment=enrollment, origin="enrollment completed")
    except Exception:
        # Nothing to retry automatically: the admin can re-run the assignment.
        logger.exception("installing assigned profiles on enrollment %s failed", enrollment_id)
        return 0
    return len(outcomes)
