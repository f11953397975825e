"""Shared pieces of the devices services: targets, the device log, replies, lookups."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from devices import capabilities, commands, hotpath, protocol
from devices.models import DeviceEvent, Enrollment, QueuedCommand

Actor = AbstractBaseUser | AnonymousUser | None

# How often a connect poll may update last_seen_at: an Idle poll is then a read-only request.
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)
# At most this many commands are dropped by the delivery-time filter in one request.
MAX_DROPS_PER_REQUEST = 20
KNOWN_TOKEN_SERVICES = ("com.apple.maid", "com.apple.watch.pairing")


# --- targets -----------------------------------------------------------------------------------


def target_for(enrollment: Enrollment) -> capabilities.Target | None:
    """The capability-filter target of an enrollment; None while its platform is unknown."""
    device = enrollment.device
    if not device.platform:
        return None
    return target_from(
        platform=device.platform,
        os_version=device.os_version,
        enrollment_type=enrollment.enrollment_type,
        supervised=device.supervised,
        channel=enrollment.channel,
    )


def target_from(
    *, platform: str, os_version: str, enrollment_type: str, supervised: bool, channel: str
) -> capabilities.Target:
    """The capability-filter target of an enrollment's stored values (platform known)."""
    return _target(platform, os_version, enrollment_type, supervised, channel)


# A Target is frozen and a function of these five values, of which a fleet has a few dozen
# combinations: each is made once (three enum coercions and checks: 10-20 µs inside a request,
# and a round trip asks twice, for the result and for the next command). Bounded for values a
# process has not seen before; a value refused (ValueError) is not kept.
@functools.lru_cache(maxsize=1024)
def _target(
    platform: str, os_version: str, enrollment_type: str, supervised: bool, channel: str
) -> capabilities.Target:
    return capabilities.Target(
        platform=capabilities.Platform(platform),
        os_version=os_version,
        enrollment_type=capabilities.EnrollmentType(enrollment_type),
        supervised=supervised,
        channel=capabilities.Channel(channel),
    )


def _log(
    enrollment: Enrollment,
    kind: str,
    action: str,
    status: str = "",
    *,
    command_uuid: str = "",
    detail: dict[str, Any] | None = None,
) -> DeviceEvent:
    event = _event(enrollment, kind, action, status, detail, command_uuid=command_uuid)
    hotpath.insert_event(event)
    return event


def log_window() -> dt.timedelta:
    """How long a check-in a device may repeat at will is kept to one device log row."""
    return dt.timedelta(minutes=settings.MDM_TOKEN_UPDATE_LOG_MINUTES)


# The rows of one action a device can add within `log_window` before the newest of them is
# rewritten instead (a device alternating between messages stays within this many).
_REPEAT_ROWS = 16


def _log_repeatable(
    enrollment: Enrollment | int,
    kind: str,
    action: str,
    status: str = "",
    *,
    command_uuid: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Log what the device may send again and again at will (a refused TokenUpdate or
    Authenticate, a bootstrap token, a result for a command it was never sent) so that one
    device cannot grow its log without bound, and the action's newest row always tells the
    latest: the same as the channel's newest row of that action and status (within
    `log_window`) is counted there (`repeated`, `last_at`); anything else is a new row, until
    the action has `_REPEAT_ROWS` rows in the window: then the newest is rewritten to say the
    latest, with the count of what it stands for. Off the hot path: two reads more than `_log`
    when it counts, one when it writes a row."""
    # As the row will read it back (tuples become lists): compared with what is stored.
    detail = json.loads(json.dumps(detail or {}))
    enrollment_id = enrollment if isinstance(enrollment, int) else enrollment.pk
    now = timezone.now()
    recent = list(
        DeviceEvent.objects.filter(
            enrollment_id=enrollment_id,
            created_at__gte=now - log_window(),
            kind=kind,
            action=action,
            status=status,
        )
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:_REPEAT_ROWS]
    )
    with transaction.atomic():
        # Locked: two repeats at once count two (the second waits for the first's count).
        newest = (
            DeviceEvent.objects.select_for_update()
            .filter(pk=recent[0])
            .values_list("detail")
            .first()
            if recent
            else None
        )
        stored = newest[0] if newest is not None and isinstance(newest[0], dict) else None
        same = stored is not None and _without_count(stored) == detail
        if stored is None or not (same or len(recent) >= _REPEAT_ROWS):
            DeviceEvent.objects.create(
                enrollment_id=enrollment_id,
                kind=kind,
                action=action,
                status=status,
                command_uuid=command_uuid,
                detail=detail,
            )
            return
        repeated = stored.get("repeated")
        DeviceEvent.objects.filter(pk=recent[0]).update(
            detail={
                **(stored if same else detail),
                "repeated": (repeated if isinstance(repeated, int) else 0) + 1,
                "last_at": now.isoformat(),
            }
        )


def _without_count(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if k not in ("repeated", "last_at")}


def _event(
    enrollment: Enrollment,
    kind: str,
    action: str,
    status: str = "",
    detail: dict[str, Any] | None = None,
    *,
    command_uuid: str = "",
) -> DeviceEvent:
    """A device log row, not written yet (`_log` writes it)."""
    return hotpath.new_row(
        DeviceEvent,
        enrollment=enrollment,
        kind=kind,
        action=action,
        status=status,
        command_uuid=command_uuid,
        detail=detail or {},
    )


@dataclass(frozen=True)
class Reply:
    """What the view sends back: a status, and a plist or JSON body."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/xml"


EMPTY = Reply()


def _find(ids: protocol.EnrollmentIds, *, for_update: bool = False) -> Enrollment | None:
    return hotpath.enrollment_by_key(ids.key, for_update=for_update)


def _cancel_pending(enrollment: Enrollment, reason: str) -> int:
    return QueuedCommand.objects.filter(
        enrollment__in=[enrollment, *enrollment.user_channels.all()],
        status__in=QueuedCommand.PENDING,
    ).update(
        status=QueuedCommand.Status.CANCELED, status_reason=reason, completed_at=timezone.now()
    )


def ends_enrollment_filter(prefix: str = "command__") -> Q:
    """The commands whose acknowledgement ends the enrollment (`CommandSpec.ends_enrollment`):
    by `Command.spec`, or, for a row stored without it (by a server older than the column,
    while an upgrade is under way), by its console copy's name and that command's RequestType,
    as `services.connect` decides one acknowledged row. `prefix` leads from the queried model
    to its Command."""
    found = Q(**{f"{prefix}spec__in": sorted(commands.ENDS_ENROLLMENT)})
    for name in sorted(commands.ENDS_ENROLLMENT):
        found |= Q(
            **{
                f"{prefix}spec": "",
                f"{prefix}display__name": name,
                f"{prefix}request_type": commands.REGISTRY[name].request_type,
            }
        )
    return found
