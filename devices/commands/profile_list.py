"""ProfileList: the installed configuration profiles (Apple "Profile List Command",
mdm/commands/profile.list.yaml). The answer updates the inventory."""

from devices import inventory
from devices.commands.base import CommandSpec

COMMAND = CommandSpec(
    name="ProfileList",
    title="List installed profiles",
    menu_order=30,
    on_result=inventory.profile_list,
    result_key="ProfileList",
)
