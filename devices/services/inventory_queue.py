"""What a device is asked for its inventory, at enrollment and on the refresh schedule.

The commands go through the normal queue (`enqueue_commands`, all five at once) and so through the capability
filter: a User Enrollment is asked only what Apple allows it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from devices.models import Enrollment
from devices.services.queue import CommandRequest, enqueue_commands

INVENTORY_ORIGIN = "inventory"
REFRESH_ORIGIN = "inventory refresh"
# DeviceInformation goes before anything else queued with it: a Device Enrollment's supervision
# is then known before the Mac sends SetBootstrapToken or gets commands that need it.
DEVICE_INFORMATION_PRIORITY = 60


def inventory_commands(*, user_enrollment: bool) -> list[tuple[str, dict[str, Any]]]:
    """What a device is asked for its inventory. DeviceInformation without `Queries` asks what
    the capability filter allows for that device (for a User Enrollment: never a hardware
    identifier); a User Enrollment lists only the apps the organisation manages."""
    apps: dict[str, Any] = {"ManagedAppsOnly": True} if user_enrollment else {}
    return [
        ("DeviceInformation", {}),
        ("SecurityInfo", {}),
        ("ProfileList", {}),
        ("CertificateList", {}),
        ("InstalledApplicationList", apps),
    ]


def queue_inventory(enrollments: QuerySet[Enrollment] | list[Enrollment], origin: str) -> int:
    """Queue the inventory commands for these device channels; User Enrollments and the others
    each get their set. The enqueue service applies the capability filter. Queued count."""
    queued: set[int] = set()
    if isinstance(enrollments, list):
        groups = [
            [e for e in enrollments if e.is_user_enrollment],
            [e for e in enrollments if not e.is_user_enrollment],
        ]
    else:
        kind = Q(enrollment_type=Enrollment.Type.USER)
        # Instances, not a QuerySet: a run's slice is small, and each enqueue then writes by id
        # instead of selecting the slice again.
        # With their Device: the capability filter classes each by its platform and OS.
        rows = enrollments.select_related("device")
        groups = [list(rows.filter(kind)), list(rows.filter(~kind))]
    for user_enrollment, members in zip((True, False), groups, strict=True):
        if not members:
            continue
        # One multi-command enqueue: the five commands are written together, pushed once.
        results = enqueue_commands(
            enrollments=members,
            requests=[
                CommandRequest(
                    request_type,
                    payload,
                    DEVICE_INFORMATION_PRIORITY if request_type == "DeviceInformation" else None,
                )
                for request_type, payload in inventory_commands(user_enrollment=user_enrollment)
            ],
            origin=origin,
        )
        for result in results:
            queued.update(result.queued)
    return len(queued)


def queue_initial_inventory(*, enrollment: Enrollment) -> int:
    """Enrollment completed (the device channel's first TokenUpdate): ask the device for its
    inventory. User channels are not asked: what they may tell is known through their device.
    Runs inside the caller's transaction, so the TokenUpdate and its inventory commit together."""
    if enrollment.parent_id is not None or not enrollment.device.platform:
        return 0
    return queue_inventory([enrollment], INVENTORY_ORIGIN)
