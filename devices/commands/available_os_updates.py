"""AvailableOSUpdates: the OS updates the device could install (Apple "Available OS Updates
Command", mdm/commands/system.update.available.yaml)."""

from devices.commands.base import CommandSpec

COMMAND = CommandSpec(name="AvailableOSUpdates", title="List available OS updates", menu_order=210)
