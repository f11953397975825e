"""Notifications the devices app sends to apps above it (profiles, enrollment) without importing them.

Receivers are connected in those apps' AppConfig.ready(). Every signal is sent after commit,
except `commands_enqueued`, `enrollment_ended` and `enrollments_purging`, sent inside the
transaction that makes the change.
"""

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
# sender=QueuedCommand, delivery=<QueuedCommand>, report=<protocol.CommandReport>: a result arrived.
command_result = Signal()
# sender=Command, command=<Command>, enrollment_ids=<flat values_list QuerySet of enrollment ids>:
# commands are being queued (sent inside the enqueue's transaction): the APNs app writes their
# push into its outbox in the same transaction (INSERT ... SELECT with the ids as a subquery), so a
# queued command never goes without its push.
commands_enqueued = Signal()
# sender=Enrollment, enrollment_ids=list[int], references=list[str]: these ended User Enrollments
# (device and user channels; `references` their enrollment sessions) are about to be deleted
# after the retention period (sent inside the purge's transaction): drop what you keep of them.
enrollments_purging = Signal()
