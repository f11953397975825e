"""Managed apps react to the devices app's signals (devices never imports this app)."""

from __future__ import annotations

from typing import Any

from devices import protocol, signals


def _completed(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    from devices.managed_apps import services, tasks

    if enrollment.channel == enrollment.Channel.DEVICE and services.enrollment_started(
        enrollment=enrollment
    ):
        tasks.advance_installs.delay()


def _checked_out(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    from devices.managed_apps import tasks

    tasks.release_enrollment.delay(enrollment.pk)


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
    services.record_result(delivery=delivery, raw=report.raw, error=error)


def connect() -> None:
    signals.enrollment_completed.connect(_completed, dispatch_uid="managed_apps_completed")
    signals.enrollment_checked_out.connect(_checked_out, dispatch_uid="managed_apps_checkout")
    signals.command_result.connect(_result, dispatch_uid="managed_apps_result")
