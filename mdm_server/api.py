"""REST API of the core: the audit log (read) and API tokens (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mdm_server import api_tokens, roles, selectors
from mdm_server.api_errors import error_response
from mdm_server.api_filters import IdCursorPagination
from mdm_server.api_input import StrictInput
from mdm_server.models import AuditEvent


class AuditEventOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id", "created_at", "actor_name", "action", "target_type", "target_id",
            "target_repr", "details",
        ]  # fmt: skip


class AuditPagination(IdCursorPagination):
    page_size = 100


class AuditEventListApi(generics.ListAPIView):
    """Who did what, to which target, when (filters: action, actor, target, since, until)."""

    serializer_class = AuditEventOutput
    filterset_class = selectors.AuditEventFilterSet
    pagination_class = AuditPagination

    def get_queryset(self) -> Any:
        return selectors.audit_events()


class TokenOutput(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    created = serializers.DateTimeField()
    key_prefix = serializers.CharField(source="prefix")


class TokenCreatedOutput(TokenOutput):
    key = serializers.CharField(help_text="Shown once; store it now")


class TokenInput(StrictInput):
    username = serializers.CharField(max_length=150)

    def validate_username(self, value: str) -> Any:
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise serializers.ValidationError(f"no user named {value!r}")
        return user


class _AdminOnly:
    """Tokens are secrets: helpdesk staff may not even list them."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not roles.is_admin(request.user):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("This needs the administrator role.")


class TokenListApi(_AdminOnly, APIView):
    @extend_schema(responses=TokenOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(TokenOutput(selectors.api_tokens(), many=True).data)

    @extend_schema(request=TokenInput, responses={201: TokenCreatedOutput})
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = api_tokens.create_api_token(
                user=data.validated_data["username"], actor=request.user
            )
        except api_tokens.TokenError as exc:
            return error_response(str(exc))
        response = Response(TokenCreatedOutput(token).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"  # the key is in this answer only
        return response


class TokenRevokeApi(_AdminOnly, APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not api_tokens.revoke_api_token(user=user, actor=request.user):
            return error_response(
                f"{username!r} has no API token", code="not_found", http_status=404
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
