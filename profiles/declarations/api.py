"""REST API of declarations: declarations, sets and assignments, status per declaration and device."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devices.models import Enrollment
from directory.models import DirectoryGroup
from profiles.declarations import asset_data, serializers, services
from profiles.declarations.models import (
    ChannelStatus,
    Declaration,
    DeclarationSet,
    DeclarationState,
    ManagedAppState,
    SetAssignment,
)
from profiles.models import Profile


def _refused(exc: services.DeclarationError) -> Response:
    return Response(
        {"error": {"code": "invalid", "message": str(exc), "fields": exc.errors}},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _profile(value: int | None) -> Profile | None:
    if value is None:
        return None
    found = Profile.objects.filter(pk=value).first()
    if found is None:
        raise services.DeclarationError({"profile": [f"no profile {value}"]})
    return found


class DeclarationListApi(ListAPIView):
    serializer_class = serializers.DeclarationOutput
    queryset = Declaration.objects.all()

    @extend_schema(
        request=serializers.DeclarationInput, responses={201: serializers.DeclarationOutput}
    )
    def post(self, request: Request) -> Response:
        data = serializers.DeclarationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            row = services.create_declaration(
                declaration_type=values["declaration_type"],
                identifier=values["identifier"],
                display_name=values["display_name"],
                description=values["description"],
                payload=values["payload"],
                profile=_profile(values["profile"]),
                actor=request.user,
            )
        except services.DeclarationError as exc:
            return _refused(exc)
        return Response(serializers.DeclarationOutput(row).data, status=status.HTTP_201_CREATED)


class DeclarationDetailApi(APIView):
    @extend_schema(responses=serializers.DeclarationOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(serializers.DeclarationOutput(get_object_or_404(Declaration, pk=pk)).data)

    @extend_schema(
        request=serializers.DeclarationUpdateInput, responses=serializers.DeclarationOutput
    )
    def patch(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(Declaration, pk=pk)
        data = serializers.DeclarationUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            row = services.update_declaration(
                row,
                payload=values.get("payload", row.payload),
                display_name=values.get("display_name"),
                description=values.get("description"),
                profile=_profile(values["profile"]) if "profile" in values else row.profile,
                actor=request.user,
            )
        except services.DeclarationError as exc:
            return _refused(exc)
        return Response(serializers.DeclarationOutput(row).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        try:
            services.delete_declaration(get_object_or_404(Declaration, pk=pk), actor=request.user)
        except services.DeclarationError as exc:
            return _refused(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeclarationAssetDataApi(APIView):
    """Host a file as an asset's data: its Reference and Authentication point at the server."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": serializers.AssetDataInput},
        responses={200: serializers.DeclarationOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(Declaration, pk=pk)
        data = serializers.AssetDataInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            row = asset_data.upload_asset_data(
                row,
                data=upload.read(),
                content_type=data.validated_data["content_type"],
                filename=upload.name or "",
                actor=request.user,
            )
        except services.DeclarationError as exc:
            return _refused(exc)
        return Response(serializers.DeclarationOutput(row).data)


class DeclarationStatusApi(ListAPIView):
    """What each device reported of this declaration: valid, active, reasons."""

    serializer_class = serializers.StateOutput
    queryset = DeclarationState.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        row = get_object_or_404(Declaration, pk=self.kwargs["pk"])
        return DeclarationState.objects.filter(identifier=row.identifier).select_related(
            "enrollment"
        )


class SetListApi(ListAPIView):
    serializer_class = serializers.SetOutput
    queryset = DeclarationSet.objects.prefetch_related("declarations", "assignments__enrollment")

    @extend_schema(request=serializers.SetInput, responses={201: serializers.SetOutput})
    def post(self, request: Request) -> Response:
        data = serializers.SetInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            row = services.create_set(
                name=values["name"],
                description=values["description"],
                declarations=_declarations(values["declarations"]),
                actor=request.user,
            )
        except services.DeclarationError as exc:
            return _refused(exc)
        return Response(serializers.SetOutput(row).data, status=status.HTTP_201_CREATED)


def _declarations(identifiers: list[str]) -> list[Declaration]:
    rows = list(Declaration.objects.filter(identifier__in=identifiers))
    missing = sorted(set(identifiers) - {r.identifier for r in rows})
    if missing:
        raise services.DeclarationError({"declarations": [f"no declaration {m}" for m in missing]})
    return rows


class SetDetailApi(APIView):
    @extend_schema(responses=serializers.SetOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(serializers.SetOutput(get_object_or_404(DeclarationSet, pk=pk)).data)

    @extend_schema(request=serializers.SetUpdateInput, responses=serializers.SetOutput)
    def patch(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(DeclarationSet, pk=pk)
        data = serializers.SetUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            members = _declarations(data.validated_data["declarations"])
        except services.DeclarationError as exc:
            return _refused(exc)
        services.set_members(row, declarations=members, actor=request.user)
        return Response(serializers.SetOutput(row).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_set(get_object_or_404(DeclarationSet, pk=pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SetAssignmentListApi(APIView):
    @extend_schema(responses=serializers.SetAssignmentOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(DeclarationSet, pk=pk)
        return Response(serializers.SetAssignmentOutput(row.assignments.all(), many=True).data)

    @extend_schema(
        request=serializers.SetAssignmentInput, responses={201: serializers.SetAssignmentOutput}
    )
    def post(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(DeclarationSet, pk=pk)
        data = serializers.SetAssignmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        enrollment = group = None
        if "enrollment" in values:
            enrollment = Enrollment.objects.filter(public_id=values["enrollment"]).first()
            if enrollment is None:
                return _refused(services.DeclarationError({"enrollment": ["no such device"]}))
        if "group" in values:
            group = DirectoryGroup.objects.filter(pk=values["group"]).first()
            if group is None:
                return _refused(services.DeclarationError({"group": ["no such group"]}))
        try:
            assignment = services.assign_set(
                declaration_set=row,
                kind=values["kind"],
                enrollment=enrollment,
                group=group,
                enrollment_type=values.get("enrollment_type", ""),
                actor=request.user,
            )
        except services.DeclarationError as exc:
            return _refused(exc)
        return Response(
            serializers.SetAssignmentOutput(assignment).data, status=status.HTTP_201_CREATED
        )


class SetAssignmentDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, assignment_pk: int) -> Response:
        assignment = get_object_or_404(SetAssignment, pk=assignment_pk, declaration_set_id=pk)
        services.unassign_set(assignment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceStatusApi(APIView):
    """One device channel's declarative status: OS, pending update and deadline, passcode,
    each declaration's state, what is withheld and why, and whether the status is stale."""

    @extend_schema(responses=serializers.DeviceStatusOutput)
    def get(self, request: Request, public_id: str) -> Response:
        enrollment = get_object_or_404(Enrollment, public_id=public_id)
        row = ChannelStatus.objects.filter(enrollment=enrollment).first()
        served = services.served(enrollment)
        if row is None:
            row = ChannelStatus(enrollment=enrollment)
        row.withheld = served.withheld
        row.stale = services.is_stale(row if row.pk else None)  # type: ignore[attr-defined]
        row.states = DeclarationState.objects.filter(enrollment=enrollment)  # type: ignore[attr-defined]
        row.served = [i.identifier for i in served.items]  # type: ignore[attr-defined]
        row.apps = ManagedAppState.objects.filter(enrollment=enrollment)  # type: ignore[attr-defined]
        return Response(serializers.DeviceStatusOutput(row).data)
