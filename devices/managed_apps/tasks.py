"""Celery entry points of managed apps: thin shells over the services."""

from __future__ import annotations

from celery import shared_task

from devices.managed_apps import services
from devices.managed_apps.models import AppsBooksToken
from devices.models import Enrollment


@shared_task(ignore_result=True)
def advance_installs() -> int:
    """Licences, install commands and retries whose time has come (beat, every minute)."""
    return services.advance_due()


@shared_task(ignore_result=True)
def release_enrollment(enrollment_id: int, replaced_by_id: int | None = None) -> int:
    """An enrollment ended: free its licences, then install on the device replacing it."""
    enrollment = Enrollment.objects.filter(pk=enrollment_id).first()
    if enrollment is None:
        return 0
    then = Enrollment.objects.filter(pk=replaced_by_id).first() if replaced_by_id else None
    return services.release_then_advance(enrollment=enrollment, then=then)


@shared_task(ignore_result=True)
def sync_apps_books() -> int:
    """Every location's assets and licence counts (beat, hourly); a failing one is recorded."""
    done = 0
    services.forget_old_notifications()
    for token in AppsBooksToken.objects.all():
        try:
            services.sync_token(token=token)
            done += 1
        except services.ManagedAppsError:
            continue  # recorded on the token (last_error), shown on the dashboard
    return done
