import logging
from typing import Any

from django.apps import AppConfig

logger = logging.getLogger(__name__)


def _on_enrollment_completed(sender: Any, enrollment: Any, **kwargs: Any) -> None:
    """Ask a newly enrolled device for its inventory."""
    from devices.services import lifecycle

    try:
        lifecycle.queue_initial_inventory(enrollment=enrollment)
    except Exception:
        # Sent after the TokenUpdate committed: a failure here must not fail the device's
        # request; the scheduled refresh asks again.
        logger.exception("queueing the inventory of enrollment %s failed", enrollment.pk)


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Devices"

    def ready(self) -> None:
        from devices import signals

        signals.enrollment_completed.connect(
            _on_enrollment_completed, dispatch_uid="devices.initial_inventory"
        )
