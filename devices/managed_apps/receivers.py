"""Managed apps react to the devices app's signals (devices never imports this app), and to
group membership changes (Django's m2m signal: the directory app knows nothing of apps).

Receivers run after the device's request committed: a failure here is logged, never turned
into an error answer to the device.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed

from devices import protocol, signals
from mdm_server import redis_client

logger = logging.getLogger(__name__)


def _completed(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    from devices.managed_apps import services, tasks

    try:
        if enrollment.channel == enrollment.Channel.DEVICE and services.enrollment_started(
            enrollment=enrollment
        ):
            redis_client.publish(tasks.advance_installs)
    except redis_client.Unavailable:  # the beat's advance_installs takes over (within a minute)
        pass
    except Exception:
        logger.exception("requesting required apps for enrollment %s failed", enrollment.pk)


def _ended(
    sender: Any,
    enrollment: Any,
    channel_ids: list[int],
    replaced_by: Any = None,
    **kwargs: Any,
) -> None:
    """Any ending (CheckOut, server-side unenroll, Retire, a revoked session, a replacement):
    inside its transaction the channels' installs end (REMOVING, their licence still to free)
    and a replaced device's own required apps move to the new device; Apple is called after
    commit, through the Celery task (the beat retries what a dead broker left in REMOVING).
    Sent once per ending, so a CheckOut (which also sends `enrollment_checked_out`) frees each
    licence once."""
    from devices.managed_apps import services, tasks

    ending = services.end_installs(channel_ids=channel_ids)
    carried = 0
    if replaced_by is not None:
        carried = services.carry_over_apps(old=enrollment, new=replaced_by, hold=bool(ending))

    def after() -> None:
        try:
            if ending:  # released first, then the new device's installs (one task, in order)
                redis_client.publish(
                    tasks.release_enrollment,
                    enrollment.pk,
                    replaced_by.pk if replaced_by is not None else None,
                )
            elif carried:
                redis_client.publish(tasks.advance_installs)
        except redis_client.Unavailable:  # the beat's advance_installs takes over what is left
            pass
        except Exception:
            logger.exception("releasing the app licences of enrollment %s failed", enrollment.pk)

    if ending or carried:
        transaction.on_commit(after)


# The results the managed apps follow (`services.record_result`).
_RESULT_TYPES = (
    "InstallApplication",
    "InstallEnterpriseApplication",
    "ManagedApplicationList",
    "RemoveApplication",
)


def _result(sender: Any, delivery: Any, report: protocol.CommandReport, **kwargs: Any) -> None:
    from devices.managed_apps import services

    if delivery.command.request_type not in _RESULT_TYPES:
        return
    error = ""
    if report.status != protocol.ReportStatus.ACKNOWLEDGED:
        chain = report.error_chain or [{}]
        error = str(
            chain[0].get("USEnglishDescription")
            or chain[0].get("LocalizedDescription")
            or report.status.value
        )
    try:
        services.record_result(delivery=delivery, raw=report.raw, error=error)
    except Exception:
        logger.exception("recording the app status of command %s failed", delivery.pk)


def _membership(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """A person joined or left a group: required apps follow (after commit)."""
    if action not in ("post_add", "post_remove"):
        return
    users = list(pk_set or ()) if reverse else [instance.pk]

    def run() -> None:
        from devices.managed_apps import services, tasks

        try:
            requested, _ = services.reconcile_people(user_ids=users)
            if requested:
                redis_client.publish(tasks.advance_installs)
        except redis_client.Unavailable:  # the beat's advance_installs takes over
            pass
        except Exception:
            logger.exception("managed apps after a group change failed for users %s", users)

    transaction.on_commit(run)


def connect() -> None:
    from directory.models import DirectoryUser

    signals.enrollment_completed.connect(_completed, dispatch_uid="managed_apps_completed")
    signals.enrollment_ended.connect(_ended, dispatch_uid="managed_apps_ended")
    signals.command_result.connect(
        _result, request_types=_RESULT_TYPES, dispatch_uid="managed_apps_result"
    )
    m2m_changed.connect(
        _membership, sender=DirectoryUser.groups.through, dispatch_uid="managed_apps_membership"
    )
