"""Build the declarations table from Apple's declarative schema YAML and render it as Python.

Pure: no Django imports. Reads `declarative/declarations/**` of the vendored schema: for every
declaration type its class (configuration, asset, activation, management), per OS where it is
supported, the enrollment kinds it is allowed on (`allowed-enrollments`: supervised, device,
user, local), its scopes (`allowed-scopes`: system, user), the scopes it may use on a Shared iPad
(`sharedipad.allowed-scopes`), and the shape of its payload keys (what the validator checks and
the editor's fields show: title, help, default, bounds, and the keys a User Enrollment does not
get), and from `declarative/status/` the status items a channel may subscribe to. Used by
`manage.py generate_declaration_table`; the runtime reads
only the generated `profiles/declarations/declaration_table.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devices.capability_source import (
    OS_NAMES,
    SchemaError,
    _loader,
    _read_yaml,
    _render,
    required_for_user_enrollment,
)
from devices.capability_source import schema_commit as schema_commit

FOLDER = "declarative/declarations"
STATUS_FOLDER = "declarative/status"
# The declaration class, from the first segment of the type (com.apple.<class>.<name>).
CLASSES = ("activation", "asset", "configuration", "management")
ENROLLMENT_KINDS = frozenset({"supervised", "device", "user", "local"})
SCOPES = frozenset({"system", "user"})
# A Shared iPad block may also name the `local` scope (docs/schema.yaml, 27.0).
SHAREDIPAD_SCOPES = SCOPES | {"local"}
_TYPES = frozenset(
    {"string", "integer", "real", "boolean", "date", "data", "array", "dictionary", "any"}
)


def _os_entry(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise SchemaError(f"{where}: supportedOS entry is not a mapping")
    introduced = str(raw.get("introduced", "n/a"))
    if introduced == "n/a":
        return {"supported": False}
    entry: dict[str, Any] = {"introduced": introduced}
    for field in ("deprecated", "removed"):
        if field in raw:
            entry[field] = str(raw[field])
    enrollments = raw.get("allowed-enrollments")
    if enrollments is not None:
        if not isinstance(enrollments, list) or not set(enrollments) <= ENROLLMENT_KINDS:
            raise SchemaError(f"{where}: allowed-enrollments {enrollments!r} is not understood")
        entry["enrollments"] = sorted(enrollments)
    scopes = raw.get("allowed-scopes")
    if scopes is not None:
        entry["scopes"] = _scopes(scopes, f"{where}: allowed-scopes")
    sharedipad = raw.get("sharedipad")
    if sharedipad is not None:
        # The scopes a declaration may use on a Shared iPad (an empty list: not on a Shared iPad
        # at all); absent: nothing stated. Declarations carry it since 18.1, docs/schema.yaml
        # documents it since the 27.0 copy.
        if not isinstance(sharedipad, Mapping) or "allowed-scopes" not in sharedipad:
            raise SchemaError(f"{where}: sharedipad {sharedipad!r} is not understood")
        entry["sharedipad_scopes"] = _scopes(
            sharedipad["allowed-scopes"], f"{where}: sharedipad.allowed-scopes", SHAREDIPAD_SCOPES
        )
    if raw.get("beta") is True:
        entry["beta"] = True  # a seed: the OS entry describes a beta release
    return entry


def _scopes(raw: Any, where: str, known: frozenset[str] = SCOPES) -> list[str]:
    if not isinstance(raw, list) or not set(raw) <= known:
        raise SchemaError(f"{where} {raw!r} is not understood")
    return sorted(raw)


def _type_name(raw: Any, where: str) -> str:
    name = str(raw or "").strip("<>")
    if name not in _TYPES:
        raise SchemaError(f"{where}: key type {raw!r} is not understood")
    return name


# Help text is folded in the editor; longer text is cut here so the generated table stays small.
HELP_LIMIT = 600
# Platforms whose User-Enrollment marks the editor shows per key.
UE_PLATFORMS = ("iOS", "macOS", "visionOS")


def _help(raw: Any) -> str:
    # One kind of quote (Apple's usual single quote): the renderer then writes it as ruff would.
    text = " ".join(str(raw or "").split()).replace('"', "'")
    return text if len(text) <= HELP_LIMIT else text[: HELP_LIMIT - 1] + "…"


def _scalar(value: Any, kind: str) -> Any:
    """A default as its key's type (the loader keeps numbers as strings); None if unusable."""
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind in ("integer", "real"):
        try:
            number = int(str(value)) if kind == "integer" else float(str(value))
        except ValueError:
            return None
        return number
    if kind == "string" and isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _key_support(key: Mapping[str, Any], inherited: Mapping[str, Any]) -> dict[str, Any]:
    """Per OS, the enrollment kinds a key is allowed on (its own list, else its parent's), or
    None where the key is not supported ("n/a" on the key or on a parent)."""
    own = key.get("supportedOS")
    out = dict(inherited)
    if isinstance(own, Mapping):
        for os in OS_NAMES:
            rule = own.get(os)
            if not isinstance(rule, Mapping) or os not in out:
                continue
            if str(rule.get("introduced", "")) == "n/a":
                out[os] = None
            elif out[os] is not None and isinstance(rule.get("allowed-enrollments"), list):
                out[os] = sorted(str(k) for k in rule["allowed-enrollments"])
    return out


def _not_user(parent: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, str]:
    """Platforms where a User Enrollment gets the declaration but not this key, and why
    ("enrollment": Apple limits the key to other enrollments; "platform": not on that OS)."""
    out = {}
    for os in UE_PLATFORMS:
        before, now = parent.get(os), own.get(os)
        if before is None or "user" not in before:
            continue  # no User Enrollment gets the parent there: nothing more to say
        if now is None:
            out[os] = "platform"
        elif "user" not in now:
            out[os] = "enrollment"
    return out


def _node(key: Mapping[str, Any], where: str, enrollments: Mapping[str, Any]) -> dict[str, Any]:
    """One payload key: its type, whether required, allowed values, default, bounds, help,
    the platforms where a User Enrollment does not get it, and its subkeys."""
    node: dict[str, Any] = {"type": _type_name(key.get("type"), where)}
    if key.get("presence") == "required":
        node["required"] = True
    if isinstance(key.get("rangelist"), list):
        node["range"] = [str(v) for v in key["rangelist"]]
    bounds = key.get("range")
    if isinstance(bounds, Mapping) and node["type"] in ("integer", "real"):
        for field in ("min", "max"):
            if (limit := _scalar(bounds.get(field), node["type"])) is not None:
                node[field] = limit
    if "default" in key and (default := _scalar(key["default"], node["type"])) is not None:
        node["default"] = default
    if key.get("title"):
        node["title"] = " ".join(str(key["title"]).split())
    if key.get("content"):
        node["help"] = _help(key["content"])
        if required_for_user_enrollment(key["content"]):
            node["ue_required"] = True
    own = _key_support(key, enrollments)
    if not_user := _not_user(enrollments, own):
        node["not_user"] = not_user
    subkeys = key.get("subkeys") or []
    if node["type"] == "array" and subkeys:
        node["item"] = _node(subkeys[0], f"{where}[]", own)
    elif node["type"] == "dictionary" and subkeys:
        names = [str(s.get("key")) for s in subkeys]
        if names == ["ANY"]:
            node["free"] = True  # free-form keys
        else:
            node["keys"] = _keys(subkeys, where, own)
    return node


def _keys(keys: list[Any], where: str, enrollments: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        if not isinstance(key, Mapping) or not isinstance(key.get("key"), str):
            raise SchemaError(f"{where}: a payload key has no name")
        out[key["key"]] = _node(key, f"{where}.{key['key']}", enrollments)
    return out


def build_table(schema_dir: Path) -> dict[str, Any]:
    """Declaration type -> {class, title, file, apply, os, keys}."""
    root = schema_dir / FOLDER
    files = sorted(root.rglob("*.yaml")) if root.is_dir() else []
    files = [f for f in files if f.name != "declarationbase.yaml"]
    if not files:
        raise SchemaError(f"{root}: no declaration YAML found (the vendored copy is incomplete)")
    loader = _loader()
    table: dict[str, Any] = {}
    for path in files:
        relative = path.relative_to(schema_dir).as_posix()
        data = _read_yaml(path, loader)
        payload = data["payload"]
        if "credentialtype" in payload:
            continue  # the format of an asset's data (assets/credentials/), not a declaration
        declaration_type = payload.get("declarationtype")
        if not isinstance(declaration_type, str) or not declaration_type.startswith("com.apple."):
            raise SchemaError(f"{relative}: no declarationtype")
        kind = declaration_type.split(".")[2]
        if kind not in CLASSES:
            raise SchemaError(f"{relative}: class {kind!r} of {declaration_type} is not known")
        supported = payload.get("supportedOS") or {}
        os_rules = {os: _os_entry(supported.get(os, {}), f"{relative} {os}") for os in OS_NAMES}
        # Per OS where the declaration is supported: its enrollment kinds (all when not listed).
        enrollments = {
            os: r.get("enrollments", sorted(ENROLLMENT_KINDS))
            for os, r in os_rules.items()
            if r.get("introduced")
        }
        table[declaration_type] = {
            "class": kind,
            "title": str(data.get("title", "")),
            "file": relative,
            "apply": str(payload.get("apply", "")),
            "description": _help(data.get("description")),
            "os": os_rules,
            "keys": _keys(data.get("payloadkeys") or [], relative, enrollments),
        }
    return table


def build_status_items(schema_dir: Path) -> dict[str, Any]:
    """Status item name -> {title, os}: per OS where the device reports it, on which
    enrollment kinds and scopes (what a status subscription may ask of a channel)."""
    root = schema_dir / STATUS_FOLDER
    loader = _loader()
    items: dict[str, Any] = {}
    for path in sorted(root.glob("*.yaml")) if root.is_dir() else []:
        relative = path.relative_to(schema_dir).as_posix()
        payload = _read_yaml(path, loader)["payload"]
        name = payload.get("statusitemtype")
        if not isinstance(name, str):
            continue  # shared definitions (statusreason.yaml), not a status item
        supported = payload.get("supportedOS") or {}
        items[name] = {
            "os": {os: _os_entry(supported.get(os, {}), f"{relative} {os}") for os in OS_NAMES},
        }
    return items


def render_table(
    table: Mapping[str, Any],
    *,
    commit: str,
    command: str,
    status_items: Mapping[str, Any] | None = None,
) -> str:
    lines = [
        '"""Apple declarative-management declarations table. GENERATED FILE: do not edit by hand.',
        "",
        f"Source: https://github.com/apple/device-management at commit {commit}",
        f"(declarative/declarations). Regenerate with `{command}`.",
        '"""',
        "",
        "from typing import Any",
        "",
        f'SCHEMA_COMMIT = "{commit}"',
        "",
        "# declaration Type -> class, title, source file, apply, per-OS support with the allowed",
        "# enrollment kinds and scopes (absent: no limit stated), the scopes allowed on a Shared",
        "# iPad (sharedipad_scopes; empty: not on a Shared iPad), and the payload keys' shape",
    ]
    _render(table, indent=0, prefix="DECLARATIONS: dict[str, Any] = ", suffix="", lines=lines)
    lines.append("")
    lines.append("# status item name -> per-OS support, allowed enrollment kinds and scopes")
    _render(
        dict(status_items or {}),
        indent=0,
        prefix="STATUS_ITEMS: dict[str, Any] = ",
        suffix="",
        lines=lines,
    )
    lines.append("")
    return "\n".join(lines)


def generate(schema_dir: Path, *, command: str) -> str:
    return render_table(
        build_table(schema_dir),
        commit=schema_commit(schema_dir, FOLDER),
        command=command,
        status_items=build_status_items(schema_dir),
    )
