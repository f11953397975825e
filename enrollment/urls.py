"""Device-facing enrollment routes (mounted at the site root)."""

from django.urls import path

from enrollment import views
from enrollment.privacy import views as privacy

app_name = "enrollment"

urlpatterns = [
    path(
        ".well-known/com.apple.remotemanagement",
        views.service_discovery,
        name="service-discovery",
    ),
    path("enroll/discovery/<slug:slug>", views.configuration_discovery, name="discovery"),
    path("enroll/account/<slug:slug>/<str:kind>", views.enroll, name="account"),
    path(
        "enroll/account/<slug:slug>/<str:kind>/authenticate",
        views.authenticate,
        name="authenticate",
    ),
    path(
        "enroll/oauth2/<slug:slug>/<str:kind>/authorize",
        views.oauth_authorize,
        name="oauth-authorize",
    ),
    path("enroll/oauth2/<slug:slug>/token", views.oauth_token, name="oauth-token"),
    path("enroll/entra/callback", views.entra_callback, name="entra-callback"),
    path("enroll/", views.portal, name="portal"),
    path("enroll/privacy/", privacy.privacy, name="privacy"),
    path(
        "enroll/privacy/devices/<str:public_id>/remove",
        privacy.remove,
        name="privacy-remove",
    ),
    path("enroll/privacy/sign-out", privacy.sign_out, name="privacy-sign-out"),
    path(
        "enroll/privacy/entra/callback",
        privacy.entra_callback,
        name="privacy-entra-callback",
    ),
    path("enroll/profile/<str:token>", views.portal_profile, name="portal-profile"),
]
