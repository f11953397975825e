"""REST API of managed apps under /api/v1/apps/: locations, catalogue, assignments, installs."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from devices.managed_apps import serializers, services, tasks
from devices.managed_apps.models import App, AppAssignment, AppInstall, AppsBooksToken
from devices.models import Enrollment
from directory.models import DirectoryGroup
from mdm_server.api_errors import error_response


def _refused(exc: services.ManagedAppsError) -> Response:
    return error_response(str(exc), code="invalid", http_status=status.HTTP_400_BAD_REQUEST)


def _unreachable(exc: services.ManagedAppsError) -> Response:
    return error_response(str(exc), code="unreachable", http_status=status.HTTP_502_BAD_GATEWAY)


class TokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[AppsBooksToken]
):
    """Apps and Books locations (content tokens)."""

    queryset = AppsBooksToken.objects.order_by("name")
    serializer_class = serializers.LocationSerializer
    lookup_value_regex = r"\d+"

    @extend_schema(
        request=serializers.LocationInput, responses={201: serializers.LocationSerializer}
    )
    def create(self, request: Request) -> Response:
        data = serializers.LocationInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = services.upload_token(
                name=data.validated_data["name"],
                data=data.validated_data["token"].encode(),
                actor=request.user,
            )
        except services.ManagedAppsError as exc:
            return _refused(exc)
        return Response(serializers.LocationSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.LocationSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        token = self.get_object()
        try:
            services.sync_token(token=token)
        except services.ManagedAppsError as exc:
            return _unreachable(exc)
        token.refresh_from_db()
        return Response(serializers.LocationSerializer(token).data)


class AppViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[App]):
    """The app catalogue, with licences used and free."""

    queryset = App.objects.select_related("token").order_by("name", "pk")
    serializer_class = serializers.AppSerializer
    lookup_value_regex = r"\d+"

    @extend_schema(request=serializers.CustomAppInput, responses={201: serializers.AppSerializer})
    def create(self, request: Request) -> Response:
        data = serializers.CustomAppInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            app = services.add_custom_app(**data.validated_data, actor=request.user)
        except services.ManagedAppsError as exc:
            return _refused(exc)
        return Response(serializers.AppSerializer(app).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.AssignInput, responses={201: serializers.AssignResultSerializer}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        app = self.get_object()
        data = serializers.AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        target: dict[str, Any] = {}
        if values["scope"] == AppAssignment.Scope.DEVICE:
            target["enrollment"] = _device(values.pop("device"))
            if target["enrollment"] is None:
                return error_response("No such device.", code="invalid")
        elif values["scope"] == AppAssignment.Scope.GROUP:
            target["group"] = DirectoryGroup.objects.filter(pk=values.pop("group")).first()
            if target["group"] is None:
                return error_response("No such group.", code="invalid")
        values.pop("device", None)
        values.pop("group", None)
        try:
            result = services.assign_app(app=app, actor=request.user, **values, **target)
        except services.ManagedAppsError as exc:
            return _refused(exc)
        transaction.on_commit(tasks.advance_installs.delay)
        out = serializers.AssignResultSerializer(
            {
                "assignment": result.assignment,
                "requested": result.requested,
                "warnings": result.warnings,
            }
        )
        return Response(out.data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: serializers.PaginatedInstallSerializer})
    @action(detail=True, methods=["get"])
    def installs(self, request: Request, pk: str | None = None) -> Response:
        app = self.get_object()
        rows = AppInstall.objects.filter(app=app).select_related("enrollment").order_by("pk")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        return paginator.get_paginated_response(serializers.InstallSerializer(page, many=True).data)


def _device(public_id: uuid.UUID) -> Enrollment | None:
    return Enrollment.objects.filter(public_id=public_id, channel=Enrollment.Channel.DEVICE).first()


class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[AppAssignment],
):
    """Where apps are assigned; deleting one removes its apps and frees their licences."""

    serializer_class = serializers.AssignmentSerializer
    lookup_field = "public_id"
    lookup_value_regex = r"[0-9a-fA-F-]{36}"

    def get_queryset(self) -> QuerySet[AppAssignment]:
        return AppAssignment.objects.select_related("app", "enrollment").order_by("-created_at")

    def perform_destroy(self, instance: AppAssignment) -> None:
        services.unassign(assignment=instance, actor=self.request.user)

    @extend_schema(request=serializers.InstallInput, responses={202: serializers.InstallSerializer})
    @action(detail=True, methods=["post"])
    def install(self, request: Request, public_id: str | None = None) -> Response:
        assignment = self.get_object()
        data = serializers.InstallInput(data=request.data)
        data.is_valid(raise_exception=True)
        enrollment = _device(data.validated_data["device"])
        if enrollment is None:
            return error_response("No such device.", code="invalid")
        try:
            install = services.request_install(
                enrollment=enrollment, assignment=assignment, actor=request.user
            )
        except services.ManagedAppsError as exc:
            return _refused(exc)
        transaction.on_commit(tasks.advance_installs.delay)
        return Response(
            serializers.InstallSerializer(install).data, status=status.HTTP_202_ACCEPTED
        )
