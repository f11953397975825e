"""DisableLostMode: end Lost Mode (Apple "Disable Lost Mode Command",
mdm/commands/device.lostmode.disable.yaml)."""

from devices.commands.base import CommandSpec

COMMAND = CommandSpec(name="DisableLostMode", title="Disable Lost Mode", menu_order=170)
