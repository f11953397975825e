"""Console forms of declarations, sets and assignments (validation of content is the service's)."""

from __future__ import annotations

from typing import Any

from django import forms

from devices.models import Enrollment
from directory.models import DirectoryGroup
from mdm_server import untrusted
from profiles.declarations.declaration_table import DECLARATIONS
from profiles.declarations.models import Declaration
from profiles.models import Profile


def type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Declaration types from Apple's schema, grouped by class."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, entry in sorted(DECLARATIONS.items()):
        groups.setdefault(entry["class"].title(), []).append((name, f"{entry['title']} ({name})"))
    return sorted(groups.items())


class DeclarationForm(forms.Form):
    declaration_type = forms.ChoiceField(label="Type", choices=type_choices)
    identifier = forms.CharField(max_length=255, help_text="e.g. com.example.passcode")
    display_name = forms.CharField(max_length=255, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The payload as JSON: the advanced view beside the generated fields (used when asked).
    payload = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono"}),
        help_text="The declaration's Payload as JSON; {{ email }}, {{ full_name }}, {{ username }}, "
        "{{ upn }} and {{ managed_apple_id }} are filled with the person's details per device.",
    )
    use_json = forms.BooleanField(required=False, label="Save the JSON")
    profile = forms.ModelChoiceField(
        queryset=Profile.objects.all(),
        required=False,
        help_text="Legacy declarations only: the configuration profile delivered",
    )


def json_payload(form: forms.Form) -> Any:
    """The advanced view's payload, or None with an error on the field."""
    text = form.cleaned_data.get("payload") or "{}"
    try:
        return untrusted.load_json(text)
    except untrusted.UntrustedDataError as exc:
        form.add_error("payload", f"Not valid JSON: {exc}")
        return None


class DeclarationEditForm(DeclarationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["declaration_type"]
        del self.fields["identifier"]


class AssetDataForm(forms.Form):
    file = forms.FileField(
        help_text="Stored by the server and served to the devices given this asset"
    )
    content_type = forms.CharField(
        max_length=127,
        required=False,
        help_text="Media type (e.g. application/json); empty: guessed from the file name. "
        "A certificate asset is announced as application/pem or application/pkcs1.",
    )


class SetForm(forms.Form):
    name = forms.CharField(max_length=255)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    declarations = forms.ModelMultipleChoiceField(
        queryset=Declaration.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Assets named by a configuration come with it; configurations no activation "
        "of the set names are activated by the server's own activation.",
    )


class SetMembersForm(forms.Form):
    declarations = forms.ModelMultipleChoiceField(
        queryset=Declaration.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class SetAssignmentForm(forms.Form):
    enrollment_type = forms.ChoiceField(
        choices=[("", "—"), *Enrollment.Type.choices], required=False
    )
    group = forms.ModelChoiceField(queryset=DirectoryGroup.objects.all(), required=False)
    enrollment = forms.ModelChoiceField(
        queryset=Enrollment.objects.none(),
        required=False,
        label="Device",
        help_text="Enrolled channels (first 500 by name); use the API for others",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enrolled = Enrollment.objects.filter(status=Enrollment.Status.ENROLLED)
        first = list(
            enrolled.order_by("device__device_name", "id").values_list("pk", flat=True)[:500]
        )
        field: Any = self.fields["enrollment"]
        field.queryset = enrolled.filter(pk__in=first).order_by("device__device_name", "id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [k for k in ("enrollment_type", "group", "enrollment") if data.get(k)]
        if len(chosen) != 1:
            raise forms.ValidationError("Choose one: a device, a user group or an enrollment type.")
        return data
