"""App configuration: connect to the devices app's signals and hooks."""

from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Configuration profiles"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from devices import hooks, signals
        from directory.models import DirectoryUser
        from profiles import receivers, services

        hooks.set_first_commands("profiles", receivers.first_commands)
        signals.enrollment_checked_out.connect(
            receivers.on_enrollment_checked_out, dispatch_uid="profiles.enrollment_checked_out"
        )
        signals.enrollment_ended.connect(
            receivers.on_enrollment_ended, dispatch_uid="profiles.enrollment_ended"
        )
        signals.command_result.connect(
            receivers.on_command_result,
            request_types=services.RESULT_TYPES,
            dispatch_uid="profiles.command_result",
        )
        m2m_changed.connect(
            receivers.on_group_membership_changed,
            sender=DirectoryUser.groups.through,
            dispatch_uid="profiles.group_membership",
        )
