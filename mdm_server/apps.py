from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mdm_server"
    label = "core"
    verbose_name = "MDM server core"

    def ready(self) -> None:
        # Create the Celery app before anything sends a task: shared_task binds to the current
        # app, and without ours that would be Celery's default (an AMQP broker on localhost).
        from axes.signals import user_locked_out
        from django.conf import settings

        from mdm_server import (
            celery,  # noqa: F401
            request_cycle,
            signin,
        )

        user_locked_out.connect(signin.audit_lockout, dispatch_uid="mdm-audit-lockout")
        request_cycle.lighten(settings.CACHES)
