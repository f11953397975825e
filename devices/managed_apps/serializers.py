"""REST serializers of managed apps: strict inputs, plain outputs (no side effects here)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from devices.managed_apps import rules
from devices.managed_apps.models import App, AppAssignment, AppInstall, AppsBooksToken
from mdm_server.api_input import StrictInput
from mdm_server.apple import EnrollmentType


class LocationSerializer(serializers.ModelSerializer[AppsBooksToken]):
    warning = serializers.SerializerMethodField()

    class Meta:
        model = AppsBooksToken
        fields = [
            "id",
            "name",
            "org_name",
            "location_name",
            "expires_at",
            "last_synced_at",
            "conflict",
            "last_error",
            "notifications",
            "warning",
        ]
        read_only_fields = fields

    def get_warning(self, token: AppsBooksToken) -> str:
        from devices.managed_apps import services

        return services.token_warning(token)


class LocationInput(StrictInput):
    name = serializers.CharField(max_length=120)
    token = serializers.CharField(
        max_length=16384, help_text="The content of the .vpptoken file (base64 text)"
    )


class AppSerializer(serializers.ModelSerializer[App]):
    location = serializers.CharField(source="token.name", default="", read_only=True)

    class Meta:
        model = App
        fields = [
            "id",
            "kind",
            "name",
            "bundle_id",
            "version",
            "adam_id",
            "platforms",
            "icon_url",
            "manifest_url",
            "pinning_certs",
            "pinning_revocation_required",
            "location",
            "licences_total",
            "licences_assigned",
            "licences_available",
            "device_assignable",
        ]
        read_only_fields = fields


class CustomAppInput(StrictInput):
    name = serializers.CharField(max_length=200)
    manifest_url = serializers.URLField(max_length=500)
    bundle_id = serializers.CharField(max_length=255, required=False, default="")
    enterprise = serializers.BooleanField(required=False, default=False)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=["iOS", "macOS"]),
        required=False,
        default=["iOS", "macOS"],
        min_length=1,
        max_length=2,
    )
    pinning_pem = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=65536,
        help_text="Mac: PEM certificates the manifest server is pinned to",
    )
    pinning_revocation_required = serializers.BooleanField(required=False, default=False)


class AssignmentSerializer(serializers.ModelSerializer[AppAssignment]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    app = serializers.IntegerField(source="app_id", read_only=True)
    device = serializers.UUIDField(source="enrollment.public_id", default=None, read_only=True)
    group = serializers.IntegerField(source="group_id", default=None, read_only=True)

    class Meta:
        model = AppAssignment
        fields = [
            "id",
            "app",
            "scope",
            "device",
            "group",
            "enrollment_type",
            "mode",
            "configuration",
            "vpn_uuid",
            "associated_domains",
            "removable",
            "created_at",
        ]
        read_only_fields = fields


class AssignInput(StrictInput):
    scope = serializers.ChoiceField(choices=AppAssignment.Scope.choices)
    device = serializers.UUIDField(required=False, help_text="scope=device: the device's id")
    group = serializers.IntegerField(required=False, help_text="scope=group: the group's id")
    enrollment_type = serializers.ChoiceField(choices=EnrollmentType.choices, required=False)
    mode = serializers.ChoiceField(
        choices=AppAssignment.Mode.choices, default=AppAssignment.Mode.REQUIRED
    )
    configuration = serializers.DictField(
        required=False,
        default=dict,
        help_text="Managed app configuration; variables: "
        + ", ".join(f"${{{v}}}" for v in rules.VARIABLES),
    )
    vpn_uuid = serializers.CharField(
        max_length=64, required=False, default="", help_text="PayloadUUID of the per-app VPN"
    )
    associated_domains = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, default=list, max_length=50
    )
    removable = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        needed = {"device": "device", "group": "group", "enrollment_type": "enrollment_type"}
        field = needed[attrs["scope"]]
        if attrs.get(field) in (None, ""):
            raise serializers.ValidationError({field: [f"Required for scope {attrs['scope']}."]})
        return attrs


class AssignResultSerializer(serializers.Serializer[Any]):
    assignment = AssignmentSerializer()
    requested = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())


class InstallInput(StrictInput):
    device = serializers.UUIDField()


class InstallSerializer(serializers.ModelSerializer[AppInstall]):
    device = serializers.UUIDField(source="enrollment.public_id", read_only=True)
    device_name = serializers.CharField(source="enrollment.device.device_name", read_only=True)
    app = serializers.IntegerField(source="app_id", read_only=True)

    class Meta:
        model = AppInstall
        fields = [
            "device",
            "device_name",
            "app",
            "status",
            "reason",
            "licence",
            "installed_version",
            "notes",
            "attempts",
            "next_attempt_at",
            "updated_at",
        ]
        read_only_fields = fields


class PaginatedInstallSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InstallSerializer(many=True)
