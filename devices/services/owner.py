"""Writes a device's owner makes from the privacy page: removing management from their own
personal device. The person is not a console user; they are named in the logs as they signed in.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from devices.models import DeviceEvent, Enrollment, QueuedCommand
from devices.services.checkin import unenroll
from devices.services.common import _log, ends_enrollment_filter
from devices.services.queue import enqueue_command
from mdm_server import audit

CORPORATE_DEVICE = (
    "This device belongs to your organisation (it is not a User Enrollment): "
    "contact your IT department to remove it."
)
NOT_YOURS = "This device is not enrolled under your account, or it is no longer enrolled."


class OwnerActionRefused(Exception):
    """The person may not do this; `status` is the HTTP status, `message` what they are told."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _owned_device(directory_user_id: int, public_id: str) -> Enrollment:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise OwnerActionRefused(404, NOT_YOURS) from None
    device = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(public_id=key, parent__isnull=True, device__directory_user_id=directory_user_id)
        .exclude(status=Enrollment.Status.UNENROLLED)
        .first()
    )
    if device is None:
        raise OwnerActionRefused(404, NOT_YOURS)
    return device


@transaction.atomic
def remove_management(
    *, directory_user_id: int, public_id: str, person: str, at_once: bool = False
) -> str:
    """The owner of a personal device (a User Enrollment) removes management from it.

    An enrolled device gets the Unenroll command (RemoveProfile of the enrollment profile,
    pushed now) and nothing else: every other command still waiting for it is dropped. When the
    device acknowledges it, the enrollment ends (`unenroll`). A device that never finished
    enrolling cannot take commands, so its enrollment ends at once; so does one whose owner says
    it is gone or erased (`at_once`: it will never answer). Logged in the device log and
    the audit log with the person as actor. Returns "queued", "ended" or "already requested".
    Raises OwnerActionRefused for another person's device or a corporate one.
    """
    device = _owned_device(directory_user_id, public_id)
    if not device.is_user_enrollment:
        raise OwnerActionRefused(403, CORPORATE_DEVICE)
    reason = f"its owner removed management on the privacy page ({person})"
    if at_once or device.status != Enrollment.Status.ENROLLED or not device.device.platform:
        unenroll(enrollment=device, reason=reason)
        audit.record(
            actor=None,
            actor_name=person,
            action="devices.owner_unenrolled",
            target=device,
            details={"outcome": "ended", "reason": reason},
        )
        return "ended"
    pending = QueuedCommand.objects.filter(
        Q(enrollment=device) | Q(enrollment__parent=device), status__in=QueuedCommand.PENDING
    )
    if pending.filter(ends_enrollment_filter()).exists():
        return "already requested"
    dropped = pending.update(
        status=QueuedCommand.Status.CANCELED, status_reason=reason, completed_at=timezone.now()
    )
    result = enqueue_command(
        enrollments=[device], request_type="Unenroll", origin=f"privacy page: {person}"
    )
    if result.command is None:  # refused: say why; raising rolls back the dropped commands
        raise OwnerActionRefused(409, result.refused.get(device.pk, "Unenroll was refused"))
    _log(
        device,
        DeviceEvent.Kind.ENROLLMENT,
        "Unenroll requested",
        "queued",
        command_uuid=result.command.uuid,
        detail={"by": person, "reason": reason, "dropped_commands": dropped},
    )
    audit.record(
        actor=None,
        actor_name=person,
        action="devices.owner_unenrolled",
        target=device,
        details={"outcome": "queued", "command": result.command.uuid, "reason": reason},
    )
    return "queued"
