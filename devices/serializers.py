"""Input and output serializers of the devices REST API."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from devices import commands, selectors
from devices.models import (
    Command,
    Device,
    DeviceEvent,
    Enrollment,
    InstalledApplication,
    QueuedCommand,
)
from mdm_server.api_input import StrictInput

MAX_TARGETS = 10_000


class DeviceOutput(serializers.ModelSerializer):
    """A device; a User Enrollment has no hardware identifiers, so the keys are left out."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    user = serializers.CharField(
        source="device.directory_user.username", default=None, read_only=True
    )
    # What is known of the device itself (its Device), under the names the API always had.
    platform = serializers.CharField(source="device.platform", read_only=True)
    ownership = serializers.ChoiceField(
        source="device.ownership", choices=Device.Ownership.choices, read_only=True
    )
    os_version = serializers.CharField(source="device.os_version", read_only=True)
    build_version = serializers.CharField(source="device.build_version", read_only=True)
    device_name = serializers.CharField(source="device.device_name", read_only=True)
    model_name = serializers.CharField(source="device.model_name", read_only=True)
    product_name = serializers.CharField(source="device.product_name", read_only=True)
    supervised = serializers.BooleanField(source="device.supervised", read_only=True)
    managed_apple_id = serializers.CharField(source="device.managed_apple_id", read_only=True)
    udid = serializers.CharField(source="device.udid", read_only=True, allow_null=True)
    serial_number = serializers.CharField(
        source="device.serial_number", read_only=True, allow_null=True
    )
    imei = serializers.CharField(source="device.imei", read_only=True, allow_null=True)
    user_enrollment_enrolled = serializers.SerializerMethodField()
    pushable = serializers.BooleanField(source="is_pushable", read_only=True)
    display_name = serializers.CharField(read_only=True)  # the console's name for the device

    class Meta:
        model = Enrollment
        fields = [
            "id", "display_name", "enrollment_type", "platform", "ownership", "os_version",
            "build_version", "status",
            "device_name", "model_name", "product_name", "supervised", "managed_apple_id",
            "user_enrollment_enrolled", "user", "enrolled_at", "last_seen_at", "pushable",
            "udid", "serial_number", "imei",
        ]  # fmt: skip
        read_only_fields = fields

    def get_user_enrollment_enrolled(self, obj: Enrollment) -> bool:
        return obj.is_user_enrollment and obj.status == Enrollment.Status.ENROLLED

    def to_representation(self, instance: Enrollment) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.is_user_enrollment:
            for name in selectors.HARDWARE_FIELDS:
                data.pop(name, None)
        return data


class AppOutput(serializers.ModelSerializer):
    class Meta:
        model = InstalledApplication
        fields = ["identifier", "name", "version", "short_version", "is_managed", "status"]


class DeviceDetailOutput(DeviceOutput):
    apps = AppOutput(many=True, read_only=True)
    profiles = serializers.SerializerMethodField()
    certificates = serializers.SerializerMethodField()
    security_info = serializers.JSONField(source="device.security_info", read_only=True)

    class Meta(DeviceOutput.Meta):
        fields = [*DeviceOutput.Meta.fields, "security_info", "apps", "profiles", "certificates"]
        read_only_fields = fields

    def get_profiles(self, obj: Enrollment) -> list[dict[str, Any]]:
        return [
            {"identifier": p.identifier, "display_name": p.display_name,
             "payload_types": p.payload_types}
            for p in obj.profiles.all()
        ]  # fmt: skip

    def get_certificates(self, obj: Enrollment) -> list[dict[str, Any]]:
        return [
            {"common_name": c.common_name, "is_identity": c.is_identity,
             "not_after": c.not_after, "fingerprint": c.fingerprint}
            for c in obj.certificates.all()
        ]  # fmt: skip


class DeviceCommandOutput(serializers.ModelSerializer):
    """One device's copy of a command: status and the result the device sent."""

    command_uuid = serializers.CharField(source="command.uuid")
    request_type = serializers.CharField(source="command.request_type")
    title = serializers.CharField(source="command.display.title", default="")
    result = serializers.SerializerMethodField()

    class Meta:
        model = QueuedCommand
        fields = [
            "id", "command_uuid", "request_type", "title", "status", "status_reason",
            "created_at", "sent_at", "completed_at", "not_now_count", "error_chain", "result",
        ]  # fmt: skip

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_result(self, obj: QueuedCommand) -> Any:
        return selectors.result_document(obj)


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = DeviceEvent
        fields = ["id", "created_at", "kind", "action", "status", "command_uuid", "detail"]


class CommandOutput(serializers.ModelSerializer):
    title = serializers.CharField(source="display.title", default="")
    params = serializers.JSONField(source="display.params", default=dict)
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = Command
        fields = [
            "uuid", "request_type", "title", "params", "origin", "created_by", "created_at",
            "target_count", "priority",
        ]  # fmt: skip


class CommandDetailOutput(CommandOutput):
    progress = serializers.SerializerMethodField()

    class Meta(CommandOutput.Meta):
        fields = [*CommandOutput.Meta.fields, "progress"]

    def get_progress(self, obj: Command) -> dict[str, int]:
        return selectors.command_progress(obj)


# The OpenAPI schema of `params`: one of the commands' own parameter serializers (binary ones as
# base64 text), so a client sees every command's parameters, from the registry.
_PARAMS_SCHEMA = PolymorphicProxySerializer(
    component_name="CommandParams",
    serializers=list({spec.params_class: None for spec in commands.REGISTRY.values()}),
    resource_type_field_name=None,
)


@extend_schema_field(_PARAMS_SCHEMA)
class CommandParamsField(serializers.DictField):
    pass


class CommandInput(StrictInput):
    """Queue one registry command for one or more devices."""

    command = serializers.ChoiceField(
        choices=sorted(commands.REGISTRY), help_text="Registry name, e.g. DeviceInformation"
    )
    devices = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=MAX_TARGETS,
        help_text="Device ids (the `id` of the device resource)",
    )  # fmt: skip
    params = CommandParamsField(
        required=False, default=dict,
        help_text="Command parameters; binary ones (data) as base64 text",
    )  # fmt: skip
    strip_forbidden = serializers.BooleanField(
        required=False, default=False,
        help_text=(
            "Leave out what a device may not get (keys, Settings items, queries, payloads, "
            "profile keys) instead of refusing; refused when nothing asked for is left"
        ),
    )  # fmt: skip
    confirm = serializers.BooleanField(
        required=False, default=False, help_text="Must be true for destructive commands"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        spec = commands.REGISTRY[attrs["command"]]
        if spec.destructive and not attrs["confirm"]:
            raise serializers.ValidationError(
                {"confirm": f"{spec.title} is destructive: send confirm=true"}
            )
        params = dict(attrs["params"])
        for p in spec.params:
            if p.kind == "data" and isinstance(params.get(p.name), str):
                try:
                    params[p.name] = base64.b64decode(params[p.name], validate=True)
                except (binascii.Error, ValueError):
                    raise serializers.ValidationError(
                        {f"params.{p.name}": "must be base64-encoded data"}
                    ) from None
        unknown = set(params) - {p.name for p in spec.params}
        if unknown:
            raise serializers.ValidationError(
                {"params": f"unknown parameter(s) for {spec.name}: {', '.join(sorted(unknown))}"}
            )
        attrs["params"] = params
        return attrs


class EnqueueOutput(serializers.Serializer):
    commands = CommandOutput(many=True)
    queued = serializers.ListField(child=serializers.UUIDField())
    refused = serializers.DictField(child=serializers.CharField())
    notes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class CommandTypeOutput(serializers.Serializer):
    name = serializers.CharField()
    request_type = serializers.CharField()
    title = serializers.CharField()
    destructive = serializers.BooleanField()
    params = serializers.ListField(child=serializers.DictField())
