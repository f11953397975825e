"""Every write of the devices app: check-in handling, the command queue, results, inventory.

Split by concern: `checkin` (check-in messages), `queue` (enqueue and cancel), `connect` (the
command channel), `common` (targets, the device log, replies), `owner` (what a device's
owner does on the privacy page), `pin` (the identity pin of a channel, and a renewed identity
taking it over), `renewal` (identity renewal and the CA rollover) and `lifecycle`.
"""

from devices.services.checkin import handle_checkin, unenroll
from devices.services.common import (
    EMPTY,
    KNOWN_TOKEN_SERVICES,
    LAST_SEEN_RESOLUTION,
    MAX_DROPS_PER_REQUEST,
    Reply,
    ends_enrollment_filter,
    target_for,
)
from devices.services.connect import find_for_connect, handle_report, serve_report
from devices.services.owner import OwnerActionRefused, remove_management
from devices.services.queue import EnqueueResult, cancel_queued_command, enqueue_command

__all__ = [
    "EMPTY",
    "KNOWN_TOKEN_SERVICES",
    "LAST_SEEN_RESOLUTION",
    "MAX_DROPS_PER_REQUEST",
    "EnqueueResult",
    "OwnerActionRefused",
    "Reply",
    "cancel_queued_command",
    "ends_enrollment_filter",
    "enqueue_command",
    "find_for_connect",
    "handle_checkin",
    "handle_report",
    "remove_management",
    "serve_report",
    "target_for",
    "unenroll",
]
