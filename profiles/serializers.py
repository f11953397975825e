"""Input and output serializers of the profiles API (no side effects: services do the writes)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from devices.models import Enrollment
from mdm_server.api_input import StrictInput
from profiles.models import Assignment, Delivery, Profile


class PayloadInput(serializers.Serializer):
    type = serializers.CharField(
        max_length=255, help_text="PayloadType, e.g. com.apple.wifi.managed"
    )
    content = serializers.DictField(
        help_text="Payload keys as JSON: data values in base64, dates in ISO 8601"
    )
    identifier = serializers.CharField(max_length=255, required=False, allow_blank=True)
    uuid = serializers.CharField(max_length=64, required=False, allow_blank=True)
    display_name = serializers.CharField(max_length=255, required=False, allow_blank=True)


class ProfileInput(StrictInput):
    identifier = serializers.CharField(max_length=255)
    display_name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    organization = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    scope = serializers.ChoiceField(choices=Profile.Scope.choices, default=Profile.Scope.DEVICE)
    ue_mode = serializers.ChoiceField(
        choices=Profile.UserEnrollmentMode.choices, default=Profile.UserEnrollmentMode.SKIP
    )
    removal_disallowed = serializers.BooleanField(required=False, allow_null=True, default=None)
    payloads = PayloadInput(many=True)


class ProfileUpdateInput(StrictInput):
    display_name = serializers.CharField(max_length=255, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    organization = serializers.CharField(max_length=255, required=False, allow_blank=True)
    scope = serializers.ChoiceField(choices=Profile.Scope.choices, required=False)
    ue_mode = serializers.ChoiceField(choices=Profile.UserEnrollmentMode.choices, required=False)
    removal_disallowed = serializers.BooleanField(required=False, allow_null=True)
    payloads = PayloadInput(many=True, required=False)


class UploadInput(serializers.Serializer):
    file = serializers.FileField(help_text=".mobileconfig, plain or signed")
    ue_mode = serializers.ChoiceField(
        choices=Profile.UserEnrollmentMode.choices, default=Profile.UserEnrollmentMode.SKIP
    )


class ProfileOutput(serializers.ModelSerializer):
    payloads = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = [
            "id",
            "identifier",
            "display_name",
            "description",
            "organization",
            "uuid",
            "scope",
            "source",
            "ue_mode",
            "removal_disallowed",
            "version",
            "payloads",
            "warnings",
            "upload_signer",
            "created_at",
            "updated_at",
        ]

    def get_payloads(self, obj: Profile) -> list[dict[str, Any]]:
        return list(obj.payload_summary)


class AssignmentInput(StrictInput):
    enrollments = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list,
        help_text="Enrollment public ids",
    )  # fmt: skip
    groups = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list,
        help_text="Directory group ids",
    )  # fmt: skip
    enrollment_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Enrollment.Type.choices), required=False, default=list
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs["enrollments"] or attrs["groups"] or attrs["enrollment_types"]):
            raise serializers.ValidationError(
                "Give at least one of enrollments, groups or enrollment_types."
            )
        return attrs


class AssignmentOutput(serializers.ModelSerializer):
    enrollment = serializers.UUIDField(source="enrollment.public_id", allow_null=True, default=None)
    group_name = serializers.CharField(source="group.name", allow_null=True, default=None)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "kind",
            "enrollment",
            "group",
            "group_name",
            "enrollment_type",
            "created_at",
        ]


class DeliveryOutput(serializers.ModelSerializer):
    enrollment = serializers.UUIDField(source="enrollment.public_id")
    device_name = serializers.CharField(source="enrollment.device.device_name")
    enrollment_type = serializers.CharField(source="enrollment.enrollment_type")
    platform = serializers.CharField(source="enrollment.device.platform")

    class Meta:
        model = Delivery
        fields = [
            "enrollment",
            "device_name",
            "enrollment_type",
            "platform",
            "status",
            "version",
            "partial",
            "reason",
            "command_uuid",
            "error_chain",
            "updated_at",
        ]
