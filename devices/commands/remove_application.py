"""RemoveApplication: remove a managed app (Apple "Remove Application Command",
mdm/commands/application.remove.yaml)."""

from devices.commands.base import CommandSpec, Params, Text


class RemoveApplicationParams(Params):
    Identifier = Text()


COMMAND = CommandSpec(
    name="RemoveApplication",
    title="Remove app",
    menu_order=90,
    params_class=RemoveApplicationParams,
)
