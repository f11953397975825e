from django.apps import AppConfig


class PkiConfig(AppConfig):
    name = "mdm_server.pki"
    label = "pki"
    verbose_name = "Server PKI"
