"""RestartDevice: restart the device (Apple "Restart Device Command",
mdm/commands/device.restart.yaml)."""

from devices.commands.base import CommandSpec

COMMAND = CommandSpec(
    name="RestartDevice", title="Restart device", menu_order=140, destructive=True
)
