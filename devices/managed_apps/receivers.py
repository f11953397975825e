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

logger = logging.getLogger(__name__)


def _completed(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    from devices.managed_apps import services, tasks

    try:
        if enrollment.channel == enrollment.Channel.DEVICE and services.enrollment_started(
            enrollment=enrollment
        ):
            tasks.advance_installs.delay()
    except Exception:
        logger.exception("requesting required apps for enrollment %s failed", enrollment.pk)


def _checked_out(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    from devices.managed_apps import tasks

    try:
        tasks.release_enrollment.delay(enrollment.pk)
    except Exception:  # the beat's advance_installs retries what is left in REMOVING
        logger.exception("releasing the app licences of enrollment %s failed", enrollment.pk)


def _result(sender: Any, delivery: Any, report: protocol.CommandReport, **kwargs: Any) -> None:
    from devices.managed_apps import services

    if delivery.command.request_type not in (
        "InstallApplication",
        "ManagedApplicationList",
        "RemoveApplication",
    ):
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
                tasks.advance_installs.delay()
        except Exception:
            logger.exception("managed apps after a group change failed for users %s", users)

    transaction.on_commit(run)


def connect() -> None:
    from directory.models import DirectoryUser

    signals.enrollment_completed.connect(_completed, dispatch_uid="managed_apps_completed")
    signals.enrollment_checked_out.connect(_checked_out, dispatch_uid="managed_apps_checkout")
    signals.command_result.connect(_result, dispatch_uid="managed_apps_result")
    m2m_changed.connect(
        _membership, sender=DirectoryUser.groups.through, dispatch_uid="managed_apps_membership"
    )
