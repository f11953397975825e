"""InstallProfile: install a configuration profile (Apple "Install Profile Command",
mdm/commands/profile.install.yaml).

What a User Enrollment may not receive is trimmed per device by the queue service
(`devices.services.queue`), which re-signs the trimmed profile with the server's signing identity.
"""

from devices.commands.base import CommandSpec, Data, Params


class InstallProfileParams(Params):
    Payload = Data(help_text="The profile (.mobileconfig, signed or not)")


COMMAND = CommandSpec(
    name="InstallProfile",
    title="Install profile",
    menu_order=40,
    params_class=InstallProfileParams,
    profile_key="Payload",
)
