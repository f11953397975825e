"""The Apple Business Manager app: registers its GetToken provider and enrollment hooks."""

from typing import Any

from django.apps import AppConfig


def _on_enrollment_completed(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    from enrollment.abm import services

    services.start_device_configuration(enrollment)


class AbmConfig(AppConfig):
    name = "enrollment.abm"
    label = "abm"
    verbose_name = "Apple Business Manager"

    def ready(self) -> None:
        from devices import hooks, signals
        from enrollment.abm import services

        hooks.set_token_provider("com.apple.maid", services.maid_token_for)
        signals.enrollment_completed.connect(
            _on_enrollment_completed, dispatch_uid="abm-device-configuration"
        )
