"""REST API of Apple Business Manager: links (create, public key certificate, server token,
sync, Remove Profile), devices (the person each is for), Setup Assistant profiles (define,
change, assign). Writes go through the services, like the console's; refusals in the API's
error envelope."""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from enrollment.abm import serializers, services
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from enrollment.services import well_known_url
from mdm_server.api_errors import error_response
from mdm_server.api_parsers import JSONParser
from mdm_server.api_schema import ERROR


def _refused(exc: services.AbmError) -> Response:
    """An AbmError: the admin's sentence; 502/503 when it is Apple's refusal or outage."""
    code = {503: "abm_unavailable", 502: "abm_refused", 409: "conflict"}.get(exc.status, "invalid")
    return error_response(str(exc), code=code, http_status=exc.status)


class LinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = serializers.AbmLinkOutput
    queryset = AbmLink.objects.all()

    @extend_schema(request=serializers.AbmLinkInput, responses={201: serializers.AbmLinkOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A new link: the server makes its key pair and the certificate to upload in ABM."""
        data = serializers.AbmLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            link = services.create_link(actor=request.user, **data.validated_data)
        except services.AbmError as exc:
            return _refused(exc)
        return Response(serializers.AbmLinkOutput(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/x-pem-file"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def certificate(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The link's public key certificate (PEM), to upload in ABM for this MDM server."""
        link = self.get_object()
        response = HttpResponse(link.certificate_pem, content_type="application/x-pem-file")
        response["Content-Disposition"] = f'attachment; filename="abm-link-{link.pk}.pem"'
        return response

    @extend_schema(
        request={"multipart/form-data": serializers.AbmTokenInput},
        responses={200: serializers.AbmLinkOutput, 400: ERROR},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def token(self, request: Request, pk: str | None = None) -> Response:
        """Upload the server token ABM returned for this link's certificate (or its renewal).
        The account is then read from ABM; Apple's refusal of that is in `last_error`."""
        link = self.get_object()
        data = serializers.AbmTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.upload_server_token(
                link=link, data=data.validated_data["token"], actor=request.user
            )
        except services.AbmError as exc:
            return _refused(exc)
        # Apple's refusal to read the account is kept on the link (last_error), on the dashboard.
        with contextlib.suppress(services.AbmError):
            services.refresh_account(link=link)
        return Response(serializers.AbmLinkOutput(link).data)

    @extend_schema(request=None, responses={200: serializers.AbmSyncOutput, 409: ERROR, 503: ERROR})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Sync the link's devices from Apple Business Manager now (then assign profiles)."""
        link = self.get_object()
        try:
            totals = services.sync_devices(link=link)
        except services.AbmError as exc:
            return _refused(exc)
        return Response(serializers.AbmSyncOutput(totals).data)

    @extend_schema(
        request=serializers.SerialsInput,
        responses={200: serializers.AbmRemoveOutput, 409: ERROR, 502: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="remove-profile", parser_classes=[JSONParser])
    def remove_profile(self, request: Request, pk: str | None = None) -> Response:
        """Remove Profile: these devices keep no Setup Assistant profile in ABM."""
        link = self.get_object()
        data = serializers.SerialsInput(data=request.data)
        data.is_valid(raise_exception=True)
        serials = [s.strip().upper() for s in data.validated_data["serial_numbers"]]
        try:
            results = services.remove_profile(link=link, serials=serials, actor=request.user)
        except services.AbmError as exc:
            return _refused(exc)
        return Response({"results": results})

    @extend_schema(
        methods=["GET"], request=None, responses={200: serializers.DiscoveryOutput, 502: ERROR}
    )
    @extend_schema(
        methods=["POST"],
        request=serializers.DiscoveryInput,
        responses={200: serializers.DiscoveryOutput, 400: ERROR, 502: ERROR},
    )
    @extend_schema(
        methods=["DELETE"], request=None, responses={200: serializers.DiscoveryOutput, 502: ERROR}
    )
    @action(detail=True, methods=["get", "post", "delete"], parser_classes=[JSONParser])
    def discovery(self, request: Request, pk: str | None = None) -> Response:
        """The account-driven enrollment service discovery URL registered in ABM for this
        link's organisation: read it from ABM (GET), register it (POST), remove it (DELETE)."""
        link = self.get_object()
        try:
            if request.method == "POST":
                data = serializers.DiscoveryInput(data=request.data)
                data.is_valid(raise_exception=True)
                url = data.validated_data.get("url") or well_known_url()
                services.register_discovery_url(link=link, url=url, actor=request.user)
            elif request.method == "DELETE":
                services.delete_discovery_registration(link=link, actor=request.user)
            else:
                services.fetch_discovery_registration(link=link)
        except services.AbmError as exc:
            return _refused(exc)
        return Response({"mdm_service_discovery_url": link.discovery_url})


class DeviceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AbmDeviceOutput
    queryset = AbmDevice.objects.select_related("enrollment").order_by("serial_number", "id")

    @extend_schema(
        request=serializers.DevicePersonInput,
        responses={200: serializers.AbmDeviceOutput, 400: ERROR},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def person(self, request: Request, pk: str | None = None) -> Response:
        """Name the person the device is for: their group's profile, if any, is assigned."""
        device = self.get_object()
        data = serializers.DevicePersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        username = (data.validated_data["person"] or "").strip()
        try:
            person = services.person_named(username) if username else None
            device = services.set_device_person(device=device, person=person, actor=request.user)
        except services.AbmError as exc:
            return _refused(exc)
        return Response(serializers.AbmDeviceOutput(device).data)


def _profile_fields(values: dict[str, Any], profile: AbmProfile) -> AbmProfile:
    for name in (
        "name",
        "is_default",
        "models_rule",
        "supervised",
        "await_device_configured",
        "mdm_removable",
        "skip_setup_items",
        "department",
        "support_phone_number",
        "support_email_address",
        "anchor_certs_pem",
        "language",
        "region",
    ):
        setattr(profile, name, values[name])
    profile.first_profiles = [p.pk for p in values["first_profiles"]]
    profile.first_commands = [dict(c) for c in values["first_commands"]]
    return profile


class ProfileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = serializers.AbmProfileOutput
    queryset = AbmProfile.objects.prefetch_related("groups").order_by("name", "id")
    http_method_names = ["get", "post", "put", "head", "options"]

    def _define(self, request: Request, profile: AbmProfile, values: dict[str, Any]) -> Response:
        try:
            services.define_profile(
                profile=_profile_fields(values, profile),
                actor=request.user,
                groups=list(values["groups"]),
            )
            services.assign_by_rule(link=profile.link)
        except services.AbmError as exc:
            return _refused(exc)
        profile = self.get_queryset().get(pk=profile.pk)
        created = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response(serializers.AbmProfileOutput(profile).data, status=created)

    @extend_schema(
        request=serializers.AbmProfileInput,
        responses={201: serializers.AbmProfileOutput, 409: ERROR, 502: ERROR},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Save a Setup Assistant profile and define it in ABM (Define Profile); devices are
        then assigned by rule."""
        data = serializers.AbmProfileInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return self._define(request, AbmProfile(link=values["link"]), values)

    @extend_schema(
        request=serializers.AbmProfileUpdateInput,
        responses={200: serializers.AbmProfileOutput, 409: ERROR, 502: ERROR},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the profile and define it again (ABM gives it a new id; its devices get it)."""
        profile = self.get_object()
        data = serializers.AbmProfileUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._define(request, profile, data.validated_data)

    @extend_schema(
        request=serializers.SerialsInput,
        responses={200: serializers.AbmAssignOutput, 409: ERROR, 502: ERROR},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Assign this profile to the listed devices by hand (Assign Profile)."""
        profile = self.get_object()
        data = serializers.SerialsInput(data=request.data)
        data.is_valid(raise_exception=True)
        serials = [s.strip().upper() for s in data.validated_data["serial_numbers"]]
        try:
            count = services.assign_profile(profile=profile, serials=serials, actor=request.user)
        except services.AbmError as exc:
            return _refused(exc)
        return Response({"assigned": count})
