"""EnableLostMode: put a supervised device in Lost Mode with a message or phone number on its
screen (Apple "Enable Lost Mode Command", mdm/commands/device.lostmode.enable.yaml)."""

from typing import Any

from rest_framework import serializers

from devices.commands.base import CommandSpec, Params, Text


class EnableLostModeParams(Params):
    Message = Text(required=False, max_length=500)
    PhoneNumber = Text(required=False, max_length=50)
    Footnote = Text(required=False, max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("Message") and not attrs.get("PhoneNumber"):
            raise serializers.ValidationError(
                {"Message": "give a message or a phone number to show"}
            )
        return attrs


COMMAND = CommandSpec(
    name="EnableLostMode",
    title="Enable Lost Mode",
    menu_order=160,
    params_class=EnableLostModeParams,
    destructive=True,
    priority=90,
)
