"""REST API of Apple Business Manager: read links, devices and profiles; sync a link now.
Writes go through the services, like the console's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from enrollment.abm import serializers, services
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from mdm_server.api_errors import error_response
from mdm_server.api_schema import ERROR


class LinkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AbmLinkOutput
    queryset = AbmLink.objects.all()

    @extend_schema(request=None, responses={200: serializers.AbmSyncOutput, 409: ERROR, 503: ERROR})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Sync the link's devices from Apple Business Manager now (then assign profiles)."""
        link = self.get_object()
        try:
            totals = services.sync_devices(link=link)
        except services.AbmError as exc:
            code = "abm_unavailable" if exc.status == 503 else "abm_refused"
            return error_response(str(exc), code=code, http_status=exc.status)
        return Response(serializers.AbmSyncOutput(totals).data)


class DeviceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AbmDeviceOutput
    queryset = AbmDevice.objects.select_related("enrollment").order_by("serial_number", "id")


class ProfileViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AbmProfileOutput
    queryset = AbmProfile.objects.all().order_by("name", "id")
