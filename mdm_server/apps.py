from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mdm_server"
    label = "core"
    verbose_name = "MDM server core"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from mdm_server import signin

        user_locked_out.connect(signin.audit_lockout, dispatch_uid="mdm-audit-lockout")
