"""REST routes of the APNs app, mounted under /api/v1/."""

from django.urls import path

from apns import api

urlpatterns = [
    path("push-certificate/", api.PushCertificateApi.as_view(), name="api-push-certificate"),
    path("push-certificate/csr/", api.PushCsrCreateApi.as_view(), name="api-push-csr"),
    path(
        "push-certificate/csr/<int:pk>/", api.PushCsrDetailApi.as_view(), name="api-push-csr-detail"
    ),
    path("push-batches/", api.PushBatchListApi.as_view(), name="api-push-batches"),
    path("push-batches/<int:pk>/", api.PushBatchDetailApi.as_view(), name="api-push-batch"),
]
