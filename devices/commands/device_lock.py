"""DeviceLock: lock the device now, with a message and phone number on the lock screen and,
on macOS, a PIN (Apple "Device Lock Command", mdm/commands/device.lock.yaml)."""

from devices.commands.base import CommandSpec, Params, Text


class DeviceLockParams(Params):
    Message = Text(required=False, max_length=500)
    PhoneNumber = Text(required=False, max_length=50)
    PIN = Text(required=False, max_length=6)


COMMAND = CommandSpec(
    name="DeviceLock",
    title="Lock device",
    menu_order=110,
    params_class=DeviceLockParams,
    destructive=True,
    priority=90,
    secret_params=frozenset({"PIN"}),
)
