"""REST API of the directory: sources (with test, search, import, sync), users, groups, domains, runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from directory import serializers, services
from directory.filters import UserFilterSet
from directory.models import (
    DirectoryGroup,
    DirectoryUser,
    IdentitySource,
    ImportRun,
    ManagedAppleIdDomain,
)
from mdm_server import roles
from mdm_server.api_errors import error_response
from mdm_server.api_schema import ERROR


def _directory_error(exc: services.DirectoryError) -> Response:
    if isinstance(exc, services.SourceInvalid):
        return Response(
            {
                "error": {
                    "code": "invalid",
                    "message": exc.message
                    if len(exc.errors) == 1
                    else "Invalid input; see fields.",
                    "fields": {k: [v] for k, v in exc.errors.items()},
                }
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    http = {
        "unreachable": status.HTTP_502_BAD_GATEWAY,
        "busy": status.HTTP_409_CONFLICT,
    }.get(exc.code, status.HTTP_400_BAD_REQUEST)
    code = exc.code if http != status.HTTP_400_BAD_REQUEST else "invalid"
    return error_response(exc.message, code=code, http_status=http)


class SourceViewSet(viewsets.ModelViewSet):
    queryset = IdentitySource.objects.annotate(user_count=Count("users")).order_by("name")
    serializer_class = serializers.SourceSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            source = services.save_source(
                source=None, data=serializer.validated_data, actor=request.user
            )
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return Response(self.get_serializer(source).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = self.get_object()
        serializer = self.get_serializer(
            source, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        try:
            source = services.save_source(
                source=source, data=serializer.validated_data, actor=request.user
            )
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return Response(self.get_serializer(source).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            services.delete_source(source=self.get_object(), actor=request.user)
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=serializers.MessageOutput)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        try:
            return Response({"message": services.test_source(source=self.get_object())})
        except services.DirectoryError as exc:
            return _directory_error(exc)

    @extend_schema(
        request=serializers.SearchInput, responses=serializers.SearchHitOutput(many=True)
    )
    @action(detail=True, methods=["post"])
    def search(self, request: Request, pk: str | None = None) -> Response:
        data = serializers.SearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            hits = services.search_directory(
                source=self.get_object(), query=data.validated_data["query"]
            )
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return Response(serializers.SearchHitOutput(hits, many=True).data)

    @extend_schema(request=serializers.ImportInput, responses=serializers.RunSerializer)
    @action(detail=True, methods=["post"], url_path="import")
    def import_(self, request: Request, pk: str | None = None) -> Response:
        data = serializers.ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = services.start_import(
                source=self.get_object(),
                selection=data.validated_data["selection"],
                actor=request.user,
            )
        except services.DirectoryError as exc:
            return _directory_error(exc)
        run.refresh_from_db()  # with eager Celery the run may already be finished
        return Response(serializers.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: serializers.RunSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        try:
            run = services.start_sync(source=self.get_object(), actor=request.user)
        except services.DirectoryError as exc:
            return _directory_error(exc)
        run.refresh_from_db()
        return Response(serializers.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ImportRun.objects.select_related("source")
    serializer_class = serializers.RunSerializer
    filterset_fields = ["source", "status", "kind"]


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = UserFilterSet

    def get_queryset(self) -> QuerySet[DirectoryUser]:
        return DirectoryUser.objects.select_related("source").order_by("username")

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return serializers.UserListSerializer
        if self.action == "create":
            return serializers.LocalUserInput
        if self.action in ("update", "partial_update"):
            return serializers.UserUpdateInput
        return serializers.UserDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["show_apple_id"] = roles.is_admin(self.request.user)
        return context

    def _detail(self, user: DirectoryUser, http: int = status.HTTP_200_OK) -> Response:
        return Response(
            serializers.UserDetailSerializer(user, context=self.get_serializer_context()).data,
            status=http,
        )

    @extend_schema(request=serializers.LocalUserInput, responses=serializers.UserDetailSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = serializers.LocalUserInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.create_local_user(**data.validated_data, actor=request.user)
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return self._detail(user, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.UserUpdateInput, responses=serializers.UserDetailSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        data = serializers.UserUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            user = services.update_user(user=user, data=data.validated_data, actor=request.user)
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return self._detail(user)

    @extend_schema(request=None, responses=serializers.InvitationOutput)
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        try:
            invitation, _token = services.create_invitation(
                user=self.get_object(), actor=request.user, base_url=settings.PUBLIC_URL
            )
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return Response(
            serializers.InvitationOutput(invitation).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=serializers.UserDetailSerializer)
    @action(detail=True, methods=["post"], url_path="recompute-apple-id")
    def recompute_apple_id(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        services.recompute_managed_apple_id(user=user, actor=request.user)
        user.refresh_from_db()
        return self._detail(user)


class GroupViewSet(viewsets.ModelViewSet):
    queryset = (
        DirectoryGroup.objects.select_related("source")
        .annotate(member_count=Count("members"))
        .order_by("priority", "name", "pk")
    )
    serializer_class = serializers.GroupSerializer
    filterset_fields = ["kind", "source"]

    def _save(self, group: DirectoryGroup | None, request: Request, partial: bool) -> Response:
        serializer = self.get_serializer(group, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            with transaction.atomic():  # settings and members together, or neither
                saved = self._write_group(group, data, request)
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return Response(
            self.get_serializer(saved).data,
            status=status.HTTP_200_OK if group else status.HTTP_201_CREATED,
        )

    def _write_group(
        self, group: DirectoryGroup | None, data: dict[str, Any], request: Request
    ) -> DirectoryGroup:
        saved = services.save_group(
            group=group,
            name=data.get("name", group.name if group else ""),
            apple_enrollment_type=data.get(
                "apple_enrollment_type", group.apple_enrollment_type if group else ""
            ),
            default_ownership=data.get(
                "default_ownership", group.default_ownership if group else "personal"
            ),
            priority=data.get("priority", group.priority if group else 100),
            actor=request.user,
        )
        if "members" in data:
            services.set_group_members(group=saved, users=data["members"], actor=request.user)
        return saved

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(None, request, partial=False)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(self.get_object(), request, partial=kwargs.get("partial", False))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_group(group=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DomainViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ManagedAppleIdDomain.objects.all()
    serializer_class = serializers.DomainSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            row = services.add_managed_apple_id_domain(
                domain=serializer.validated_data["domain"], actor=request.user
            )
        except services.DirectoryError as exc:
            return _directory_error(exc)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.remove_managed_apple_id_domain(domain=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
