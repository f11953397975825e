"""RemoveProfile: remove a profile by its PayloadIdentifier (Apple "Remove Profile Command",
mdm/commands/profile.remove.yaml)."""

from devices.commands.base import CommandSpec, Params, Text


class RemoveProfileParams(Params):
    Identifier = Text()


COMMAND = CommandSpec(
    name="RemoveProfile",
    title="Remove profile",
    menu_order=50,
    params_class=RemoveProfileParams,
)
