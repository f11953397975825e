"""Devices console URLs, mounted at /console/devices/."""

from django.urls import path

from devices import console

urlpatterns = [
    path("", console.device_list, name="devices-list"),
    path("export.csv", console.device_export, name="devices-export"),
    path("bulk/", console.bulk_action, name="devices-bulk"),
    path("filters/", console.saved_filter_save, name="devices-filter-save"),
    path("filters/<int:pk>/delete/", console.saved_filter_delete, name="devices-filter-delete"),
    path("commands/", console.command_list, name="devices-commands"),
    path("commands/<int:pk>/", console.command_detail, name="devices-command-detail"),
    path("lifecycle/", console.lifecycle_settings, name="devices-lifecycle"),
    path("<uuid:public_id>/", console.device_detail, name="devices-detail"),
    path("<uuid:public_id>/actions/<str:name>/", console.device_action, name="devices-action"),
    path("<uuid:public_id>/retire/", console.device_retire, name="devices-retire"),
    path(
        "<uuid:public_id>/renew-identity/",
        console.device_renew_identity,
        name="devices-renew-identity",
    ),
    path(
        "<uuid:public_id>/commands/<int:delivery_id>/cancel/",
        console.delivery_cancel,
        name="devices-delivery-cancel",
    ),
]
