"""REST input and output shapes of the APNs app."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apns.forms import MAX_UPLOAD_BYTES
from apns.models import PushBatch, PushCertificateRequest
from mdm_server.api_input import StrictInput


class CertificateUploadInput(serializers.Serializer):
    certificate = serializers.FileField()
    private_key = serializers.FileField(required=False)
    password = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    force = serializers.BooleanField(required=False, default=False)

    def validate_certificate(self, value: object) -> bytes:
        return _read(value)

    def validate_private_key(self, value: object) -> bytes:
        return _read(value)


class CertificateStatusOutput(serializers.Serializer):
    configured = serializers.BooleanField()
    topic = serializers.CharField(allow_null=True)
    subject = serializers.CharField(allow_null=True)
    not_before = serializers.DateTimeField(allow_null=True)
    not_after = serializers.DateTimeField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    expired = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())


class CsrInput(StrictInput):
    common_name = serializers.CharField(max_length=64)
    email = serializers.EmailField(required=False, allow_blank=True)


class CsrOutput(serializers.ModelSerializer):
    class Meta:
        model = PushCertificateRequest
        fields = ["id", "common_name", "csr_pem", "created_at", "used_at"]


class PushBatchOutput(serializers.ModelSerializer):
    class Meta:
        model = PushBatch
        fields = [
            "id", "origin", "status", "total", "sent", "failed", "dead", "unknown", "error",
            "created_at", "finished_at",
        ]  # fmt: skip


class PushInput(StrictInput):
    enrollment_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=200000
    )
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("all") and not attrs.get("enrollment_ids"):
            raise serializers.ValidationError("give enrollment_ids, or all: true")
        return attrs


def _read(upload: object) -> bytes:
    if (getattr(upload, "size", 0) or 0) > MAX_UPLOAD_BYTES:
        raise serializers.ValidationError("too large for a certificate (256 KB at most)")
    data: bytes = upload.read()  # type: ignore[attr-defined]
    if not data:
        raise serializers.ValidationError("the file is empty")
    return data
