"""The declarative-management wire shapes: tokens, declaration items, declarations, status.

Pure: no Django imports. Apple's shapes are in `mdm_server/apple_schema/declarative/protocol/`
(tokensresponse, declarationitemsresponse, statusreport) and `.../status/` (status items).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Item class -> the key of the declaration-items answer and the path segment of its endpoint.
CLASS_KEYS = {
    "activation": "Activations",
    "asset": "Assets",
    "configuration": "Configurations",
    "management": "Management",
}
# The status items `parse_status` reads: every channel is subscribed to those it may report.
SERVER_STATUS_ITEMS = (
    "device.operating-system.version",
    "device.operating-system.build-version",
    "passcode.is-compliant",
    "passcode.is-present",
    "softwareupdate.pending-version",
    "softwareupdate.install-state",
    "softwareupdate.failure-reason",
    "management.declarations",
    "app.managed.list",
)
STATUS_KEYS = {
    "activation": "activations",
    "asset": "assets",
    "configuration": "configurations",
    "management": "management",
}


@dataclass(frozen=True)
class Item:
    """One declaration as one channel gets it (the payload already filled for that person)."""

    declaration_class: str
    declaration_type: str
    identifier: str
    server_token: str
    payload: Mapping[str, Any]


def _dump(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def declarations_token(items: Iterable[Item]) -> str:
    """The channel's DeclarationsToken: changes whenever an item is added, removed or changed."""
    pairs = sorted((i.identifier, i.server_token) for i in items)
    return hashlib.sha256(_dump(pairs)).hexdigest()


def tokens_body(items: Iterable[Item], timestamp: datetime) -> bytes:
    return _dump(
        {
            "SyncTokens": {
                "DeclarationsToken": declarations_token(items),
                "Timestamp": timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        }
    )


def items_body(items: Iterable[Item]) -> bytes:
    listed = list(items)
    out: dict[str, list[dict[str, str]]] = {key: [] for key in CLASS_KEYS.values()}
    for item in sorted(listed, key=lambda i: i.identifier):
        out[CLASS_KEYS[item.declaration_class]].append(
            {"Identifier": item.identifier, "ServerToken": item.server_token}
        )
    return _dump({"Declarations": out, "DeclarationsToken": declarations_token(listed)})


def declaration_body(item: Item) -> bytes:
    return _dump(
        {
            "Type": item.declaration_type,
            "Identifier": item.identifier,
            "ServerToken": item.server_token,
            "Payload": dict(item.payload),
        }
    )


def served_token(server_token: str, payload: Mapping[str, Any]) -> str:
    """The token a channel sees: the stored one, or (filled per person) one bound to the content
    it got, so a change of the person's details is a new version for that channel only."""
    return hashlib.sha256(server_token.encode() + b":" + _dump(payload)).hexdigest()[:32]


def parse_endpoint(endpoint: str) -> tuple[str, str] | None:
    """`declaration/<class>/<identifier>` -> (class, identifier); None if not that shape."""
    parts = endpoint.split("/", 2)
    if len(parts) != 3 or parts[0] != "declaration" or parts[1] not in CLASS_KEYS or not parts[2]:
        return None
    return parts[1], parts[2]


# --- status reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclarationState:
    declaration_class: str
    identifier: str
    server_token: str
    active: bool
    valid: str  # valid, invalid, unknown
    reasons: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ManagedApp:
    """One app of an `app.managed` declaration as the device reports it (`app.managed.list`)."""

    identifier: str  # the bundle ID
    removed: bool = False  # `_removed`: the device no longer has it (only the identifier given)
    declaration_identifier: str = ""
    name: str = ""
    version: str = ""
    short_version: str = ""
    state: str = ""
    update_state: str = ""
    reasons: tuple[dict[str, Any], ...] = ()


@dataclass
class StatusSummary:
    """What an admin asks of a status report; each field None when the report did not say."""

    os_version: str | None = None
    build_version: str | None = None
    pending_version: str | None = None
    pending_build: str | None = None
    install_state: str | None = None
    failure_reason: str | None = None
    passcode_compliant: bool | None = None
    passcode_present: bool | None = None
    declarations: list[DeclarationState] | None = None
    managed_apps: list[ManagedApp] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    full_report: bool = False


class StatusError(ValueError):
    """The report is not shaped as Apple documents it."""


def _get(tree: Mapping[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _text(value: Any, limit: int = 255) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    """An array of the report; any other shape is ignored, like the other odd shapes."""
    return value if isinstance(value, list) else []


def _reasons(raw: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for reason in raw[:20]:
        if isinstance(reason, Mapping):
            out.append(
                {
                    "code": _text(reason.get("code")) or "",
                    "description": _text(reason.get("description"), 2000) or "",
                }
            )
    return tuple(out)


def parse_status(report: Mapping[str, Any]) -> StatusSummary:
    """Read a status report (`StatusItems` nested by the dotted item names, `Errors`)."""
    items = report.get("StatusItems", {})
    if not isinstance(items, Mapping):
        raise StatusError("StatusItems must be an object")
    summary = StatusSummary(full_report=report.get("FullReport") is True)
    summary.os_version = _text(_get(items, "device.operating-system.version"), 32)
    summary.build_version = _text(_get(items, "device.operating-system.build-version"), 32)
    pending = _get(items, "softwareupdate.pending-version")
    if isinstance(pending, Mapping):
        summary.pending_version = _text(pending.get("os-version"), 32) or ""
        summary.pending_build = _text(pending.get("build-version"), 32) or ""
    summary.install_state = _text(_get(items, "softwareupdate.install-state"), 64)
    failure = _get(items, "softwareupdate.failure-reason")
    if isinstance(failure, Mapping) and failure.get("reason"):
        summary.failure_reason = _text(str(failure.get("reason")), 500)
    for name, attr in (("is-compliant", "passcode_compliant"), ("is-present", "passcode_present")):
        value = _get(items, f"passcode.{name}")
        if isinstance(value, bool):
            setattr(summary, attr, value)
    declarations = _get(items, "management.declarations")
    if isinstance(declarations, Mapping):
        summary.declarations = []
        seen: set[str] = set()
        for declaration_class, key in STATUS_KEYS.items():
            for entry in _list(declarations.get(key)):
                if not isinstance(entry, Mapping) or not isinstance(entry.get("identifier"), str):
                    continue
                identifier = entry["identifier"][:255]
                if identifier in seen:  # unique across a channel's declarations: the first counts
                    continue
                seen.add(identifier)
                summary.declarations.append(
                    DeclarationState(
                        declaration_class=declaration_class,
                        identifier=identifier,
                        server_token=_text(entry.get("server-token"), 64) or "",
                        active=entry.get("active") is True,
                        valid=_text(entry.get("valid"), 16) or "unknown",
                        reasons=_reasons(entry.get("reasons")),
                    )
                )
    apps = _get(items, "app.managed.list")
    if isinstance(apps, list):
        summary.managed_apps = _managed_apps(apps)
    errors = report.get("Errors", [])
    if isinstance(errors, list):
        for error in errors[:50]:
            if isinstance(error, Mapping):
                summary.errors.append(
                    {
                        "status_item": _text(error.get("StatusItem")) or "",
                        "reasons": [
                            {
                                "code": _text(r.get("Code")) or "",
                                "description": _text(r.get("Description"), 2000) or "",
                            }
                            for r in _list(error.get("Reasons"))[:20]
                            if isinstance(r, Mapping)
                        ],
                    }
                )
    return summary


# The most apps one `app.managed.list` is read for, and a channel keeps (incremental reports
# of apps a device makes up would otherwise add rows without bound).
MAX_MANAGED_APPS = 2000


def _managed_apps(entries: list[Any]) -> list[ManagedApp]:
    """The `app.managed.list` status item; odd entries ignored, a repeated app counted once."""
    out: dict[str, ManagedApp] = {}
    for entry in entries[:MAX_MANAGED_APPS]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("identifier"), str):
            continue
        identifier = entry["identifier"][:255]
        if not identifier or identifier in out:
            continue
        out[identifier] = ManagedApp(
            identifier=identifier,
            removed=entry.get("_removed") is True,
            declaration_identifier=_text(entry.get("declaration-identifier")) or "",
            name=_text(entry.get("name")) or "",
            version=_text(entry.get("version"), 64) or "",
            short_version=_text(entry.get("short-version"), 64) or "",
            state=_text(entry.get("state"), 32) or "",
            update_state=_text(entry.get("update-state"), 32) or "",
            reasons=_reasons(entry.get("reasons")),
        )
    return list(out.values())
