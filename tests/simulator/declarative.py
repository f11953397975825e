"""The simulated device's declarative-management client: sync, activate, report status.

What a device does after a `DeclarativeManagement` command: ask for its tokens, fetch the
declaration items when the DeclarationsToken changed, fetch each declaration whose ServerToken it
does not hold, activate the configurations its activations name, and send a status report of
the status items its active `management.status-subscriptions` name, as a real device does
(`management.declarations`, OS version and build, passcode, pending software update, the apps of
its `app.managed` declarations).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mdm_server import apple

ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"
SUBSCRIPTIONS = "com.apple.configuration.management.status-subscriptions"
MANAGED_APP = "com.apple.configuration.app.managed"
_CLASSES = {
    "Activations": "activation",
    "Assets": "asset",
    "Configurations": "configuration",
    "Management": "management",
}
_STATUS_KEYS = {
    "activation": "activations",
    "asset": "assets",
    "configuration": "configurations",
    "management": "management",
}

# (message) -> (HTTP status, body); the device's signed check-in.
Checkin = Callable[[Mapping[str, Any]], tuple[int, bytes]]
# (url) -> (HTTP status, body); a GET with the device's identity (asset data).
Fetch = Callable[[str], tuple[int, bytes]]


class DeclarativeError(RuntimeError):
    """The server answered a declarative request with an error."""


@dataclass
class DeclarativeClient:
    """The declarations one channel holds, keyed by (class, identifier)."""

    token: str = ""
    declarations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    # Identifiers the "device" refuses (reported invalid, with a reason), as a real one would.
    reject: dict[str, str] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    passcode_compliant: bool = True
    # Asset data fetched from Reference.DataURL (identifier -> bytes), and the assets whose
    # data could not be fetched or did not match its Size and Hash-SHA-256 (-> why).
    asset_data: dict[str, bytes] = field(default_factory=dict)
    asset_errors: dict[str, str] = field(default_factory=dict)

    def _request(self, checkin: Checkin, ids: Mapping[str, str], endpoint: str) -> Any:
        status, body = checkin(
            {"MessageType": "DeclarativeManagement", "Endpoint": endpoint, **ids}
        )
        if status != 200:
            raise DeclarativeError(f"{endpoint} answered {status}: {body[:200]!r}")
        return json.loads(body) if body else None

    def sync(self, checkin: Checkin, ids: Mapping[str, str], fetch: Fetch | None = None) -> bool:
        """Bring the declarations up to date; True when anything changed."""
        tokens = self._request(checkin, ids, "tokens")
        token = tokens["SyncTokens"]["DeclarationsToken"]
        if token == self.token:
            return False
        items = self._request(checkin, ids, "declaration-items")
        wanted: dict[tuple[str, str], str] = {}
        for section, declaration_class in _CLASSES.items():
            for item in items["Declarations"][section]:
                wanted[(declaration_class, item["Identifier"])] = item["ServerToken"]
        for gone in [k for k in self.declarations if k not in wanted]:
            del self.declarations[gone]
        for pair, server_token in sorted(wanted.items()):
            held = self.declarations.get(pair)
            if held is None or held["ServerToken"] != server_token:
                endpoint = f"declaration/{pair[0]}/{pair[1]}"
                self.declarations[pair] = self._request(checkin, ids, endpoint)
                self.fetched.append(pair[1])
        self.token = items["DeclarationsToken"]
        if fetch is not None:
            self._fetch_assets(fetch)
        self._activate()
        return True

    def _fetch_assets(self, fetch: Fetch) -> None:
        """Fetch the data of every asset with a Reference, and check it as a device does."""
        self.asset_errors = {}
        for (declaration_class, identifier), body in sorted(self.declarations.items()):
            reference = body["Payload"].get("Reference") or {}
            if declaration_class != "asset" or "DataURL" not in reference:
                continue
            status, data = fetch(reference["DataURL"])
            if status != 200:
                self.asset_errors[identifier] = f"fetching the data answered {status}"
                continue
            if "Size" in reference and reference["Size"] != len(data):
                self.asset_errors[identifier] = "the data does not have the announced Size"
                continue
            expected = reference.get("Hash-SHA-256")
            if expected and hashlib.sha256(data).hexdigest() != expected.lower():
                self.asset_errors[identifier] = "the data does not match its Hash-SHA-256"
                continue
            self.asset_data[identifier] = data

    def _activate(self) -> None:
        configurations = {i for (c, i) in self.declarations if c == "configuration"}
        self.active = set()
        for (declaration_class, identifier), body in self.declarations.items():
            if declaration_class != "activation" or identifier in self.reject:
                continue
            names = body["Payload"].get("StandardConfigurations", [])
            if all(n in configurations for n in names):
                self.active.add(identifier)
                self.active.update(n for n in names if n not in self.reject)

    def pending_update(self, os_version: str) -> dict[str, str] | None:
        """The enforced OS version newer than the running one, as `pending-version` reports it."""
        current = apple.parse_os_version(os_version) or ()
        for (_, identifier), body in sorted(self.declarations.items()):
            if body["Type"] == ENFORCEMENT and identifier in self.active:
                target = body["Payload"]["TargetOSVersion"]
                if (apple.parse_os_version(target) or ()) > current:
                    return {
                        "os-version": target,
                        "build-version": body["Payload"].get("TargetBuildVersion", ""),
                    }
        return None

    def subscribed(self) -> set[str]:
        """The status items the active status-subscription declarations name."""
        names: set[str] = set()
        for (_, identifier), body in self.declarations.items():
            if body["Type"] == SUBSCRIPTIONS and identifier in self.active:
                names.update(i["Name"] for i in body["Payload"].get("StatusItems", []))
        return names

    def _declaration_states(self) -> dict[str, list[dict[str, Any]]]:
        states: dict[str, list[dict[str, Any]]] = {key: [] for key in _STATUS_KEYS.values()}
        refused = {**self.asset_errors, **self.reject}
        for (declaration_class, identifier), body in sorted(self.declarations.items()):
            state: dict[str, Any] = {
                "identifier": identifier,
                "server-token": body["ServerToken"],
                "active": identifier in self.active,
                "valid": "invalid" if identifier in refused else "valid",
            }
            if identifier in refused:
                state["reasons"] = [
                    {
                        "code": "Error.ConfigurationCannotBeApplied",
                        "description": refused[identifier],
                    }
                ]
            states[_STATUS_KEYS[declaration_class]].append(state)
        return states

    def _managed_apps(self) -> list[dict[str, Any]]:
        apps = []
        for (_, identifier), body in sorted(self.declarations.items()):
            if body["Type"] != MANAGED_APP or identifier not in self.active:
                continue
            payload = body["Payload"]
            bundle = payload.get("BundleID") or f"app.{payload.get('AppStoreID', identifier)}"
            apps.append(
                {
                    "identifier": bundle,
                    "declaration-identifier": identifier,
                    "name": bundle.rsplit(".", 1)[-1].title(),
                    "version": "1.0",
                    "short-version": "1.0",
                    "state": "managed",
                }
            )
        return apps

    def report(self, *, os_version: str, build_version: str) -> dict[str, Any]:
        """A full report of the subscribed status items (nested by their dotted names)."""
        pending = self.pending_update(os_version)
        values: dict[str, Any] = {
            "device.operating-system.version": os_version,
            "device.operating-system.build-version": build_version,
            "management.declarations": self._declaration_states(),
            "passcode.is-compliant": self.passcode_compliant,
            "passcode.is-present": True,
            "softwareupdate.pending-version": pending or {},
            "softwareupdate.install-state": "downloading" if pending else "none",
            "app.managed.list": self._managed_apps(),
        }
        wanted = self.subscribed()
        items: dict[str, Any] = {}
        for name, value in values.items():
            if name not in wanted:
                continue
            *parents, leaf = name.split(".")
            node = items
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        return {"StatusItems": items, "Errors": [], "FullReport": True}

    def send_status(
        self, checkin: Checkin, ids: Mapping[str, str], report: Mapping[str, Any]
    ) -> int:
        status, _ = checkin(
            {
                "MessageType": "DeclarativeManagement",
                "Endpoint": "status",
                "Data": json.dumps(report).encode(),
                **ids,
            }
        )
        return status
