"""DeviceInformation: ask the device about itself (Apple "Device Information Command",
mdm/commands/information.device.yaml). The answer updates the inventory."""

from __future__ import annotations

from typing import Any

from devices import inventory
from devices.commands.base import CommandSpec, Params, TextList


class DeviceInformationParams(Params):
    Queries = TextList(required=False, help_text="Keys to ask for; empty: everything allowed")


def build(values: dict[str, Any]) -> dict[str, Any]:
    # Without explicit queries the delivery layer fills in every key this device may be asked.
    return {"Queries": values["Queries"]} if values.get("Queries") else {}


COMMAND = CommandSpec(
    name="DeviceInformation",
    title="Refresh device information",
    menu_order=10,
    params_class=DeviceInformationParams,
    build=build,
    on_result=inventory.device_information,
)
