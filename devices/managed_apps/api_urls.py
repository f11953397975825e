"""REST routes of managed apps, mounted at /api/v1/ (all under apps/)."""

from rest_framework.routers import SimpleRouter

from devices.managed_apps import api

router = SimpleRouter()
router.register("apps/locations", api.TokenViewSet, basename="api-apps-location")
router.register("apps/assignments", api.AssignmentViewSet, basename="api-apps-assignment")
router.register("apps", api.AppViewSet, basename="api-apps")

urlpatterns = router.urls
