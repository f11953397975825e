"""REST serializers for enrollment settings, configurations and sessions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from enrollment import access_rights, discovery
from enrollment.models import EnrollmentConfiguration, EnrollmentSession, EnrollmentSettings


class SettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnrollmentSettings
        fields = [
            "user_enrollment_enabled",
            "organisation_name",
            "token_ttl_minutes",
            "session_ttl_days",
            "oauth_access_ttl_minutes",
            "device_access_rights",
            "terms_text",
            "apple_device_ca_pem",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate_token_ttl_minutes(self, value: int) -> int:
        if not 1 <= value <= 24 * 60:
            raise serializers.ValidationError("Between 1 minute and one day.")
        return value

    def validate_session_ttl_days(self, value: int) -> int:
        if not 1 <= value <= 3650:
            raise serializers.ValidationError("Between 1 and 3650 days.")
        return value

    def validate_apple_device_ca_pem(self, value: str) -> str:
        from cryptography import x509

        value = value.strip()
        if value:
            try:
                x509.load_pem_x509_certificates(value.encode())
            except ValueError:
                raise serializers.ValidationError("Not a PEM certificate.") from None
        return value

    def validate_device_access_rights(self, value: int) -> int:
        reason = access_rights.problem(value)
        if reason:
            raise serializers.ValidationError(reason)
        return value


class ConfigurationSerializer(serializers.ModelSerializer):
    well_known_url = serializers.SerializerMethodField()

    class Meta:
        model = EnrollmentConfiguration
        fields = [
            "id",
            "name",
            "slug",
            "is_default",
            "domains",
            "groups",
            "family_versions",
            "default_version",
            "identity_source",
            "sign_in_method",
            "identity_kind",
            "oauth_client_id",
            "well_known_url",
        ]
        read_only_fields = ["slug", "oauth_client_id"]

    def get_well_known_url(self, obj: EnrollmentConfiguration) -> str:
        from enrollment import services

        return services.well_known_url(obj)

    def validate_domains(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
            raise serializers.ValidationError("A list of domain names.")
        domains = [d.strip().lower().rstrip(".") for d in value if d.strip()]
        for domain in domains:
            if "." not in domain or "@" in domain or " " in domain:
                raise serializers.ValidationError(f"{domain!r} is not a domain name.")
        others = EnrollmentConfiguration.objects.exclude(pk=getattr(self.instance, "pk", 0) or 0)
        for other in others:
            clash = set(domains) & set(other.domains)
            if clash:
                raise serializers.ValidationError(f"{', '.join(sorted(clash))} is used by {other}.")
        return domains

    def validate_groups(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
            raise serializers.ValidationError("A list of group names.")
        return [g.strip() for g in value if g.strip()]

    def validate_family_versions(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise serializers.ValidationError("An object: model family -> mdm-byod or mdm-adde.")
        for family, version in value.items():
            if family not in discovery.MODEL_FAMILIES:
                raise serializers.ValidationError(f"Unknown model family {family!r}.")
            if version not in discovery.VERSIONS:
                raise serializers.ValidationError(f"{family}: {version!r} is not a version.")
        return dict(value)


class SessionSerializer(serializers.ModelSerializer):
    configuration = serializers.SlugRelatedField(read_only=True, slug_field="name")
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = EnrollmentSession
        fields = [
            "public_id",
            "kind",
            "enrollment_type",
            "status",
            "configuration",
            "user_identifier",
            "managed_apple_id",
            "model_family",
            "platform",
            "machine_info",
            "enrollment",
            "created_at",
            "expires_at",
            "revoked_at",
            "revoked_reason",
            "is_active",
        ]
        read_only_fields = fields
