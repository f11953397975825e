"""Console routes of the enrollment app (mounted at /console/enrollment/)."""

from django.urls import path

from enrollment import console

app_name = "enrollment-console"

urlpatterns = [
    path("", console.settings_page, name="settings"),
    path("configurations/new/", console.configuration_page, name="configuration-new"),
    path("configurations/<int:pk>/", console.configuration_page, name="configuration"),
    path("reenroll/<uuid:public_id>/", console.reenroll_page, name="reenroll"),
]
