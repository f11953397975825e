"""REST serializers for the directory. Secrets are write-only; Managed Apple IDs are masked in lists."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from directory import sync
from directory.models import (
    DirectoryGroup,
    DirectoryUser,
    IdentitySource,
    ImportRun,
    ManagedAppleIdDomain,
)
from mdm_server.api_input import StrictInput


class SourceSerializer(serializers.ModelSerializer):
    """Output and input for identity sources; whole-config checks happen in services.save_source."""

    bind_password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    client_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    client_key = serializers.CharField(write_only=True, required=False, allow_blank=True)
    has_bind_password = serializers.BooleanField(read_only=True)
    has_client_secret = serializers.BooleanField(read_only=True)
    sign_in_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False
    )
    allowed_groups = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False
    )
    attribute_map = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False
    )
    user_count = serializers.SerializerMethodField()  # annotated by the view when listing

    class Meta:
        model = IdentitySource
        fields = [
            "id", "name", "kind", "enabled", "sign_in_domains", "allowed_groups",
            "apple_id_mapping", "apple_id_pattern", "auto_invite", "sync_enabled",
            "sync_adds_new_users", "timeout", "console_sign_in",
            "ldap_url", "ldap_security", "ldap_ca_pem", "bind_dn", "bind_password",
            "has_bind_password", "user_base_dn", "user_filter", "group_base_dn", "group_filter",
            "group_member_attribute", "attribute_map",
            "tenant_id", "client_id", "client_secret", "has_client_secret",
            "client_certificate_pem", "client_key", "authority_host", "graph_url",
            "authority_ca_pem",
            "last_synced_at", "created_at", "updated_at", "user_count",
        ]  # fmt: skip
        read_only_fields = ["last_synced_at", "created_at", "updated_at"]

    def get_user_count(self, obj: IdentitySource) -> int:
        annotated = getattr(obj, "user_count", None)
        return int(annotated) if annotated is not None else obj.users.count()

    def validate_attribute_map(self, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(sync.ATTRIBUTE_KEYS))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown key {unknown[0]!r}; allowed: {', '.join(sync.ATTRIBUTE_KEYS)}."
            )
        return value

    def validate_kind(self, value: str) -> str:
        if self.instance is not None and value != self.instance.kind:
            raise serializers.ValidationError("The kind of a source cannot be changed.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and "kind" not in attrs:
            raise serializers.ValidationError({"kind": ["This field is required."]})
        return attrs


class DirectoryGroupRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = DirectoryGroup
        fields = ["id", "name", "kind"]


class UserListSerializer(serializers.ModelSerializer):
    """List view: the Managed Apple ID is masked (GDPR)."""

    source = serializers.CharField(source="source.name", read_only=True)
    source_id = serializers.IntegerField(read_only=True)
    managed_apple_id = serializers.CharField(source="masked_apple_id", read_only=True)

    class Meta:
        model = DirectoryUser
        fields = [
            "id", "username", "email", "upn", "display_name", "source", "source_id",
            "managed_apple_id", "managed_apple_id_problem", "enabled", "last_login_at",
        ]  # fmt: skip


class UserDetailSerializer(UserListSerializer):
    """Detail view: the full Managed Apple ID only for administrators (the view decides)."""

    groups = DirectoryGroupRefSerializer(many=True, read_only=True)
    external_id = serializers.CharField(read_only=True)
    distinguished_name = serializers.CharField(read_only=True)
    enrollment_settings = serializers.SerializerMethodField()

    class Meta(UserListSerializer.Meta):
        fields = [
            *UserListSerializer.Meta.fields, "external_id", "distinguished_name", "groups",
            "enrollment_settings", "disabled_at", "created_at",
        ]  # fmt: skip

    def get_enrollment_settings(self, obj: DirectoryUser) -> dict[str, Any]:
        from directory.services import enrollment_settings_for

        settings = enrollment_settings_for(obj)
        return {
            "apple_enrollment_type": settings.apple_enrollment_type,
            "default_ownership": settings.default_ownership,
            "group": settings.group,
        }

    def to_representation(self, instance: DirectoryUser) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("show_apple_id"):
            data["managed_apple_id"] = instance.managed_apple_id
        return data


class LocalUserInput(StrictInput):
    username = serializers.CharField(max_length=150)
    # No schema default: "" is not an e-mail address (validate() fills it in).
    email = serializers.EmailField(required=False, allow_blank=True)
    display_name = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    password = serializers.CharField(write_only=True, min_length=8)
    groups = serializers.PrimaryKeyRelatedField(
        queryset=DirectoryGroup.objects.filter(kind="static"), many=True, required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("email", "")
        return attrs


class UserUpdateInput(StrictInput):
    username = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    display_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, min_length=8, required=False)
    enabled = serializers.BooleanField(required=False)
    groups = serializers.PrimaryKeyRelatedField(
        queryset=DirectoryGroup.objects.filter(kind="static"), many=True, required=False
    )


class GroupSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name", read_only=True, default=None)
    member_count = serializers.SerializerMethodField()
    members = serializers.PrimaryKeyRelatedField(
        queryset=DirectoryUser.objects.all(), many=True, required=False, write_only=True
    )

    class Meta:
        model = DirectoryGroup
        fields = [
            "id", "name", "kind", "source", "external_id", "distinguished_name",
            "apple_enrollment_type", "default_ownership", "priority", "member_count", "members",
        ]  # fmt: skip
        read_only_fields = ["kind", "external_id", "distinguished_name"]
        validators: list[Any] = []  # names are checked case-insensitively by the service

    def get_member_count(self, obj: DirectoryGroup) -> int:
        annotated = getattr(obj, "member_count", None)
        return int(annotated) if annotated is not None else obj.members.count()


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = ManagedAppleIdDomain
        fields = ["id", "domain", "enabled", "created_at"]
        read_only_fields = ["enabled", "created_at"]
        extra_kwargs: dict[str, dict[str, Any]] = {"domain": {"validators": []}}


class RunSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name", read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id", "source", "source_id", "kind", "status", "selection", "found", "created",
            "updated", "disabled", "groups", "invited", "problems", "error", "actor_name",
            "started_at", "finished_at", "created_at",
        ]  # fmt: skip


class SelectionItem(serializers.Serializer):
    type = serializers.ChoiceField(choices=["user", "group", "ou", "all"])
    id = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ImportInput(StrictInput):
    selection = SelectionItem(many=True)


class SearchInput(StrictInput):
    query = serializers.CharField(max_length=200)


class SearchHitOutput(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    name = serializers.CharField()
    detail = serializers.CharField()
    imported = serializers.BooleanField()


class MessageOutput(serializers.Serializer):
    message = serializers.CharField()


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    expires_at = serializers.DateTimeField()
