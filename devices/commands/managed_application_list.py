"""ManagedApplicationList: the state of the apps this server manages (Apple "Managed
Application List Command", mdm/commands/application.managed.list.yaml). The answer updates the
inventory; the managed-apps app follows its installs from it too (`command_result` signal)."""

from devices import inventory
from devices.commands.base import CommandSpec, Params, TextList


class ManagedApplicationListParams(Params):
    Identifiers = TextList(required=False)


COMMAND = CommandSpec(
    name="ManagedApplicationList",
    title="List managed apps",
    menu_order=70,
    params_class=ManagedApplicationListParams,
    on_result=inventory.managed_application_list,
    result_key="ManagedApplicationList",
)
