"""Console pages of Apple Business Manager: links (public key download, server token upload and
renewal), the account, device sync, Setup Assistant profiles and the devices ABM assigned."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from enrollment.abm import protocol, services
from enrollment.abm.models import AbmLink, AbmProfile
from mdm_server import untrusted
from mdm_server.roles import console_view
from profiles.models import Profile


class LinkForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="As the MDM server is named in ABM.")
    api_url = forms.URLField(
        initial="https://mdmenrollment.apple.com",
        assume_scheme="https",
        label="Device Assignment API address",
    )
    ca_pem = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Extra CA (PEM, optional)",
        help_text="Only for a TLS-inspecting proxy in front of Apple.",
    )


class TokenForm(forms.Form):
    token = forms.FileField(
        label="Server token (.p7m)", help_text="The file Apple Business Manager downloads."
    )


class ProfileForm(forms.ModelForm):
    first = forms.ModelMultipleChoiceField(
        queryset=Profile.objects.order_by("display_name"),
        required=False,
        label="Install before Setup Assistant goes on",
        help_text="Configuration profiles sent while the device waits, before DeviceConfigured.",
    )
    first_commands_text = forms.CharField(
        required=False,
        label="Commands sent while Setup Assistant waits (JSON)",
        help_text="After the profiles above, before DeviceConfigured, in order: a list of "
        '{"request_type": …, "params": {…}}, e.g. [{"request_type": "Settings", "params": '
        '{"Settings": [{"Item": "DeviceName", "DeviceName": "Loaner"}]}}]',
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    models_text = forms.CharField(
        required=False,
        label="Assign to models or families",
        help_text="One a line, e.g. Mac or iPhone 16; empty with Default: every other device.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    skip_text = forms.CharField(
        required=False,
        label="Skip Setup Assistant panes",
        help_text="One a line: " + ", ".join(sorted(protocol.SKIP_SETUP_ITEMS)),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = AbmProfile
        fields = [
            "name",
            "is_default",
            "groups",
            "supervised",
            "await_device_configured",
            "mdm_removable",
            "department",
            "support_phone_number",
            "support_email_address",
            "language",
            "region",
            "anchor_certs_pem",
        ]
        help_texts = {
            "groups": "Wins over the model rule and the default; of several groups, the lower "
            "priority number wins.",
        }
        labels = {
            "is_default": "Default profile of this link",
            "groups": "Assign to the devices of these directory groups' members",
            "await_device_configured": "Await device configured (Setup Assistant waits)",
            "mdm_removable": "Users may remove the MDM profile",
            "anchor_certs_pem": "Anchor certificates (PEM) trusted for the enrollment URL",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["models_text"].initial = "\n".join(self.instance.models_rule)
            self.fields["skip_text"].initial = "\n".join(self.instance.skip_setup_items)
            self.fields["first"].initial = list(self.instance.first_profiles)
            if self.instance.first_commands:
                self.fields["first_commands_text"].initial = json.dumps(
                    self.instance.first_commands, indent=1
                )

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_skip_text(self) -> list[str]:
        items = self._lines(self.cleaned_data["skip_text"])
        unknown = sorted(set(items) - protocol.SKIP_SETUP_ITEMS)
        if unknown:
            raise forms.ValidationError(f"Unknown panes: {', '.join(unknown)}.")
        return items

    def clean_first_commands_text(self) -> list[dict[str, Any]]:
        text = self.cleaned_data["first_commands_text"].strip()
        if not text:
            return []
        try:
            items = untrusted.load_json(text)
        except untrusted.UntrustedDataError as exc:
            raise forms.ValidationError(f"Not JSON: {exc}") from None
        try:
            return services.check_first_commands(items)
        except services.AbmError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_models_text(self) -> list[str]:
        return self._lines(self.cleaned_data["models_text"])[:50]


@console_view()
def link_list(request: HttpRequest) -> HttpResponse:
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.create_link(
                name=form.cleaned_data["name"],
                api_url=form.cleaned_data["api_url"],
                ca_pem=form.cleaned_data["ca_pem"],
                actor=request.user,
            )
        except services.AbmError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Link created: download its public key and upload it to ABM.")
            return redirect("abm-console:link", link.pk)
    return render(
        request,
        "abm/links.html",
        {
            "section": "abm",
            "links": AbmLink.objects.all(),
            "form": form,
            "alerts": services.dashboard_alerts(),
        },
    )


@console_view()
def link_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The link's public key certificate (PEM), to upload in ABM (MDM server settings)."""
    link = get_object_or_404(AbmLink, pk=pk)
    response = HttpResponse(link.certificate_pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="abm-link-{link.pk}.pem"'
    return response


def _link_action(request: HttpRequest, link: AbmLink, action: str) -> None:
    if action == "token":
        form = TokenForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "Choose the server token file (.p7m) to upload.")
            return
        upload = form.cleaned_data["token"]
        data = upload.read(services.abm_token.MAX_TOKEN_FILE + 1)
        renewal = link.has_token
        services.upload_server_token(link=link, data=data, actor=request.user)
        messages.success(request, "Server token renewed." if renewal else "Server token stored.")
        services.refresh_account(link=link)
    elif action == "account":
        services.refresh_account(link=link)
        messages.success(request, f"Account: {link.org_name} ({link.server_name}).")
    elif action == "sync":
        totals = services.sync_devices(link=link)
        messages.success(
            request,
            f"Synced: {totals['changed']} changed, {totals['removed']} removed, "
            f"{totals['assigned']} assigned a profile.",
        )
    elif action == "person":
        serial = request.POST.get("person_serial", "").strip().upper()
        username = request.POST.get("person_username", "").strip()
        services.check_typed([serial], "Serial numbers")
        device = link.devices.filter(serial_number=serial, removed_at__isnull=True).first()
        if device is None:
            messages.error(request, f"No device {serial[:64]!r} in this link.")
            return
        person = services.person_named(username) if username else None
        device = services.set_device_person(device=device, person=person, actor=request.user)
        profile = device.profile.name if device.profile else "none"
        messages.success(request, f"{serial}: person {username or 'none'}, profile {profile}.")
    elif action == "remove_profile":
        serials = [s.strip().upper() for s in request.POST.getlist("serial") if s.strip()]
        results = services.remove_profile(link=link, serials=serials, actor=request.user)
        messages.success(request, f"Apple Business Manager answered: {results}")
    else:
        messages.error(request, f"Unknown action {action[:40]!r}.")


@console_view()
def link_detail(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(AbmLink, pk=pk)
    if request.method == "POST":
        try:
            _link_action(request, link, request.POST.get("action", ""))
        except services.AbmError as exc:
            messages.error(request, str(exc))
        return redirect("abm-console:link", link.pk)
    return render(
        request,
        "abm/link.html",
        {
            "section": "abm",
            "link": link,
            "token_form": TokenForm(),
            "profiles": link.profiles.prefetch_related("groups"),
            "devices": link.devices.select_related("profile", "enrollment", "person")[:500],
            "device_count": link.devices.count(),
        },
    )


@console_view()
def profile_page(request: HttpRequest, pk: int, profile_pk: int | None = None) -> HttpResponse:
    link = get_object_or_404(AbmLink, pk=pk)
    profile = (
        get_object_or_404(AbmProfile, pk=profile_pk, link=link)
        if profile_pk is not None
        else AbmProfile(link=link)
    )
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        profile.models_rule = form.cleaned_data["models_text"]
        profile.skip_setup_items = form.cleaned_data["skip_text"]
        profile.first_profiles = [p.pk for p in form.cleaned_data["first"]]
        profile.first_commands = form.cleaned_data["first_commands_text"]
        try:
            services.define_profile(
                profile=profile, actor=request.user, groups=list(form.cleaned_data["groups"])
            )
            assigned = services.assign_by_rule(link=link)
        except services.AbmError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Profile defined in Apple Business Manager; {assigned} device(s) assigned.",
            )
            return redirect("abm-console:link", link.pk)
    return render(
        request,
        "abm/profile.html",
        {
            "section": "abm",
            "link": link,
            "profile": profile,
            "form": form,
            "enrollment_url": services.enrollment_url(profile) if profile.pk else "",
        },
    )
