"""Core REST API URLs (audit log, API tokens), mounted at /api/v1/."""

from django.urls import path

from mdm_server import api

urlpatterns = [
    path("audit/", api.AuditEventListApi.as_view(), name="api-audit"),
    path("tokens/", api.TokenListApi.as_view(), name="api-tokens"),
    path("tokens/<str:username>/", api.TokenRevokeApi.as_view(), name="api-token"),
]
