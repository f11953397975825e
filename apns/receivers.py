"""Receivers for the devices app's signals (connected in ApnsConfig.ready)."""

from __future__ import annotations

import logging
from typing import Any

from apns import services

logger = logging.getLogger(__name__)


def push_after_enqueue(
    sender: Any, *, command: Any = None, enrollment_ids: Any = (), **_: Any
) -> None:
    """Commands were queued (after commit): wake those enrollments with one push each."""
    origin = f"command: {getattr(command, 'request_type', '')}".strip()
    try:
        services.schedule_pushes(enrollment_ids=list(enrollment_ids or ()), origin=origin)
    except Exception:
        # The commands are stored either way; the periodic re-push catches up. Never break the
        # caller (a console request or a check-in) because a push could not be scheduled.
        logger.exception("could not schedule pushes for %s", origin)
