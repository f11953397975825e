"""REST serializers of Apple Business Manager: links (never their secrets), devices, profiles."""

from __future__ import annotations

from rest_framework import serializers

from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile


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
            "supervised",
            "await_device_configured",
            "mdm_removable",
            "skip_setup_items",
            "department",
            "support_phone_number",
            "support_email_address",
            "language",
            "region",
            "first_profiles",
            "profile_uuid",
            "defined_at",
        ]
        read_only_fields = fields
