"""DeclarativeManagement: ask the device to synchronise its declarations (Apple "Declarative
Management Command", mdm/commands/declarativemanagement.yaml). Without Data the device reads the
sync tokens; the declarations app serves what it then asks for."""

from devices.commands.base import CommandSpec, Data, Params


class DeclarativeManagementParams(Params):
    Data = Data(required=False)


COMMAND = CommandSpec(
    name="DeclarativeManagement",
    title="Synchronise declarations",
    menu_order=200,
    params_class=DeclarativeManagementParams,
)
