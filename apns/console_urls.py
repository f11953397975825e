"""Console routes of the APNs app, mounted under /console/push/."""

from django.urls import path

from apns import console

urlpatterns = [
    path("", console.push_home, name="apns-push"),
    path("certificate/", console.upload_certificate, name="apns-upload"),
    path("csr/", console.create_csr, name="apns-csr"),
    path("csr/<int:pk>/download/", console.download_csr, name="apns-csr-download"),
    path("csr/<int:pk>/signed/", console.download_signed_request, name="apns-csr-signed"),
    path("vendor/", console.upload_vendor, name="apns-vendor"),
    path("verify/", console.verify, name="apns-verify"),
    path("push-all/", console.push_all, name="apns-push-all"),
    path("batches/<int:pk>/", console.batch_progress, name="apns-batch"),
]
