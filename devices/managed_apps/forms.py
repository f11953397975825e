"""Console forms of managed apps."""

from __future__ import annotations

from typing import Any

from django import forms

from devices.managed_apps import rules
from devices.managed_apps.models import AppAssignment
from mdm_server import untrusted
from mdm_server.apple import EnrollmentType


class LocationForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="A name for this location, e.g. Headquarters")
    token = forms.FileField(help_text="The .vpptoken file from Apple Business Manager")

    def clean_token(self) -> bytes:
        upload = self.cleaned_data["token"]
        if upload.size > 16384:
            raise forms.ValidationError("This file is too large to be a content token.")
        data: bytes = upload.read()
        return data


class CustomAppForm(forms.Form):
    name = forms.CharField(max_length=200)
    manifest_url = forms.URLField(
        max_length=500, assume_scheme="https", help_text="https:// URL of the app's manifest"
    )
    bundle_id = forms.CharField(max_length=255, required=False)
    enterprise = forms.BooleanField(required=False, label="In-house (enterprise-signed)")
    platforms = forms.MultipleChoiceField(
        choices=[("iOS", "iPhone and iPad"), ("macOS", "Mac (a package)")],
        initial=["iOS", "macOS"],
        widget=forms.CheckboxSelectMultiple,
    )
    pinning_pem = forms.CharField(
        required=False,
        label="Mac: pin the manifest server to these certificates (PEM)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=65536,
    )
    pinning_revocation_required = forms.BooleanField(
        required=False, label="Mac: require a positive revocation check of the pinned server"
    )


class AssignForm(forms.Form):
    scope = forms.ChoiceField(choices=AppAssignment.Scope.choices)
    device = forms.UUIDField(required=False, help_text="scope One device: the device's id")
    group = forms.IntegerField(required=False, help_text="scope Directory group: the group's id")
    enrollment_type = forms.ChoiceField(
        choices=[("", "—"), *EnrollmentType.choices], required=False
    )
    mode = forms.ChoiceField(choices=AppAssignment.Mode.choices)
    configuration = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Managed app configuration as JSON; variables: "
        + ", ".join(f"${{{v}}}" for v in rules.VARIABLES),
    )
    vpn_uuid = forms.CharField(
        max_length=64, required=False, label="Per-app VPN (the VPN payload's PayloadUUID)"
    )
    associated_domains = forms.CharField(
        required=False, help_text="Comma-separated, e.g. applinks:example.com"
    )
    removable = forms.NullBooleanField(required=False, help_text="iOS 14 and later")

    def clean_configuration(self) -> dict[str, Any]:
        text = self.cleaned_data["configuration"].strip()
        if not text:
            return {}
        try:
            value = untrusted.load_json(text)
        except untrusted.UntrustedDataError as exc:
            raise forms.ValidationError(f"Not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("The configuration must be a JSON object.")
        return value

    def clean_associated_domains(self) -> list[str]:
        text = self.cleaned_data["associated_domains"]
        return [d.strip() for d in text.split(",") if d.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field = {"device": "device", "group": "group", "enrollment_type": "enrollment_type"}.get(
            data.get("scope", ""), ""
        )
        if field and not data.get(field):
            self.add_error(field, "Required for this scope.")
        return data
