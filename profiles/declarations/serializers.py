"""Input and output serializers of the declarations API (services do the writes)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from devices.models import Enrollment
from mdm_server.api_input import StrictInput
from profiles.declarations import rules
from profiles.declarations.models import (
    ChannelStatus,
    Declaration,
    DeclarationSet,
    DeclarationState,
    ManagedAppState,
    SetAssignment,
)


class DeclarationInput(StrictInput):
    declaration_type = serializers.CharField(
        max_length=128, help_text="e.g. com.apple.configuration.passcode.settings"
    )
    identifier = serializers.CharField(max_length=255)
    display_name = serializers.CharField(max_length=255, required=False, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    payload = serializers.DictField(
        required=False,
        default=dict,
        help_text="The declaration's Payload; {{ email }}, {{ full_name }}, {{ username }}, "
        "{{ upn }}, {{ managed_apple_id }} are filled per device",
    )
    profile = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="legacy: the profile's id"
    )


class DeclarationUpdateInput(StrictInput):
    display_name = serializers.CharField(max_length=255, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    payload = serializers.DictField(required=False)
    profile = serializers.IntegerField(required=False, allow_null=True)


class Verdict(serializers.Serializer):
    platform = serializers.CharField()
    kind = serializers.CharField(help_text="supervised, device or user (Apple's enrollment kinds)")
    scope = serializers.CharField(help_text="system (device channel) or user (user channel)")
    refused = serializers.CharField(allow_null=True, help_text="why it is not delivered there")


class DeclarationOutput(serializers.ModelSerializer):
    verdicts = serializers.SerializerMethodField()

    class Meta:
        model = Declaration
        fields = [
            "id",
            "identifier",
            "declaration_type",
            "declaration_class",
            "display_name",
            "description",
            "payload",
            "profile",
            "server_token",
            "version",
            "created_at",
            "updated_at",
            "verdicts",
        ]

    @extend_schema_field(Verdict(many=True))
    def get_verdicts(self, obj: Declaration) -> list[dict[str, Any]]:
        return rules.verdicts(obj.declaration_type)


class SetInput(StrictInput):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    declarations = serializers.ListField(
        child=serializers.CharField(max_length=255),
        required=False,
        default=list,
        help_text="identifiers of the declarations",
    )


class SetUpdateInput(StrictInput):
    declarations = serializers.ListField(child=serializers.CharField(max_length=255))


class SetAssignmentInput(StrictInput):
    kind = serializers.ChoiceField(choices=SetAssignment.Kind.choices)
    enrollment = serializers.UUIDField(required=False, help_text="kind=enrollment: its public id")
    group = serializers.IntegerField(required=False, help_text="kind=group: the group's id")
    enrollment_type = serializers.ChoiceField(
        choices=Enrollment.Type.choices, required=False, help_text="kind=type"
    )


class SetAssignmentOutput(serializers.ModelSerializer):
    enrollment = serializers.UUIDField(source="enrollment.public_id", allow_null=True, default=None)

    class Meta:
        model = SetAssignment
        fields = ["id", "kind", "enrollment", "group", "enrollment_type", "created_at"]


class SetOutput(serializers.ModelSerializer):
    declarations: serializers.SlugRelatedField[Declaration] = serializers.SlugRelatedField(
        slug_field="identifier", many=True, read_only=True
    )
    assignments = SetAssignmentOutput(many=True, read_only=True)

    class Meta:
        model = DeclarationSet
        fields = ["id", "name", "description", "declarations", "assignments", "updated_at"]


class StateOutput(serializers.ModelSerializer):
    enrollment = serializers.UUIDField(source="enrollment.public_id")

    class Meta:
        model = DeclarationState
        fields = [
            "enrollment",
            "identifier",
            "declaration_class",
            "server_token",
            "valid",
            "active",
            "reasons",
            "updated_at",
        ]


class ManagedAppOutput(serializers.ModelSerializer):
    class Meta:
        model = ManagedAppState
        fields = [
            "bundle_id",
            "declaration_identifier",
            "name",
            "version",
            "short_version",
            "state",
            "update_state",
            "reasons",
            "updated_at",
        ]


class DeviceStatusOutput(serializers.ModelSerializer):
    enrollment = serializers.UUIDField(source="enrollment.public_id")
    stale = serializers.BooleanField()
    states = StateOutput(many=True)
    apps = ManagedAppOutput(
        many=True, help_text="the apps of its app.managed declarations (app.managed.list)"
    )
    served = serializers.ListField(child=serializers.CharField(), help_text="identifiers")

    class Meta:
        model = ChannelStatus
        fields = [
            "enrollment",
            "stale",
            "reported_at",
            "synced_at",
            "os_version",
            "build_version",
            "pending_version",
            "pending_build",
            "pending_deadline",
            "install_state",
            "failure_reason",
            "passcode_compliant",
            "passcode_present",
            "withheld",
            "errors",
            "states",
            "apps",
            "served",
        ]


class AssetDataInput(serializers.Serializer):
    file = serializers.FileField(help_text="the asset's data, served to the devices given it")
    content_type = serializers.CharField(
        max_length=127,
        required=False,
        default="",
        help_text="media type; empty: guessed from the file name (a certificate asset: "
        "application/pem or application/pkcs1 from its encoding)",
    )
