"""REST serializers of Apple Business Manager: links (never their secrets), devices, profiles,
and the inputs of creating a link, uploading its server token, defining and assigning Setup
Assistant profiles and naming the person a device is for."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from directory.models import DirectoryGroup
from enrollment.abm import client, protocol, token
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from mdm_server.api_input import StrictInput
from profiles.models import Profile


class AbmLinkOutput(serializers.ModelSerializer):
    has_token = serializers.BooleanField(read_only=True)

    class Meta:
        model = AbmLink
        fields = [
            "id",
            "name",
            "api_url",
            "certificate_pem",
            "has_token",
            "token_expires_at",
            "token_uploaded_at",
            "server_uuid",
            "server_name",
            "org_name",
            "last_sync_at",
            "discovery_url",
            "last_error",
            "last_error_code",
            "last_error_at",
            "created_at",
        ]
        read_only_fields = fields


class AbmSyncOutput(serializers.Serializer):
    changed = serializers.IntegerField()
    removed = serializers.IntegerField()
    pages = serializers.IntegerField()
    assigned = serializers.IntegerField()


class AbmDeviceOutput(serializers.ModelSerializer):
    enrollment = serializers.UUIDField(
        source="enrollment.public_id", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = AbmDevice
        fields = [
            "id",
            "link",
            "serial_number",
            "model",
            "description",
            "color",
            "os",
            "device_family",
            "profile_status",
            "profile_uuid",
            "profile",
            "person",
            "assigned_by",
            "assigned_at",
            "removed_at",
            "enrollment",
            "enrolled_at",
            "configured_at",
        ]
        read_only_fields = fields


class AbmProfileOutput(serializers.ModelSerializer):
    class Meta:
        model = AbmProfile
        fields = [
            "id",
            "link",
            "name",
            "public_id",
            "is_default",
            "models_rule",
            "groups",
            "supervised",
            "await_device_configured",
            "mdm_removable",
            "skip_setup_items",
            "department",
            "support_phone_number",
            "support_email_address",
            "anchor_certs_pem",
            "language",
            "region",
            "first_profiles",
            "first_commands",
            "profile_uuid",
            "defined_at",
        ]
        read_only_fields = fields


class AbmLinkInput(StrictInput):
    name = serializers.CharField(max_length=120, help_text="As the MDM server is named in ABM")
    api_url = serializers.URLField(
        max_length=200,
        required=False,
        default=client.DEFAULT_URL,
        help_text="The Device Assignment API address (https://)",
    )
    ca_pem = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Extra CA (PEM), only for a TLS-inspecting proxy in front of Apple",
    )


class AbmTokenInput(serializers.Serializer):
    token = serializers.FileField(help_text="The server token (.p7m) ABM downloads")

    def validate_token(self, value: Any) -> bytes:
        if value.size > token.MAX_TOKEN_FILE:
            raise serializers.ValidationError(
                f"A server token is at most {token.MAX_TOKEN_FILE:,} bytes."
            )
        return bytes(value.read())


class FirstCommandInput(StrictInput):
    request_type = serializers.CharField(max_length=64, help_text="A command of the registry")
    params = serializers.DictField(required=False, default=dict)


class AbmProfileInput(StrictInput):
    """A Setup Assistant profile; `link` is set when it is created and never changes."""

    link = serializers.PrimaryKeyRelatedField(queryset=AbmLink.objects.all())
    name = serializers.CharField(max_length=255)
    is_default = serializers.BooleanField(required=False, default=False)
    models_rule = serializers.ListField(
        child=serializers.CharField(max_length=128),
        max_length=50,
        required=False,
        default=list,
        help_text="ABM models or families (Mac, iPhone 16) that get this profile",
    )
    groups = serializers.PrimaryKeyRelatedField(
        queryset=DirectoryGroup.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text="Directory groups whose members' devices get this profile (wins over models)",
    )
    supervised = serializers.BooleanField(required=False, default=True)
    await_device_configured = serializers.BooleanField(required=False, default=True)
    mdm_removable = serializers.BooleanField(required=False, default=False)
    skip_setup_items = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(protocol.SKIP_SETUP_ITEMS)),
        max_length=len(protocol.SKIP_SETUP_ITEMS),
        required=False,
        default=list,
    )
    department = serializers.CharField(max_length=125, required=False, allow_blank=True, default="")
    support_phone_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    support_email_address = serializers.CharField(
        max_length=250, required=False, allow_blank=True, default=""
    )
    anchor_certs_pem = serializers.CharField(
        max_length=100000, required=False, allow_blank=True, default=""
    )
    language = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    region = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    first_profiles = serializers.PrimaryKeyRelatedField(
        queryset=Profile.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text="Configuration profiles installed before DeviceConfigured",
    )
    first_commands = FirstCommandInput(
        many=True,
        required=False,
        default=list,
        help_text="Commands sent after those profiles, before DeviceConfigured, in order",
    )


class AbmProfileUpdateInput(AbmProfileInput):
    link = None  # type: ignore[assignment]


class SerialsInput(StrictInput):
    serial_numbers = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=1000
    )


class AbmAssignOutput(serializers.Serializer):
    assigned = serializers.IntegerField()


class AbmRemoveOutput(serializers.Serializer):
    results = serializers.DictField(
        child=serializers.CharField(), help_text="Apple's answer per serial number"
    )


class DevicePersonInput(StrictInput):
    person = serializers.CharField(
        max_length=255,
        allow_null=True,
        allow_blank=True,
        help_text="The directory user name the device is for; null or empty: nobody",
    )


class DiscoveryInput(StrictInput):
    url = serializers.URLField(
        max_length=500,
        required=False,
        help_text="The service discovery URL (https://); default: this server's well-known URL",
    )


class DiscoveryOutput(serializers.Serializer):
    mdm_service_discovery_url = serializers.CharField(
        allow_blank=True, help_text="What ABM has registered for account-driven enrollment"
    )
