"""Console URLs of the core: sign-in, dashboard, settings (PKI, API tokens), audit log."""

from django.contrib.auth import views as auth_views
from django.urls import path

from mdm_server import console

urlpatterns = [
    path("", console.dashboard, name="console-dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="console/login.html"),
        name="console-login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="console-logout"),
    path("settings/", console.settings_page, name="console-settings"),
    path("settings/security/", console.security_settings, name="console-security"),
    path("account/password/", console.password_change, name="console-password"),
    path("account/two-factor/", console.two_factor, name="console-two-factor"),
    path("account/verify/", console.verify, name="console-verify"),
    path("audit/", console.audit_log, name="console-audit"),
    path("settings/tokens/", console.api_token_create, name="console-token-create"),
    path(
        "settings/tokens/<int:user_id>/revoke/",
        console.api_token_revoke,
        name="console-token-revoke",
    ),
]
