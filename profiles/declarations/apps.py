"""App configuration: serve declarations to the devices app's DeclarativeManagement check-in."""

from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "profiles.declarations"
    label = "declarations"
    verbose_name = "Declarative device management"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_save

        from devices import hooks, signals
        from directory.models import DirectoryUser
        from profiles.declarations import receivers, rules
        from profiles.models import Profile

        hooks.set_declarative_handler(receivers.handle_declarative)
        hooks.set_declaration_check(rules.refusal_for_target)
        hooks.set_first_commands("declarations", receivers.first_commands)
        signals.enrollment_ended.connect(
            receivers.on_enrollment_ended, dispatch_uid="declarations.enrollment_ended"
        )
        m2m_changed.connect(
            receivers.on_group_membership_changed,
            sender=DirectoryUser.groups.through,
            dispatch_uid="declarations.group_membership",
        )
        post_save.connect(
            receivers.on_profile_saved, sender=Profile, dispatch_uid="declarations.profile_saved"
        )
