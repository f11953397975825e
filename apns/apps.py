"""App configuration: connects the push scheduler to the devices app's queue signal."""

from django.apps import AppConfig


class ApnsConfig(AppConfig):
    name = "apns"
    verbose_name = "Push notifications (APNs)"

    def ready(self) -> None:
        from apns import receivers
        from devices import signals

        signals.commands_enqueued.connect(
            receivers.push_after_enqueue, dispatch_uid="apns.push_after_enqueue"
        )
