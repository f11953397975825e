"""What every command module is made of: its `CommandSpec`, its parameters (a DRF serializer)
and the few field types Apple's command keys need.

A command module declares `COMMAND = CommandSpec(...)`; the package `__init__` finds it. The
parameters are a `Params` serializer whose field names are Apple's keys: DRF validates them and
the console form and the API's command list are generated from its fields. No ORM here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from devices import capabilities


class CommandInputError(ValueError):
    """Admin input for a command is invalid; `field` names the parameter."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


# DRF's Field and Serializer are generic in their type stubs only.
if TYPE_CHECKING:
    from devices.inventory import DeviceFields

    _Field = serializers.Field[Any, Any, Any, Any]
    _Serializer = serializers.Serializer[Any]
else:
    _Field = serializers.Field
    _Serializer = serializers.Serializer


# --- parameter fields ----------------------------------------------------------------------------
# DRF's own fields coerce more than a property list should receive (a number into text, any
# mapping's keys into text); these keep the types Apple's schema names and say so in plain words.


class Text(serializers.CharField):
    default_error_messages = {
        "required": "is required",
        "invalid": "must be text",
        "max_length": "is longer than {max_length} characters",
        "blank": "is required",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 1024)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class Integer(serializers.IntegerField):
    """A plist <integer>: 64 bits at most."""

    default_error_messages = {
        "required": "is required",
        "invalid": "must be a whole number",
        "max_string_length": "must be a whole number",
        "min_value": "is too small a number",
        "max_value": "is too large a number",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**64 - 1)
        super().__init__(**kwargs)


class Boolean(serializers.BooleanField):
    default_error_messages = {
        "required": "is required",
        "invalid": "must be true or false",
    }


class Choice(serializers.ChoiceField):
    default_error_messages = {
        "required": "is required",
        "invalid_choice": "must be one of {choices}",
    }

    def fail(self, key: str, **kwargs: Any) -> Any:
        if key == "invalid_choice":
            kwargs["choices"] = ", ".join(str(c) for c in self.choices)
        return super().fail(key, **kwargs)


class TextList(serializers.ListField):
    """A list of text values; console text may give them comma- or line-separated."""

    default_error_messages = {
        "required": "is required",
        "not_a_list": "must be a list of text values",
        "empty": "is required",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", Text())
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            data = [v.strip() for v in data.replace("\n", ",").split(",") if v.strip()]
        if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
            self.fail("not_a_list")
        return list(super().to_internal_value(data))


class Dictionaries(serializers.ListField):
    """A list of dictionaries (Settings items); a command's `validate_` checks their shape."""

    default_error_messages = {
        "required": "is required",
        "not_a_list": "must be a list of dictionaries",
        "empty": "is required",
    }

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list) or not all(isinstance(v, dict) for v in data):
            self.fail("not_a_list")
        return list(data)


@extend_schema_field(OpenApiTypes.BYTE)  # base64 text in the API
class Data(_Field):
    """Binary data (a plist <data>): bytes from Python callers and the console's file upload;
    the API decodes base64 text before (it says so with the field's name)."""

    default_error_messages = {
        "required": "is required",
        "invalid": "must be binary data",
    }

    def to_internal_value(self, data: Any) -> bytes:
        if not isinstance(data, bytes | bytearray):
            self.fail("invalid")
        return bytes(data)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(OpenApiTypes.OBJECT)
class Dictionary(_Field):
    """A dictionary kept as given (its keys are checked by the command that takes it)."""

    default_error_messages = {
        "required": "is required",
        "invalid": "must be a dictionary",
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


# The console and the API's command list describe a parameter by one of these kinds.
_KINDS: tuple[tuple[type[_Field], str], ...] = (
    (Data, "data"),
    (Dictionary, "dict"),
    (serializers.ListField, "list"),
    (serializers.BooleanField, "bool"),
    (serializers.IntegerField, "int"),
    (serializers.ChoiceField, "str"),
    (serializers.CharField, "str"),
)


# The parameters of one command, named by Apple's keys. Unknown parameters are refused (DRF would
# drop them silently); empty ones (None, "", []) count as not given, as a blank console field
# does. (A comment, not a docstring: the API schema would give it to every command's parameters.)
class Params(_Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                takes = ", ".join(self.fields)
                known = f"this command takes {takes}" if takes else "this command takes none"
                raise serializers.ValidationError(
                    {str(name)[:64]: [f"unknown parameter; {known}"] for name in unknown}
                )
        return super().to_internal_value(data)


class NoParams(Params):
    pass


@dataclass(frozen=True)
class Param:
    """A read-only description of one parameter, generated from the command's serializer."""

    name: str
    kind: str  # "str", "int", "bool", "list", "data", "dict"
    required: bool
    help: str
    max_length: int | None
    choices: tuple[str, ...] = ()


def describe(params: type[Params]) -> tuple[Param, ...]:
    out = []
    for name, f in params().fields.items():
        kind = next(k for cls, k in _KINDS if isinstance(f, cls))
        out.append(
            Param(
                name=name,
                kind=kind,
                required=f.required,
                help=str(f.help_text or ""),
                max_length=getattr(f, "max_length", None),
                choices=tuple(str(c) for c in getattr(f, "choices", {})),
            )
        )
    return tuple(out)


Builder = Callable[[dict[str, Any]], dict[str, Any]]
TargetBuilder = Callable[[dict[str, Any], capabilities.Target], dict[str, Any]]
ResultHandler = Callable[[Any, dict[str, Any]], dict[str, Any]]

DeviceFieldsHandler = Callable[[Any, dict[str, Any]], "DeviceFields"]


def copy_keys(values: dict[str, Any]) -> dict[str, Any]:
    """The usual builder: the validated parameters are the command's keys."""
    return dict(values)


@dataclass(frozen=True)
class CommandSpec:
    """One kind of command: how it is validated and built, how its result is handled, and how
    the console presents it. Who may get it is Apple's schema (`capabilities`), never here."""

    name: str  # registry key, usually the RequestType
    title: str
    menu_order: int  # position in the console's actions menu
    params_class: type[Params] = NoParams
    build: Builder = copy_keys
    request_type: str = ""  # "" -> name
    destructive: bool = False
    channel: str = "device"
    priority: int = 50
    secret_params: frozenset[str] = field(default_factory=frozenset)
    # Keys the builder adds on its own (not asked by the admin): where Apple's schema forbids
    # one for the target, it is left out with a note instead of refusing the command.
    default_keys: frozenset[str] = field(default_factory=frozenset)
    # What an Acknowledged result changes (inventory); returns a summary for the device log.
    on_result: ResultHandler | None = None
    # Or, for a result that changes Device columns only: sets them on the enrollment's Device
    # and names them, writing nothing; the services write them with the result (on PostgreSQL
    # in the one statement that stores it and delivers the next command).
    on_result_fields: DeviceFieldsHandler | None = None
    # The top-level key of an `on_result` command's answer in Apple's schema (ProfileList's
    # "ProfileList"): a result carrying it is taken in a transaction from its first read
    # (`commands.may_write_rows`; only a hint, as any result is stored right either way).
    result_key: str = ""
    # The built command fitted to one class of device, before the capability filter judges it
    # (DeviceInformation without Queries asks every key that device may be asked). None: the
    # command is the same for every device.
    for_target: TargetBuilder | None = None
    # The key holding a configuration profile (InstallProfile's Payload): the filter judges the
    # profile payload by payload, and a profile trimmed for a device is signed again.
    profile_key: str = ""
    # An Acknowledged result ends the enrollment (Unenroll: the device removed the enrollment
    # profile, so it will not check in again).
    ends_enrollment: bool = False

    def __post_init__(self) -> None:
        if not self.request_type:
            object.__setattr__(self, "request_type", self.name)
        if self.on_result is not None and self.on_result_fields is not None:
            raise ValueError(f"{self.name}: on_result or on_result_fields, not both")

    @cached_property
    def params(self) -> tuple[Param, ...]:
        return describe(self.params_class)

    def validate(self, params: Mapping[str, Any], **context: Any) -> dict[str, Any]:
        """The validated parameters (CommandInputError naming the first bad one)."""
        given = {k: v for k, v in params.items() if v is not None and v != "" and v != []}
        if not given and self.params_class is NoParams:
            return {}  # nothing to check: skips building a serializer (inventory at enrollment)
        serializer = self.params_class(data=given, context=context)
        if not serializer.is_valid():
            name, problems = next(iter(serializer.errors.items()))
            if name == "non_field_errors":
                name = "params"
            raise CommandInputError(name, _first_message(problems))
        return dict(serializer.validated_data)

    def build_payload(self, params: Mapping[str, Any], **context: Any) -> dict[str, Any]:
        """The Command dictionary (without RequestType) for these admin parameters."""
        return self.build(self.validate(params, **context))

    def body_for(self, body: dict[str, Any], target: capabilities.Target) -> dict[str, Any]:
        """The built command as one class of device gets it, before the capability filter."""
        return self.for_target(body, target) if self.for_target is not None else body

    def decide(self, target: capabilities.Target) -> capabilities.Decision:
        """Whether this target may get the command, from the generated capability table."""
        return capabilities.check_command(self.request_type, target)


def _first_message(problems: Any) -> str:
    while isinstance(problems, list | dict) and problems:
        problems = problems[0] if isinstance(problems, list) else next(iter(problems.values()))
    return str(problems)


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
