"""Console routes of managed apps, mounted under /console/apps/."""

from django.urls import path

from devices.managed_apps import console

urlpatterns = [
    path("", console.apps_home, name="apps-home"),
    path("locations/", console.upload_location, name="apps-location-upload"),
    path("locations/<int:pk>/sync/", console.sync_location, name="apps-location-sync"),
    path("custom/", console.add_custom_app, name="apps-custom"),
    path("<int:pk>/", console.app_detail, name="apps-detail"),
    path("<int:pk>/icon/", console.app_icon, name="apps-icon"),
    path("<int:pk>/assign/", console.assign, name="apps-assign"),
    path(
        "<int:pk>/assignments/<uuid:assignment>/unassign/", console.unassign, name="apps-unassign"
    ),
    path(
        "assignments/<uuid:assignment>/install/<uuid:device>/",
        console.install_on_device,
        name="apps-install-on-device",
    ),
]
