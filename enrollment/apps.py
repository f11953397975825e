"""Enrollment app: registers its resolver and bearer checker with the devices app."""

import logging
from typing import Any

from django.apps import AppConfig

logger = logging.getLogger(__name__)


def _on_enrollment_completed(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    from enrollment import services

    # The session was bound at Authenticate (`services.bind_session`, a refused Authenticate
    # otherwise): nothing to write for it here.
    try:
        services.replace_on_completion(enrollment)
    except Exception:
        # After the device's own commit: its TokenUpdate stays a success; the old device stays
        # enrolled and can be retired from the console.
        logger.exception("retiring the device replaced by enrollment %s failed", enrollment.pk)


def _on_enrollments_purging(
    sender: Any, enrollment_ids: list[int], references: list[str], **kwargs: Any
) -> None:
    from enrollment import services

    services.purge_sessions(enrollment_ids=enrollment_ids, references=references)


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "Enrollment"

    def ready(self) -> None:
        from devices import hooks, signals
        from enrollment import services

        hooks.set_enrollment_resolver(
            services.resolve_enrollment, session_sql=services.session_context_sql
        )
        hooks.set_bearer_checker(services.check_bearer)
        hooks.set_session_hooks(
            binder=services.bind_session,
            ender=services.end_sessions,
            bind_statement=services.bind_session_statement,
        )
        from enrollment.services.renewal import build_renewal_profile

        hooks.set_renewal_profile_builder(build_renewal_profile)
        signals.enrollment_completed.connect(
            _on_enrollment_completed, dispatch_uid="enrollment-bind-session"
        )
        signals.enrollments_purging.connect(
            _on_enrollments_purging, dispatch_uid="enrollment-purge-sessions"
        )
