from typing import Any

from django.apps import AppConfig


def _on_command_result(sender: Any, delivery: Any, report: Any, **kwargs: Any) -> None:
    from devices.services.renewal import note_renewal_result

    note_renewal_result(delivery, report)


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Devices"

    def ready(self) -> None:
        from devices import signals
        from devices.services.renewal import RESULT_TYPES

        signals.command_result.connect(
            _on_command_result,
            request_types=RESULT_TYPES,
            dispatch_uid="devices-renewal-result",
        )
