"""Which declaration may reach which channel, and whether a payload fits Apple's schema.

Pure: no Django imports. Every decision reads the generated table (`declaration_table.py`, from
Apple's `allowed-enrollments` and `allowed-scopes`); nothing here restates Apple's rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devices.capabilities import Channel, Target
from mdm_server import apple
from profiles.declarations import protocol
from profiles.declarations.declaration_table import DECLARATIONS, STATUS_ITEMS

KIND_LABELS = {
    "supervised": "supervised device enrollments",
    "device": "unsupervised device enrollments",
    "user": "User Enrollments",
    "local": "local enrollments",
}
SCOPE_LABELS = {
    "system": "the device channel (system scope)",
    "user": "a user channel (user scope)",
}
# Placeholders the server fills in with the person's details at delivery (never stored filled).
PLACEHOLDERS = {
    "email": "the person's e-mail address",
    "full_name": "the person's display name",
    "username": "the person's user name",
    "upn": "the person's userPrincipalName",
    "managed_apple_id": "the person's Managed Apple Account",
}
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


@dataclass(frozen=True)
class ChannelKind:
    """What the rules need to know of one MDM channel."""

    platform: str  # an apple.Platform value ("" when not known yet)
    os_version: str
    kind: str  # supervised, device, user (Apple's enrollment kinds)
    scope: str  # system (device channel) or user (a macOS user channel)


def channel_kind(
    *, platform: str, os_version: str, enrollment_type: str, supervised: bool, user_channel: bool
) -> ChannelKind:
    if enrollment_type == apple.EnrollmentType.USER:
        kind = "user"
    else:
        kind = "supervised" if supervised else "device"
    return ChannelKind(platform, os_version, kind, "user" if user_channel else "system")


def refusal_for_target(declaration_type: str, target: Target) -> str | None:
    """`refusal` for a capability target (what the devices app's privacy page asks)."""
    channel = channel_kind(
        platform=target.platform.value,
        os_version=target.os_version,
        enrollment_type=target.enrollment_type.value,
        supervised=target.supervised,
        user_channel=target.channel is Channel.USER,
    )
    return refusal(declaration_type, channel)


def class_of(declaration_type: str) -> str | None:
    entry = DECLARATIONS.get(declaration_type)
    return str(entry["class"]) if entry else None


def refusal(declaration_type: str, channel: ChannelKind) -> str | None:
    """Why this declaration type must not reach this channel, or None when it may."""
    entry = DECLARATIONS.get(declaration_type)
    if entry is None:
        return f"{declaration_type} is not a declaration type in Apple's schema"
    return _os_refusal(declaration_type, entry, channel)


def user_enrollment_keys(declaration_type: str) -> list[str]:
    """The top-level keys Apple requires of this declaration on a User Enrollment (its key
    texts say "This key is required for user enrollment"; the generated table marks them)."""
    entry = DECLARATIONS.get(declaration_type) or {}
    return sorted(name for name, node in entry.get("keys", {}).items() if node.get("ue_required"))


def payload_refusal(declaration_type: str, payload: Any, channel: ChannelKind) -> str | None:
    """Why this payload must not reach this channel although its type may (a key Apple
    requires on a User Enrollment is missing; a status subscription asks a User Enrollment for
    items Apple does not let it report, such as `device.identifier.udid`), or None."""
    if channel.kind != "user" or not isinstance(payload, Mapping):
        return None
    missing = [k for k in user_enrollment_keys(declaration_type) if k not in payload]
    if missing:
        return (
            f"Apple requires {', '.join(missing)} in {declaration_type} on a User Enrollment; "
            "this declaration has none"
        )
    if declaration_type == STATUS_SUBSCRIPTIONS:
        return _subscription_refusal(payload, channel)
    return None


STATUS_SUBSCRIPTIONS = "com.apple.configuration.management.status-subscriptions"


def _subscription_refusal(payload: Mapping[str, Any], channel: ChannelKind) -> str | None:
    entries = payload.get("StatusItems")
    names = [
        entry["Name"]
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, Mapping) and isinstance(entry.get("Name"), str)
    ]
    # Judged by the kind of channel, as a status report is (`reportable_status`).
    judged_as = ChannelKind(channel.platform, "", channel.kind, channel.scope)
    barred = [name for name in names if status_refusal(name, judged_as) is not None]
    if not barred:
        return None
    return (
        f"it subscribes to {', '.join(barred[:10])}, which Apple does not let a User Enrollment "
        f"report on {channel.platform or 'this platform'} ({status_refusal(barred[0], judged_as)})"
    )


def status_refusal(name: str, channel: ChannelKind) -> str | None:
    """Why a channel cannot report this status item (Apple's table), or None when it can."""
    entry = STATUS_ITEMS.get(name)
    if entry is None:
        return f"{name} is not a status item in Apple's schema"
    return _os_refusal(name, entry, channel)


# Every dotted prefix of a status item name ("device", "device.identifier", ...): the nesting
# of `StatusItems` in a report.
_STATUS_PREFIXES = frozenset(
    ".".join(parts[:n])
    for parts in (name.split(".") for name in STATUS_ITEMS)
    for n in range(1, len(parts))
)
# Withheld item names listed for the admin, at most (a report may be made up of thousands).
_WITHHELD_LISTED = 50
UNKNOWN_ITEMS = "(not Apple's)"


def reportable_status(
    report: Mapping[str, Any], channel: ChannelKind
) -> tuple[dict[str, Any], dict[str, str]]:
    """A status report as it may be kept for this channel: (report, {item name: why not}).

    A User Enrollment keeps only the status items Apple lets such a channel report (never
    `device.identifier.*`, whatever the device sends) and no item Apple's table does not name;
    the names of those, made up by the device, are not repeated (one `UNKNOWN_ITEMS` entry
    counts them). Other channels keep the report as sent. A `StatusItems` that is not an object
    is left for `protocol.parse_status` to refuse.
    """
    items = report.get("StatusItems")
    if channel.kind != "user" or not isinstance(items, Mapping):
        return dict(report), {}
    withheld: dict[str, str] = {}
    unknown = [0]
    # The OS version is no privacy matter: an item is judged by the kind of channel only.
    judged_as = ChannelKind(channel.platform, "", channel.kind, channel.scope)

    def walk(mapping: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for key, value in mapping.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if path in STATUS_ITEMS:
                why = status_refusal(path, judged_as)
                if why is None:
                    kept[key] = value
                elif len(withheld) < _WITHHELD_LISTED:
                    withheld[path] = why
            elif path in _STATUS_PREFIXES and isinstance(value, Mapping):
                if inner := walk(value, path):
                    kept[key] = inner
            else:
                unknown[0] += 1
        return kept

    kept_report = {**report, "StatusItems": walk(items, "")}
    if unknown[0]:
        withheld[UNKNOWN_ITEMS] = (
            f"{unknown[0]} reported value(s) Apple's table of status items does not name: "
            "not kept for a User Enrollment"
        )
    return kept_report, withheld


def server_subscriptions(channel: ChannelKind) -> list[str]:
    """The status items the server reads that this channel may report (what the server's own
    `management.status-subscriptions` declaration asks of it)."""
    return [n for n in protocol.SERVER_STATUS_ITEMS if status_refusal(n, channel) is None]


def _os_refusal(
    declaration_type: str, entry: Mapping[str, Any], channel: ChannelKind
) -> str | None:
    if not channel.platform:
        return "the device has not told its platform yet"
    rule = entry["os"].get(channel.platform)
    if not rule or not rule.get("introduced"):
        return f"{declaration_type} is not supported on {channel.platform}"
    current = apple.parse_os_version(channel.os_version)
    introduced = apple.parse_os_version(rule["introduced"])
    if current is not None and introduced is not None and current < introduced:
        return (
            f"{declaration_type} needs {channel.platform} {rule['introduced']} or later; "
            f"this device runs {channel.os_version}"
        )
    removed = apple.parse_os_version(rule.get("removed"))
    if current is not None and removed is not None and current >= removed:
        return f"{declaration_type} was removed in {channel.platform} {rule['removed']}"
    kinds = rule.get("enrollments")
    if kinds is not None and channel.kind not in kinds:
        allowed = ", ".join(KIND_LABELS[k] for k in kinds)
        return (
            f"Apple allows {declaration_type} on {channel.platform} only for {allowed}; "
            f"this channel is one of {KIND_LABELS[channel.kind]}"
        )
    scopes = rule.get("scopes")
    if scopes is not None and channel.scope not in scopes:
        allowed = " and ".join(SCOPE_LABELS[s] for s in scopes)
        return (
            f"Apple allows {declaration_type} on {channel.platform} only on {allowed}; "
            f"this is {SCOPE_LABELS[channel.scope]}"
        )
    return None


def verdicts(declaration_type: str) -> list[dict[str, Any]]:
    """Per platform and kind of channel: allowed, or the reason (what the console shows)."""
    out = []
    for platform in (apple.Platform.IOS, apple.Platform.MACOS):
        for kind in ("user", "device", "supervised"):
            for scope in ("system", "user") if platform == apple.Platform.MACOS else ("system",):
                reason = refusal(declaration_type, ChannelKind(platform, "", kind, scope))
                out.append(
                    {"platform": str(platform), "kind": kind, "scope": scope, "refused": reason}
                )
    return out


def hosts_data(declaration_type: str) -> bool:
    """An asset whose data the server can host: its payload names the data at
    `Reference.DataURL` (Apple's data and credential assets)."""
    entry = DECLARATIONS.get(declaration_type)
    if entry is None or entry["class"] != "asset":
        return False
    reference = entry["keys"].get("Reference", {})
    return "DataURL" in reference.get("keys", {})


def data_authentication(declaration_type: str) -> dict[str, str] | None:
    """The `Authentication` of hosted data: MDM (the device's identity, as at check-in) where
    the type has the key and allows it; None where the type has no such key."""
    node = DECLARATIONS.get(declaration_type, {}).get("keys", {}).get("Authentication")
    if node is None:
        return None
    kinds = node.get("keys", {}).get("Type", {}).get("range", [])
    return {"Type": "MDM"} if "MDM" in kinds else None


# --- payload validation ------------------------------------------------------------------------

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "real": (int, float),
    "boolean": (bool,),
    "date": (str,),
    "data": (str,),
    "array": (list,),
    "dictionary": (dict,),
}


def _check(value: Any, node: Mapping[str, Any], path: str, errors: list[str]) -> None:
    kind = node["type"]
    if kind != "any":
        expected = _PY_TYPES[kind]
        wrong_bool = isinstance(value, bool) and kind in ("integer", "real")
        if not isinstance(value, expected) or wrong_bool:
            errors.append(f"{path}: must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}")
            return
    if "range" in node and str(value) not in node["range"] and not isinstance(value, bool):
        errors.append(f"{path}: must be one of {', '.join(node['range'])}")
    if kind in ("integer", "real"):
        if "min" in node and value < node["min"]:
            errors.append(f"{path}: must be at least {node['min']}")
        if "max" in node and value > node["max"]:
            errors.append(f"{path}: must be at most {node['max']}")
    if kind == "array" and "item" in node:
        for index, item in enumerate(value):
            _check(item, node["item"], f"{path}[{index}]", errors)
    if kind == "dictionary" and "keys" in node:
        _check_keys(value, node["keys"], path, errors)


def _check_keys(
    payload: Mapping[str, Any], keys: Mapping[str, Any], prefix: str, errors: list[str]
) -> None:
    for name, node in keys.items():
        if node.get("required") and name not in payload:
            errors.append(f"{prefix}{'.' if prefix else ''}{name}: is required")
    for name, value in payload.items():
        path = f"{prefix}{'.' if prefix else ''}{name}"
        if name not in keys:
            errors.append(f"{path}: is not a key of this declaration in Apple's schema")
            continue
        _check(value, keys[name], path, errors)


def validate_payload(declaration_type: str, payload: Any) -> list[str]:
    """Every way the payload departs from Apple's schema for its type (empty: valid)."""
    entry = DECLARATIONS.get(declaration_type)
    if entry is None:
        return [f"{declaration_type}: not a declaration type in Apple's schema"]
    if not isinstance(payload, dict):
        return ["the payload must be a JSON object"]
    errors: list[str] = []
    _check_keys(payload, entry["keys"], "", errors)
    for name in sorted(placeholders(payload)):
        if name not in PLACEHOLDERS:
            known = ", ".join("{{ " + p + " }}" for p in PLACEHOLDERS)
            errors.append(f"{{{{ {name} }}}} is not a placeholder this server fills ({known})")
    return errors


def placeholders(value: Any) -> set[str]:
    """The `{{ name }}` placeholders used anywhere in a payload."""
    if isinstance(value, str):
        return set(_PLACEHOLDER_RE.findall(value))
    if isinstance(value, dict):
        return set().union(*(placeholders(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(placeholders(v) for v in value)) if value else set()
    return set()


def fill(value: Any, person: Mapping[str, str]) -> Any:
    """The payload with every placeholder replaced by the person's detail (all must be known)."""
    if isinstance(value, str):
        return _PLACEHOLDER_RE.sub(lambda m: person[m.group(1)], value)
    if isinstance(value, dict):
        return {k: fill(v, person) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, person) for v in value]
    return value
