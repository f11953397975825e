"""Device-facing PKI routes: the SCEP endpoint, mounted at the site root."""

from django.urls import path

from mdm_server.pki import views

app_name = "pki"

urlpatterns = [
    path("scep", views.scep_endpoint, name="scep"),
]
