"""SecurityInfo: the device's security state (Apple "Security Info Command",
mdm/commands/information.security.yaml). The answer updates the inventory."""

from devices import inventory
from devices.commands.base import CommandSpec

COMMAND = CommandSpec(
    name="SecurityInfo",
    title="Security information",
    menu_order=20,
    on_result_fields=inventory.security_info,
)
