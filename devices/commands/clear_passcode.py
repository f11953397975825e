"""ClearPasscode: remove the device's passcode (Apple "Clear Passcode Command",
mdm/commands/passcode.clear.yaml)."""

from devices.commands.base import CommandSpec

COMMAND = CommandSpec(
    name="ClearPasscode",
    title="Clear passcode",
    menu_order=130,
    destructive=True,
    priority=80,
)
