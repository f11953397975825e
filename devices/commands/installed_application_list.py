"""InstalledApplicationList: the apps on the device (Apple "Installed Application List
Command", mdm/commands/application.installed.list.yaml). The answer updates the inventory."""

from devices import inventory
from devices.commands.base import Boolean, CommandSpec, Params, TextList


class InstalledApplicationListParams(Params):
    Identifiers = TextList(required=False)
    ManagedAppsOnly = Boolean(required=False)


COMMAND = CommandSpec(
    name="InstalledApplicationList",
    title="List installed apps",
    menu_order=60,
    params_class=InstalledApplicationListParams,
    on_result=inventory.installed_application_list,
    result_key="InstalledApplicationList",
)
