"""The device lifecycle: inventory refreshed on a schedule (what is asked: `inventory_queue`),
devices probably gone, and the purge of ended User Enrollments after the administrator's retention.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from devices import lifecycle, signals
from devices.models import (
    Device,
    DeviceEvent,
    Enrollment,
    InstalledApplication,
    LifecycleSettings,
    QueuedCommand,
)
from devices.services.checkin import unenroll
from devices.services.common import Actor
from devices.services.inventory_queue import REFRESH_ORIGIN, queue_inventory
from mdm_server import audit
from mdm_server.models import AuditEvent

logger = logging.getLogger(__name__)

PURGED = "purged enrollment"
SETTINGS_FIELDS = (
    "inventory_refresh_hours",
    "gone_after_days",
    "retention_days",
    "renewal_window_days",
    "server_certificate_warning_days",
)


def save_settings(*, values: dict[str, int], actor: Actor) -> LifecycleSettings:
    """The administrator changes the lifecycle settings (audited with old and new values)."""
    with transaction.atomic():
        config = LifecycleSettings.objects.select_for_update().get_or_create(pk=1)[0]
        changes = {}
        for name in SETTINGS_FIELDS:
            if name in values and getattr(config, name) != values[name]:
                changes[name] = [getattr(config, name), values[name]]
                setattr(config, name, values[name])
        config.save()
        audit.record(
            actor=actor, action="devices.lifecycle_settings_saved", target=config, details=changes
        )
    return config


# --- scheduled refresh -----------------------------------------------------------------------


def refresh_due(
    *, start: dt.datetime, end: dt.datetime, period: dt.timedelta
) -> QuerySet[Enrollment]:
    """Enrolled device channels whose refresh slot falls in [start, end), whose inventory is
    older than half the period (a device that answered at its last slot is due again, one
    enrolled a few hours ago is not) and which have no inventory refresh still pending."""
    ranges = lifecycle.slot_ranges(start, end, period)
    if not ranges:
        return Enrollment.objects.none()
    in_window = Q()
    for low, high in ranges:
        in_window |= Q(refresh_slot__gte=low, refresh_slot__lt=high)
    pending = QueuedCommand.objects.filter(
        enrollment=OuterRef("pk"),
        status__in=QueuedCommand.PENDING,
        command__origin=REFRESH_ORIGIN,
        command__request_type="DeviceInformation",
    )
    return (
        Enrollment.objects.filter(
            in_window,
            status=Enrollment.Status.ENROLLED,
            parent__isnull=True,
        )
        .filter(Q(device__inventory_at__isnull=True) | Q(device__inventory_at__lt=end - period / 2))
        .exclude(device__platform="")
        .exclude(Exists(pending))
        .order_by()
    )


# Ids per enqueue: below the parameter limit of every database backend (SQLite's is 32,766).
REFRESH_CHUNK = 20_000


@dataclass
class RefreshRun:
    start: dt.datetime
    end: dt.datetime
    queued: int = 0
    ranges: list[tuple[int, int]] = field(default_factory=list)


@transaction.atomic
def refresh_inventory(*, now: dt.datetime | None = None) -> RefreshRun:
    """One run of the scheduled refresh: the window from where the last run stopped (at most
    one period back) to now. Runs of Celery beat every few minutes spread the fleet over the
    period; a missed run is caught up by the next."""
    now = now or timezone.now()
    config = LifecycleSettings.objects.select_for_update().get_or_create(pk=1)[0]
    period = dt.timedelta(hours=config.inventory_refresh_hours)
    start = config.refreshed_through or now - dt.timedelta(minutes=15)
    start = max(start, now - period)
    run = RefreshRun(start=start, end=now, ranges=lifecycle.slot_ranges(start, now, period))
    if run.ranges:
        # The due devices are read once: each enqueue below would otherwise select them again,
        # and after the first one (DeviceInformation) they have a refresh pending and would no
        # longer be due. A run covers a slice of the period, so the ids are a slice of the fleet.
        due = list(refresh_due(start=start, end=now, period=period).values_list("id", flat=True))
        for first in range(0, len(due), REFRESH_CHUNK):
            run.queued += queue_inventory(
                Enrollment.objects.filter(id__in=due[first : first + REFRESH_CHUNK]),
                REFRESH_ORIGIN,
            )
    config.refreshed_through = now
    config.save(update_fields=["refreshed_through", "updated_at"])
    return run


# --- probably gone ---------------------------------------------------------------------------


def probably_gone_q(*, days: int, now: dt.datetime | None = None) -> Q:
    """An enrolled device that will probably never come back: APNs said its push token is gone
    (410, or BadDeviceToken) or it has been silent for `days` days. Such a device removed
    management while offline and never sent CheckOut."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return Q(status=Enrollment.Status.ENROLLED) & (
        Q(push_token_dead=True) | Q(last_seen_at__lt=cutoff)
    )


def gone_reason(enrollment: Enrollment, *, days: int, now: dt.datetime | None = None) -> str:
    """Why the console lists this device as probably gone ("" when it is not)."""
    if enrollment.status != Enrollment.Status.ENROLLED:
        return ""
    if enrollment.push_token_dead:
        return f"APNs says its push token is gone ({enrollment.push_token_dead_reason or 'dead'})"
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    if enrollment.last_seen_at is not None and enrollment.last_seen_at < cutoff:
        return f"not seen for more than {days} days"
    return ""


def retire(*, enrollment: Enrollment, actor: Actor = None) -> bool:
    """An administrator retires a device that is probably gone: it is unenrolled as if it had
    checked out (certificate and sessions revoked, queue dropped, no more pushes)."""
    config = LifecycleSettings.load()
    reason = gone_reason(enrollment, days=config.gone_after_days) or "retired"
    return unenroll(enrollment=enrollment, reason=f"retired: {reason}", actor=actor)


# --- retention -------------------------------------------------------------------------------


@dataclass
class PurgeRun:
    enrollments: int = 0
    events: int = 0
    apps: int = 0


@transaction.atomic
def purge_ended_user_enrollments(*, now: dt.datetime | None = None) -> PurgeRun:
    """Delete what is left of User Enrollments that ended more than the retention ago: the
    channel rows and their Device (the Managed Apple ID and person link), their user channels, managed-app,
    profile and certificate inventory, queue and device log. Admin actions stay in the audit
    log, with the device's name replaced (it is often the person's). Apps above are told first
    (`signals.enrollments_purging`), in this transaction, to drop what they hold of them."""
    now = now or timezone.now()
    config = LifecycleSettings.load()
    cutoff = now - dt.timedelta(days=config.retention_days)
    ended = list(
        Enrollment.objects.filter(
            enrollment_type=Enrollment.Type.USER,
            status=Enrollment.Status.UNENROLLED,
            parent__isnull=True,
            unenrolled_at__lt=cutoff,
        ).values_list("pk", "enrollment_reference")
    )
    run = PurgeRun()
    if not ended:
        return run
    ids = [pk for pk, _ in ended]
    channels = list(
        Enrollment.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids)).values_list("pk", flat=True)
    )
    signals.enrollments_purging.send(
        sender=Enrollment,
        enrollment_ids=channels,
        references=[ref for _, ref in ended if ref],
    )
    run.events = DeviceEvent.objects.filter(enrollment_id__in=channels).delete()[0]
    run.apps = InstalledApplication.objects.filter(enrollment_id__in=channels).delete()[0]
    AuditEvent.objects.filter(
        target_type=Enrollment._meta.label, target_id__in=[str(pk) for pk in channels]
    ).update(target_repr=PURGED)
    # The Device (model, inventory, the person) goes too, and with it (on_delete=CASCADE) its
    # channels and the rest of their rows: a personal device leaves no trace.
    Device.objects.filter(channels__pk__in=ids).delete()
    run.enrollments = len(ids)
    logger.info(
        "purged %d ended User Enrollments (retention %d days)", len(ids), config.retention_days
    )
    return run
