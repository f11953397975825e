"""Notifications the devices app sends to apps above it (profiles, enrollment) without importing them.

Receivers are connected in those apps' AppConfig.ready(). Every signal is sent after commit,
except `commands_enqueued`, `enrollment_ended` and `enrollments_purging`, sent inside the
transaction that makes the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.dispatch import Signal

# sender=Enrollment, enrollment=<Enrollment>: the first TokenUpdate of a channel (now enrolled).
enrollment_completed = Signal()
# sender=Enrollment, enrollment=<Enrollment>: CheckOut received (or unenroll acknowledged).
enrollment_checked_out = Signal()
# THE extension point for "this enrollment is over", whatever ended it: CheckOut, a server-side
# unenroll (console, `manage.py unenroll_device`, an acknowledged Unenroll, Retire), an
# account-driven session revoked by an administrator, or the person's new device replacing it.
# sender=Enrollment, enrollment=<Enrollment> (the channel that ended: a device channel, or a user
# channel that checked out alone), channel_ids=list[int] (it and its user channels), reason=str,
# replaced_by=<Enrollment> | None (the person's new device channel that replaces it: carry the
# old one's assignments over to it). Sent INSIDE the transaction that ends it, once per ending:
# release licences and declarations there (the unenrollment commits with what receivers write;
# an exception undoes it) and leave calls to outside services to `transaction.on_commit`.
enrollment_ended = Signal()
# sender=Command, command=<Command>, enrollment_ids=<flat values_list QuerySet of enrollment ids>:
# commands are being queued (sent inside the enqueue's transaction): the APNs app writes their
# push into its outbox in the same transaction (INSERT ... SELECT with the ids as a subquery), so a
# queued command never goes without its push.
commands_enqueued = Signal()
# sender=Enrollment, enrollment_ids=list[int], references=list[str]: these ended User Enrollments
# (device and user channels; `references` their enrollment sessions) are about to be deleted
# after the retention period (sent inside the purge's transaction): drop what you keep of them.
enrollments_purging = Signal()


class ResultSignal:
    """A stored command result, to the receivers that follow its request type.

    As a Django `Signal`, with each receiver connected for the request types it follows: most
    results (inventory answers such as SecurityInfo) have none, and are then not announced at
    all instead of going to every receiver to be turned down (about 0.04 ms of a round trip's
    CPU, `devices.services.connect._announce`)."""

    def __init__(self) -> None:
        # request type -> {dispatch_uid: receiver}, in the order connected.
        self._by_type: dict[str, dict[str, Callable[..., Any]]] = {}

    def connect(
        self, receiver: Callable[..., Any], *, request_types: Iterable[str], dispatch_uid: str
    ) -> None:
        """Call `receiver(sender=QueuedCommand, delivery=..., report=...)` for each stored result
        of these request types; a `dispatch_uid` already connected for a type is left as it is,
        as Django's `Signal.connect` leaves it."""
        for request_type in request_types:
            self._by_type.setdefault(request_type, {}).setdefault(dispatch_uid, receiver)

    def disconnect(self, *, dispatch_uid: str) -> None:
        for receivers in self._by_type.values():
            receivers.pop(dispatch_uid, None)

    def receivers(self, request_type: str) -> list[Callable[..., Any]]:
        found = self._by_type.get(request_type)
        return list(found.values()) if found else []

    def send(self, *, sender: type, delivery: Any, report: Any) -> None:
        """Each receiver of the delivery's request type, in order (an exception propagates)."""
        for receiver in self.receivers(delivery.command.request_type):
            receiver(sender=sender, delivery=delivery, report=report)


# sender=QueuedCommand, delivery=<QueuedCommand>, report=<protocol.CommandReport>: a result of a
# request type its receiver follows was stored (sent after commit).
command_result = ResultSignal()
