"""App configuration: connects the push scheduler to the devices app's queue signal."""

from django.apps import AppConfig


class ApnsConfig(AppConfig):
    name = "apns"
    verbose_name = "Push notifications (APNs)"

    def ready(self) -> None:
        # apns.services keeps the push topic per process: importing it connects the signals
        # that announce a new certificate to every process (mdm_server.config_cache).
        from apns import receivers, services
        from devices import hooks, signals

        hooks.set_first_push(services.first_push)
        signals.commands_enqueued.connect(
            receivers.push_after_enqueue, dispatch_uid="apns.push_after_enqueue"
        )
