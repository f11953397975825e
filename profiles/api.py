"""REST API of the profiles app: profiles, uploads, the UE report, assignments and delivery status."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devices.models import Enrollment
from directory.models import DirectoryGroup
from mdm_server.api_errors import error_response
from mdm_server.api_schema import ERROR
from mdm_server.pki.certificates import CertificateError
from profiles import mobileconfig, schema, serializers, services
from profiles.exceptions import ProfileError
from profiles.models import Assignment, Delivery, Profile


def _refused(exc: ProfileError) -> Response:
    """A ProfileError in the common error format, with the offending fields."""
    return Response(
        {"error": {"code": "invalid", "message": exc.message, "fields": exc.fields}},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _payload_inputs(items: list[dict[str, Any]]) -> list[services.PayloadInput]:
    return [
        services.PayloadInput(
            payload_type=item["type"],
            content=item["content"],
            identifier=item.get("identifier", ""),
            uuid=item.get("uuid", ""),
            display_name=item.get("display_name", ""),
        )
        for item in items
    ]


def _detail(profile: Profile) -> dict[str, Any]:
    data = dict(serializers.ProfileOutput(profile).data)
    data["content"] = [schema.to_json(p) for p in profile.payloads]
    data["ue_report"] = services.ue_report_json(profile)
    return data


class ProfileListApi(ListAPIView):
    serializer_class = serializers.ProfileOutput
    queryset = Profile.objects.all()

    @extend_schema(request=serializers.ProfileInput, responses={201: serializers.ProfileOutput})
    def post(self, request: Request) -> Response:
        data = serializers.ProfileInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            profile = services.create_profile(
                identifier=values["identifier"],
                display_name=values["display_name"],
                description=values["description"],
                organization=values["organization"],
                scope=values["scope"],
                ue_mode=values["ue_mode"],
                removal_disallowed=values["removal_disallowed"],
                payloads=_payload_inputs(values["payloads"]),
                actor=request.user,
            )
        except ProfileError as exc:
            return _refused(exc)
        return Response(_detail(profile), status=status.HTTP_201_CREATED)


class ProfileUploadApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": serializers.UploadInput},
        responses={201: serializers.ProfileOutput},
    )
    def post(self, request: Request) -> Response:
        data = serializers.UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > mobileconfig.MAX_UPLOAD_BYTES:
            return error_response(
                f"The file is {upload.size:,} bytes; profiles up to "
                f"{mobileconfig.MAX_UPLOAD_BYTES:,} bytes are accepted.",
                code="too_large",
            )
        try:
            profile = services.upload_profile(
                data=upload.read(), actor=request.user, ue_mode=data.validated_data["ue_mode"]
            )
        except ProfileError as exc:
            return _refused(exc)
        return Response(_detail(profile), status=status.HTTP_201_CREATED)


class ProfileReplaceApi(APIView):
    """A new version of a profile from an uploaded file with the same PayloadIdentifier."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="profiles_replace",
        request={"multipart/form-data": serializers.UploadInput},
        responses={200: serializers.ProfileOutput, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        profile = get_object_or_404(Profile, pk=pk)
        data = serializers.UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > mobileconfig.MAX_UPLOAD_BYTES:
            return error_response(
                f"The file is {upload.size:,} bytes; profiles up to "
                f"{mobileconfig.MAX_UPLOAD_BYTES:,} bytes are accepted.",
                code="too_large",
            )
        ue_mode = data.validated_data["ue_mode"] if "ue_mode" in request.data else None
        try:
            profile = services.update_profile(
                profile, actor=request.user, data=upload.read(), ue_mode=ue_mode
            )
        except ProfileError as exc:
            return _refused(exc)
        except CertificateError as exc:
            return error_response(str(exc), code="no_signing_certificate", http_status=409)
        return Response(_detail(profile))


class ProfileDetailApi(APIView):
    @extend_schema(responses=serializers.ProfileOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(get_object_or_404(Profile, pk=pk)))

    @extend_schema(
        request=serializers.ProfileUpdateInput,
        responses={200: serializers.ProfileOutput, 409: ERROR},
    )
    def patch(self, request: Request, pk: int) -> Response:
        profile = get_object_or_404(Profile, pk=pk)
        data = serializers.ProfileUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "payloads" in values:
            values["payloads"] = _payload_inputs(values["payloads"])
        try:
            profile = services.update_profile(profile, actor=request.user, **values)
        except ProfileError as exc:
            return _refused(exc)
        except CertificateError as exc:
            return error_response(str(exc), code="no_signing_certificate", http_status=409)
        return Response(_detail(profile))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        profile = get_object_or_404(Profile, pk=pk)
        services.delete_profile(profile, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileUserEnrollmentReportApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        profile = get_object_or_404(Profile, pk=pk)
        return Response({"profile": profile.pk, "platforms": services.ue_report_json(profile)})


class ProfileDownloadApi(APIView):
    """The `.mobileconfig` as a device would get it (signed), or unsigned with ?signed=0."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "signed", str, enum=["0", "1"], description="0: the profile unsigned (default 1)"
            )
        ],
        responses={(200, "application/x-apple-aspen-config"): OpenApiTypes.BINARY, 409: ERROR},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        profile = get_object_or_404(Profile, pk=pk)
        data = bytes(profile.content)
        if request.query_params.get("signed", "1") != "0":
            try:
                data = services.signed_profile(profile)
            except CertificateError as exc:
                return error_response(str(exc), code="no_signing_certificate", http_status=409)
        response = HttpResponse(data, content_type="application/x-apple-aspen-config")
        response["Content-Disposition"] = f'attachment; filename="{profile.pk}.mobileconfig"'
        return response


class AssignmentListApi(APIView):
    @extend_schema(responses=serializers.AssignmentOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        profile = get_object_or_404(Profile, pk=pk)
        rows = profile.assignments.select_related("enrollment__device", "group")
        return Response(serializers.AssignmentOutput(rows, many=True).data)

    @extend_schema(
        request=serializers.AssignmentInput, responses={201: OpenApiTypes.OBJECT, 409: ERROR}
    )
    def post(self, request: Request, pk: int) -> Response:
        profile = get_object_or_404(Profile, pk=pk)
        data = serializers.AssignmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        wanted = set(values["enrollments"])
        enrollments = list(Enrollment.objects.filter(public_id__in=wanted))
        missing = wanted - {e.public_id for e in enrollments}
        groups = list(DirectoryGroup.objects.filter(pk__in=values["groups"]))
        missing_groups = set(values["groups"]) - {g.pk for g in groups}
        fields: dict[str, list[str]] = {}
        if missing:
            fields["enrollments"] = [f"Unknown enrollment {m}." for m in sorted(map(str, missing))]
        if missing_groups:
            fields["groups"] = [f"Unknown group {g}." for g in sorted(missing_groups)]
        if fields:
            return _refused(ProfileError("Some targets do not exist.", fields))
        try:
            outcome = services.assign_profile(
                profile=profile,
                actor=request.user,
                enrollments=enrollments,
                groups=groups,
                enrollment_types=values["enrollment_types"],
            )
        except ProfileError as exc:
            return _refused(exc)
        except CertificateError as exc:
            return error_response(str(exc), code="no_signing_certificate", http_status=409)
        public = dict(Enrollment.objects.filter(
            pk__in=[*outcome.installed.queued, *outcome.installed.skipped, *outcome.removed]
        ).values_list("pk", "public_id"))  # fmt: skip
        return Response(
            {
                "queued": [str(public[i]) for i in outcome.installed.queued],
                "skipped": {str(public[i]): r for i, r in outcome.installed.skipped.items()},
                "removed": [str(public[i]) for i in outcome.removed],
                "commands": outcome.installed.command_uuids,
            },
            status=status.HTTP_201_CREATED,
        )


class AssignmentDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def delete(self, request: Request, pk: int, assignment_pk: int) -> Response:
        assignment = get_object_or_404(Assignment, pk=assignment_pk, profile_id=pk)
        outcome = services.unassign_profile(assignment=assignment, actor=request.user)
        return Response({"removed": len(outcome.removed)}, status=status.HTTP_200_OK)


class DeliveryListApi(ListAPIView):
    serializer_class = serializers.DeliveryOutput
    filterset_fields = ["status"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no pk
            return Delivery.objects.none()
        profile = get_object_or_404(Profile, pk=self.kwargs["pk"])
        return Delivery.objects.filter(profile=profile).select_related("enrollment__device")


class CatalogueApi(APIView):
    """The payload catalogue with each payload's keys, from Apple's schema (for building forms)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "section": section,
                    "payload_type": spec.payload_type,
                    "title": spec.title,
                    "description": spec.description,
                    "keys": list(spec.keys),
                }
                for section, spec in schema.catalogue()
            ]
        )
