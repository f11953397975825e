"""Mounts the three surfaces: device protocol, console (/console/) and REST API (/api/v1/)."""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mdm_server import health


def _optional(module: str) -> list:
    """Include an app's URLconf once the app has one (apps grow their surfaces one by one)."""
    return [include(module)] if find_spec(module) is not None else []


def _mount(prefix: str, module: str) -> list:
    return [path(prefix, inc) for inc in _optional(module)]


# An unreachable database or Redis outside a view still gets a 503, not a 500.
handler500 = "mdm_server.unavailable.server_error"
# People get the console's layout and what to do; the API keeps its JSON envelope (also for a URL
# under /api/ that matches no route), devices plain text.
handler400 = "mdm_server.error_pages.bad_request"
handler403 = "mdm_server.error_pages.permission_denied"
handler404 = "mdm_server.error_pages.page_not_found"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("console/", include("mdm_server.console_urls")),
    path("", include("mdm_server.pki.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # An HTML page: no OPTIONS metadata (its template renderer has no template for it, a 500).
    path(
        "api/v1/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", metadata_class=None),
        name="api-docs",
    ),
    path("api/v1/", include("mdm_server.api_urls")),
]
for app in ("enrollment", "devices", "profiles", "directory", "apns"):
    urlpatterns += _mount("", f"{app}.urls")
    urlpatterns += _mount(f"console/{'push' if app == 'apns' else app}/", f"{app}.console_urls")
    urlpatterns += _mount("api/v1/", f"{app}.api_urls")
# Declarative management, nested in profiles (declarations are built and assigned like profiles).
urlpatterns += _mount("", "profiles.declarations.urls")
urlpatterns += _mount("console/declarations/", "profiles.declarations.console_urls")
urlpatterns += _mount("api/v1/", "profiles.declarations.api_urls")
# Nested apps with their own surfaces (managed apps live under devices/ but have their own area).
urlpatterns += _mount("", "devices.managed_apps.urls")
urlpatterns += _mount("console/apps/", "devices.managed_apps.console_urls")
urlpatterns += _mount("api/v1/", "devices.managed_apps.api_urls")
# Apple Business Manager (nested in enrollment): the ADE enrollment URL and its console pages.
urlpatterns += _mount("", "enrollment.abm.urls")
urlpatterns += _mount("console/abm/", "enrollment.abm.console_urls")
urlpatterns += _mount("api/v1/", "enrollment.abm.api_urls")
