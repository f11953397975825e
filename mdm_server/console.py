"""Console pages that belong to no single app: dashboard, settings (server PKI), audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mdm_server import api_tokens, audit, roles, selectors
from mdm_server.pki import certificates, services
from mdm_server.pki.models import ServerCertificate

AUDIT_PAGE_SIZE = 100
STALE_DAYS_DEFAULT = 7

NAVIGATION = [
    ("dashboard", "Dashboard", "/console/"),
    ("devices", "Devices", "/console/devices/"),
    ("enrollment", "Enrollment", "/console/enrollment/"),
    ("profiles", "Profiles", "/console/profiles/"),
    ("directory", "Directory", "/console/directory/"),
    ("push", "Push", "/console/push/"),
    ("settings", "Settings", "/console/settings/"),
]


def console_context(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/console/"):
        return {}
    return {
        "navigation": NAVIGATION,
        "console_role": roles.role_of(request.user),
        "is_console_admin": roles.is_admin(request.user),
    }


def _push_alerts() -> list[str]:
    # The APNs app owns the push certificate; the dashboard only shows its warnings.
    from apns import services as apns_services

    return apns_services.dashboard_alerts()


@roles.console_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    from devices import selectors as device_selectors

    try:
        stale_days = int(request.GET.get("stale_days", STALE_DAYS_DEFAULT))
    except ValueError:
        stale_days = STALE_DAYS_DEFAULT
    stale_days = min(max(stale_days, 1), 3650)
    return render(
        request,
        "console/dashboard.html",
        {
            "section": "dashboard",
            "data": device_selectors.dashboard(stale_days=stale_days),
            "push_alerts": _push_alerts(),
        },
    )


class SigningUploadForm(forms.Form):
    certificate = forms.FileField(
        help_text="PEM certificate (optionally with its key and chain) or a PKCS#12 (.p12) file"
    )
    private_key = forms.FileField(required=False, help_text="PEM private key, if not in the file")
    password = forms.CharField(
        required=False, widget=forms.PasswordInput, help_text="PKCS#12 or key password"
    )


@roles.console_view()
def settings_page(request: HttpRequest) -> HttpResponse:
    form = SigningUploadForm()
    if request.method == "POST":
        form = SigningUploadForm(request.POST, request.FILES)
        if form.is_valid():
            key = form.cleaned_data["private_key"]
            try:
                row = services.upload_signing_certificate(
                    data=form.cleaned_data["certificate"].read(),
                    password=form.cleaned_data["password"] or None,
                    key_pem=key.read() if key else None,
                )
            except certificates.CertificateError as exc:
                form.add_error("certificate", str(exc))
            else:
                audit.record(actor=request.user, action="pki.signing_uploaded", target=row)
                messages.success(request, f"Signing certificate {row.subject} is now active.")
                return redirect("console-settings")
    rows = ServerCertificate.objects.all()
    return render(
        request,
        "console/settings.html",
        {
            "section": "settings",
            "form": form,
            "rows": rows,
            "tokens": list(selectors.api_tokens()) if roles.is_admin(request.user) else [],
            "token_form": TokenForm(),
        },
    )


class TokenForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="The console user the API client acts as")

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(f"No user named {name!r}.")
        return user


@require_POST
@roles.console_view(admin=True)
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Issue a token; the key is shown once, on this response only."""
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token = api_tokens.create_api_token(
                user=form.cleaned_data["username"], actor=request.user
            )
        except api_tokens.TokenError as exc:
            form.add_error("username", str(exc))
        else:
            response = render(
                request,
                "console/token_created.html",
                {"section": "settings", "token": token},
            )
            response["Cache-Control"] = "no-store"  # the key is on this page only
            return response
    return render(
        request,
        "console/settings.html",
        {
            "section": "settings",
            "form": SigningUploadForm(),
            "rows": ServerCertificate.objects.all(),
            "tokens": list(selectors.api_tokens()),
            "token_form": form,
        },
        status=400,
    )


@require_POST
@roles.console_view(admin=True)
def api_token_revoke(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not api_tokens.revoke_api_token(user=user, actor=request.user):
        messages.error(request, "That user has no API token.")
    else:
        messages.success(request, f"The API token of {user.get_username()} is revoked.")
    return redirect("console-settings")


@roles.console_view()
def audit_log(request: HttpRequest) -> HttpResponse:
    filterset = selectors.AuditEventFilterSet(request.GET, queryset=selectors.audit_events())
    page = None
    if filterset.is_valid():
        try:
            after = int(request.GET["after"]) if request.GET.get("after") else None
            before = int(request.GET["before"]) if request.GET.get("before") else None
        except ValueError:
            after = before = None
        page = selectors.keyset_page(filterset.qs, after=after, before=before, size=AUDIT_PAGE_SIZE)
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    return render(
        request,
        "console/audit.html",
        {
            "section": "settings",
            "filterset": filterset,
            "page": page,
            "base_query": params.urlencode(),
        },
    )
