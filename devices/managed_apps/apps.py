from django.apps import AppConfig


class ManagedAppsConfig(AppConfig):
    name = "devices.managed_apps"
    label = "managed_apps"
    verbose_name = "Managed apps"

    def ready(self) -> None:
        from devices import hooks
        from devices.managed_apps import receivers, selectors

        receivers.connect()
        hooks.set_device_panel("managed_apps", selectors.device_panel)
