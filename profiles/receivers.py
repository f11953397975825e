"""Signal receivers: the devices app tells us about enrollments and results; services do the work."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from devices.models import Enrollment, QueuedCommand

if TYPE_CHECKING:
    from devices.services.queue import CommandRequest

logger = logging.getLogger(__name__)


class _Clearing(threading.local):
    """The users of a group membership being cleared, from its `pre_clear` to its `post_clear`
    (Django sends both in the same thread, around the DELETE), by (model, primary key)."""

    users: dict[tuple[type, Any], list[int]]

    def __init__(self) -> None:
        self.users = {}


_clearing = _Clearing()


def first_commands(enrollment: Enrollment) -> list[CommandRequest] | None:
    """A new channel gets the profiles assigned to it with its first commands (inventory), in
    the TokenUpdate's transaction: one enqueue, one push (`devices.hooks.set_first_commands`).
    This replaces installing them after commit (`enrollment_completed`), which decided and
    enqueued profile by profile; `services.first_commands` says why nothing else is needed."""
    from profiles import services

    return services.first_commands(enrollment=enrollment) or None


def on_enrollment_checked_out(sender: Any, enrollment: Enrollment, **kwargs: Any) -> None:
    """An unenrolled device keeps none of our profiles: say so in the status table."""
    from profiles import services

    try:
        services.record_checkout(enrollment=enrollment)
    except Exception:
        logger.exception("recording the check-out of enrollment %s failed", enrollment.pk)


def on_enrollment_ended(
    sender: Any, enrollment: Enrollment, replaced_by: Enrollment | None = None, **kwargs: Any
) -> None:
    """A device replaced by the person's new one: its own profile assignments move with them."""
    from profiles import services

    if replaced_by is not None:
        services.carry_over_assignments(old=enrollment, new=replaced_by)


def on_command_result(sender: Any, delivery: QueuedCommand, **kwargs: Any) -> None:
    """Per-device profile status from InstallProfile / RemoveProfile / ProfileList results."""
    from profiles import services

    try:
        services.record_command_result(delivery=delivery)
    except Exception:
        logger.exception("recording profile status for command %s failed", delivery.pk)


def on_group_membership_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """DirectoryUser.groups changed (either side): sync the users' enrollments after commit.

    Django's own m2m signal keeps the directory app free of any reference to profiles.
    """
    from django.db import transaction

    from profiles import services

    if action == "pre_clear":
        # After a clear the affected users are no longer known: remember them now.
        _clearing.users[(type(instance), instance.pk)] = (
            list(instance.members.values_list("pk", flat=True)) if reverse else [instance.pk]
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        users = _clearing.users.pop((type(instance), instance.pk), [])
    else:
        users = list(pk_set or ()) if reverse else [instance.pk]

    def run() -> None:
        try:
            services.sync_directory_users(user_ids=users)
        except Exception:
            logger.exception("syncing profiles after a group change failed for users %s", users)

    transaction.on_commit(run)
