"""Receivers for the devices app's signals (connected in ApnsConfig.ready)."""

from __future__ import annotations

from typing import Any

from apns import services


def push_after_enqueue(
    sender: Any, *, command: Any = None, enrollment_ids: Any = (), pushed: Any = (), **_: Any
) -> None:
    """Commands are being queued: put those enrollments in the push outbox, in the same
    transaction, so the commands and their push are stored together or not at all. Those
    `pushed` were already decided by the statement that queued the commands
    (`services.first_push`)."""
    if pushed:
        enrollment_ids = [pk for pk in enrollment_ids if pk not in pushed]
        if not enrollment_ids:
            return
    origin = f"command: {getattr(command, 'request_type', '')}".strip()
    services.schedule_pushes(enrollment_ids=enrollment_ids, origin=origin)
