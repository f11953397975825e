"""Notifications the devices app sends to apps above it (profiles, enrollment) without importing them.

Receivers are connected in those apps' AppConfig.ready(). Every signal is sent after commit.
"""

from django.dispatch import Signal

# sender=Enrollment, enrollment=<Enrollment>: the first TokenUpdate of a channel (now enrolled).
enrollment_completed = Signal()
# sender=Enrollment, enrollment=<Enrollment>: CheckOut received (or unenroll acknowledged).
enrollment_checked_out = Signal()
# sender=QueuedCommand, delivery=<QueuedCommand>, report=<protocol.CommandReport>: a result arrived.
command_result = Signal()
# sender=Command, command=<Command>, enrollment_ids=list[int]: commands were queued (after commit);
# the APNs app pushes the enrollments that can be pushed, once each.
commands_enqueued = Signal()
