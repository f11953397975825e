"""REST routes of Apple Business Manager, mounted at /api/v1/ (all under abm/)."""

from rest_framework.routers import SimpleRouter

from enrollment.abm import api

router = SimpleRouter()
router.register("abm/links", api.LinkViewSet, basename="api-abm-link")
router.register("abm/devices", api.DeviceViewSet, basename="api-abm-device")
router.register("abm/profiles", api.ProfileViewSet, basename="api-abm-profile")

urlpatterns = router.urls
