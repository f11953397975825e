"""Core REST API URLs (audit log, API tokens), mounted at /api/v1/."""

from django.urls import path

from mdm_server import api, converters  # noqa: F401  (registers key)

urlpatterns = [
    path("audit/", api.AuditEventListApi.as_view(), name="api-audit"),
    path("tokens/", api.TokenListApi.as_view(), name="api-tokens"),
    path("tokens/<key:username>/", api.TokenRevokeApi.as_view(), name="api-token"),
]
