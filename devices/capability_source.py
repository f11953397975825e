"""Build the capability table from Apple's device-management schema YAML and render it as Python.

Pure: no Django imports. PyYAML is imported only when the YAML is read, so the runtime table
(`devices/capability_table.py`) never needs it. Used by `manage.py generate_capability_table`.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The three MDM parts of Apple's repository the table covers, and the name used for each in the table.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("commands", "mdm/commands", "requesttype"),
    ("checkin", "mdm/checkin", "requesttype"),
    ("profiles", "mdm/profiles", "payloadtype"),
)
OS_NAMES = ("iOS", "macOS", "tvOS", "visionOS", "watchOS")
# Pseudo "payload types" in mdm/profiles: the profile envelope and the keys every payload shares.
TOP_LEVEL = "TopLevel"
COMMON_PAYLOAD_KEYS = "CommonPayloadKeys"

_VERSION_RE = re.compile(r"\d+(\.\d+)*")
_COMMIT_RE = re.compile(r"\b([0-9a-f]{40})\b")
_BOOL_FLAGS = (
    "allowmanualinstall",
    "beta",
    "devicechannel",
    "multiple",
    "requiresdep",
    "supervised",
    "userapprovedmdm",
    "userchannel",
)
_SHAREDIPAD_FIELDS = ("devicechannel", "mode", "userchannel")
_MODES = frozenset({"allowed", "forbidden", "ignored", "required"})
_LINE_LENGTH = 100
# Apple's descriptions of a deprecated or removed item end with what to use instead:
# "... Removed: use the declarative management `com.apple.configuration....` configuration."
_UE_REQUIRED_RE = re.compile(r"\brequired for user enrollments?\b", re.IGNORECASE)


def required_for_user_enrollment(content: Any) -> bool:
    """Whether a key's text says Apple requires it on a User Enrollment ("This key is required
    for user enrollment."): the schema has no field for it. Profiles and declarations alike."""
    return bool(_UE_REQUIRED_RE.search(" ".join(str(content or "").split())))


_SUCCESSOR_RE = re.compile(r"\b(?:Removed|Deprecated):\s*(?P<advice>\S.*?)\.?$")


class SchemaError(Exception):
    """The schema directory is missing or a YAML file does not have the expected shape."""


# ---------------------------------------------------------------------------------------------
# Reading the YAML
# ---------------------------------------------------------------------------------------------


def _loader() -> type:
    """A SafeLoader that keeps numbers as strings: `introduced: 10.10` must not become 10.1."""
    import yaml  # generator-only dependency (dev extra): the runtime never needs it

    # libyaml's parser when available: same results, several times faster on 200 files.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class SchemaLoader(base):  # type: ignore[misc,valid-type]
        pass

    SchemaLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if not tag.endswith((":int", ":float"))]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return SchemaLoader


def _read_yaml(path: Path, loader: type) -> dict[str, Any]:
    import yaml  # see _loader

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - SafeLoader subclass
    except (OSError, yaml.YAMLError) as exc:
        raise SchemaError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        raise SchemaError(f"{path}: no 'payload' mapping at the top level")
    return data


# A row of the vendored README's per-folder table: | `mdm/profiles/` | `<40 hex>` ... |
_FOLDER_ROW_RE = re.compile(
    r"^\|\s*`(?P<folder>[\w.-]+(?:/[\w.-]+)*)/?`\s*\|[^|]*?\b(?P<commit>[0-9a-f]{40})\b"
)


def folder_commits(schema_dir: Path) -> dict[str, str]:
    """Upstream commit per vendored folder, from the README's per-folder table (may be empty)."""
    readme = schema_dir / "README.md"
    if not readme.exists():
        return {}
    rows = (_FOLDER_ROW_RE.match(line) for line in readme.read_text(encoding="utf-8").splitlines())
    return {row.group("folder"): row.group("commit") for row in rows if row}


def schema_commit(schema_dir: Path, folder: str | None = None) -> str:
    """The upstream commit the vendored schema (or one folder of it) comes from: a git checkout's
    HEAD, else the folder's row in its README, else the README's first commit."""
    if folder:
        commits = folder_commits(schema_dir)
        for prefix in sorted(commits, key=len, reverse=True):
            if folder == prefix or folder.startswith(prefix + "/"):
                return commits[prefix]
    if (schema_dir / ".git").exists():
        result = subprocess.run(
            ["git", "-C", str(schema_dir), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0 and _COMMIT_RE.fullmatch(result.stdout.strip()):
            return result.stdout.strip()
    readme = schema_dir / "README.md"
    if readme.exists():
        for line in readme.read_text(encoding="utf-8").splitlines():
            if "commit" in line.lower() and (match := _COMMIT_RE.search(line)):
                return match.group(1)
    return "unknown"


# ---------------------------------------------------------------------------------------------
# Normalising supportedOS blocks
# ---------------------------------------------------------------------------------------------


def _version(value: Any, where: str) -> str:
    text = str(value)
    if not _VERSION_RE.fullmatch(text):
        raise SchemaError(f"{where}: {value!r} is not a dotted version")
    return text


def _os_rule(raw: Any, where: str, *, key_level: bool) -> dict[str, Any]:  # noqa: C901 - one check per supportedOS field
    """One OS entry of a supportedOS block, reduced to the fields the decisions use.

    `supported` is stored only when it is not implied: False for "n/a", True for "all" (and for
    a listed OS without a version); an `introduced` version implies it.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SchemaError(f"{where}: expected a mapping, got {raw!r}")
    rule: dict[str, Any] = {}
    introduced = raw.get("introduced")
    if introduced == "n/a":
        rule["supported"] = False
    elif introduced == "all" or (introduced is None and not key_level):
        # loginwindow.yaml uses "all": supported, with no minimum version.
        rule["supported"] = True
    elif introduced is not None:
        rule["introduced"] = _version(introduced, f"{where}.introduced")
    for field in ("deprecated", "removed"):
        if raw.get(field) is not None:
            rule[field] = _version(raw[field], f"{where}.{field}")
    for flag in _BOOL_FLAGS:
        if isinstance(raw.get(flag), bool):
            rule[flag] = raw[flag]
    if isinstance(raw.get("accessrights"), str) and not key_level:
        rule["accessrights"] = raw["accessrights"]
    sharedipad = raw.get("sharedipad")
    if isinstance(sharedipad, Mapping):
        block = {f: sharedipad[f] for f in _SHAREDIPAD_FIELDS if sharedipad.get(f) is not None}
        if block:
            rule["sharedipad"] = block
    userenrollment = raw.get("userenrollment")
    if isinstance(userenrollment, Mapping):
        mode = userenrollment.get("mode")
        if mode is not None:
            if mode not in _MODES:
                raise SchemaError(f"{where}.userenrollment.mode: unknown mode {mode!r}")
            rule["userenrollment"] = mode
        if userenrollment.get("behavior"):
            rule["userenrollment_behavior"] = str(userenrollment["behavior"])
    return rule


def _supported_os(raw: Any, where: str, *, key_level: bool) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SchemaError(f"{where}: supportedOS must be a mapping")
    return {
        os: _os_rule(raw[os], f"{where}.{os}", key_level=key_level) for os in OS_NAMES if os in raw
    }


def merge_rules(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Apply a key's per-OS override on top of what it inherits (field by field, as Apple says)."""
    merged = dict(base)
    if "introduced" in override:
        merged.pop("supported", None)  # a version on the key means it is supported there
    for field, value in override.items():
        if field == "sharedipad" and isinstance(merged.get("sharedipad"), Mapping):
            merged["sharedipad"] = {**merged["sharedipad"], **value}
        else:
            merged[field] = value
    if override.get("supported") is False:
        # "n/a" on the key: an introduced version inherited from the payload no longer applies.
        merged.pop("introduced", None)
    return merged


def _merge_os(
    inherited: Mapping[str, Mapping[str, Any]], own: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    result = {os: dict(rule) for os, rule in inherited.items()}
    for os, rule in own.items():
        result[os] = merge_rules(result.get(os, {}), rule)
    return {os: rule for os, rule in result.items() if rule}


# ---------------------------------------------------------------------------------------------
# Walking payload / response keys
# ---------------------------------------------------------------------------------------------


def _walk_keys(
    keys: Any,
    *,
    prefix: str,
    separator: str,
    inherited: Mapping[str, Mapping[str, Any]],
    where: str,
    out: dict[str, dict[str, dict[str, Any]]],
    arrays: dict[str, list[str]],
    stack: tuple[int, ...] = (),
) -> None:
    """Record every key path with the supportedOS overrides it accumulates from its ancestors.

    Paths: `.` joins dictionary members, `[].` enters array items, `=` names an enumerated value
    of a scalar key (e.g. `Queries[].QueriesItem=UDID`). Apple reuses YAML anchors for recursive
    structures (home-screen folders); a subkey list already on the stack is not entered again.
    """
    if not keys or id(keys) in stack:
        return
    if not isinstance(keys, list):
        raise SchemaError(f"{where}: subkeys must be a list")
    stack = (*stack, id(keys))
    for item in keys:
        if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
            raise SchemaError(f"{where}: a key entry has no 'key' name")
        path = f"{prefix}{separator}{item['key']}" if prefix else item["key"]
        rules = _merge_os(
            inherited, _supported_os(item.get("supportedOS"), f"{where}:{path}", key_level=True)
        )
        # A path can repeat (alternative definitions); the first definition wins, like Apple's docs.
        out.setdefault(path, rules)
        kind = item.get("type")
        if kind == "<array>":
            child_prefix, child_sep = f"{path}[]", "."
            # Names of the array's item definitions: key names may contain dots, so the runtime
            # cannot split paths to find them.
            names = [
                sub.get("key") for sub in item.get("subkeys") or [] if isinstance(sub, Mapping)
            ]
            known = [name for name in names if isinstance(name, str)]
            if names and len(known) == len(names):
                arrays.setdefault(path, known)
        elif kind == "<dictionary>":
            child_prefix, child_sep = path, "."
        else:
            child_prefix, child_sep = path, "="
        _walk_keys(
            item.get("subkeys"),
            prefix=child_prefix,
            separator=child_sep,
            inherited=rules,
            where=where,
            out=out,
            arrays=arrays,
            stack=stack,
        )


def _query_lists(data: Mapping[str, Any], payload_paths: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level arrays of enumerated strings (DeviceInformation `Queries`) and their responses."""
    lists: dict[str, Any] = {}
    for item in data.get("payloadkeys") or []:
        children = item.get("subkeys") or []
        if item.get("type") != "<array>" or len(children) != 1:
            continue
        child = children[0]
        if child.get("type") in ("<array>", "<dictionary>") or not child.get("subkeys"):
            continue
        values_path = f"{item['key']}[].{child['key']}"
        values = {p.split("=", 1)[1] for p in payload_paths if p.startswith(values_path + "=")}
        entry: dict[str, Any] = {"values": values_path}
        # The response dictionary whose members are named after the query values.
        for response in data.get("responsekeys") or []:
            members = {sub.get("key") for sub in response.get("subkeys") or []}
            if response.get("type") == "<dictionary>" and members & values:
                entry["responses"] = response["key"]
                break
        lists[item["key"]] = entry
    return lists


def successor(description: Any) -> str | None:
    """What Apple says to use instead of a deprecated or removed item, from its description
    ("Removed: use the declarative management `...` configuration." -> "use the ... configuration")."""
    if not isinstance(description, str):
        return None
    match = _SUCCESSOR_RE.search(" ".join(description.split()))
    return match.group("advice") if match else None


def _item_entry(data: Mapping[str, Any], relative: str) -> dict[str, Any]:
    where = relative
    payload_os = _supported_os(
        data["payload"].get("supportedOS"), f"{where}:payload.supportedOS", key_level=False
    )
    entry: dict[str, Any] = {"file": relative, "os": payload_os}
    if data.get("title"):
        entry["title"] = str(data["title"])
    if advice := successor(data.get("description")):
        entry["successor"] = advice
    for section in ("payloadkeys", "responsekeys"):
        paths: dict[str, dict[str, dict[str, Any]]] = {}
        arrays: dict[str, list[str]] = {}
        # Keys start from no override: the runtime merges them onto the payload-level rule.
        _walk_keys(
            data.get(section),
            prefix="",
            separator="",
            inherited={},
            where=where,
            out=paths,
            arrays=arrays,
        )
        if paths:
            entry[section] = paths
        if arrays and section == "payloadkeys":
            entry["arrayitems"] = arrays
    lists = _query_lists(data, entry.get("payloadkeys", {}))
    if lists:
        entry["querylists"] = lists
    required = sorted(
        str(item["key"])
        for item in data.get("payloadkeys") or []
        if isinstance(item, Mapping) and required_for_user_enrollment(item.get("content"))
    )
    if required:
        entry["ue_required"] = required
    return entry


def build_table(schema_dir: Path) -> dict[str, Any]:
    """Read every command, check-in and profile YAML under `schema_dir` into one plain dict."""
    if not (schema_dir / "mdm").is_dir():
        raise SchemaError(f"{schema_dir}: not Apple's device-management schema (no mdm/ folder)")
    loader = _loader()
    table: dict[str, Any] = {"commands": {}, "checkin": {}, "profiles": {}, "aliases": {}}
    for name, folder, type_field in SECTIONS:
        files = sorted((schema_dir / folder).glob("*.yaml"))
        if not files:
            raise SchemaError(f"{schema_dir / folder}: no YAML files")
        for path in files:
            relative = f"{folder}/{path.name}"
            data = _read_yaml(path, loader)
            item_type = data["payload"].get(type_field)
            if not isinstance(item_type, str) or not item_type:
                raise SchemaError(f"{relative}: payload has no {type_field}")
            entry = _item_entry(data, relative)
            if name == "profiles":
                # Several files can describe one PayloadType (com.apple.MCX(...)): keep them all.
                table[name].setdefault(item_type, []).append(entry)
                if item_type == TOP_LEVEL:
                    for key in data.get("payloadkeys") or []:
                        if key.get("key") == "PayloadType":
                            for alias in key.get("rangelist") or []:
                                table["aliases"][str(alias)] = TOP_LEVEL
            else:
                if item_type in table[name]:
                    raise SchemaError(f"{relative}: {type_field} {item_type} is defined twice")
                table[name][item_type] = entry
    return table


# ---------------------------------------------------------------------------------------------
# The User-Enrollment forbidden list (derived from the entries above)
# ---------------------------------------------------------------------------------------------


def _forbidden(rule: Mapping[str, Any] | None) -> bool:
    return bool(rule) and rule.get("userenrollment") == "forbidden"  # type: ignore[union-attr]


def _forbidden_keys(entry: Mapping[str, Any], os: str) -> list[str]:
    """Key paths (values as `key=value`) of an item that are forbidden on the OS: the item's
    rule for the OS updated by the key's accumulated overrides, as the runtime merges them."""
    base = entry.get("os", {}).get(os) or {}
    return sorted(
        path
        for path, overrides in entry.get("payloadkeys", {}).items()
        if _forbidden(merge_rules(base, overrides.get(os) or {}))
    )


def user_enrollment_forbidden(table: Mapping[str, Any]) -> dict[str, Any]:
    """Per OS: every command, command key (nested, Settings items, query values), profile payload
    and profile key (TopLevel included) whose `userenrollment.mode` is `forbidden`.

    Keys of an item that is itself forbidden on that OS are not listed again.
    """
    out: dict[str, Any] = {}
    for os in OS_NAMES:
        commands: list[str] = []
        command_keys: dict[str, list[str]] = {}
        for name, entry in table["commands"].items():
            if _forbidden(entry.get("os", {}).get(os)):
                commands.append(name)
            elif keys := _forbidden_keys(entry, os):
                command_keys[name] = keys
        payloads: list[str] = []
        payload_keys: dict[str, list[str]] = {}
        for name, entries in table["profiles"].items():
            keys_of_type: set[str] = set()
            for entry in entries:
                if _forbidden(entry.get("os", {}).get(os)):
                    if name not in payloads:
                        payloads.append(name)
                else:
                    keys_of_type.update(_forbidden_keys(entry, os))
            if keys_of_type:
                payload_keys[name] = sorted(keys_of_type)
        if commands or command_keys or payloads or payload_keys:
            out[os] = {
                "commands": sorted(commands),
                "command_keys": command_keys,
                "payloads": sorted(payloads),
                "payload_keys": payload_keys,
            }
    return out


# ---------------------------------------------------------------------------------------------
# Rendering as ruff-formatted Python
# ---------------------------------------------------------------------------------------------


def _string(value: str) -> str:
    # ruff format prefers double quotes unless that would need more escapes than single quotes.
    if '"' in value and "'" not in value:
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _flat(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_flat(k)}: {_flat(v)}" for k, v in _sorted(value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    raise TypeError(f"cannot render {type(value).__name__}")


def _sorted(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return sorted(mapping.items(), key=lambda kv: kv[0])


def _render(value: Any, *, indent: int, prefix: str, suffix: str, lines: list[str]) -> None:
    """Emit `prefix value suffix`, flat when it fits in the line length, else one item per line."""
    pad = " " * (4 * indent)
    flat = f"{pad}{prefix}{_flat(value)}{suffix}"
    is_container = isinstance(value, Mapping | list | tuple)
    if len(flat) <= _LINE_LENGTH or not is_container or not value:
        lines.append(flat)
        return
    if isinstance(value, Mapping):
        lines.append(f"{pad}{prefix}{{")
        for key, item in _sorted(value):
            _render(item, indent=indent + 1, prefix=f"{_flat(key)}: ", suffix=",", lines=lines)
        lines.append(f"{pad}}}{suffix}")
    else:
        lines.append(f"{pad}{prefix}[")
        for item in value:
            _render(item, indent=indent + 1, prefix="", suffix=",", lines=lines)
        lines.append(f"{pad}]{suffix}")


def _source_lines(commit: str, commits: Mapping[str, str] | None) -> list[str]:
    """Where the table comes from: one commit, or one per folder when the copy mixes them."""
    by_commit: dict[str, list[str]] = {}
    for folder in ("mdm/commands", "mdm/checkin", "mdm/profiles"):
        by_commit.setdefault((commits or {}).get(folder, commit), []).append(folder)
    if len(by_commit) == 1:
        return [
            f"Source: https://github.com/apple/device-management at commit {commit}",
            "(mdm/commands, mdm/checkin, mdm/profiles).",
        ]
    lines = ["Source: https://github.com/apple/device-management,"]
    lines += [f"{', '.join(folders)} at commit {sha}" for sha, folders in by_commit.items()]
    return [*lines[:-1], lines[-1] + "."]


def render_table(
    table: Mapping[str, Any],
    *,
    commit: str,
    command: str,
    commits: Mapping[str, str] | None = None,
) -> str:
    """The content of `devices/capability_table.py` (deterministic: sorted, no timestamps).

    `commit` is the commands' upstream commit (`SCHEMA_COMMIT`); `commits` the commit per folder
    when the vendored copy takes folders from different upstream commits."""
    lines = [
        '"""Apple device-management capability table. GENERATED FILE: do not edit by hand.',
        "",
        *_source_lines(commit, commits),
        f"Regenerate with `{command}`.",
        '"""',
        "",
        "from typing import Any",
        "",
        f"SCHEMA_COMMIT = {_string(commit)}",
        "",
    ]
    names = (
        ("COMMANDS", "commands", "RequestType -> item"),
        ("CHECKIN", "checkin", "check-in MessageType -> item"),
        ("PROFILES", "profiles", "PayloadType -> items (one per YAML file)"),
        ("PAYLOAD_TYPE_ALIASES", "aliases", "wire PayloadType -> pseudo entry"),
    )
    for constant, key, comment in names:
        lines.append(f"# {comment}")
        _render(
            table[key], indent=0, prefix=f"{constant}: dict[str, Any] = ", suffix="", lines=lines
        )
        lines.append("")
    lines.append(
        "# OS -> what is forbidden under User Enrollment (userenrollment.mode=forbidden): commands,"
    )
    lines.append(
        "# command key paths, profile payload types, profile key paths (TopLevel: the profile's own)"
    )
    _render(
        user_enrollment_forbidden(table),
        indent=0,
        prefix="USER_ENROLLMENT_FORBIDDEN: dict[str, Any] = ",
        suffix="",
        lines=lines,
    )
    lines.append("")
    return "\n".join(lines)


def generate(schema_dir: Path, *, command: str) -> str:
    """Read the schema and return the Python source of the table."""
    commits = {folder: schema_commit(schema_dir, folder) for _, folder, _ in SECTIONS}
    return render_table(
        build_table(schema_dir),
        commit=commits["mdm/commands"],
        command=command,
        commits=commits,
    )
