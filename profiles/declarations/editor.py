"""The declaration editor's fields, generated from Apple's declarative schema (the generated
`declaration_table.py`): one field per key, typed, with its allowed values, default, bounds and
help, nested dictionaries in fieldsets, and the keys a User Enrollment does not get marked.

Nothing here names a key of Apple's: a declaration type added to the schema gets its editor when
the table is regenerated. Errors of the service's validation come back onto their fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms

from mdm_server import untrusted
from profiles.declarations.declaration_table import DECLARATIONS

# Nested dictionaries are fields down to this depth; deeper ones, arrays of dictionaries and
# free-form dictionaries are edited as JSON.
MAX_DEPTH = 3
PLATFORM_NAMES = {"iOS": "iPhone/iPad", "macOS": "Mac", "visionOS": "Apple Vision Pro"}
_MISSING = object()
_INDEX_RE = re.compile(r"\[\d+\]")
_TEXTAREA = {"rows": 3}
_JSON = {"rows": 4, "class": "mono"}


@dataclass(frozen=True)
class Key:
    """One field: the key's path in the payload and its node of the table."""

    name: str  # the form field's name
    path: tuple[str, ...]
    node: Mapping[str, Any]
    required: bool
    not_user: Mapping[str, str]  # platform -> why a User Enrollment does not get it

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def kind(self) -> str:
        node = self.node
        if node["type"] == "array" and "item" in node:
            item = node["item"]
            if item["type"] in ("string", "integer", "real") and "keys" not in item:
                return "lines"
        if node["type"] in ("array", "dictionary", "any"):
            return "json"
        return str(node["type"])


@dataclass
class Group:
    """A fieldset: the top-level keys that are values ("" title), or one dictionary's keys."""

    title: str
    path: str
    help: str = ""
    not_user: Mapping[str, str] = field(default_factory=dict)
    keys: list[Key] = field(default_factory=list)


def _expandable(node: Mapping[str, Any], depth: int) -> bool:
    return node["type"] == "dictionary" and bool(node.get("keys")) and depth < MAX_DEPTH


def layout(declaration_type: str, hidden: frozenset[str] = frozenset()) -> list[Group]:
    """The editor's fieldsets for a type: top-level values first, then one per dictionary."""
    keys = DECLARATIONS.get(declaration_type, {}).get("keys", {})
    plain = Group("", "")
    groups: list[Group] = []
    counter = iter(range(10_000))

    def walk(
        nodes: Mapping[str, Any],
        prefix: tuple[str, ...],
        required: bool,
        inherited: Mapping[str, str],
        group: Group,
    ) -> None:
        for name, node in nodes.items():
            path = (*prefix, name)
            if not prefix and name in hidden:
                continue
            marks = {**inherited, **node.get("not_user", {})}
            is_required = required and bool(node.get("required"))
            if _expandable(node, len(path)):
                target = group
                if not prefix:
                    target = Group(node.get("title") or name, name, node.get("help", ""), marks)
                    groups.append(target)
                walk(node["keys"], path, is_required, marks, target)
                continue
            group.keys.append(Key(f"k{next(counter)}", path, node, is_required, marks))

    walk(keys, (), True, {}, plain)
    return [g for g in [plain, *groups] if g.keys]


def ue_text(marks: Mapping[str, str]) -> str:
    """What the console says of a key a User Enrollment does not get."""
    parts = []
    for platform, why in sorted(marks.items()):
        if why == "enrollment":
            parts.append(f"Apple gives it on {platform} to other enrollments only")
        else:
            parts.append(f"not on {platform}")
    return "; ".join(parts)


def _lookup(payload: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = payload
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _shown(value: Any) -> str:
    return "Yes" if value is True else "No" if value is False else str(value)


def _field(key: Key) -> forms.Field:
    node = key.node
    default = node.get("default")
    help_text = node.get("help", "")
    common: dict[str, Any] = {
        "required": key.required,
        "label": key.dotted if not node.get("title") else f"{node['title']} ({key.dotted})",
        "help_text": help_text,
    }
    unset = "(not set)" if default is None else f"(not set: {_shown(default)})"
    kind = key.kind
    if kind == "boolean":
        return forms.TypedChoiceField(
            choices=[("", unset), ("true", "Yes"), ("false", "No")],
            coerce=lambda v: v == "true",
            empty_value=None,
            **common,
        )
    if "range" in node and kind in ("string", "integer", "real"):
        cast: Any = {"integer": int, "real": float}.get(kind, str)
        return forms.TypedChoiceField(
            choices=[("", unset), *[(v, v) for v in node["range"]]],
            coerce=cast,
            empty_value=None,
            **common,
        )
    placeholder = {} if default is None else {"placeholder": _shown(default)}
    if kind == "integer":
        return forms.IntegerField(
            min_value=node.get("min"),
            max_value=node.get("max"),
            widget=forms.NumberInput(attrs=placeholder),
            **common,
        )
    if kind == "real":
        return forms.FloatField(
            min_value=node.get("min"),
            max_value=node.get("max"),
            widget=forms.NumberInput(attrs=placeholder),
            **common,
        )
    if kind == "lines":
        common["help_text"] = ("One value per line. " + help_text).strip()
        return forms.CharField(strip=False, widget=forms.Textarea(attrs=_TEXTAREA), **common)
    if kind == "json":
        common["help_text"] = ("JSON. " + help_text).strip()
        return forms.CharField(widget=forms.Textarea(attrs=_JSON), **common)
    if kind == "date":
        common["help_text"] = ("A date and time, e.g. 2026-12-24T18:00:00. " + help_text).strip()
    return forms.CharField(strip=False, widget=forms.TextInput(attrs=placeholder), **common)


def _initial(key: Key, value: Any) -> Any:
    kind = key.kind
    if kind == "boolean":
        return "true" if value else "false"
    if "range" in key.node and kind in ("string", "integer", "real"):
        return str(value)
    if kind == "lines" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if kind == "json":
        return json.dumps(value, indent=1, ensure_ascii=False)
    return value


class PayloadForm(forms.Form):
    """The fields of one declaration type; `payload()` gives the payload they describe."""

    groups: list[Group] = []
    keys: dict[str, Key] = {}
    hidden: frozenset[str] = frozenset()  # top-level keys the server owns: kept as stored

    def __init__(
        self, *args: Any, existing: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        self.existing = dict(existing or {})
        initial = {}
        for name, key in self.keys.items():
            value = _lookup(self.existing, key.path)
            if value is not _MISSING:
                initial[name] = _initial(key, value)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, key in self.keys.items():
            value = data.get(name)
            if not isinstance(value, str) or not value.strip():
                continue
            if key.kind == "json":
                try:
                    data[name] = untrusted.load_json(value)
                except untrusted.UntrustedDataError as exc:
                    self.add_error(name, f"Not valid JSON: {exc}")
            elif key.kind == "lines":
                lines = [line.strip() for line in value.splitlines() if line.strip()]
                item = key.node["item"]["type"]
                try:
                    cast: Any = {"integer": int, "real": float}.get(item, str)
                    data[name] = [cast(line) for line in lines]
                except ValueError:
                    self.add_error(name, f"Each line must be a number ({item}).")
        return data

    def payload(self) -> dict[str, Any]:
        """The payload: every field given, nested by its path (empty fields are left out), and
        the stored values of the keys the server owns."""
        out: dict[str, Any] = {k: v for k, v in self.existing.items() if k in self.hidden}
        for name, key in self.keys.items():
            value = self.cleaned_data.get(name)
            if value is None or value == "" or value == []:
                continue
            target = out
            for part in key.path[:-1]:
                target = target.setdefault(part, {})
            target[key.path[-1]] = value
        return out

    def add_payload_errors(self, problems: list[str]) -> list[str]:
        """Put the service's payload problems ("A.B[0].C: why") on the field of their key;
        return those no field shows."""
        by_path = {key.path: name for name, key in self.keys.items()}
        rest = []
        for problem in problems:
            where, _, why = problem.partition(": ")
            parts = tuple(_INDEX_RE.sub("", where).split("."))
            for length in range(len(parts), 0, -1):
                name = by_path.get(parts[:length])
                if name is not None and why:
                    suffix = "" if length == len(parts) else f" ({where})"
                    self.add_error(name, why + suffix)
                    break
            else:
                rest.append(problem)
        return rest

    def rows(self) -> list[dict[str, Any]]:
        """The fieldsets with their bound fields, for the template."""
        out = []
        for group in self.groups:
            rows = [
                {
                    "field": self[key.name],
                    "key": key.dotted,
                    "depth": len(key.path) - 1,
                    "ue": ue_text(key.not_user),
                    "ue_platforms": ", ".join(
                        PLATFORM_NAMES.get(p, p) for p in sorted(key.not_user)
                    ),
                }
                for key in group.keys
            ]
            out.append(
                {
                    "title": group.title,
                    "path": group.path,
                    "help": group.help,
                    "ue": ue_text(group.not_user),
                    "rows": rows,
                    "errors": any(self[k.name].errors for k in group.keys),
                }
            )
        return out


_CACHE: dict[tuple[str, frozenset[str]], type[PayloadForm]] = {}


def payload_form_class(
    declaration_type: str, hidden: frozenset[str] = frozenset()
) -> type[PayloadForm]:
    """The generated form class of a declaration type (cached per process)."""
    cache_key = (declaration_type, hidden)
    if cache_key not in _CACHE:
        groups = layout(declaration_type, hidden)
        keys = {key.name: key for group in groups for key in group.keys}
        attrs: dict[str, Any] = {name: _field(key) for name, key in keys.items()}
        attrs.update(groups=groups, keys=keys, hidden=hidden)
        name = "Payload_" + re.sub(r"\W", "_", declaration_type)
        _CACHE[cache_key] = type(name, (PayloadForm,), attrs)
    return _CACHE[cache_key]
