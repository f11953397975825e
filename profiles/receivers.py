"""Signal receivers: the devices app tells us about enrollments and results; services do the work."""

from __future__ import annotations

import logging
from typing import Any

from devices.models import Enrollment, QueuedCommand

logger = logging.getLogger(__name__)


def on_enrollment_completed(sender: Any, enrollment: Enrollment, **kwargs: Any) -> None:
    """Install the profiles assigned to a channel as soon as it is enrolled."""
    from profiles import services

    try:
        services.sync_enrollment(enrollment=enrollment, origin="enrollment completed")
    except Exception:
        # Sent after the device's own transaction committed: a failure here must not turn the
        # device's TokenUpdate into an error; the admin can re-run the assignment.
        logger.exception("installing assigned profiles on enrollment %s failed", enrollment.pk)


def on_command_result(sender: Any, delivery: QueuedCommand, **kwargs: Any) -> None:
    """Per-device profile status from InstallProfile / RemoveProfile / ProfileList results."""
    from profiles import services

    try:
        services.record_command_result(delivery=delivery)
    except Exception:
        logger.exception("recording profile status for command %s failed", delivery.pk)
