"""REST API of the APNs app: push certificate status/upload/CSR, bulk pushes and their progress."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apns import serializers, services
from apns.models import PushBatch, PushCertificateRequest
from mdm_server import audit
from mdm_server.api_errors import error_response
from mdm_server.api_parsers import JSONParser
from mdm_server.api_schema import ERROR


def _status_data() -> dict[str, Any]:
    current = services.certificate_status()
    if current is None:
        return {
            "configured": False, "topic": None, "subject": None, "not_before": None,
            "not_after": None, "days_left": None, "expired": False,
            "warnings": services.dashboard_alerts(),
        }  # fmt: skip
    return {
        "configured": True,
        "topic": current.topic,
        "subject": current.certificate.subject,
        "not_before": current.certificate.not_before,
        "not_after": current.not_after,
        "days_left": current.days_left,
        "expired": current.expired,
        "warnings": current.warnings,
    }


class PushCertificateApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=serializers.CertificateStatusOutput)
    def get(self, request: Request) -> Response:
        return Response(serializers.CertificateStatusOutput(_status_data()).data)

    @extend_schema(
        request={"multipart/form-data": serializers.CertificateUploadInput},
        responses={201: serializers.CertificateStatusOutput, 409: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = serializers.CertificateUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            services.upload_push_certificate(
                data=values["certificate"],
                key_pem=values.get("private_key"),
                password=values.get("password") or None,
                force=values.get("force", False),
                actor=request.user,
            )
        except services.TopicChangeRefused as exc:
            return error_response(str(exc), code="topic_changed", http_status=409)
        except services.PushCertificateError as exc:
            return error_response(str(exc), code="invalid_certificate")
        return Response(
            serializers.CertificateStatusOutput(_status_data()).data, status=status.HTTP_201_CREATED
        )


class PushCsrCreateApi(APIView):
    @extend_schema(request=serializers.CsrInput, responses={201: serializers.CsrOutput})
    def post(self, request: Request) -> Response:
        data = serializers.CsrInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            row = services.create_push_csr(
                common_name=data.validated_data["common_name"],
                email=data.validated_data.get("email", ""),
                actor=request.user,
            )
        except services.PushCertificateError as exc:
            return error_response(str(exc))
        return Response(serializers.CsrOutput(row).data, status=status.HTTP_201_CREATED)


class PushCsrDetailApi(APIView):
    @extend_schema(responses=serializers.CsrOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            serializers.CsrOutput(get_object_or_404(PushCertificateRequest, pk=pk)).data
        )


class PushBatchListApi(APIView):
    @extend_schema(responses=serializers.PushBatchOutput(many=True))
    def get(self, request: Request) -> Response:
        rows = PushBatch.objects.all()[:50]
        return Response(serializers.PushBatchOutput(rows, many=True).data)

    @extend_schema(
        request=serializers.PushInput, responses={202: serializers.PushBatchOutput, 409: ERROR}
    )
    def post(self, request: Request) -> Response:
        data = serializers.PushInput(data=request.data)
        data.is_valid(raise_exception=True)
        if services.active_certificate() is None:
            return error_response(
                "no active push certificate: upload one first", code="no_certificate",
                http_status=409,
            )  # fmt: skip
        if data.validated_data.get("all"):
            result = services.push_all(actor=request.user)
        else:
            with transaction.atomic():
                result = services.schedule_pushes(
                    enrollment_ids=data.validated_data["enrollment_ids"],
                    origin="api",
                    actor=request.user,
                    coalesce=False,
                    track=True,
                )
                audit.record(
                    actor=request.user,
                    action="apns.push",
                    target=result.batch,
                    details={"enrollments": len(result.scheduled)},
                )
        if result.batch is None:
            return error_response("none of these enrollments can be pushed", code="not_pushable")
        return Response(
            serializers.PushBatchOutput(result.batch).data, status=status.HTTP_202_ACCEPTED
        )


class PushBatchDetailApi(APIView):
    @extend_schema(responses=serializers.PushBatchOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(serializers.PushBatchOutput(get_object_or_404(PushBatch, pk=pk)).data)
