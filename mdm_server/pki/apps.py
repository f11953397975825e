from django.apps import AppConfig


class PkiConfig(AppConfig):
    name = "mdm_server.pki"
    label = "pki"
    verbose_name = "Server PKI"

    def ready(self) -> None:
        # Watches ServerCertificate from the start: a rollover or an activation saved by any
        # process (the admin site, a management command) moves every process to the new row.
        from mdm_server.pki import services  # noqa: F401
