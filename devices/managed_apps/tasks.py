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
def release_enrollment(enrollment_id: int) -> int:
    enrollment = Enrollment.objects.filter(pk=enrollment_id).first()
    return services.enrollment_ended(enrollment=enrollment) if enrollment else 0


@shared_task(ignore_result=True)
def sync_apps_books() -> int:
    """Every location's assets and licence counts (beat, hourly); a failing one is recorded."""
    done = 0
    for token in AppsBooksToken.objects.all():
        try:
            services.sync_token(token=token)
            done += 1
        except services.ManagedAppsError:
            continue  # recorded on the token (last_error), shown on the dashboard
    return done
