"""App configuration: connect to the devices app's signals."""

from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Configuration profiles"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from devices import signals
        from directory.models import DirectoryUser
        from profiles import receivers

        signals.initial_commands.connect(
            receivers.initial_commands, dispatch_uid="profiles.initial_commands"
        )
        signals.enrollment_checked_out.connect(
            receivers.on_enrollment_checked_out, dispatch_uid="profiles.enrollment_checked_out"
        )
        signals.enrollment_ended.connect(
            receivers.on_enrollment_ended, dispatch_uid="profiles.enrollment_ended"
        )
        signals.command_result.connect(
            receivers.on_command_result, dispatch_uid="profiles.command_result"
        )
        m2m_changed.connect(
            receivers.on_group_membership_changed,
            sender=DirectoryUser.groups.through,
            dispatch_uid="profiles.group_membership",
        )
