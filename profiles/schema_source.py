"""Turn Apple's profile-payload schema YAML (mdm/profiles/*.yaml) into the JSON the app validates with.

Pure: no Django imports. PyYAML is imported only while generating (a dev dependency); the runtime
reads the committed `profiles/payload_schema.json`. Used by `manage.py generate_payload_schema`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROFILES_DIR = Path("mdm") / "profiles"
TOP_LEVEL = "TopLevel"
COMMON_PAYLOAD_KEYS = "CommonPayloadKeys"
# Key attributes carried over as they are (after type coercion); the rest of the YAML is left out.
_TYPES = {
    "<string>": "string",
    "<integer>": "integer",
    "<real>": "real",
    "<boolean>": "boolean",
    "<date>": "date",
    "<data>": "data",
    "<array>": "array",
    "<dictionary>": "dictionary",
    "<any>": "any",
}


class SchemaSourceError(Exception):
    """The schema directory is missing or a YAML file does not have the expected shape."""


def _loader() -> type:
    """A SafeLoader that keeps numbers as strings: `10.10` must not become 10.1 before we know
    the key's declared type (values are converted per type in `_coerce`)."""
    import yaml  # generator-only dependency

    # The C parser when libyaml is there (about 5x faster); the resolver stays Python's.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc,valid-type]
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if not tag.endswith((":int", ":float"))]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def _coerce(value: Any, value_type: str) -> Any:
    """Give a scalar from the YAML the Python type its key declares."""
    if isinstance(value, list):
        return [_coerce(v, value_type) for v in value]
    if isinstance(value, dict):
        return {str(k): _coerce(v, value_type) for k, v in value.items()}
    if value_type == "integer" and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    if value_type == "real" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if value_type == "string" and isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


def _number(value: Any) -> int | float:
    text = str(value)
    try:
        return int(text)
    except ValueError:
        return float(text)


class _Converter:
    """Converts one file's payload keys; remembers subkey lists so YAML cycles become references."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.names: dict[int, str] = {}
        self.counter = 0

    def keys(self, items: Any, stack: tuple[int, ...] = ()) -> list[dict[str, Any]]:
        if not isinstance(items, list):
            raise SchemaSourceError(f"{self.source}: payloadkeys/subkeys must be a list")
        return [self.node(item, stack) for item in items]

    def node(self, item: Any, stack: tuple[int, ...]) -> dict[str, Any]:
        if not isinstance(item, dict) or "key" not in item:
            raise SchemaSourceError(f"{self.source}: a key entry has no 'key'")
        raw_type = str(item.get("type", "<any>"))
        value_type = _TYPES.get(raw_type)
        if value_type is None:
            raise SchemaSourceError(f"{self.source}: key {item['key']}: unknown type {raw_type}")
        node: dict[str, Any] = {"key": str(item["key"]), "type": value_type}
        if item.get("title"):
            node["title"] = str(item["title"])
        if item.get("presence"):
            node["presence"] = str(item["presence"])
        valuetype = item.get("valuetype") or item.get("subtype")
        if valuetype:
            node["valuetype"] = str(valuetype).strip("<>")
        if "default" in item and item["default"] is not None:
            node["default"] = _coerce(item["default"], value_type)
        if item.get("rangelist") is not None:
            node["rangelist"] = _coerce(list(item["rangelist"]), value_type)
        for bound_name in ("range", "repetition"):
            bounds = item.get(bound_name)
            if isinstance(bounds, dict):
                node[bound_name] = {
                    k: _number(v) for k, v in sorted(bounds.items()) if k in ("min", "max")
                }
        if item.get("format"):
            node["format"] = str(item["format"])
        if item.get("content"):
            node["content"] = str(item["content"]).strip()
        subkeys = item.get("subkeys")
        if subkeys is not None:
            marker = id(subkeys)
            if marker in stack:
                # A recursive structure (e.g. Home Screen folders holding icons holding folders):
                # JSON has no cycles, so point back at the ancestor that expanded this list.
                node["subkeys_ref"] = self.names.setdefault(marker, self._new_name())
            else:
                node["subkeys"] = self.keys(subkeys, (*stack, marker))
                if marker in self.names:
                    node["subkeys_id"] = self.names[marker]
        return node

    def _new_name(self) -> str:
        self.counter += 1
        return f"ref{self.counter}"


def _read(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())  # noqa: S506
    except yaml.YAMLError as exc:
        raise SchemaSourceError(f"{path.name}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        raise SchemaSourceError(f"{path.name}: no 'payload' block")
    return data


def _convert_file(path: Path) -> tuple[str, dict[str, Any]]:
    data = _read(path)
    payload_type = str(data["payload"].get("payloadtype") or "")
    if not payload_type:
        raise SchemaSourceError(f"{path.name}: payload has no payloadtype")
    converter = _Converter(path.name)
    # Two passes: the first finds which lists are targets of a cycle (names them), the second
    # marks the ancestors with subkeys_id so the runtime can resolve the references.
    converter.keys(data.get("payloadkeys") or [])
    keys = converter.keys(data.get("payloadkeys") or [])
    entry: dict[str, Any] = {
        "title": str(data.get("title") or payload_type),
        "description": str(data.get("description") or data["payload"].get("content") or ""),
        "files": [path.name],
        "keys": keys,
    }
    return payload_type, entry


def _merge(existing: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Variants of one PayloadType (com.apple.MCX, extensiblesso): accept the union of their keys;
    a key stays required only if every variant requires it."""
    by_key = {node["key"]: node for node in existing["keys"]}
    extra_keys = {node["key"] for node in extra["keys"]}
    for node in existing["keys"]:
        if node["key"] not in extra_keys and node.get("presence") == "required":
            node["presence"] = "optional"
    for node in extra["keys"]:
        if node["key"] not in by_key:
            added = dict(node)
            if added.get("presence") == "required":
                added["presence"] = "optional"
            existing["keys"].append(added)
            by_key[node["key"]] = added
    existing["files"] = [*existing["files"], *extra["files"]]
    return existing


def build_schema(schema_root: Path) -> dict[str, Any]:
    """The whole generated document: top level, common payload keys, and every payload type."""
    folder = schema_root / PROFILES_DIR
    if not folder.is_dir():
        raise SchemaSourceError(f"schema directory not found: {folder}")
    payloads: dict[str, dict[str, Any]] = {}
    special: dict[str, dict[str, Any]] = {}
    # Plain names sort before "name(variant)" so the general file of a PayloadType comes first.
    for path in sorted(folder.glob("*.yaml"), key=lambda p: (p.stem.split("(")[0], p.stem)):
        payload_type, entry = _convert_file(path)
        if payload_type in (TOP_LEVEL, COMMON_PAYLOAD_KEYS):
            special[payload_type] = entry
        elif payload_type in payloads:
            payloads[payload_type] = _merge(payloads[payload_type], entry)
        else:
            payloads[payload_type] = entry
    for name in (TOP_LEVEL, COMMON_PAYLOAD_KEYS):
        if name not in special:
            raise SchemaSourceError(f"{name}.yaml is missing from {folder}")
    return {
        "generated_from": "apple/device-management mdm/profiles",
        "top_level": special[TOP_LEVEL]["keys"],
        "common_keys": special[COMMON_PAYLOAD_KEYS]["keys"],
        "payloads": dict(sorted(payloads.items())),
    }


def render(schema: dict[str, Any]) -> str:
    """Stable JSON text (sorted keys, one indent level per nesting) for the committed file."""
    return json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


__all__ = ["SchemaSourceError", "build_schema", "render"]
