"""Build the declarations table from Apple's declarative schema YAML and render it as Python.

Pure: no Django imports. Reads `declarative/declarations/**` of the vendored schema: for every
declaration type its class (configuration, asset, activation, management), per OS where it is
supported, the enrollment kinds it is allowed on (`allowed-enrollments`: supervised, device,
user, local), its scopes (`allowed-scopes`: system, user), the scopes it may use on a Shared iPad
(`sharedipad.allowed-scopes`), and the shape of its payload keys (what the
validator checks). Used by `manage.py generate_declaration_table`; the runtime reads
only the generated `profiles/declarations/declaration_table.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devices.capability_source import OS_NAMES, SchemaError, _loader, _read_yaml, _render
from devices.capability_source import schema_commit as schema_commit

FOLDER = "declarative/declarations"
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


def _node(key: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One payload key: its type, whether required, allowed values, and its subkeys."""
    node: dict[str, Any] = {"type": _type_name(key.get("type"), where)}
    if key.get("presence") == "required":
        node["required"] = True
    if isinstance(key.get("rangelist"), list):
        node["range"] = [str(v) for v in key["rangelist"]]
    subkeys = key.get("subkeys") or []
    if node["type"] == "array" and subkeys:
        node["item"] = _node(subkeys[0], f"{where}[]")
    elif node["type"] == "dictionary" and subkeys:
        names = [str(s.get("key")) for s in subkeys]
        if names == ["ANY"]:
            node["free"] = True  # free-form keys
        else:
            node["keys"] = _keys(subkeys, where)
    return node


def _keys(keys: list[Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        if not isinstance(key, Mapping) or not isinstance(key.get("key"), str):
            raise SchemaError(f"{where}: a payload key has no name")
        out[key["key"]] = _node(key, f"{where}.{key['key']}")
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
        table[declaration_type] = {
            "class": kind,
            "title": str(data.get("title", "")),
            "file": relative,
            "apply": str(payload.get("apply", "")),
            "os": {os: _os_entry(supported.get(os, {}), f"{relative} {os}") for os in OS_NAMES},
            "keys": _keys(data.get("payloadkeys") or [], relative),
        }
    return table


def render_table(table: Mapping[str, Any], *, commit: str, command: str) -> str:
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
    return "\n".join(lines)


def generate(schema_dir: Path, *, command: str) -> str:
    return render_table(
        build_table(schema_dir), commit=schema_commit(schema_dir, FOLDER), command=command
    )
