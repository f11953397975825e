"""The registry of MDM command builders: one small builder per RequestType.

Pure: no Django imports. A builder turns validated admin input into the `Command` dictionary
(Apple's keys, without RequestType). The capability filter decides separately who may get it.
Source: Apple "Commands and queries" (each command's page), schema under mdm/commands/.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


def payload_identifier_prefix(public_url: str) -> str:
    """Reverse-DNS prefix for PayloadIdentifiers from the public host (mdm.example.com ->
    com.example.mdm); an IP address has no reverse-DNS form."""
    host = urlsplit(public_url).hostname or "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return ".".join(reversed(host.split(".")))
    return "local.mdm"


def enrollment_profile_identifier(public_url: str) -> str:
    """The PayloadIdentifier of this server's enrollment profiles: removing it unenrolls."""
    return f"{payload_identifier_prefix(public_url)}.enrollment"


class CommandInputError(ValueError):
    """Admin input for a command is invalid; `field` names the parameter."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "str", "int", "bool", "list", "data", "dict"
    required: bool = False
    help: str = ""
    max_length: int = 1024


Builder = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class CommandSpec:
    """How to build one kind of command, and how the console presents it."""

    name: str  # registry key, usually the RequestType
    request_type: str
    title: str
    build: Builder
    params: tuple[Param, ...] = ()
    destructive: bool = False
    channel: str = "device"
    priority: int = 50
    secret_params: frozenset[str] = field(default_factory=frozenset)
    # Keys the builder adds on its own (not asked by the admin): where Apple's schema forbids
    # one for the target, it is left out with a note instead of refusing the command.
    default_keys: frozenset[str] = field(default_factory=frozenset)


def _get(params: Mapping[str, Any], p: Param) -> Any:  # noqa: C901 - one branch per parameter type
    value = params.get(p.name)
    if value is None or value == "" or value == []:
        if p.required:
            raise CommandInputError(p.name, "is required")
        return None
    if p.kind == "str":
        if not isinstance(value, str):
            raise CommandInputError(p.name, "must be text")
        if len(value) > p.max_length:
            raise CommandInputError(p.name, f"is longer than {p.max_length} characters")
        return value
    if p.kind == "int":
        if isinstance(value, bool):
            raise CommandInputError(p.name, "must be a whole number")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise CommandInputError(p.name, "must be a whole number") from None
    if p.kind == "bool":
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return bool(value)
    if p.kind == "list":
        if isinstance(value, str):
            value = [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CommandInputError(p.name, "must be a list of text values")
        return value
    if p.kind == "data":
        if not isinstance(value, bytes | bytearray):
            raise CommandInputError(p.name, "must be binary data")
        return bytes(value)
    if p.kind == "dict":
        if not isinstance(value, dict):
            raise CommandInputError(p.name, "must be a dictionary")
        return value
    raise CommandInputError(p.name, f"unsupported parameter kind {p.kind}")  # pragma: no cover


def _simple(*keys: tuple[str, str]) -> Callable[[tuple[Param, ...]], Builder]:
    """A builder copying parameters to Apple keys: pairs of (param name, Apple key)."""
    mapping = dict(keys)

    def make(params_spec: tuple[Param, ...]) -> Builder:
        def build(params: Mapping[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for p in params_spec:
                value = _get(params, p)
                if value is not None:
                    out[mapping.get(p.name, p.name)] = value
            return out

        return build

    return make


def _spec(
    name: str,
    title: str,
    params: tuple[Param, ...] = (),
    *,
    request_type: str | None = None,
    build: Builder | None = None,
    **kwargs: Any,
) -> CommandSpec:
    return CommandSpec(
        name=name,
        request_type=request_type or name,
        title=title,
        params=params,
        build=build or _simple()(params),
        **kwargs,
    )


def _build_device_information(params: Mapping[str, Any]) -> dict[str, Any]:
    queries = _get(params, Param("Queries", "list"))
    # Without explicit queries the delivery layer fills in every key this device may be asked.
    return {"Queries": queries} if queries else {}


def _build_install_profile(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"Payload": _get(params, Param("Payload", "data", required=True))}


def _build_install_application(params: Mapping[str, Any]) -> dict[str, Any]:
    store_id = _get(params, Param("iTunesStoreID", "int"))
    manifest = _get(params, Param("ManifestURL", "str"))
    identifier = _get(params, Param("Identifier", "str"))
    if sum(v is not None for v in (store_id, manifest, identifier)) != 1:
        raise CommandInputError(
            "iTunesStoreID", "give exactly one of iTunesStoreID, ManifestURL or Identifier"
        )
    out: dict[str, Any] = {}
    if store_id is not None:
        out["iTunesStoreID"] = store_id
    if manifest is not None:
        if not manifest.startswith("https://"):
            raise CommandInputError("ManifestURL", "must be an https:// URL")
        out["ManifestURL"] = manifest
    if identifier is not None:
        out["Identifier"] = identifier
    configuration = _get(params, Param("Configuration", "dict"))
    if configuration is not None:
        problem = plist_problem(configuration)
        if problem:
            raise CommandInputError("Configuration", problem)
        out["Configuration"] = configuration
    attributes = _get(params, Param("Attributes", "dict"))
    if attributes is not None:
        out["Attributes"] = _install_attributes(attributes)
    if manifest is None:
        # Volume-purchased (1): App Store apps reach a User Enrollment only with a licence.
        out["Options"] = {"PurchaseMethod": 1}
    # Remove the app when the MDM profile is removed. A default key: left out where Apple's
    # schema forbids it (macOS User Enrollment, whose managed apps go with the enrollment).
    out["ManagementFlags"] = 1
    return out


def _build_install_enterprise_application(params: Mapping[str, Any]) -> dict[str, Any]:
    """macOS: a custom or in-house package from its manifest (Apple "Install Enterprise
    Application", application.install.enterprise.yaml), optionally pinning the certificates
    of the manifest's server. Installed as managed and removed with the MDM profile: default
    keys, left out where Apple's schema forbids them (macOS User Enrollment)."""
    manifest_url = _get(params, Param("ManifestURL", "str", max_length=2048))
    manifest = _get(params, Param("Manifest", "dict"))
    if (manifest_url is None) == (manifest is None):
        raise CommandInputError("ManifestURL", "give exactly one of ManifestURL or Manifest")
    out: dict[str, Any] = {}
    if manifest_url is not None:
        if not manifest_url.startswith("https://"):
            raise CommandInputError("ManifestURL", "must be an https:// URL")
        out["ManifestURL"] = manifest_url
    else:
        problem = plist_problem(manifest)
        if problem:
            raise CommandInputError("Manifest", problem)
        out["Manifest"] = manifest
    certs = params.get("ManifestURLPinningCerts") or []
    if not isinstance(certs, list | tuple) or not all(
        isinstance(c, bytes) and 0 < len(c) <= 16384 for c in certs
    ):
        raise CommandInputError("ManifestURLPinningCerts", "must be DER certificates")
    if certs:
        if manifest_url is None:
            raise CommandInputError("ManifestURLPinningCerts", "pins the ManifestURL's server")
        out["ManifestURLPinningCerts"] = list(certs)
        if _get(params, Param("PinningRevocationCheckRequired", "bool")):
            out["PinningRevocationCheckRequired"] = True
    configuration = _get(params, Param("Configuration", "dict"))
    if configuration is not None:
        problem = plist_problem(configuration)
        if problem:
            raise CommandInputError("Configuration", problem)
        out["Configuration"] = configuration
    if _get(params, Param("iOSApp", "bool")):
        out["iOSApp"] = True
    out["InstallAsManaged"] = True
    out["ManagementFlags"] = 1
    return out


# Characters an XML property list cannot hold (XML 1.0 forbids them; plistlib refuses them).
_XML_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def plist_problem(value: Any, path: str = "", depth: int = 0) -> str:
    """Why a value cannot go into a property list (a JSON null, a non-text key, an integer
    beyond 64 bits, a control character, too deep), or "" when it can."""
    where = path or "the value"
    if depth > 32:
        return f"{where} is nested too deeply"
    if value is None:
        return f"{where} is null, which a property list cannot hold"
    if isinstance(value, str):
        if _XML_CONTROL.search(value):
            return f"{where} holds a control character, which a property list cannot hold"
        return ""
    if isinstance(value, bool | float | bytes):
        return ""
    if isinstance(value, int):
        return "" if -(2**63) <= value < 2**64 else f"{where} is too large a number"
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if not isinstance(key, str):
                return f"{where} has a key that is not text"
            if _XML_CONTROL.search(key):
                return f"{where} has a key with a control character"
            problem = plist_problem(inner, f"{path}.{key}" if path else key, depth + 1)
            if problem:
                return problem
        return ""
    if isinstance(value, list | tuple):
        for i, inner in enumerate(value):
            problem = plist_problem(inner, f"{path}[{i}]", depth + 1)
            if problem:
                return problem
        return ""
    return f"{where} has a type a property list cannot hold"


_ATTRIBUTE_KINDS: dict[str, type | tuple[type, ...]] = {
    "VPNUUID": str,
    "AssociatedDomains": list,
    "AssociatedDomainsEnableDirectDownloads": bool,
    "Removable": bool,
    "ContentFilterUUID": str,
    "DNSProxyUUID": str,
    "RelayUUID": str,
    "CellularSliceUUID": str,
    "TapToPayScreenLock": bool,
    "Hideable": bool,
    "Lockable": bool,
}


def _install_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        kind = _ATTRIBUTE_KINDS.get(key)
        if kind is None:
            raise CommandInputError("Attributes", f"unknown attribute {str(key)[:64]!r}")
        if isinstance(value, list):
            if kind is not list or not all(isinstance(v, str) and v for v in value):
                raise CommandInputError("Attributes", f"{key} must be a list of text values")
        elif not isinstance(value, kind):
            raise CommandInputError("Attributes", f"{key} has the wrong type")
        out[key] = value
    return out


def _build_lost_mode(params: Mapping[str, Any]) -> dict[str, Any]:
    out = _simple()(_LOST_MODE_PARAMS)(params)
    if not any(k in out for k in ("Message", "PhoneNumber")):
        raise CommandInputError("Message", "give a message or a phone number to show")
    return out


def _build_unenroll(params: Mapping[str, Any]) -> dict[str, Any]:
    # Filled in by the queue service from the server's public URL.
    public_url = _get(params, Param("public_url", "str", required=True))
    return {"Identifier": enrollment_profile_identifier(public_url)}


def _build_schedule_os_update(params: Mapping[str, Any]) -> dict[str, Any]:
    key = _get(params, Param("ProductKey", "str"))
    action = _get(params, Param("InstallAction", "str")) or "Default"
    allowed = ("Default", "DownloadOnly", "InstallASAP", "NotifyOnly", "InstallLater")
    if action not in allowed:
        raise CommandInputError("InstallAction", f"must be one of {', '.join(allowed)}")
    update: dict[str, Any] = {"InstallAction": action}
    if key:
        update["ProductKey"] = key
    return {"Updates": [update]}


def _build_declarative_management(params: Mapping[str, Any]) -> dict[str, Any]:
    data = _get(params, Param("Data", "data"))
    return {"Data": data} if data else {}


def _build_settings(params: Mapping[str, Any]) -> dict[str, Any]:
    items = params.get("Settings")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise CommandInputError("Settings", "must be a non-empty list of settings items")
    for item in items:
        if not isinstance(item.get("Item"), str):
            raise CommandInputError("Settings", "every settings item needs an Item name")
    return {"Settings": items}


_LOST_MODE_PARAMS = (
    Param("Message", "str", max_length=500),
    Param("PhoneNumber", "str", max_length=50),
    Param("Footnote", "str", max_length=200),
)

_SPECS = [
    _spec(
        "DeviceInformation",
        "Refresh device information",
        (Param("Queries", "list", help="Keys to ask for; empty: everything allowed"),),
        build=_build_device_information,
    ),
    _spec("SecurityInfo", "Security information"),
    _spec("ProfileList", "List installed profiles"),
    _spec(
        "InstallProfile",
        "Install profile",
        (Param("Payload", "data", required=True),),
        build=_build_install_profile,
    ),
    _spec("RemoveProfile", "Remove profile", (Param("Identifier", "str", required=True),)),
    _spec(
        "InstalledApplicationList",
        "List installed apps",
        (Param("Identifiers", "list"), Param("ManagedAppsOnly", "bool")),
    ),
    _spec("ManagedApplicationList", "List managed apps", (Param("Identifiers", "list"),)),
    _spec(
        "InstallApplication",
        "Install app",
        (
            Param("iTunesStoreID", "int"),
            Param("ManifestURL", "str"),
            Param("Identifier", "str"),
            Param("Configuration", "dict", help="Managed app configuration"),
            Param("Attributes", "dict", help="VPNUUID, AssociatedDomains, Removable, …"),
        ),
        build=_build_install_application,
        default_keys=frozenset({"ManagementFlags"}),
    ),
    _spec(
        "InstallEnterpriseApplication",
        "Install custom app (macOS)",
        (
            Param("ManifestURL", "str", max_length=2048),
            Param("Manifest", "dict"),
            Param("Configuration", "dict", help="Managed app configuration"),
            Param("PinningRevocationCheckRequired", "bool"),
            Param("iOSApp", "bool"),
        ),
        build=_build_install_enterprise_application,
        default_keys=frozenset({"InstallAsManaged", "ManagementFlags"}),
    ),
    _spec("RemoveApplication", "Remove app", (Param("Identifier", "str", required=True),)),
    _spec(
        "CertificateList",
        "List certificates",
        (Param("ManagedOnly", "bool"),),
    ),
    _spec(
        "DeviceLock",
        "Lock device",
        (
            Param("Message", "str", max_length=500),
            Param("PhoneNumber", "str", max_length=50),
            Param("PIN", "str", max_length=6),
        ),
        destructive=True,
        priority=90,
        secret_params=frozenset({"PIN"}),
    ),
    _spec(
        "EraseDevice",
        "Erase device",
        (Param("PIN", "str", max_length=6), Param("PreserveDataPlan", "bool")),
        destructive=True,
        priority=90,
        secret_params=frozenset({"PIN"}),
    ),
    _spec("ClearPasscode", "Clear passcode", destructive=True, priority=80),
    _spec("RestartDevice", "Restart device", destructive=True),
    _spec("ShutDownDevice", "Shut down device", destructive=True),
    _spec(
        "EnableLostMode",
        "Enable Lost Mode",
        _LOST_MODE_PARAMS,
        build=_build_lost_mode,
        destructive=True,
        priority=90,
    ),
    _spec("DisableLostMode", "Disable Lost Mode"),
    # Automated Device Enrollment: ends Setup Assistant's "await device configured" wait.
    _spec("DeviceConfigured", "Release from Setup Assistant (device configured)"),
    _spec("Settings", "Apply settings", (Param("Settings", "list"),), build=_build_settings),
    _spec(
        "DeclarativeManagement",
        "Synchronise declarations",
        (Param("Data", "data"),),
        build=_build_declarative_management,
    ),
    _spec("AvailableOSUpdates", "List available OS updates"),
    _spec(
        "ScheduleOSUpdate",
        "Schedule OS update",
        (Param("ProductKey", "str"), Param("InstallAction", "str")),
        build=_build_schedule_os_update,
    ),
    _spec(
        "Unenroll",
        "Unenroll (remove the MDM profile)",
        request_type="RemoveProfile",
        build=_build_unenroll,
        destructive=True,
    ),
]

REGISTRY: dict[str, CommandSpec] = {spec.name: spec for spec in _SPECS}


def get_spec(name: str) -> CommandSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise CommandInputError("request_type", f"unknown command {name[:64]!r}") from None


def build_command(name: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the Command dictionary (without RequestType) for a registry entry."""
    return get_spec(name).build(params or {})


def new_uuid() -> str:
    return str(uuid.uuid4()).upper()


def display_params(spec: CommandSpec, payload: Mapping[str, Any]) -> dict[str, Any]:
    """A console-safe copy of a command: secrets masked, binary data summarised."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        out[key] = "••••" if key in spec.secret_params else _displayable(value)
    return out


def _displayable(value: Any) -> Any:
    """Binary data summarised at any depth (a Settings Wallpaper image, a profile)."""
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        return {str(k): _displayable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_displayable(v) for v in value]
    return value
