"""Console pages that belong to no single app: dashboard, settings (server PKI), audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mdm_server import audit, roles
from mdm_server.models import AuditEvent
from mdm_server.pki import certificates, services
from mdm_server.pki.models import ServerCertificate

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


@roles.console_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "console/dashboard.html", {"section": "dashboard"})


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
        request, "console/settings.html", {"section": "settings", "form": form, "rows": rows}
    )


@roles.console_view()
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.all()
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        events = events.filter(action__icontains=action)
    if actor:
        events = events.filter(actor_name__icontains=actor)
    return render(
        request,
        "console/audit.html",
        {"section": "settings", "events": events[:200], "action": action, "actor": actor},
    )
