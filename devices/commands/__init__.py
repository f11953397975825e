"""The MDM commands this server can send: one module per command, found by this registry.

Each module of this package that defines `COMMAND` (a `base.CommandSpec`) is one registry entry:
its parameters (a DRF serializer named by Apple's keys), its builder, its result handling and
its console title. Who may get it is read from the generated capability table at the time of
asking (`CommandSpec.decide`). Adding a command is adding a module (and its test); nothing here
lists them. Source: Apple "Commands and queries" (each command's page), schema under mdm/commands/.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Mapping
from typing import Any

from devices import hotpath
from devices.commands.base import CommandInputError, CommandSpec, Param, plist_problem
from devices.commands.unenroll import enrollment_profile_identifier, payload_identifier_prefix
from devices.inventory import DeviceFields


def _discover() -> list[tuple[str, CommandSpec]]:
    """Every command module's COMMAND with its module, in the console's menu order."""
    found: list[tuple[str, CommandSpec]] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "COMMAND", None)
        if isinstance(spec, CommandSpec):
            found.append((module.__name__, spec))
    names = [spec.name for _, spec in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise RuntimeError(f"command registered twice: {', '.join(duplicates)}")
    return sorted(found, key=lambda item: (item[1].menu_order, item[1].name))


_FOUND = _discover()
REGISTRY: dict[str, CommandSpec] = {spec.name: spec for _, spec in _FOUND}
# Which module each command came from (a test checks: one module per command).
MODULES: dict[str, str] = {spec.name: module for module, spec in _FOUND}

# The commands whose acknowledgement ends the enrollment (by registry name: `Command.spec`).
ENDS_ENROLLMENT = frozenset(spec.name for spec in REGISTRY.values() if spec.ends_enrollment)

_RESULT_HANDLERS = {
    spec.request_type: spec.on_result for spec in REGISTRY.values() if spec.on_result is not None
}
_FIELD_HANDLERS = {
    spec.request_type: spec.on_result_fields
    for spec in REGISTRY.values()
    if spec.on_result_fields is not None
}
if set(_RESULT_HANDLERS) & set(_FIELD_HANDLERS):
    raise RuntimeError("a RequestType has both kinds of result handler")
_NO_FIELDS = DeviceFields(fields=(), summary={})


def get_spec(name: str) -> CommandSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise CommandInputError("request_type", f"unknown command {name[:64]!r}") from None


def build_command(
    name: str, params: Mapping[str, Any] | None = None, **context: Any
) -> dict[str, Any]:
    """Build the Command dictionary (without RequestType) for a registry entry."""
    return get_spec(name).build_payload(params or {}, **context)


def handle_result(enrollment: Any, request_type: str, raw: dict[str, Any]) -> dict[str, Any]:
    """What an Acknowledged result of this RequestType changes, written; a summary for the
    device log."""
    change = result_fields(enrollment, request_type, raw)
    if change is None:
        return _RESULT_HANDLERS[request_type](enrollment, raw)
    if change.fields:
        hotpath.save_device_fields(enrollment.device, change.fields)
    return change.summary


def result_fields(enrollment: Any, request_type: str, raw: dict[str, Any]) -> DeviceFields | None:
    """What an Acknowledged result of this RequestType changes, when that is Device columns at
    most: set on the enrollment's Device, not written. None when its handler writes rows of its
    own (inside the result's transaction: `handle_result`)."""
    if request_type in _RESULT_HANDLERS:
        return None
    handler = _FIELD_HANDLERS.get(request_type)
    return handler(enrollment, raw) if handler is not None else _NO_FIELDS


def writes_rows_on_result(request_type: str) -> bool:
    """Whether an Acknowledged result of this RequestType writes rows of its own."""
    return request_type in _RESULT_HANDLERS


# The answer keys of the results whose handlers write rows of their own (`CommandSpec.result_key`).
_ROW_RESULT_KEYS = frozenset(
    spec.result_key for spec in REGISTRY.values() if spec.on_result is not None and spec.result_key
)


def may_write_rows(raw: Mapping[str, Any]) -> bool:
    """Whether a result, by its keys alone, looks like the answer of a command whose handler
    writes rows (a list of profiles, apps or certificates, a DeviceInformation): read before
    its command is, to choose how to take it (`devices.services.connect.serve_report`)."""
    return not _ROW_RESULT_KEYS.isdisjoint(raw)


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


__all__ = [
    "MODULES",
    "REGISTRY",
    "CommandInputError",
    "CommandSpec",
    "DeviceFields",
    "Param",
    "build_command",
    "display_params",
    "enrollment_profile_identifier",
    "get_spec",
    "handle_result",
    "may_write_rows",
    "new_uuid",
    "payload_identifier_prefix",
    "plist_problem",
    "result_fields",
    "writes_rows_on_result",
]
