"""REST routes for enrollment, mounted at /api/v1/ (all under enrollment/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from enrollment import api

router = SimpleRouter()
router.register(
    "enrollment/configurations", api.ConfigurationViewSet, basename="api-enrollment-configuration"
)
router.register("enrollment/sessions", api.SessionViewSet, basename="api-enrollment-session")

urlpatterns = [
    path(
        "enrollment/settings/", api.EnrollmentSettingsApi.as_view(), name="api-enrollment-settings"
    ),
    *router.urls,
]
