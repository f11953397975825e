"""Console forms. Payload forms are generated from the schema data, one field per top-level key."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from django import forms

from devices.models import Enrollment
from directory.models import DirectoryGroup
from mdm_server import untrusted
from profiles import schema
from profiles.models import Profile

# Top-level keys the builder owns, or that the envelope sets: never shown as payload fields.
_HIDDEN_KEYS = {*schema.PROFILE_OWNED_KEYS, "PayloadDisplayName", "PayloadDescription",
                "PayloadOrganization"}  # fmt: skip
_BOOL_CHOICES = [("", "(not set)"), ("true", "Yes"), ("false", "No")]
_TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ProfileMetaForm(forms.Form):
    identifier = forms.CharField(
        max_length=255, help_text="Reverse-DNS PayloadIdentifier, e.g. com.example.wifi"
    )
    display_name = forms.CharField(max_length=255)
    description = forms.CharField(required=False, widget=_TEXTAREA)
    organization = forms.CharField(required=False, max_length=255)
    scope = forms.ChoiceField(choices=Profile.Scope.choices)
    ue_mode = forms.ChoiceField(
        choices=Profile.UserEnrollmentMode.choices,
        widget=forms.RadioSelect,
        label="On User-Enrollment devices",
    )


class UploadForm(forms.Form):
    file = forms.FileField(help_text=".mobileconfig file, plain or signed")
    ue_mode = forms.ChoiceField(
        choices=Profile.UserEnrollmentMode.choices,
        widget=forms.RadioSelect,
        initial=Profile.UserEnrollmentMode.SKIP,
        label="On User-Enrollment devices",
    )


class UserEnrollmentModeForm(forms.Form):
    ue_mode = forms.ChoiceField(
        choices=Profile.UserEnrollmentMode.choices,
        widget=forms.RadioSelect,
        label="On User-Enrollment devices",
    )


class AssignmentForm(forms.Form):
    enrollment_types = forms.MultipleChoiceField(
        choices=Enrollment.Type.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    groups = forms.ModelMultipleChoiceField(
        queryset=DirectoryGroup.objects.all(), required=False, label="User groups"
    )
    # Any enrolled channel may be chosen; the page offers them through a server-side search
    # (profiles-device-picker), never as one list of every device.
    enrollments = forms.ModelMultipleChoiceField(
        queryset=Enrollment.objects.filter(status=Enrollment.Status.ENROLLED),
        required=False,
        label="Devices",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("enrollment_types") or data.get("groups") or data.get("enrollments")):
            raise forms.ValidationError("Choose devices, user groups or enrollment types.")
        return data


# --- generated payload forms -------------------------------------------------------------------


def _help(node: Mapping[str, Any]) -> str:
    text = str(node.get("content", ""))
    return text if len(text) <= 400 else text[:397] + "…"


def _is_plist_int(text: str) -> bool:
    number = untrusted.natural(text.removeprefix("-"))
    if number is None:
        return False
    value = -number if text.startswith("-") else number
    return untrusted.PLIST_INT_MIN <= value <= untrusted.PLIST_INT_MAX


def _is_scalar_list(node: Mapping[str, Any]) -> bool:
    subkeys = node.get("subkeys") or []
    return bool(subkeys) and subkeys[0].get("type") in ("string", "integer")


def field_for(node: Mapping[str, Any], *, label: str = "") -> forms.Field:
    """A form field for one schema key (JSON text for nested structures)."""
    kind = node.get("type", "any")
    key_path = label or node["key"]
    title = node.get("title") or ""
    common: dict[str, Any] = {
        "required": node.get("presence") == "required",
        "label": f"{title} ({key_path})" if title and title != key_path else key_path,
        "help_text": _help(node),
    }
    rangelist = node.get("rangelist")
    if kind == "boolean":
        return forms.TypedChoiceField(
            choices=_BOOL_CHOICES,
            coerce=lambda v: v == "true",
            empty_value=None,
            **common,
        )
    if rangelist and kind in ("string", "integer", "real"):
        choices = [("", "(not set)")] + [(json.dumps(v), str(v)) for v in rangelist]
        return forms.TypedChoiceField(
            choices=choices, coerce=json.loads, empty_value=None, **common
        )
    bounds = node.get("range") or {}
    if kind == "integer":
        # Unbounded in the schema, still one a property list can hold.
        return forms.IntegerField(
            min_value=bounds.get("min", untrusted.PLIST_INT_MIN),
            max_value=bounds.get("max", untrusted.PLIST_INT_MAX),
            **common,
        )
    if kind == "real":
        return forms.FloatField(min_value=bounds.get("min"), max_value=bounds.get("max"), **common)
    if kind == "string":
        return forms.CharField(strip=False, **common)
    if kind == "data":
        common["help_text"] = ("Upload a file. " + common["help_text"]).strip()
        return forms.FileField(**common)
    if kind == "array" and _is_scalar_list(node):
        common["help_text"] = ("One value per line. " + common["help_text"]).strip()
        return forms.CharField(widget=_TEXTAREA, **common)
    common["help_text"] = ("JSON value. " + common["help_text"]).strip()
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}), **common)


# Nested dictionaries are shown as their own fields ("PayloadContent.URL") down to this depth;
# deeper structures and arrays of dictionaries are edited as JSON.
_MAX_DEPTH = 3
_MISSING = object()


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _expandable(node: Mapping[str, Any], depth: int) -> bool:
    subkeys = node.get("subkeys") or []
    return (
        node.get("type") == "dictionary"
        and bool(subkeys)
        and depth < _MAX_DEPTH
        and not any(k["key"] == "ANY" for k in subkeys)
        # A lone dictionary subkey is a placeholder for free-form keys: edit it as JSON.
        and not (len(subkeys) == 1 and subkeys[0].get("type") == "dictionary")
    )


def flatten_keys(
    nodes: list[dict[str, Any]], prefix: tuple[str, ...] = (), required: bool = True
) -> dict[str, tuple[tuple[str, ...], dict[str, Any]]]:
    """Field name -> (key path, schema node), expanding nested dictionaries into fields."""
    out: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {}
    for node in nodes:
        if not prefix and node["key"] in _HIDDEN_KEYS:
            continue
        path = (*prefix, node["key"])
        is_required = required and node.get("presence") == "required"
        if _expandable(node, len(path)):
            out.update(flatten_keys(node["subkeys"], path, is_required))
        else:
            out[".".join(path)] = (
                path,
                dict(node, presence="required" if is_required else "optional"),
            )
    return out


class PayloadForm(forms.Form):
    """Base of generated payload forms; `to_content` gives the payload's JSON content."""

    spec: schema.PayloadSpec | None = None
    nodes: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {}

    def __init__(
        self, *args: Any, existing: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        self.existing = dict(existing or {})
        if self.existing and "initial" not in kwargs:
            initial = {}
            for name, (path, node) in self.nodes.items():
                value = _lookup(self.existing, path)
                if value is not _MISSING:
                    initial[name] = self._initial(node, value)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # A stored data value (e.g. a certificate) stays unless a new file is uploaded.
            if not isinstance(field, forms.FileField):
                continue  # RawPayloadForm's one field is no schema node
            if _lookup(self.existing, self.nodes[name][0]) is not _MISSING:
                field.required = False
                field.help_text = "A file is stored; upload to replace it. " + field.help_text

    @staticmethod
    def _initial(node: Mapping[str, Any], value: Any) -> Any:
        kind = node.get("type")
        if kind == "boolean":
            return "true" if value else "false"
        if node.get("rangelist") and kind in ("string", "integer", "real"):
            return json.dumps(value)
        if kind == "array" and _is_scalar_list(node) and isinstance(value, list):
            return "\n".join(str(v) for v in value)
        if kind in ("array", "dictionary", "any"):
            return json.dumps(schema.to_json(value), indent=1, ensure_ascii=False)
        if kind == "data":
            return None
        return value

    def _value(self, name: str) -> Any:
        path, node = self.nodes[name]
        value = self.cleaned_data.get(name)
        kind = node.get("type")
        if kind == "data":
            if value:
                return base64.b64encode(value.read()).decode("ascii")
            stored = _lookup(self.existing, path)
            return _MISSING if stored is _MISSING else schema.to_json(stored)
        if value is None or value == "":
            return _MISSING
        if kind == "array" and _is_scalar_list(node):
            item_type = (node.get("subkeys") or [{}])[0].get("type")
            lines = [line.strip() for line in str(value).splitlines() if line.strip()]
            return [int(x) if item_type == "integer" else x for x in lines]
        if kind in ("array", "dictionary", "any") and isinstance(value, str):
            return untrusted.load_json(value)  # checked by clean()
        return value

    def to_content(self) -> dict[str, Any]:
        """The payload content as JSON values (services convert data/dates via the schema)."""
        content: dict[str, Any] = {}
        for name, (path, _node) in self.nodes.items():
            value = self._value(name)
            if value is _MISSING:
                continue
            target = content
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = value
        # Keep the stored keys this form does not show (e.g. from an uploaded profile).
        return _merge_unshown(self.existing, content, self.nodes)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, (_path, node) in self.nodes.items():
            value = data.get(name)
            kind = node.get("type")
            if not (isinstance(value, str) and value and kind in ("array", "dictionary", "any")):
                continue
            if kind == "array" and _is_scalar_list(node):
                item_type = (node.get("subkeys") or [{}])[0].get("type")
                if item_type == "integer" and not all(_is_plist_int(x) for x in value.split()):
                    self.add_error(name, "Each line must be a whole number of up to 64 bits.")
                continue
            try:
                untrusted.load_json(value)
            except untrusted.UntrustedDataError as exc:
                self.add_error(name, f"Not valid JSON: {exc}")
        return data


def _merge_unshown(
    existing: Mapping[str, Any],
    content: dict[str, Any],
    nodes: Mapping[str, tuple[tuple[str, ...], dict[str, Any]]],
) -> dict[str, Any]:
    shown = {path for path, _ in nodes.values()}
    prefixes = {path[:i] for path in shown for i in range(1, len(path))}

    def walk(old: Mapping[str, Any], new: dict[str, Any], prefix: tuple[str, ...]) -> None:
        for key, value in old.items():
            path = (*prefix, key)
            if path in shown:
                continue
            if path in prefixes and isinstance(value, Mapping):
                walk(value, new.setdefault(key, {}), path)
            elif path not in prefixes:
                new.setdefault(key, schema.to_json(value))

    walk(existing, content, ())
    return content


class RawPayloadForm(PayloadForm):
    """For payload types Apple's schema does not describe: the content as one JSON object."""

    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}),
        help_text="The payload's keys as a JSON object (data in base64).",
    )

    def __init__(
        self, *args: Any, existing: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if existing and "initial" not in kwargs:
            kwargs["initial"] = {
                "content": json.dumps(schema.to_json(dict(existing)), indent=1, ensure_ascii=False)
            }
        super().__init__(*args, **kwargs)
        self.existing = dict(existing or {})

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self) or {}
        try:
            value = untrusted.load_json(data.get("content") or "{}")
        except untrusted.UntrustedDataError as exc:
            self.add_error("content", f"Not valid JSON: {exc}")
            return data
        if not isinstance(value, dict):
            self.add_error("content", "Must be a JSON object.")
        return data

    def to_content(self) -> dict[str, Any]:
        value: dict[str, Any] = untrusted.load_json(self.cleaned_data.get("content") or "{}")
        return value


_FORM_CACHE: dict[str, type[PayloadForm]] = {}


def payload_form_class(payload_type: str) -> type[PayloadForm]:
    """The generated form class for a PayloadType (cached per process)."""
    if payload_type in _FORM_CACHE:
        return _FORM_CACHE[payload_type]
    spec = schema.payload_spec(payload_type)
    if spec is None:
        return RawPayloadForm
    nodes = flatten_keys(list(spec.keys))
    attrs: dict[str, Any] = {
        name: field_for(node, label=".".join(path)) for name, (path, node) in nodes.items()
    }
    attrs.update(spec=spec, nodes=nodes)
    form_class = type(f"PayloadForm_{payload_type.replace('.', '_')}", (PayloadForm,), attrs)
    _FORM_CACHE[payload_type] = form_class
    return form_class
