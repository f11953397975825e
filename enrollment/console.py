"""Console pages for enrollment: settings, Managed Apple ID domains, configurations, the
well-known preview and self-test, Apple Business Manager registration, sessions, invitations."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from enrollment import access_rights, directory_access, discovery, services
from enrollment.models import EnrollmentConfiguration, EnrollmentSession, EnrollmentSettings
from mdm_server.roles import console_view

FAMILIES = discovery.MODEL_FAMILIES


class SettingsForm(forms.ModelForm):
    # Named checkboxes, not a number: the bits and what each allows come from Apple's schema.
    device_access_rights = forms.TypedMultipleChoiceField(
        choices=[(str(bit), text) for bit, text in access_rights.flags()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What the organisation may do on a Device Enrollment (AccessRights)",
        help_text="Not used for User Enrollment: a personal device's profile carries none.",
    )

    # How the page shows the settings: (section title, field names); a field not in the form
    # is left out.
    SECTIONS = (
        ("User Enrollment (personal devices)", (
            "user_enrollment_enabled", "organisation_name", "terms_text",
        )),
        ("Sign-in and token lifetimes", (
            "token_ttl_minutes", "session_ttl_days", "oauth_access_ttl_minutes",
        )),
        ("Device Enrollment (organisation-owned devices)", (
            "device_access_rights", "apple_device_ca_pem",
        )),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.device_access_rights if self.instance else 0
        self.initial["device_access_rights"] = [
            str(bit) for bit, _ in access_rights.flags() if stored & bit
        ]

    def sections(self) -> list[tuple[str, list[Any]]]:
        out = []
        shown: set[str] = set()
        for title, names in self.SECTIONS:
            fields = [self[n] for n in names if n in self.fields]
            shown.update(n for n in names if n in self.fields)
            if fields:
                out.append((title, fields))
        rest = [self[n] for n in self.fields if n not in shown]
        if rest:
            out.append(("Other settings", rest))
        return out

    class Meta:
        model = EnrollmentSettings
        fields = [
            "user_enrollment_enabled",
            "organisation_name",
            "token_ttl_minutes",
            "session_ttl_days",
            "oauth_access_ttl_minutes",
            "device_access_rights",
            "terms_text",
            "apple_device_ca_pem",
        ]
        labels = {
            "user_enrollment_enabled": "Apple User Enrollment",
            "token_ttl_minutes": "Sign-in token lifetime for the profile download (minutes)",
            "session_ttl_days": "Account-driven session lifetime (days)",
            "oauth_access_ttl_minutes": "OAuth 2 access token lifetime (minutes)",
            "device_access_rights": "AccessRights of Device Enrollment profiles",
            "apple_device_ca_pem": "Apple device CA (PEM)",
        }
        help_texts = {
            "apple_device_ca_pem": "Apple iPhone Device CA, which issues the identity a device "
            "signs its MachineInfo with. Required for Automated Device Enrollment: without it "
            "every ADE device is refused (anyone knowing a serial number could enroll as it).",
        }

    def clean_token_ttl_minutes(self) -> int:
        value = int(self.cleaned_data["token_ttl_minutes"])
        if not 1 <= value <= 24 * 60:
            raise forms.ValidationError("Between 1 minute and one day.")
        return value

    def clean_session_ttl_days(self) -> int:
        value = int(self.cleaned_data["session_ttl_days"])
        if not 1 <= value <= 3650:
            raise forms.ValidationError("Between 1 and 3650 days.")
        return value

    def clean_oauth_access_ttl_minutes(self) -> int:
        value = int(self.cleaned_data["oauth_access_ttl_minutes"])
        if not 1 <= value <= 24 * 60:
            raise forms.ValidationError("Between 1 minute and one day.")
        return value

    def clean_device_access_rights(self) -> int:
        value = sum(int(bit) for bit in self.cleaned_data["device_access_rights"])
        reason = access_rights.problem(value)
        if reason:
            raise forms.ValidationError(reason[0].upper() + reason[1:] + ".")
        return value

    def clean_apple_device_ca_pem(self) -> str:
        pem = self.cleaned_data["apple_device_ca_pem"].strip()
        if pem:
            from cryptography import x509

            try:
                x509.load_pem_x509_certificates(pem.encode())
            except ValueError:
                raise forms.ValidationError("Not a PEM certificate.") from None
        return pem


class DomainsForm(forms.Form):
    domains = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Managed Apple ID domains verified in Apple Business Manager, one a line.",
    )

    def clean_domains(self) -> list[str]:
        out = []
        for line in self.cleaned_data["domains"].replace(",", "\n").splitlines():
            domain = line.strip().lower().rstrip(".")
            if not domain:
                continue
            if "." not in domain or " " in domain or "@" in domain or len(domain) > 253:
                raise forms.ValidationError(f"{domain!r} is not a domain name.")
            out.append(domain)
        return out


def _lines(value: str) -> list[str]:
    return [v.strip() for v in value.replace(",", "\n").splitlines() if v.strip()]


class ConfigurationForm(forms.ModelForm):
    domains_text = forms.CharField(
        required=False,
        label="Domains",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Domains served by this configuration (empty: every organisation domain).",
    )
    groups_text = forms.CharField(
        required=False,
        label="Allowed groups",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Directory groups whose members may enroll (empty: everyone).",
    )
    identity_source = forms.ChoiceField(required=False, label="Identity source")

    class Meta:
        model = EnrollmentConfiguration
        fields = [
            "name",
            "is_default",
            "default_version",
            "sign_in_method",
            "identity_source",
            "identity_kind",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = directory_access.source_names()
        self.fields["identity_source"].choices = [("", "Chosen by the account's domain")] + [
            (n, n) for n in names
        ]
        for family in FAMILIES:
            self.fields[f"family_{family}"] = forms.ChoiceField(
                required=False,
                label=f"{family}",
                choices=[("", "Default"), *EnrollmentConfiguration.Version.choices],
                initial=self.instance.family_versions.get(family, ""),
            )
        if self.instance.pk:
            self.fields["domains_text"].initial = "\n".join(self.instance.domains)
            self.fields["groups_text"].initial = "\n".join(self.instance.groups)

    def clean_domains_text(self) -> list[str]:
        domains = [d.lower().rstrip(".") for d in _lines(self.cleaned_data["domains_text"])]
        for domain in domains:
            if "." not in domain or "@" in domain:
                raise forms.ValidationError(f"{domain!r} is not a domain name.")
        taken = EnrollmentConfiguration.objects.exclude(pk=self.instance.pk or 0)
        for other in taken:
            clash = set(domains) & set(other.domains)
            if clash:
                raise forms.ValidationError(f"{', '.join(sorted(clash))} is used by {other}.")
        return domains

    def save(self, commit: bool = True) -> EnrollmentConfiguration:
        config = super().save(commit=False)
        config.domains = self.cleaned_data["domains_text"]
        config.groups = _lines(self.cleaned_data["groups_text"])
        config.family_versions = {
            f: self.cleaned_data[f"family_{f}"]
            for f in FAMILIES
            if self.cleaned_data[f"family_{f}"]
        }
        return config


def _page_context(request: HttpRequest) -> dict[str, Any]:
    options = EnrollmentSettings.load()
    configs = []
    for config in EnrollmentConfiguration.objects.all():
        document = discovery.build_service_discovery(
            base_url=services.base_url(config, config.default_version),
            version=config.default_version,
        )
        configs.append(
            {
                "config": config,
                "url": services.well_known_url(config),
                "document": json.dumps(document, indent=2),
                "rules": discovery.redirect_rule(
                    mdm_well_known_url=services.well_known_url(config)
                ),
            }
        )
    return {
        "section": "enrollment",
        "options": options,
        "configs": configs,
        "well_known_url": services.well_known_url(),
        "portal_url": services.public_url("/enroll/"),
        "push_problem": services.push_status(),
        "sessions": EnrollmentSession.objects.select_related("configuration")[:50],
        "domains": directory_access.all_domains(),
        "abm_registered_url": services.registered_discovery_url(),
    }


@console_view()
def settings_page(request: HttpRequest) -> HttpResponse:
    """The enrollment settings page; POST `action` picks the change."""
    services.default_configuration()  # a fresh server gets its first configuration here
    options = EnrollmentSettings.load()
    settings_form = SettingsForm(instance=options, prefix="s")
    domains_form = DomainsForm(
        initial={"domains": "\n".join(d for _pk, d, on in directory_access.all_domains() if on)},
        prefix="d",
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "settings":
            settings_form = SettingsForm(
                request.POST, instance=EnrollmentSettings.load(), prefix="s"
            )
            if settings_form.is_valid():
                values = {f: settings_form.cleaned_data[f] for f in SettingsForm.Meta.fields}
                services.save_settings(values=values, actor=request.user)
                messages.success(request, "Enrollment settings saved.")
                return redirect("enrollment-console:settings")
        elif action == "domains":
            domains_form = DomainsForm(request.POST, prefix="d")
            if domains_form.is_valid():
                try:
                    directory_access.save_domains(
                        domains_form.cleaned_data["domains"], actor=request.user
                    )
                except directory_access.SignInFailed as exc:
                    domains_form.add_error("domains", exc.message)
                else:
                    messages.success(request, "Managed Apple ID domains saved.")
                    return redirect("enrollment-console:settings")
        else:
            return _action(request, action)
    context = _page_context(request)
    context.update({"settings_form": settings_form, "domains_form": domains_form})
    return render(request, "enrollment/console_settings.html", context)


def _action(request: HttpRequest, action: str) -> HttpResponse:
    """The small POST actions (self-test, ABM, revoke, invite); each ends in a message."""
    try:
        if action == "self_test":
            config = EnrollmentConfiguration.objects.filter(pk=request.POST.get("config")).first()
            result = services.self_test(configuration=config)
            (messages.success if result.ok else messages.error)(request, result.summary)
        elif action == "abm_register":
            url = request.POST.get("url", "") or services.well_known_url()
            services.register_discovery_url(url=url, actor=request.user)
            messages.success(request, f"Registered {url} with Apple Business Manager.")
        elif action == "abm_get":
            result = services.fetch_discovery_registration()
            messages.info(request, f"Apple Business Manager has: {json.dumps(result)}")
        elif action == "abm_delete":
            services.delete_discovery_registration(actor=request.user)
            messages.success(request, "Removed the registration from Apple Business Manager.")
        elif action == "revoke":
            public_id = request.POST.get("session", "")
            if "\x00" in public_id:  # PostgreSQL refuses NUL in the lookup
                raise Http404("No such session.")
            session = get_object_or_404(EnrollmentSession, public_id=public_id)
            services.revoke_session(session=session, actor=request.user)
            from mdm_server import audit

            audit.record(actor=request.user, action="enrollment.session_revoked", target=session)
            messages.success(
                request,
                "Session revoked: its tokens no longer work and the enrollment it made has "
                "ended (identity certificate revoked, queued commands dropped).",
            )
        elif action == "invite":
            person = directory_access.find_person(request.POST.get("user", "").strip()[:255])
            if person is None or person.id is None:
                raise directory_access.SignInFailed("unknown_user", "No such directory user.")
            email = directory_access.invite(
                user_id=person.id, actor=request.user, portal_url=services.public_url("")
            )
            messages.success(request, f"Invitation sent to {email}.")
        else:
            messages.error(request, f"Unknown action {action[:40]!r}.")
    except services.AbmError as exc:
        messages.error(request, str(exc))
    except directory_access.SignInFailed as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "That request was not understood.")
    return redirect("enrollment-console:settings")


@console_view()
def configuration_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit one configuration (domains, groups, versions per model family, sign-in)."""
    config = get_object_or_404(EnrollmentConfiguration, pk=pk) if pk else EnrollmentConfiguration()
    form = ConfigurationForm(request.POST or None, instance=config)
    if request.method == "POST":
        if request.POST.get("action") == "delete" and config.pk:
            if config.is_default:
                messages.error(request, "The default configuration cannot be deleted.")
                return redirect("enrollment-console:configuration", pk=config.pk)
            services.delete_configuration(configuration=config, actor=request.user)
            messages.success(request, "Configuration deleted.")
            return redirect("enrollment-console:settings")
        if form.is_valid():
            saved = services.save_configuration(configuration=form.save(), actor=request.user)
            messages.success(request, f"Configuration {saved} saved.")
            return redirect("enrollment-console:settings")
    context = {
        "section": "enrollment",
        "form": form,
        "config": config,
        "families": [form[f"family_{f}"] for f in FAMILIES],
    }
    return render(request, "enrollment/console_configuration.html", context)


@console_view()
def reenroll_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Re-enrollment of one device: a link for its person (shown, or e-mailed), bound to the
    device and expiring; the same link enrolls the new device that replaces it."""
    from devices.models import Enrollment

    device = get_object_or_404(Enrollment, public_id=public_id, parent__isnull=True)
    context: dict[str, Any] = {"device": device, "days": services.reenrollment.LINK_DAYS}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "email":
                address = services.email_link(enrollment=device, actor=request.user)
                messages.success(request, f"Re-enrollment link sent to {address}.")
                return redirect("enrollment-console:reenroll", public_id=device.public_id)
            context["link"], context["expires"] = services.issue_link(
                enrollment=device, actor=request.user
            )
        except services.ReenrollmentError as exc:
            context["error"] = exc.message
            status = 400
    return render(request, "enrollment/console_reenroll.html", context, status=status)
