"""Devices REST API URLs, mounted at /api/v1/."""

from django.urls import path

from devices import api
from mdm_server import converters  # noqa: F401  (registers anyuuid and key)

urlpatterns = [
    path("devices/", api.DeviceListApi.as_view(), name="api-devices"),
    path("devices/<anyuuid:public_id>/", api.DeviceDetailApi.as_view(), name="api-device"),
    path(
        "devices/<anyuuid:public_id>/commands/",
        api.DeviceCommandListApi.as_view(),
        name="api-device-commands",
    ),
    path(
        "devices/<anyuuid:public_id>/commands/<int:delivery_id>/cancel/",
        api.DeviceCommandCancelApi.as_view(),
        name="api-device-command-cancel",
    ),
    path(
        "devices/<anyuuid:public_id>/logs/", api.DeviceLogListApi.as_view(), name="api-device-logs"
    ),
    path(
        "devices/<anyuuid:public_id>/capabilities/",
        api.DeviceCapabilityApi.as_view(),
        name="api-device-capabilities",
    ),
    path("commands/", api.CommandListApi.as_view(), name="api-commands"),
    path("commands/<key:uuid>/", api.CommandDetailApi.as_view(), name="api-command"),
    path("command-types/", api.CommandTypeListApi.as_view(), name="api-command-types"),
]
