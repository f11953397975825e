"""Console forms for the directory: sources, local users, groups, domains, import selection."""

from __future__ import annotations

from typing import Any

from django import forms

from directory import sync
from directory.models import DirectoryGroup, DirectoryUser, IdentitySource

COMMON_FIELDS = [
    "name",
    "enabled",
    "sign_in_domains",
    "allowed_groups",
    "apple_id_mapping",
    "apple_id_pattern",
    "auto_invite",
    "sync_enabled",
    "sync_adds_new_users",
    "timeout",
    "console_sign_in",
]
LDAP_FIELDS = [
    "ldap_url",
    "ldap_security",
    "ldap_ca_pem",
    "bind_dn",
    "bind_password",
    "user_base_dn",
    "user_filter",
    "group_base_dn",
    "group_filter",
    "group_member_attribute",
    "attribute_map",
]
ENTRA_FIELDS = [
    "tenant_id",
    "client_id",
    "client_secret",
    "client_certificate_pem",
    "client_key",
    "authority_host",
    "graph_url",
    "authority_ca_pem",
]
KIND_FIELDS = {"local": [], "ldap": LDAP_FIELDS, "entra": ENTRA_FIELDS}


def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]


class ListField(forms.CharField):
    """A list edited as one entry per line (or comma separated)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return _lines(str(value or ""))


class AttributeMapField(forms.CharField):
    """The LDAP attribute map as ``key = attribute`` lines; only overrides need to be given."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{k} = {v}" for k, v in value.items())
        return value

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        result: dict[str, str] = {}
        for line in str(value or "").splitlines():
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(f"Write each line as key = attribute: {line.strip()!r}")
            key, _, attribute = (part.strip() for part in line.partition("="))
            if key not in sync.ATTRIBUTE_KEYS:
                raise forms.ValidationError(
                    f"Unknown key {key!r}; allowed: {', '.join(sync.ATTRIBUTE_KEYS)}."
                )
            result[key] = attribute
        return result


class SourceForm(forms.ModelForm):
    """One form for all kinds; the view shows only the fields of the source's kind."""

    sign_in_domains = ListField(
        required=False, help_text="Email domains whose users sign in here (one per line)"
    )
    allowed_groups = ListField(
        required=False, help_text="Only members of these groups may sign in (empty: everyone)"
    )
    attribute_map = AttributeMapField(
        required=False,
        help_text="Overrides, e.g. username = sAMAccountName. Keys: "
        + ", ".join(sync.ATTRIBUTE_KEYS),
    )
    bind_password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; leave empty to keep the current one",
    )
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; leave empty to keep the current one",
    )
    client_key = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Client certificate private key (PEM)",
        help_text="Stored encrypted; leave empty to keep the current one",
    )

    class Meta:
        model = IdentitySource
        fields = COMMON_FIELDS + [
            f
            for f in LDAP_FIELDS + ENTRA_FIELDS
            if f not in ("bind_password", "client_secret", "client_key")
        ]

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = set(COMMON_FIELDS) | set(KIND_FIELDS[kind])
        if kind == "local":
            keep -= {
                "sign_in_domains",
                "auto_invite",
                "sync_enabled",
                "sync_adds_new_users",
                "timeout",
            }
        if kind != "ldap":
            keep.discard("console_sign_in")  # password sign-in to the console: LDAP only
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.order_fields(COMMON_FIELDS + KIND_FIELDS[kind])

    def changes(self) -> dict[str, Any]:
        """Cleaned data for services.save_source (which validates the configuration as a whole)."""
        return dict(self.cleaned_data)


class UserFilterForm(forms.Form):
    """The user list's filters (GET): what cannot be searched for is a 400 with the reason."""

    q = forms.CharField(required=False, max_length=255)
    source = forms.IntegerField(required=False, min_value=1)
    state = forms.ChoiceField(
        required=False,
        choices=[("", "Any state"), ("enabled", "Enabled"), ("disabled", "Disabled")],
    )
    problem = forms.BooleanField(required=False)


class LocalUserForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    display_name = forms.CharField(max_length=255, required=False)
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)
    groups = forms.ModelMultipleChoiceField(
        queryset=DirectoryGroup.objects.filter(kind="static"), required=False
    )


class UserEditForm(forms.Form):
    enabled = forms.BooleanField(required=False)
    groups = forms.ModelMultipleChoiceField(
        queryset=DirectoryGroup.objects.filter(kind="static"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Static groups; synced groups come from the directory",
    )
    password = forms.CharField(
        widget=forms.PasswordInput, required=False, help_text="Local users only; empty keeps it"
    )


class GroupForm(forms.ModelForm):
    class Meta:
        model = DirectoryGroup
        fields = ["name", "apple_enrollment_type", "default_ownership", "priority"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.kind == DirectoryGroup.Kind.SYNCED:
            self.fields["name"].disabled = True

    def validate_unique(self) -> None:
        pass  # services.save_group checks names case-insensitively with a clear message


class GroupMembersForm(forms.Form):
    users = forms.ModelMultipleChoiceField(
        queryset=DirectoryUser.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )


class DomainForm(forms.Form):
    domain = forms.CharField(
        max_length=253, help_text="A domain verified in Apple Business Manager"
    )
