"""Console pages that belong to no single app: dashboard, settings (server PKI), audit log."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from mdm_server import accounts, api_tokens, audit, roles, selectors
from mdm_server.pki import certificates, services
from mdm_server.pki.models import ServerCertificate

AUDIT_PAGE_SIZE = 100
STALE_DAYS_DEFAULT = 7

NAVIGATION = [
    ("dashboard", "Dashboard", "/console/"),
    ("devices", "Devices", "/console/devices/"),
    ("commands", "Commands", "/console/devices/commands/"),
    ("enrollment", "Enrollment", "/console/enrollment/"),
    ("abm", "Business Manager", "/console/abm/"),
    ("profiles", "Profiles", "/console/profiles/"),
    ("declarations", "Declarations", "/console/declarations/"),
    ("apps", "Apps", "/console/apps/"),
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


def _apps_alerts() -> list[str]:
    # Apps and Books locations: expiring or expired tokens, another MDM using one.
    from devices.managed_apps import services as apps_services

    return apps_services.dashboard_alerts()


def _abm_alerts() -> list[str]:
    # The ABM app owns the server tokens; the dashboard only shows their warnings.
    from enrollment.abm import services as abm_services

    return abm_services.dashboard_alerts()


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
            "apps_alerts": _apps_alerts(),
            "pki_alerts": device_selectors.server_certificate_alerts(),
            "abm_alerts": _abm_alerts(),
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
            "security_form": SecurityForm(
                initial={"require_second_factor": accounts.second_factor_required()}
            ),
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
            "security_form": SecurityForm(
                initial={"require_second_factor": accounts.second_factor_required()}
            ),
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
    filterset = selectors.ConsoleAuditFilterSet(request.GET, queryset=selectors.audit_events())
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
    events = page.rows if page else []
    return render(
        request,
        "console/audit.html",
        {
            "section": "settings",
            "filterset": filterset,
            "page": page,
            "events": [
                (e, selectors.action_label(e.action), details)
                for e, details in zip(events, readable_details(events), strict=True)
            ],
            "base_query": params.urlencode(),
        },
    )


@dataclass(frozen=True)
class DetailItem:
    text: str
    url: str = ""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def readable_details(events: list[Any]) -> list[list[tuple[str, list[DetailItem]]]]:
    """Each event's details as (label, items): ids of devices and commands become their names,
    linked; other values are shown as they are. One lookup for the whole page."""
    from devices import selectors as device_selectors

    names = device_selectors.audit_names(
        s for e in events for v in e.details.values() for s in _strings(v)
    )
    out = []
    for event in events:
        rows = []
        for key, value in event.details.items():
            values = value if isinstance(value, list) else [value]
            items = []
            for v in values:
                named = names.get(v.lower()) if isinstance(v, str) else None
                if named:
                    items.append(DetailItem(*named))
                elif isinstance(v, dict):
                    items.append(DetailItem(", ".join(f"{k}: {x}" for k, x in v.items())))
                else:
                    items.append(DetailItem(str(v)))
            rows.append((str(key).replace("_", " ").capitalize(), items))
        out.append(rows)
    return out


# --- your account: password and second factor ----------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where to go after this step: `next` when it is a path of this site, else the dashboard.

    Only an absolute path: `redirect()` reads a word without '/' or '.' as a URL name (`x`
    was a NoReverseMatch, a 500), and a relative one would be resolved against this page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("console-dashboard")


@roles.console_view(own_account=True)
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password (required first after a one-time password)."""
    forced = accounts.must_change_password(request.user)  # type: ignore[arg-type]
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)  # type: ignore[arg-type]  # console_view admits signed-in users only
    if request.method == "POST" and form.is_valid():
        accounts.change_password(user=request.user, new_password=form.cleaned_data["new_password1"])  # type: ignore[arg-type]
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
        messages.success(request, "Your password is changed.")
        return redirect(_next_url(request))
    return render(
        request,
        "console/password.html",
        {"form": form, "forced": forced, "next": _next_url(request)},
        status=400 if form.is_bound else 200,
    )


# django-otp pauses a device after a wrong code (1 s, doubling with each further wrong code).
TOO_MANY_CODES = "Too many wrong codes: wait a few seconds, then try again."


class TotpConfirmForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="Code from the app",
        error_messages={"invalid": "Enter the 6-digit code the app shows."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@roles.console_view(own_account=True)
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up (or remove) an authenticator app (TOTP) for one's own account."""
    user: Any = request.user
    form = TotpConfirmForm()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "start":
        accounts.start_totp(user=user)
    elif action == "confirm":
        device = accounts.pending_totp(user)
        form = TotpConfirmForm(request.POST)
        if device is None:
            form.add_error(None, "Start again: no set-up is in progress.")
        elif form.is_valid():
            if not device.verify_is_allowed()[0]:
                form.add_error("token", TOO_MANY_CODES)
            elif accounts.confirm_totp(device=device, token=form.cleaned_data["token"].strip()):
                otp_login(request, device)
                messages.success(request, "Your authenticator app is set up.")
                return redirect(_next_url(request))
            else:
                form.add_error("token", "That code is not right. Check the phone's clock.")
    elif action == "remove":
        if accounts.second_factor_required():
            messages.error(request, "A second factor is required for every console account.")
        elif accounts.remove_totp(user=user, actor=user):
            messages.success(request, "Your authenticator app is removed.")
        return redirect("console-two-factor")
    elif request.method == "POST":
        return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    pending = accounts.pending_totp(user)
    qr = ""
    if pending is not None:
        # segno draws the otpauth:// link as an inline SVG of paths only (no text, no script).
        svg = segno.make(pending.config_url, error="m").svg_inline(scale=4, border=4)
        qr = mark_safe(svg)  # noqa: S308 - segno's own markup, no input text in it
    return render(
        request,
        "console/two_factor.html",
        {
            "confirmed": accounts.confirmed_totp(user),
            "pending": pending,
            "secret": b32encode(pending.bin_key).decode() if pending else "",
            "qr": qr,
            "required": accounts.second_factor_required(),
            "form": form,
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@roles.console_view(own_account=True)
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: the code from the authenticator app."""
    user: Any = request.user
    device = accounts.confirmed_totp(user)
    if device is None or user.is_verified():
        return redirect(_next_url(request))
    form = TotpConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"].strip()):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "That code is not right." if allowed else TOO_MANY_CODES)
    return render(
        request,
        "console/verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.is_bound else 200,
    )


class SecurityForm(forms.Form):
    require_second_factor = forms.BooleanField(
        required=False,
        label="Require a second factor (authenticator app) for every console account",
    )


@require_POST
@roles.console_view(admin=True)
def security_settings(request: HttpRequest) -> HttpResponse:
    form = SecurityForm(request.POST)
    form.is_valid()  # a checkbox: absent means off
    required = bool(form.cleaned_data.get("require_second_factor"))
    accounts.set_second_factor_required(required=required, actor=request.user)
    messages.success(
        request,
        "Every console account now needs a second factor."
        if required
        else "A second factor is now optional.",
    )
    return redirect("console-settings")
