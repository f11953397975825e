"""Identity renewal writes: queue the renewal of identities that are due, adopt a renewed
identity when the device first uses it, and the CA rollover seen from the devices' side.

The decisions are in `devices.renewal` (when and how) and `devices.binding` (which certificate
may take over which channel); the renewal profile is built by the enrollment app (a hook).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from devices import hooks, renewal
from devices.identity import forget_cached_state
from devices.models import DeviceEvent, Enrollment, LifecycleSettings, QueuedCommand
from devices.services.common import Actor, _log
from devices.services.queue import enqueue_command
from mdm_server import audit, clock
from mdm_server.pki import services as pki
from mdm_server.pki.models import ServerCertificate

logger = logging.getLogger(__name__)


def active_ca_since() -> dt.datetime | None:
    """The start of the active CA generation's validity: a device identity issued before it
    comes from an older generation (None while there is only one generation)."""
    rows = list(
        ServerCertificate.objects.filter(kind=ServerCertificate.Kind.CA).order_by("-generation")[:2]
    )
    active = next((row for row in rows if row.is_active), None)
    if active is None or len(rows) < 2:
        return None
    return active.certificate.not_valid_before_utc


def renewal_due(*, now: dt.datetime, window: dt.timedelta) -> QuerySet[Enrollment]:
    """Enrolled device channels whose identity is due for renewal (devices.renewal.is_due, in
    SQL), soonest expiry first."""
    # One plain comparison per stagger bucket (portable: no interval arithmetic in SQL).
    due = Q()
    for bucket in range(renewal.STAGGER_STEPS):
        low, high = renewal.bucket_slots(bucket)
        latest = now + window - renewal.stagger(window, bucket)
        due |= Q(refresh_slot__gte=low, refresh_slot__lt=high, identity_not_after__lte=latest)
    since = active_ca_since()
    if since is not None:
        due |= Q(identity_not_before__lt=since)
    return (
        Enrollment.objects.filter(
            status=Enrollment.Status.ENROLLED,
            parent__isnull=True,
            identity_not_after__isnull=False,
        )
        .exclude(renewal_status=renewal.Status.UNSUPPORTED)
        .filter(
            Q(renewal_requested_at__isnull=True)
            | Q(renewal_requested_at__lte=now - renewal.RETRY_AFTER)
        )
        .filter(due)
        .select_related("device")
        .order_by("identity_not_after", "pk")
    )


@dataclass
class RenewalRun:
    requested: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def renew_identities(*, now: dt.datetime | None = None, limit: int = renewal.BATCH) -> RenewalRun:
    """The scheduled run: queue the renewal of at most `limit` due identities."""
    moment = now or clock.now()
    window = dt.timedelta(days=LifecycleSettings.load().renewal_window_days)
    run = RenewalRun()
    for enrollment in list(renewal_due(now=moment, window=window)[:limit]):
        reason = request_renewal(enrollment=enrollment, now=moment)
        if reason:
            run.failed[enrollment.pk] = reason
        else:
            run.requested.append(enrollment.pk)
    if run.requested or run.failed:
        logger.info("identity renewal: %d queued, %d failed", len(run.requested), len(run.failed))
    return run


def _save_state(enrollment: Enrollment, *fields_: str) -> None:
    enrollment.save(
        update_fields=[
            "renewal_status",
            "renewal_requested_at",
            "renewal_command_uuid",
            "renewal_detail",
            *fields_,
        ]
    )


@transaction.atomic
def request_renewal(
    *, enrollment: Enrollment, now: dt.datetime | None = None, actor: Actor = None
) -> str:
    """Queue the renewal of one device channel's identity (InstallProfile of its updated
    enrollment profile); "" when queued, else why not (also stored as its renewal state)."""
    moment = now or clock.now()
    device = Enrollment.objects.select_for_update().get(pk=enrollment.parent_id or enrollment.pk)
    if device.status != Enrollment.Status.ENROLLED:
        return "the device is not enrolled"
    issued = (
        pki.find_issued_certificate(device.cert_fingerprint) if device.cert_fingerprint else None
    )
    decision = renewal.path_for(
        enrollment_type=device.enrollment_type,
        platform=device.device.platform,
        has_identity_record=issued is not None,
    )
    if decision.path == renewal.Path.NONE:
        device.renewal_status = renewal.Status.UNSUPPORTED
        device.renewal_detail = decision.reason[:255]
        _save_state(device)
        return decision.reason
    _cancel_previous(device)
    try:
        profile = hooks.build_renewal_profile(device)
    except hooks.RenewalUnavailable as exc:
        return _failed(device, moment, str(exc))
    result = enqueue_command(
        enrollments=[device],
        request_type="InstallProfile",
        payload={"Payload": profile},
        origin=renewal.ORIGIN,
        actor=actor,
    )
    if not result.commands:
        return _failed(device, moment, next(iter(result.refused.values()), "refused"))
    device.renewal_status = renewal.Status.REQUESTED
    device.renewal_requested_at = moment
    device.renewal_command_uuid = result.commands[0].uuid
    device.renewal_detail = ""
    _save_state(device)
    if actor is not None:
        audit.record(actor=actor, action="devices.identity_renewal_requested", target=device)
    return ""


def _failed(device: Enrollment, moment: dt.datetime, reason: str) -> str:
    device.renewal_status = renewal.Status.FAILED
    device.renewal_requested_at = moment  # asked again after RETRY_AFTER
    device.renewal_detail = reason[:255]
    _save_state(device)
    _log(
        device, DeviceEvent.Kind.ENROLLMENT, "IdentityRenewal", "failed", detail={"reason": reason}
    )
    return reason


def _cancel_previous(device: Enrollment) -> None:
    """A renewal asked again replaces the one still queued (its challenge is of no more use)."""
    if device.renewal_command_uuid:
        QueuedCommand.objects.filter(
            enrollment=device,
            command__uuid=device.renewal_command_uuid,
            status__in=QueuedCommand.PENDING,
        ).update(
            status=QueuedCommand.Status.CANCELED,
            status_reason="replaced by a newer identity renewal",
            completed_at=timezone.now(),
        )


# --- CA rollover ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    generation: int
    is_active: bool
    retired: bool
    not_after: dt.datetime
    devices: int  # enrolled device channels whose identity comes from this generation


def ca_generations() -> list[Generation]:
    """Every CA generation, with how many enrolled devices still hold an identity it issued."""
    rows = list(
        ServerCertificate.objects.filter(kind=ServerCertificate.Kind.CA).order_by("generation")
    )
    starts = [row.certificate.not_valid_before_utc for row in rows]
    enrolled = Enrollment.objects.filter(parent__isnull=True).exclude(
        status=Enrollment.Status.UNENROLLED
    )
    out = []
    for index, row in enumerate(rows):
        held = enrolled.filter(identity_not_before__gte=starts[index])
        if index + 1 < len(rows):
            held = held.filter(identity_not_before__lt=starts[index + 1])
        out.append(
            Generation(
                generation=row.generation,
                is_active=row.is_active,
                retired=row.retired_at is not None,
                not_after=row.not_after,
                devices=held.count(),
            )
        )
    return out


def devices_on_older_generations() -> int:
    """How many enrolled device channels still hold an identity of a CA generation older than
    the active one (no count at all while there is a single generation)."""
    since = active_ca_since()
    if since is None:
        return 0
    return (
        Enrollment.objects.filter(parent__isnull=True, identity_not_before__lt=since)
        .exclude(status=Enrollment.Status.UNENROLLED)
        .count()
    )


class RolloverRefused(Exception):
    """A CA generation cannot be retired yet (the message says why)."""


def rollover_ca(*, actor: Actor = None) -> pki.Rollover:
    """A new CA generation (and profile-signing certificate): devices keep working with their
    current identities and are renewed from the new generation by the scheduled renewal."""
    done = pki.rollover_ca()
    forget_cached_state()
    audit.record(
        actor=actor,
        action="pki.ca_rolled_over",
        target=done.ca,
        details={"previous": done.previous.generation, "generation": done.ca.generation},
    )
    return done


def retire_ca(*, generation: int, force: bool = False, actor: Actor = None) -> ServerCertificate:
    """Stop trusting an old CA generation, once no enrolled device holds one of its identities
    (`force`: even so; those devices are then refused until they enroll again)."""
    held = next((g.devices for g in ca_generations() if g.generation == generation), 0)
    if held and not force:
        raise RolloverRefused(
            f"{held} enrolled device(s) still hold an identity of CA generation {generation}: "
            "wait for their renewal (or retire with --force, and they must enroll again)"
        )
    row = pki.retire_ca_generation(generation=generation)
    forget_cached_state()
    audit.record(
        actor=actor,
        action="pki.ca_retired",
        target=row,
        details={"generation": generation, "devices_left": held},
    )
    return row


# The results `note_renewal_result` reads (a renewal is an InstallProfile).
RESULT_TYPES = ("InstallProfile",)


def note_renewal_result(delivery: QueuedCommand, report: Any) -> None:
    """The device answered a renewal's InstallProfile with an error: its renewal failed (asked
    again after RETRY_AFTER), with the device's reason on its page."""
    command = delivery.command
    # request_type and the error come with the result; origin is read only for failed installs.
    if command.request_type not in RESULT_TYPES or not report.error_chain:
        return
    if command.origin != renewal.ORIGIN:
        return
    first = report.error_chain[0] if isinstance(report.error_chain[0], dict) else {}
    reason = str(first.get("LocalizedDescription") or first.get("USEnglishDescription") or "error")
    Enrollment.objects.filter(pk=delivery.enrollment_id, renewal_command_uuid=command.uuid).update(
        renewal_status=renewal.Status.FAILED,
        renewal_detail=f"the device answered: {reason}"[:255],
    )
