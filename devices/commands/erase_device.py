"""EraseDevice: erase the device (Apple "Erase Device Command", mdm/commands/device.erase.yaml)."""

from devices.commands.base import Boolean, CommandSpec, Params, Text


class EraseDeviceParams(Params):
    PIN = Text(required=False, max_length=6)
    PreserveDataPlan = Boolean(required=False)


COMMAND = CommandSpec(
    name="EraseDevice",
    title="Erase device",
    menu_order=120,
    params_class=EraseDeviceParams,
    destructive=True,
    priority=90,
    secret_params=frozenset({"PIN"}),
)
