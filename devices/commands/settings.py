"""Settings: change device settings, one item per setting (Apple "Settings Command",
mdm/commands/settings.yaml). Which items a device may get is judged per item by the capability
filter."""

from typing import Any

from rest_framework import serializers

from devices.commands.base import CommandSpec, Dictionaries, Params, plist_problem


class SettingsParams(Params):
    Settings = Dictionaries(
        error_messages={"required": "must be a non-empty list of settings items"},
        help_text='A JSON list of settings items, e.g. [{"Item": "DeviceName", ...}]',
    )

    def validate_Settings(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for item in items:
            if not isinstance(item.get("Item"), str):
                raise serializers.ValidationError("every settings item needs an Item name")
        problem = plist_problem(items, "Settings")
        if problem:
            raise serializers.ValidationError(problem)
        return items


COMMAND = CommandSpec(
    name="Settings", title="Apply settings", menu_order=190, params_class=SettingsParams
)
