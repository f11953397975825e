"""Notifications the devices app sends to apps above it (profiles, enrollment) without importing them.

Receivers are connected in those apps' AppConfig.ready(). Every signal is sent after commit,
except `commands_enqueued`, sent inside the transaction that queues the commands.
"""

from django.dispatch import Signal

# sender=Enrollment, enrollment=<Enrollment>: the first TokenUpdate of a channel (now enrolled).
enrollment_completed = Signal()
# sender=Enrollment, enrollment=<Enrollment>: CheckOut received (or unenroll acknowledged).
enrollment_checked_out = Signal()
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
