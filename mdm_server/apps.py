from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mdm_server"
    label = "core"
    verbose_name = "MDM server core"
