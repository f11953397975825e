"""URLconf for the PKI tests: the device-facing PKI routes only."""

from django.urls import include, path

urlpatterns = [path("", include("mdm_server.pki.urls"))]
