"""DeviceInformation: ask the device about itself (Apple "Device Information Command",
mdm/commands/information.device.yaml). The answer updates the inventory."""

from __future__ import annotations

from typing import Any

from devices import capabilities, inventory
from devices.commands.base import CommandSpec, Params, TextList

REQUEST_TYPE = "DeviceInformation"


class DeviceInformationParams(Params):
    Queries = TextList(required=False, help_text="Keys to ask for; empty: everything allowed")


def build(values: dict[str, Any]) -> dict[str, Any]:
    # Without explicit queries `for_target` fills in every key each device may be asked. Sorted:
    # the capability filter keeps the order, so every device's list reads the same way.
    return {"Queries": sorted(values["Queries"])} if values.get("Queries") else {}


def for_target(body: dict[str, Any], target: capabilities.Target) -> dict[str, Any]:
    """Without explicit queries: every key this device may be asked (Apple's schema)."""
    if "Queries" in body:
        return body
    return {**body, "Queries": sorted(capabilities.allowed_query_keys(REQUEST_TYPE, target))}


COMMAND = CommandSpec(
    name=REQUEST_TYPE,
    title="Refresh device information",
    menu_order=10,
    params_class=DeviceInformationParams,
    build=build,
    for_target=for_target,
    on_result=inventory.device_information,
    result_key="QueryResponses",
)
