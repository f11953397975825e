"""ShutDownDevice: shut the device down (Apple "Shut Down Device Command",
mdm/commands/device.shutdown.yaml)."""

from devices.commands.base import CommandSpec

COMMAND = CommandSpec(
    name="ShutDownDevice", title="Shut down device", menu_order=150, destructive=True
)
