"""REST routes for the directory, mounted at /api/v1/ (all under directory/)."""

from rest_framework.routers import SimpleRouter

from directory import api

router = SimpleRouter()
router.register("directory/sources", api.SourceViewSet, basename="api-directory-source")
router.register("directory/runs", api.RunViewSet, basename="api-directory-run")
router.register("directory/users", api.UserViewSet, basename="api-directory-user")
router.register("directory/groups", api.GroupViewSet, basename="api-directory-group")
router.register("directory/apple-id-domains", api.DomainViewSet, basename="api-directory-domain")

urlpatterns = router.urls
