"""REST API for enrollment: settings, configurations (with well-known URLs), sessions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment import services
from enrollment.models import EnrollmentConfiguration, EnrollmentSession, EnrollmentSettings
from enrollment.serializers import (
    ConfigurationSerializer,
    SessionSerializer,
    SettingsSerializer,
)
from mdm_server import audit


class EnrollmentSettingsApi(APIView):
    """GET or PATCH the organisation-wide enrollment settings."""

    @extend_schema(responses=SettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(SettingsSerializer(EnrollmentSettings.load()).data)

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = SettingsSerializer(EnrollmentSettings.load(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        options = services.save_settings(values=dict(serializer.validated_data), actor=request.user)
        return Response(SettingsSerializer(options).data)


class ConfigurationViewSet(viewsets.ModelViewSet):
    serializer_class = ConfigurationSerializer
    queryset = EnrollmentConfiguration.objects.all()

    def perform_create(self, serializer: Any) -> None:
        config = EnrollmentConfiguration(**serializer.validated_data)
        serializer.instance = services.save_configuration(
            configuration=config, actor=self.request.user
        )

    def perform_update(self, serializer: Any) -> None:
        config = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(config, key, value)
        services.save_configuration(configuration=config, actor=self.request.user)

    def perform_destroy(self, instance: EnrollmentConfiguration) -> None:
        if instance.is_default:
            raise ValidationError({"is_default": ["The default configuration cannot be deleted."]})
        services.delete_configuration(configuration=instance, actor=self.request.user)


class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionSerializer
    lookup_field = "public_id"
    lookup_value_regex = r"[^/.\x00]+"  # DRF's, without NUL (see mdm_server.converters.TEXT_KEY)
    queryset = EnrollmentSession.objects.select_related("configuration")
    filterset_fields = ["kind", "enrollment_type", "status"]

    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, public_id: str | None = None) -> Response:
        session = self.get_object()
        services.revoke_session(session=session, actor=request.user)
        audit.record(actor=request.user, action="enrollment.session_revoked", target=session)
        session.refresh_from_db()
        return Response(SessionSerializer(session).data)
