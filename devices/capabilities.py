"""What a target device accepts: MDM commands, check-in messages, profile payloads and their keys.

Pure: no Django imports. The single place the User-Enrollment rules live; every rule comes from
Apple's schema through the generated `devices.capability_table`, and each decision cites it.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from devices import capability_table as table
from devices.capability_source import COMMON_PAYLOAD_KEYS, TOP_LEVEL, merge_rules
from mdm_server.apple import EnrollmentType as EnrollmentType
from mdm_server.apple import Platform as Platform
from mdm_server.apple import parse_os_version


class Channel(StrEnum):
    """The MDM channel a command or profile is delivered on."""

    DEVICE = "device"
    USER = "user"


@dataclass(frozen=True)
class Target:
    """The device (and channel) a command, check-in or profile is meant for."""

    platform: Platform
    os_version: str
    enrollment_type: EnrollmentType
    supervised: bool = False
    channel: Channel = Channel.DEVICE

    def __post_init__(self) -> None:
        # Callers often hold plain strings from the database: coerce, and say what is wrong.
        for name, enum in (
            ("platform", Platform),
            ("enrollment_type", EnrollmentType),
            ("channel", Channel),
        ):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, enum(value))
            except ValueError:
                choices = ", ".join(member.value for member in enum)
                raise ValueError(f"unknown {name} {value!r} (expected one of: {choices})") from None
        object.__setattr__(self, "os_version", str(self.os_version or "").strip())
        object.__setattr__(self, "supervised", bool(self.supervised))

    @property
    def user_enrollment(self) -> bool:
        return self.enrollment_type is EnrollmentType.USER


@dataclass(frozen=True)
class Decision:
    """Whether something may be sent; `rule` cites the schema file and field behind the answer."""

    allowed: bool
    reason: str
    rule: str
    # Allowed, but Apple deprecated it in the device's OS release (the reason says what instead).
    deprecated: bool = False


@dataclass(frozen=True)
class PayloadDecision:
    """The decision for one profile payload, with the keys the device would refuse or ignore."""

    payload_type: str
    allowed: bool
    reason: str
    rule: str
    forbidden_keys: dict[str, str] = field(default_factory=dict)
    ignored_keys: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileDecision:
    """The decision for a whole configuration profile (a list of payloads)."""

    allowed: bool
    payloads: list[PayloadDecision]
    reason: str
    top_level: PayloadDecision | None = None  # the profile's own keys (TopLevel.yaml)


# Apple's documented device behaviour that the schema cannot express (it only marks the keys
# `ignored`). Source: Apple's "Passcode" profile reference,
# https://developer.apple.com/documentation/devicemanagement/passcode . Keyed by
# (PayloadType, platform); only used for User Enrollment targets. Keep such text here only.
_UE_BEHAVIOUR_NOTES: dict[tuple[str, Platform], tuple[str, ...]] = {
    ("com.apple.mobiledevice.passwordpolicy", Platform.IOS): (
        "Under User Enrollment iOS applies its own passcode policy whenever this payload is "
        "installed: a passcode is required, it must be at least 6 characters, simple passcodes "
        "are not allowed, and complex characters cannot be required (Apple: Passcode).",
        "If maxInactivity is present its value is ignored, but the 'Never' Auto-Lock option is "
        "removed (Apple: Passcode).",
    ),
}


@dataclass(frozen=True, slots=True)
class _Rule:
    """One item's (or key's) effective supportedOS entry for one OS."""

    listed: bool
    supported: bool
    introduced: str | None
    deprecated: str | None
    removed: str | None
    mode: str | None
    supervised: bool
    requiresdep: bool
    userapprovedmdm: bool
    devicechannel: bool | None
    userchannel: bool | None
    sharedipad_mode: str | None
    sharedipad_userchannel: bool | None

    @classmethod
    def build(cls, raw: Mapping[str, Any] | None) -> _Rule:
        if raw is None:
            return _NOT_LISTED
        sharedipad = raw.get("sharedipad") or {}
        return cls(
            listed=True,
            supported=bool(raw.get("supported", True)),
            introduced=raw.get("introduced"),
            deprecated=raw.get("deprecated"),
            removed=raw.get("removed"),
            mode=raw.get("userenrollment"),
            supervised=bool(raw.get("supervised", False)),
            requiresdep=bool(raw.get("requiresdep", False)),
            userapprovedmdm=bool(raw.get("userapprovedmdm", False)),
            devicechannel=raw.get("devicechannel"),
            userchannel=raw.get("userchannel"),
            sharedipad_mode=sharedipad.get("mode"),
            sharedipad_userchannel=sharedipad.get("userchannel"),
        )


_NOT_LISTED = _Rule(
    False, False, None, None, None, None, False, False, False, None, None, None, None
)


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so caches can key on it
class _Item:
    """A command, check-in message or profile payload definition (one schema YAML file)."""

    name: str
    kind: str  # "command", "check-in message", "payload"
    file: str
    os_raw: Mapping[str, Mapping[str, Any]]
    rules: Mapping[str, _Rule]
    keys: Mapping[str, Mapping[str, Mapping[str, Any]]]
    responses: Mapping[str, Mapping[str, Mapping[str, Any]]]
    arrays: Mapping[str, Sequence[str]]
    querylists: Mapping[str, Mapping[str, str]]
    # What Apple says to use instead once the item is deprecated or removed (its description).
    successor: str | None = None
    # Top-level keys Apple requires on a User Enrollment (said only in each key's text).
    ue_required: tuple[str, ...] = ()

    @classmethod
    def build(cls, name: str, kind: str, entry: Mapping[str, Any]) -> _Item:
        os_raw = entry.get("os", {})
        return cls(
            name=name,
            kind=kind,
            file=entry["file"],
            os_raw=os_raw,
            rules={p.value: _Rule.build(os_raw.get(p.value)) for p in Platform},
            keys=entry.get("payloadkeys", {}),
            responses=entry.get("responsekeys", {}),
            arrays=entry.get("arrayitems", {}),
            querylists=entry.get("querylists", {}),
            successor=entry.get("successor"),
            ue_required=tuple(entry.get("ue_required", ())),
        )

    def key_rule(self, path: str, os: str, *, responses: bool = False) -> _Rule:
        """A key's effective rule: the payload's entry for the OS updated by the key's overrides."""
        return _key_rule(self, path, os, responses)


@lru_cache(maxsize=16384)
def _key_rule(item: _Item, path: str, os: str, responses: bool) -> _Rule:
    overrides = (item.responses if responses else item.keys).get(path, {}).get(os)
    base = item.os_raw.get(os)
    if base is None and overrides is None:
        return _NOT_LISTED
    return _Rule.build(merge_rules(base or {}, overrides or {}))


_COMMANDS: dict[str, _Item] = {
    name: _Item.build(name, "command", entry) for name, entry in table.COMMANDS.items()
}
_CHECKINS: dict[str, _Item] = {
    name: _Item.build(name, "check-in message", entry) for name, entry in table.CHECKIN.items()
}
_PROFILES: dict[str, tuple[_Item, ...]] = {
    name: tuple(_Item.build(name, "payload", entry) for entry in entries)
    for name, entries in table.PROFILES.items()
}
_PSEUDO_PAYLOAD_TYPES = frozenset({TOP_LEVEL, COMMON_PAYLOAD_KEYS})
_COMMON_KEYS: _Item | None = (_PROFILES.get(COMMON_PAYLOAD_KEYS) or (None,))[0]
_TOP_LEVEL: _Item | None = (_PROFILES.get(TOP_LEVEL) or (None,))[0]
_KNOWN_PAYLOAD_TYPES = frozenset(_PROFILES) - _PSEUDO_PAYLOAD_TYPES


def known_request_types() -> frozenset[str]:
    """Every command RequestType in Apple's schema."""
    return frozenset(_COMMANDS)


def known_checkin_types() -> frozenset[str]:
    """Every check-in MessageType in Apple's schema."""
    return frozenset(_CHECKINS)


def user_enrollment_forbidden(platform: str) -> Mapping[str, Any]:
    """What Apple forbids under User Enrollment on this OS (generated from the schema):
    `commands`, `command_keys` {RequestType: [paths]}, `payloads`, `payload_keys`
    {PayloadType: [paths]}; `payload_keys["TopLevel"]` are the profile's own keys."""
    empty: dict[str, Any] = {"commands": [], "command_keys": {}, "payloads": [], "payload_keys": {}}
    forbidden: Mapping[str, Any] = table.USER_ENROLLMENT_FORBIDDEN.get(str(platform), empty)
    return forbidden


def known_payload_types() -> frozenset[str]:
    """Every real profile PayloadType in Apple's schema (without TopLevel/CommonPayloadKeys)."""
    return _KNOWN_PAYLOAD_TYPES


@dataclass(frozen=True)
class VersionWindow:
    """OS versions from `introduced` up to, not including, `removed` (None: still there)."""

    introduced: str
    removed: str | None


@lru_cache(maxsize=8)
def profile_user_enrollment_window(platform: str) -> VersionWindow | None:
    """The OS versions in which profile-based User Enrollment works; None where it never did.

    A profile-based User Enrollment profile must carry the `com.apple.mdm` payload's
    ManagedAppleID (the schema marks it userenrollment=required), so that key's supportedOS
    entry is the window: iOS 13.1 to 18, macOS 10.15 to 15 in the schema vendored today."""
    for item in _PROFILES.get("com.apple.mdm", ()):
        rule = item.key_rule("ManagedAppleID", platform)
        if rule.listed and rule.supported and rule.mode == "required" and rule.introduced:
            return VersionWindow(introduced=rule.introduced, removed=rule.removed)
    return None


# ---------------------------------------------------------------------------------------------
# Item-level evaluation (commands, check-ins, payloads share it)
# ---------------------------------------------------------------------------------------------


def _cite(item: _Item, os: str, detail: str, path: str = "") -> str:
    return f"{item.file}: {path + ' ' if path else ''}{os} {detail}"


def _version_denial(
    rule: _Rule,
    target: Target,
    what: str,
    cite: Callable[[str], str],
    item: _Item | None = None,
) -> tuple[str, str] | None:
    """(reason, rule) when the OS version is too old or past removal; unknown versions pass.

    The removal of a whole item (command, check-in, payload) names what Apple says to use
    instead when its description says it."""
    os = target.platform.value
    version = parse_os_version(target.os_version)
    if version is None:
        return None
    introduced = parse_os_version(rule.introduced or "")
    if introduced and version < introduced:
        return (
            f"{what} needs {os} {rule.introduced} or later (device runs {target.os_version})",
            cite(f"introduced={rule.introduced}"),
        )
    removed = parse_os_version(rule.removed or "")
    if removed and version >= removed:
        if item is None:  # a key of an item the device still has
            reason = f"{what} was removed in {os} {rule.removed} (device runs {target.os_version})"
        else:
            reason = (
                f"Apple removed {what} in {os} {rule.removed} (device runs {target.os_version})"
            )
            if item.successor:
                reason += f"; instead {item.successor}"
        return reason, cite(f"removed={rule.removed}")
    return None


def _deprecation(item: _Item, rule: _Rule, target: Target) -> str:
    """The note on an allowed item that Apple deprecated in the device's OS version or earlier
    (or whose version is unknown), e.g. ' (deprecated since iOS 26.0, removed in iOS 27.0;
    instead use ...)'; empty otherwise."""
    deprecated = parse_os_version(rule.deprecated or "")
    version = parse_os_version(target.os_version)
    if deprecated is None or (version is not None and version < deprecated):
        return ""
    os = target.platform.value
    note = f" (deprecated since {os} {rule.deprecated}"
    if rule.removed:
        note += f", removed in {os} {rule.removed}"
    return note + (f"; instead {item.successor})" if item.successor else ")")


def _channel_denial(
    rule: _Rule, target: Target, what: str, cite: Callable[[str], str]
) -> tuple[str, str] | None:
    if target.channel is Channel.DEVICE:
        if rule.devicechannel is False:
            return f"{what} is only available on the user channel", cite("devicechannel=false")
        return None
    if rule.userchannel:
        return None
    # iOS states channels only inside the Shared iPad block (the only iOS with a user channel).
    if rule.sharedipad_userchannel and rule.sharedipad_mode != "forbidden":
        return None
    if rule.userchannel is False:
        detail = "userchannel=false"
    elif rule.sharedipad_mode == "forbidden":
        detail = "sharedipad.mode=forbidden"
    elif rule.sharedipad_userchannel is False:
        detail = "sharedipad.userchannel=false"
    else:
        detail = "userchannel not stated"
    return f"{what} is not available on the user channel", cite(detail)


def _evaluate(item: _Item, target: Target) -> Decision:
    """Payload-level rules: OS support, version, User Enrollment mode, DEP, supervision, channel."""
    os = target.platform.value
    rule = item.rules[os]
    what = item.name

    def cite(detail: str) -> str:
        return _cite(item, os, detail)

    if not rule.listed:
        return Decision(False, f"{what}: Apple's schema lists no {os} support", cite("not listed"))
    if not rule.supported:
        return Decision(False, f"{what} is not supported on {os}", cite("introduced=n/a"))
    denial = _version_denial(rule, target, what, cite, item)
    if denial:
        return Decision(False, *denial)
    if target.user_enrollment:
        if rule.mode is None:
            return Decision(
                False,
                f"{what}: Apple's schema states no User Enrollment rule on {os}",
                cite("userenrollment.mode not stated"),
            )
        if rule.mode == "forbidden":
            return Decision(
                False,
                f"{what} is not available under User Enrollment on {os}",
                cite("userenrollment.mode=forbidden"),
            )
    elif rule.mode == "required":
        return Decision(
            False,
            f"{what} is only available under User Enrollment",
            cite("userenrollment.mode=required"),
        )
    if rule.requiresdep and target.enrollment_type is not EnrollmentType.ADE:
        return Decision(
            False, f"{what} needs Automated Device Enrollment", cite("requiresdep=true")
        )
    if rule.supervised and not target.supervised:
        return Decision(False, f"{what} needs a supervised device", cite("supervised=true"))
    denial = _channel_denial(rule, target, what, cite)
    if denial:
        return Decision(False, *denial)
    if target.user_enrollment:
        basis = f"userenrollment.mode={rule.mode}"
    elif rule.introduced:
        basis = f"introduced={rule.introduced}"
    else:
        basis = "supported"
    note = _deprecation(item, rule, target)
    return Decision(True, f"{what} is allowed on {os}{note}", cite(basis), deprecated=bool(note))


# Key verdicts: what the device does with one key of an allowed item.
_OK, _FORBIDDEN, _IGNORED, _NEEDS = "ok", "forbidden", "ignored", "needs"


@dataclass(frozen=True, slots=True)
class _Verdict:
    """What the device does with one key: ok, forbidden, ignored, or needs (DEP/supervision)."""

    status: str
    reason: str = ""
    rule: str = ""

    @property
    def text(self) -> str:
        """Reason with its citation, for the key dictionaries of a PayloadDecision."""
        return f"{self.reason} ({self.rule})"


_KEY_OK = _Verdict(_OK)


@lru_cache(maxsize=32768)
def _key_verdict(item: _Item, path: str, target: Target, responses: bool = False) -> _Verdict:
    """The verdict for one key path of an (allowed) item on this target."""
    os = target.platform.value
    rule = item.key_rule(path, os, responses=responses)

    def cite(detail: str) -> str:
        return _cite(item, os, detail, path)

    if target.user_enrollment and rule.mode == "forbidden":
        # Checked first: a forbidden key never goes out, even where the OS would ignore it.
        return _Verdict(
            _FORBIDDEN,
            f"not available under User Enrollment on {os}",
            cite("userenrollment.mode=forbidden"),
        )
    if not rule.listed or not rule.supported:
        return _Verdict(_IGNORED, f"not supported on {os}", cite("introduced=n/a"))
    denial = _version_denial(rule, target, path, cite)
    if denial:
        return _Verdict(_IGNORED, *denial)
    if target.user_enrollment:
        if rule.mode == "ignored":
            return _Verdict(
                _IGNORED,
                f"ignored under User Enrollment on {os}",
                cite("userenrollment.mode=ignored"),
            )
    elif rule.mode == "required":
        return _Verdict(
            _IGNORED, "only used under User Enrollment", cite("userenrollment.mode=required")
        )
    if rule.requiresdep and target.enrollment_type is not EnrollmentType.ADE:
        return _Verdict(_NEEDS, "needs Automated Device Enrollment", cite("requiresdep=true"))
    if rule.supervised and not target.supervised:
        return _Verdict(_NEEDS, "needs a supervised device", cite("supervised=true"))
    return _KEY_OK


# ---------------------------------------------------------------------------------------------
# Commands and check-in messages
# ---------------------------------------------------------------------------------------------


def check_command(request_type: str, target: Target, *, keys: Iterable[str] = ()) -> Decision:
    """May this MDM command (with these top-level keys or key paths) be sent to the target?

    Keys are names from the command dictionary (`PIN`, `Queries`) or schema paths
    (`Settings[].Wallpaper`); keys unknown to the schema are not judged.
    """
    # Only string keys can name schema keys; the tuple also makes the call cacheable.
    return _check_command(request_type, target, tuple(k for k in keys if isinstance(k, str)))


@lru_cache(maxsize=8192)
def _check_command(request_type: str, target: Target, keys: tuple[str, ...]) -> Decision:
    item = _COMMANDS.get(request_type)
    if item is None:
        return Decision(
            False,
            f"unknown RequestType {request_type!r}: not in Apple's schema",
            f"mdm/commands (commit {table.SCHEMA_COMMIT[:7]}): no such requesttype",
        )
    decision = _evaluate(item, target)
    if not decision.allowed:
        return decision
    for key in keys:
        if key not in item.keys:
            continue
        verdict = _key_verdict(item, key, target)
        if verdict.status in (_FORBIDDEN, _NEEDS):
            return Decision(False, f"{request_type} key {key}: {verdict.reason}", verdict.rule)
    return decision


_DECLARATION_IN_TEXT = re.compile(r"`(com\.apple\.configuration\.[A-Za-z0-9.\-]+)`")


def replacing_declaration(request_type: str, target: Target) -> str | None:
    """The declaration type Apple names instead of a command it removed on the target's OS
    release (from the command's description, e.g. ScheduleOSUpdate -> the software-update
    enforcement declaration); None when the command is not removed there or names none."""
    item = _COMMANDS.get(request_type)
    if item is None or not item.successor:
        return None
    removed = parse_os_version(item.rules[target.platform.value].removed or "")
    version = parse_os_version(target.os_version)
    if removed is None or version is None or version < removed:
        return None
    found = _DECLARATION_IN_TEXT.search(item.successor)
    return found.group(1) if found else None


def check_checkin(message_type: str, target: Target) -> Decision:
    """May the target send (and we accept) this check-in MessageType?"""
    item = _CHECKINS.get(message_type)
    if item is None:
        return Decision(
            False,
            f"unknown check-in MessageType {message_type!r}: not in Apple's schema",
            f"mdm/checkin (commit {table.SCHEMA_COMMIT[:7]}): no such message type",
        )
    return _evaluate(item, target)


def _query_list(item: _Item) -> Mapping[str, str]:
    if not item.querylists:
        raise ValueError(f"{item.name} has no query list in Apple's schema ({item.file})")
    return item.querylists.get("Queries") or next(iter(item.querylists.values()))


def filter_query_keys(
    request_type: str, keys: Iterable[str], target: Target
) -> tuple[list[str], dict[str, str]]:
    """Split query keys (DeviceInformation `Queries`) into (allowed, {removed key: reason}).

    A key is removed when the query value or its response key is forbidden or ignored under
    User Enrollment for the OS, unsupported on the OS or version, or unknown to the schema.
    """
    item = _COMMANDS.get(request_type)
    if item is None:
        raise ValueError(f"unknown RequestType {request_type!r}: not in Apple's schema")
    query = _query_list(item)
    allowed: list[str] = []
    removed: dict[str, str] = {}
    for key in dict.fromkeys(keys):  # keep order, drop repeats
        verdict = _query_verdict(item, query["values"], query.get("responses", ""), key, target)
        if verdict.status == _OK:
            allowed.append(key)
        else:
            removed[key] = verdict.text
    return allowed, removed


def _query_verdict(
    item: _Item, values_path: str, responses_path: str, key: str, target: Target
) -> _Verdict:
    """A query value is asked only if both the query and its response key are usable."""
    path = f"{values_path}={key}"
    if path not in item.keys:
        return _Verdict(_IGNORED, f"not a {item.name} query in Apple's schema", item.file)
    verdict = _key_verdict(item, path, target)
    if verdict.status != _OK:
        return verdict
    response = f"{responses_path}.{key}"
    if responses_path and response in item.responses:
        return _key_verdict(item, response, target, True)
    return _KEY_OK


def allowed_query_keys(request_type: str, target: Target) -> list[str]:
    """Every query key of the command the target may be asked for (the default query list)."""
    return list(_allowed_query_keys(request_type, target))


# Asked for every enrollment's DeviceInformation: a hundred keys judged each time, for the few
# kinds of device an organisation has (the table is fixed for the process).
@lru_cache(maxsize=1024)
def _allowed_query_keys(request_type: str, target: Target) -> tuple[str, ...]:
    item = _COMMANDS.get(request_type)
    if item is None:
        raise ValueError(f"unknown RequestType {request_type!r}: not in Apple's schema")
    prefix = _query_list(item)["values"] + "="
    values = [path[len(prefix) :] for path in item.keys if path.startswith(prefix)]
    return tuple(filter_query_keys(request_type, values, target)[0])


# ---------------------------------------------------------------------------------------------
# Whole command dictionaries (every key, nested; Settings items; query lists)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandDecision:
    """The decision for one command dictionary (without RequestType) on one target.

    `payload` is what to send (forbidden parts removed when stripping; None when refused);
    `removed` names every forbidden key path or query left out, with reason and schema rule;
    `key_paths` are the schema paths of what is sent, for the check at delivery.
    """

    allowed: bool
    reason: str
    rule: str
    payload: dict[str, Any] | None = None
    removed: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    key_paths: tuple[str, ...] = ()
    # Keys sent but that the device ignores (not supported on its OS or version), with why.
    ignored: dict[str, str] = field(default_factory=dict)


def check_command_payload(
    request_type: str, payload: Mapping[str, Any], target: Target, *, strip: bool
) -> CommandDecision:
    """May this command, with every key and value in it, be sent to the target?

    Every key path is judged, nested ones included (`Settings[].DeviceName`: the `Settings`
    items are told apart by their `Item`), and so is every value of a query list (the
    DeviceInformation `Queries`). strip=False: a forbidden key or query (or one the device needs
    supervision or Automated Device Enrollment for) refuses the command, naming it. strip=True:
    such parts are left out and listed; refused when nothing the admin asked for is left.
    Queries the OS does not know are always left out, with a note (the device would not answer).
    """
    item = _COMMANDS.get(request_type)
    if item is None:
        decision = _check_command(request_type, target, ())
        return CommandDecision(False, decision.reason, decision.rule)
    decision = _evaluate(item, target)
    if not decision.allowed:
        return CommandDecision(False, decision.reason, decision.rule)
    if not isinstance(payload, Mapping):
        return CommandDecision(False, f"{request_type}: the command must be a dictionary", "")
    body = dict(payload)
    findings = _KeyFindings(needs_is_forbidden=True)
    queries: dict[str, _Verdict] = {}
    notes: list[str] = []
    for list_key, query in item.querylists.items():
        values = body.get(list_key)
        if not isinstance(values, list):
            continue
        asked: list[Any] = []
        for value in dict.fromkeys(v for v in values if isinstance(v, str)):
            verdict = _query_verdict(
                item, query["values"], query.get("responses", ""), value, target
            )
            if verdict.status == _OK:
                asked.append(value)
            elif verdict.status in (_FORBIDDEN, _NEEDS):
                queries[value] = verdict
            else:
                notes.append(f"{value} not asked: {verdict.text}")
        if values and not asked and not queries:
            return CommandDecision(
                False,
                f"{request_type}: none of the requested {list_key} is known to {target.platform}",
                item.file,
                notes=tuple(notes),
            )
        body[list_key] = asked
    kept = _walk_dict(item, "", body, target, findings)
    removed = {**findings.forbidden, **{key: v.text for key, v in queries.items()}}
    if removed and not strip:
        listed = "; ".join(f"{key}: {why}" for key, why in removed.items())
        if findings.forbidden:
            rule = _key_verdict(item, next(iter(findings.forbidden)), target).rule
        else:
            rule = next(iter(queries.values())).rule
        return CommandDecision(
            False, f"{request_type} refused: {listed}", rule, removed=removed, notes=tuple(notes)
        )
    notes += [f"{key} removed: {why}" for key, why in findings.forbidden.items()]
    notes += [f"{key} not asked: {v.text}" for key, v in queries.items()]
    # A list emptied by stripping would change meaning (no Queries asks for everything).
    emptied = [
        key
        for key, value in payload.items()
        if isinstance(value, list) and value and not kept.get(key) and key not in removed
    ]
    if emptied:
        return CommandDecision(
            False,
            f"{request_type}: nothing left in {', '.join(emptied)} once the parts this device "
            "may not get are left out: " + "; ".join(f"{k}: {w}" for k, w in removed.items()),
            decision.rule,
            removed=removed,
            notes=tuple(notes),
        )
    paths = dict.fromkeys(kept)  # top-level keys unknown to the schema are kept too
    paths.update(findings.kept)
    return CommandDecision(
        True,
        decision.reason,
        decision.rule,
        payload=kept,
        removed=removed,
        notes=tuple(notes),
        key_paths=tuple(paths),
        ignored=dict(findings.ignored),
    )


# ---------------------------------------------------------------------------------------------
# Profile payloads
# ---------------------------------------------------------------------------------------------


def _choose_variant(
    payload_type: str, variants: Sequence[_Item], payload: Mapping[str, Any]
) -> _Item:
    """Pick the schema file that describes this payload when several share its PayloadType.

    com.apple.MCX has one file per preference area: the one defining most of the payload's
    keys wins; ties go to the file named after the PayloadType, then the first file.
    """
    if len(variants) == 1:
        return variants[0]

    def score(variant: _Item) -> tuple[int, int]:
        overlap = sum(1 for key in payload if key in variant.keys)
        plain = int(variant.file.rsplit("/", 1)[-1] == f"{payload_type}.yaml")
        return overlap, plain

    return max(variants, key=score)  # max keeps the first of equal scores (files are sorted)


@dataclass
class _KeyFindings:
    forbidden: dict[str, str] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    # Commands: a key the device needs DEP or supervision for is refused like a forbidden one
    # (a profile payload's such key is merely ignored by the device).
    needs_is_forbidden: bool = False
    kept: dict[str, None] = field(default_factory=dict)  # schema paths left in, in order


def _judge(item: _Item, path: str, target: Target, findings: _KeyFindings) -> bool:
    """Record the key's verdict; True when the key (or value) must be stripped."""
    verdict = _key_verdict(item, path, target)
    if verdict.status == _FORBIDDEN or (verdict.status == _NEEDS and findings.needs_is_forbidden):
        findings.forbidden.setdefault(path, verdict.text)
        return True
    if verdict.status in (_IGNORED, _NEEDS):
        findings.ignored.setdefault(path, verdict.text)
    findings.kept[path] = None
    return False


def _walk_value(item: _Item, path: str, value: Any, target: Target, findings: _KeyFindings) -> Any:
    """Judge what is inside a key's value; returns the value with forbidden parts removed."""
    if isinstance(value, Mapping):
        return _walk_dict(item, path, value, target, findings)
    if isinstance(value, list) and path in item.arrays:
        return _walk_list(item, path, value, target, findings)
    if isinstance(value, str) and f"{path}={value}" in item.keys:
        return _MISSING if _judge(item, f"{path}={value}", target, findings) else value
    return copy.deepcopy(value)


_MISSING = object()


def _walk_dict(
    item: _Item,
    prefix: str,
    mapping: Mapping[str, Any],
    target: Target,
    findings: _KeyFindings,
) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in mapping.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        owner = item
        if path not in item.keys:
            if not prefix and _COMMON_KEYS is not None and key in _COMMON_KEYS.keys:
                owner = _COMMON_KEYS  # PayloadIdentifier, PayloadUUID, ... shared by all payloads
            else:
                kept[key] = copy.deepcopy(value)  # unknown to the schema: not judged
                continue
        if _judge(owner, path, target, findings):
            continue
        inner = _walk_value(owner, path, value, target, findings)
        if inner is not _MISSING:
            kept[key] = inner
    return kept


def _walk_list(
    item: _Item, path: str, values: list[Any], target: Target, findings: _KeyFindings
) -> Any:
    names = item.arrays[path]
    kept: list[Any] = []
    for value in values:
        if len(names) == 1:
            name = names[0]
        elif isinstance(value, Mapping) and value.get("Item") in names:
            name = value["Item"]  # Settings-style arrays: each dictionary names its definition
        else:
            kept.append(copy.deepcopy(value))
            continue
        child = f"{path}[].{name}"
        if child in item.keys and _judge(item, child, target, findings):
            continue
        inner = _walk_value(item, child, value, target, findings)
        if inner is not _MISSING:
            kept.append(inner)
    # An emptied list would change meaning (an empty allow-list allows nothing): drop the key.
    return kept if kept or not values else _MISSING


def check_payload(payload: Mapping[str, Any], target: Target) -> PayloadDecision:
    """May this profile payload be installed on the target, and which keys are refused or ignored?"""
    return _check_payload(payload, target)[0]


def _check_payload(payload: Any, target: Target) -> tuple[PayloadDecision, dict[str, Any] | None]:
    """The decision and the payload with forbidden keys removed (None when not allowed)."""
    if not isinstance(payload, Mapping):
        return (
            PayloadDecision("", False, "a payload must be a dictionary", ""),
            None,
        )
    payload_type = payload.get("PayloadType")
    if not isinstance(payload_type, str) or not payload_type:
        return PayloadDecision("", False, "the payload has no PayloadType", ""), None
    name = table.PAYLOAD_TYPE_ALIASES.get(payload_type, payload_type)
    variants = None if payload_type in _PSEUDO_PAYLOAD_TYPES else _PROFILES.get(name)
    if not variants:
        return (
            PayloadDecision(
                payload_type,
                False,
                f"unknown PayloadType {payload_type!r}: not in Apple's schema",
                f"mdm/profiles (commit {table.SCHEMA_COMMIT[:7]}): no such payloadtype",
            ),
            None,
        )
    item = _choose_variant(name, variants, payload)
    decision = _evaluate(item, target)
    if not decision.allowed:
        return PayloadDecision(payload_type, False, decision.reason, decision.rule), None
    missing = [key for key in item.ue_required if key not in payload]
    if target.user_enrollment and missing:
        return (
            PayloadDecision(
                payload_type,
                False,
                f"Apple requires {', '.join(missing)} in {payload_type} on a User Enrollment",
                _cite(item, target.platform.value, f"{missing[0]}: required for user enrollment"),
            ),
            None,
        )
    findings = _KeyFindings()
    stripped = _walk_dict(item, "", payload, target, findings)
    notes = _notes(item, payload_type, target, findings)
    reason = decision.reason.replace(item.name, payload_type, 1)
    if findings.forbidden:
        reason += f"; {len(findings.forbidden)} key(s) forbidden"
    result = PayloadDecision(
        payload_type=payload_type,
        allowed=True,
        reason=reason,
        rule=decision.rule,
        forbidden_keys=findings.forbidden,
        ignored_keys=findings.ignored,
        notes=notes,
    )
    return result, stripped


def _notes(
    item: _Item, payload_type: str, target: Target, findings: _KeyFindings
) -> tuple[str, ...]:
    os = target.platform.value
    rule = item.rules[os]
    notes: list[str] = []
    if rule.userapprovedmdm and target.enrollment_type is EnrollmentType.DEVICE:
        notes.append(
            f"{payload_type} needs user-approved MDM on {os} "
            f"({_cite(item, os, 'userapprovedmdm=true')})"
        )
    if target.user_enrollment:
        notes.extend(_UE_BEHAVIOUR_NOTES.get((payload_type, target.platform), ()))
        ignored_ue = sorted(p for p, r in findings.ignored.items() if "under User Enrollment" in r)
        if ignored_ue and (payload_type, target.platform) in _UE_BEHAVIOUR_NOTES:
            notes.append(
                "Ignored under User Enrollment per Apple's schema: " + ", ".join(ignored_ue)
            )
    return tuple(notes)


def check_profile(
    payloads: Sequence[Mapping[str, Any]], target: Target, *, strip: bool
) -> tuple[ProfileDecision, list[dict[str, Any]]]:
    """Decide a whole profile; returns the decision and the payloads to send (copies).

    strip=False: any forbidden payload or key refuses the whole profile (iOS rejects mixed
    profiles under User Enrollment). strip=True: forbidden payloads are dropped and forbidden
    keys removed; refused only when nothing is left.
    """
    if isinstance(payloads, str | bytes | Mapping) or not isinstance(payloads, Sequence):
        return ProfileDecision(False, [], "payloads must be a list of payload dictionaries"), []
    if not payloads:
        return ProfileDecision(False, [], "the profile has no payloads"), []
    results = [_check_payload(payload, target) for payload in payloads]
    decisions = [decision for decision, _ in results]
    refused = [d for d in decisions if not d.allowed]
    with_keys = [d for d in decisions if d.allowed and d.forbidden_keys]
    problems = [f"{d.payload_type or 'payload'}: {d.reason}" for d in refused] + [
        _key_problem(d) for d in with_keys
    ]
    if not strip:
        if problems:
            return ProfileDecision(False, decisions, "refused: " + "; ".join(problems)), []
        kept = [copy.deepcopy(dict(payload)) for payload in payloads]
        return ProfileDecision(True, decisions, f"all {len(kept)} payload(s) allowed"), kept
    kept = [stripped for decision, stripped in results if decision.allowed and stripped is not None]
    if not kept:
        return ProfileDecision(False, decisions, "no payload left: " + "; ".join(problems)), []
    reason = f"{len(kept)} of {len(payloads)} payload(s) kept"
    if problems:
        reason += "; stripped: " + "; ".join(problems)
    return ProfileDecision(True, decisions, reason), kept


def _key_problem(decision: PayloadDecision) -> str:
    """`type: key: why (schema rule)` for each forbidden key of an allowed payload."""
    keys = "; ".join(f"{key}: {why}" for key, why in sorted(decision.forbidden_keys.items()))
    return f"{decision.payload_type}: forbidden key(s) {keys}"


# The wire PayloadType of a profile's top level (its keys are described by TopLevel.yaml).
PROFILE_PAYLOAD_TYPE = "Configuration"


def _check_envelope(
    envelope: Mapping[str, Any], target: Target
) -> tuple[PayloadDecision, dict[str, Any] | None]:
    """The profile's own keys (everything but PayloadContent), judged by TopLevel.yaml."""
    if _TOP_LEVEL is None:  # pragma: no cover - the generator always writes TopLevel
        raise RuntimeError("the capability table has no TopLevel entry: regenerate it")
    decision = _evaluate(_TOP_LEVEL, target)
    if not decision.allowed:
        return PayloadDecision(PROFILE_PAYLOAD_TYPE, False, decision.reason, decision.rule), None
    findings = _KeyFindings()
    kept = _walk_dict(_TOP_LEVEL, "", envelope, target, findings)
    result = PayloadDecision(
        payload_type=PROFILE_PAYLOAD_TYPE,
        allowed=True,
        reason=decision.reason,
        rule=decision.rule,
        forbidden_keys=findings.forbidden,
        ignored_keys=findings.ignored,
    )
    return result, kept


def check_profile_document(
    profile: Any, target: Target, *, strip: bool
) -> tuple[ProfileDecision, dict[str, Any] | None]:
    """Decide a whole configuration profile: its top-level keys and its payloads.

    Same semantics as `check_profile`, with the profile's own keys (TopLevel.yaml, e.g.
    PayloadRemovalDisallowed) judged too; returns the profile to send (a copy) or None.
    """
    if not isinstance(profile, Mapping):
        return ProfileDecision(False, [], "a profile must be a dictionary"), None
    envelope = {key: value for key, value in profile.items() if key != "PayloadContent"}
    top, kept_envelope = _check_envelope(envelope, target)
    decision, kept = check_profile(profile.get("PayloadContent"), target, strip=strip)  # type: ignore[arg-type]  # check_profile refuses a missing or wrong PayloadContent itself
    if not top.allowed or kept_envelope is None:
        reason = f"refused: {PROFILE_PAYLOAD_TYPE}: {top.reason}"
        return ProfileDecision(False, decision.payloads, reason, top), None
    top_problem = _key_problem(top) if top.forbidden_keys else ""
    if top_problem and not strip:
        others = "" if decision.allowed else "; " + decision.reason.removeprefix("refused: ")
        return ProfileDecision(
            False, decision.payloads, f"refused: {top_problem}{others}", top
        ), None
    if not decision.allowed:
        return ProfileDecision(False, decision.payloads, decision.reason, top), None
    reason = decision.reason
    if top_problem:
        reason += ("; " if "stripped:" in reason else "; stripped: ") + top_problem
    document = {**kept_envelope, "PayloadContent": kept}
    return ProfileDecision(True, decision.payloads, reason, top), document


def outline(value: Any) -> Any:
    """The shape of a payload without its values: what the check at delivery needs to judge.

    Dictionaries and lists keep their structure; a Settings-style `Item` name is kept; other
    values become None (nothing secret is copied).
    """
    if isinstance(value, Mapping):
        return {
            str(key): (
                item if key in ("Item", "PayloadType") and isinstance(item, str) else outline(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [outline(item) for item in value]
    return None


# ---------------------------------------------------------------------------------------------
# Command results from a User Enrollment
# ---------------------------------------------------------------------------------------------

# Apple's documented rule the schema cannot express: supervision comes only with Automated
# Device Enrollment or Apple Configurator (Apple Platform Deployment, "About device
# supervision"), so a User Enrollment is never supervised and a result that says otherwise is
# not believed. Keep such text here only.
_UE_NEVER_SUPERVISED = (
    "a User Enrollment is never supervised, whatever the device says "
    "(Apple Platform Deployment: supervision needs Automated Device Enrollment or Configurator)"
)


# The keys of every command result beside the command's own, as a User Enrollment sends them
# (each "...Response" object of Apple's Device Management reference: CommandUUID, Status,
# ErrorChain, and who answers; never UDID or UserID, which a User Enrollment does not have).
_UE_RESULT_ENVELOPE = frozenset(
    {
        "CommandUUID",
        "Status",
        "ErrorChain",
        "EnrollmentID",
        "EnrollmentUserID",
        "UserShortName",
        "UserLongName",
        "NotOnConsole",
    }
)
# The one `discarded` entry that counts the keys a device made up (their names, the device's own
# text, are not repeated).
UNKNOWN_KEYS = "(not Apple's)"


@lru_cache(maxsize=512)
def _response_children(item: _Item) -> Mapping[str, frozenset[str]]:
    """The schema's response tree: a key path ("" for the top) -> the names of its members;
    "P[]" -> the one name of the items of the array at P."""
    children: dict[str, set[str]] = {}
    for path in item.responses:
        if "=" in path:  # an enumerated value, not a key
            continue
        parent, _, name = path.rpartition(".")
        children.setdefault(parent, set()).add(name)
    return {parent: frozenset(names) for parent, names in children.items()}


# The log of a User Enrollment's result names at most this many places where keys Apple's
# schema does not describe were left out (each a key path of the schema, never the device's
# own text), so an admin notices when Apple adds keys the vendored schema lacks.
_UNKEPT_PLACES = 8


@dataclass
class _Unkept:
    """What a User Enrollment's result had that is not kept, by where it was: the schema's key
    path ("" for the top) -> how many keys the schema does not describe there, and -> how many
    values were of another shape than the schema describes there (the dictionary or array
    itself). Only schema paths are recorded: a key or value the device made up is not."""

    unknown: dict[str, int] = field(default_factory=dict)
    misshapen: dict[str, int] = field(default_factory=dict)

    def add_unknown(self, path: str) -> None:
        self.unknown[path] = self.unknown.get(path, 0) + 1

    def add_misshapen(self, path: str) -> None:
        self.misshapen[path] = self.misshapen.get(path, 0) + 1


# Returned by `_described_only` for a value not kept at all (None is a value a result may hold).
_DROPPED: Any = object()


def _described_only(item: _Item, path: str, value: Any, unkept: _Unkept) -> Any:
    """The value as Apple's schema describes it at `path`, at any depth, or `_DROPPED`.

    Where the schema describes members, the value must be a dictionary, and keeps only the
    described members; where it describes array items ("P[]"), it must be an array, and keeps
    only the items of the described shape. A value of another shape (a list for a dictionary,
    a dictionary for a list, a scalar for either) is dropped whole: nothing inside it can be
    judged. A value the schema says nothing of inside is kept as it is.
    """
    tree = _response_children(item)
    names = tree.get(path)
    if names:
        if not isinstance(value, Mapping):
            unkept.add_misshapen(path)
            return _DROPPED
        wildcard = next((n for n in names if n.startswith("ANY")), None)
        kept: dict[str, Any] = {}
        for key, member in value.items():
            name = key if key in names else wildcard
            if name is None:
                unkept.add_unknown(path)
                continue
            inner = _described_only(item, f"{path}.{name}", member, unkept)
            if inner is not _DROPPED:
                kept[key] = inner
        return kept
    items = tree.get(f"{path}[]")
    if items:
        if not isinstance(value, list):
            unkept.add_misshapen(f"{path}[]")
            return _DROPPED
        if len(items) != 1:  # not in Apple's schema today: no one shape to hold items to
            return value
        inner_path = f"{path}[].{next(iter(items))}"
        described = (_described_only(item, inner_path, member, unkept) for member in value)
        return [member for member in described if member is not _DROPPED]
    return value


def _places(counts: Mapping[str, int]) -> str:
    """Where (schema key paths, most first, at most `_UNKEPT_PLACES`), for a log."""
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    shown = [f"{path or 'the top level'} ({count})" for path, count in ranked[:_UNKEPT_PLACES]]
    if len(ranked) > _UNKEPT_PLACES:
        shown.append(f"{len(ranked) - _UNKEPT_PLACES} more")
    return ", ".join(shown)


def _log_unkept(unkept: _Unkept, request_type: str, file: str, discarded: dict[str, str]) -> None:
    """The `discarded` entries for what `_described_only` did not keep: one per schema path of
    a value of another shape, and one `UNKNOWN_KEYS` entry for the keys the schema does not
    describe (counted, with where; never their names or values: the device's own text)."""
    for path, count in unkept.misshapen.items():
        shape = "an array" if path.endswith("[]") else "a dictionary"
        why = (
            f"{count} value(s) not the shape Apple's schema describes ({shape}) in the "
            f"{request_type} result: not kept for a User Enrollment ({file})"
        )
        name = path.removesuffix("[]")
        discarded[name] = f"{discarded[name]}; {why}" if name in discarded else why
    if unkept.unknown:
        discarded[UNKNOWN_KEYS] = (
            f"{sum(unkept.unknown.values())} key(s) Apple's schema does not describe in the "
            f"{request_type} result: not kept for a User Enrollment ({file}); "
            f"where: {_places(unkept.unknown)}"
        )


def user_enrollment_result(
    request_type: str, raw: Mapping[str, Any], target: Target
) -> tuple[dict[str, Any], dict[str, str]]:
    """A command result as it may be stored for the target: (kept, {discarded key: why}).

    For a User Enrollment, answers to queries it may not be asked (UDID, SerialNumber, IMEI,
    MEID, ...) and response keys Apple's schema forbids are removed, and so is any claim of
    supervision; so is every key the schema does not describe for the command's answer (a
    modified device may send anything: one `UNKNOWN_KEYS` entry counts them, naming only
    where, as schema paths), and every value of another shape than the schema describes (a
    list where it describes a dictionary, ...: one entry per schema path, counted). Other
    targets keep the result as sent.
    """
    kept = dict(raw)
    item = _COMMANDS.get(request_type)
    if not target.user_enrollment or item is None:
        return kept, {}
    discarded: dict[str, str] = {}
    unkept = _Unkept()
    answer_keys: set[str] = set()
    for query in item.querylists.values():
        answers_key = query.get("responses", "")
        if not answers_key or answers_key not in kept:
            continue
        answers = kept[answers_key]
        if not isinstance(answers, Mapping):
            del kept[answers_key]
            unkept.add_misshapen(answers_key)
            continue
        answer_keys.add(answers_key)
        clean: dict[str, Any] = {}
        for key, value in answers.items():
            if not isinstance(key, str) or f"{query['values']}={key}" not in item.keys:
                unkept.add_unknown(answers_key)
                continue
            verdict = _query_verdict(item, query["values"], answers_key, key, target)
            if verdict.status == _OK:
                clean[key] = value
            else:
                discarded[key] = verdict.text
        kept[answers_key] = _without_forbidden_responses(
            item, answers_key, clean, target, discarded
        )
    kept = _without_forbidden_responses(item, "", kept, target, discarded, skip=answer_keys)
    for holder in (kept, *(kept[k] for k in answer_keys)):
        if "IsSupervised" in holder:
            del holder["IsSupervised"]
            discarded["IsSupervised"] = _UE_NEVER_SUPERVISED
    top = _response_children(item).get("", frozenset())
    described: dict[str, Any] = {}
    for key, value in kept.items():
        if key in _UE_RESULT_ENVELOPE:
            described[key] = value
        elif key in top:
            inner = _described_only(item, key, value, unkept)
            if inner is not _DROPPED:
                described[key] = inner
        else:
            unkept.add_unknown("")
    _log_unkept(unkept, request_type, item.file, discarded)
    return described, discarded


def _without_forbidden_responses(
    item: _Item,
    prefix: str,
    mapping: Mapping[str, Any],
    target: Target,
    discarded: dict[str, str],
    *,
    skip: Collection[str] = (),
) -> dict[str, Any]:
    """The response dictionary without the keys Apple forbids, at any dictionary depth."""
    kept: dict[str, Any] = {}
    for key, value in mapping.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if key in skip:
            kept[key] = value
            continue
        if path in item.responses:
            verdict = _key_verdict(item, path, target, True)
            if verdict.status == _FORBIDDEN:
                discarded[path] = verdict.text
                continue
        if isinstance(value, Mapping):
            value = _without_forbidden_responses(item, path, value, target, discarded)
        kept[key] = value
    return kept


def payload_key_notes(
    payload_type: str, paths: Iterable[str], target: Target
) -> tuple[str, dict[str, str]]:
    """For editors, before anything is saved: why the whole payload won't apply on the target
    ("" when it may), and for each key path that won't apply there but would on a supervised
    company device of the same platform, why (forbidden, ignored under User Enrollment, or
    needing supervision), with its citation. A key the platform does not know at all is not
    listed: it is no User-Enrollment matter."""
    company = dataclasses.replace(target, enrollment_type=EnrollmentType.ADE, supervised=True)
    name = table.PAYLOAD_TYPE_ALIASES.get(payload_type, payload_type)
    variants = _PROFILES.get(name)
    if not variants or payload_type in _PSEUDO_PAYLOAD_TYPES:
        return f"unknown PayloadType {payload_type!r}: not in Apple's schema", {}
    item = _choose_variant(name, variants, {})
    decision = _evaluate(item, target)
    if not decision.allowed:
        return decision.reason, {}
    notes: dict[str, str] = {}
    for path in paths:
        owner = item
        if path not in item.keys:
            if _COMMON_KEYS is None or path not in _COMMON_KEYS.keys:
                continue  # unknown to the schema: not judged (as in check_payload)
            owner = _COMMON_KEYS
        verdict = _key_verdict(owner, path, target)
        if verdict.status != _OK and _key_verdict(owner, path, company).status == _OK:
            notes[path] = verdict.text
    return "", notes


@dataclass(frozen=True)
class OptionNote:
    """How a console form offers one command option (a key, or a query) to one device: `shown`
    False when the platform has no such option at all; `reason` when the device may not be sent
    it (greyed, with Apple's rule)."""

    key: str
    shown: bool
    reason: str = ""


def _company_twin(target: Target) -> Target:
    # The same platform enrolled the most capable way: what the platform itself offers.
    return dataclasses.replace(target, enrollment_type=EnrollmentType.ADE, supervised=True)


def command_option_notes(
    request_type: str, keys: Iterable[str], target: Target
) -> dict[str, OptionNote]:
    """For each top-level command key: offered, greyed (with why) or absent on this target."""
    item = _COMMANDS.get(request_type)
    out: dict[str, OptionNote] = {}
    for key in keys:
        if item is None or key not in item.keys:
            out[key] = OptionNote(key, True)  # not judged by the schema
            continue
        if _key_verdict(item, key, _company_twin(target)).status != _OK:
            out[key] = OptionNote(key, False)
            continue
        verdict = _key_verdict(item, key, target)
        out[key] = OptionNote(key, True, "" if verdict.status == _OK else verdict.text)
    return out


def query_option_notes(request_type: str, target: Target) -> list[OptionNote]:
    """Every query Apple's schema lists for the command (DeviceInformation `Queries`), in the
    schema's order: offered, greyed (with why, e.g. under User Enrollment) or absent."""
    item = _COMMANDS.get(request_type)
    if item is None:
        raise ValueError(f"unknown RequestType {request_type!r}: not in Apple's schema")
    query = _query_list(item)
    prefix = f"{query['values']}="
    company = _company_twin(target)
    out = []
    for path in item.keys:
        if not path.startswith(prefix):
            continue
        key = path.removeprefix(prefix)
        args = (item, query["values"], query.get("responses", ""), key)
        if _query_verdict(*args, company).status != _OK:
            out.append(OptionNote(key, False))
            continue
        verdict = _query_verdict(*args, target)
        out.append(OptionNote(key, True, "" if verdict.status == _OK else verdict.text))
    return out


@dataclass(frozen=True)
class OptionTally:
    """How a console form offers one command option (a key, or a query) to a selection of
    devices, counted by device: `offered` may be sent it, `absent` have no such option on their
    platform, the rest may not be sent it (`reason`: the first such rule met)."""

    key: str
    total: int
    offered: int
    absent: int
    reason: str = ""

    @property
    def shown(self) -> bool:
        """Some selected device's platform has the option."""
        return self.absent < self.total

    @property
    def greyed(self) -> bool:
        """Shown, but no selected device may be sent it."""
        return self.shown and self.offered == 0

    @property
    def partial(self) -> bool:
        return 0 < self.offered < self.total

    @property
    def refused(self) -> int:
        """Selected devices that have the option but may not be sent it."""
        return self.total - self.offered - self.absent


def _tally(key: str, notes: Iterable[tuple[OptionNote, int]]) -> OptionTally:
    total = offered = absent = 0
    reason = ""
    for note, count in notes:
        total += count
        if not note.shown:
            absent += count
        elif note.reason:
            reason = reason or note.reason
        else:
            offered += count
    return OptionTally(key, total, offered, absent, reason)


def command_option_tally(
    request_type: str, keys: Iterable[str], targets: Mapping[Target, int]
) -> dict[str, OptionTally]:
    """`command_option_notes` over a selection ({target: number of devices}), per key."""
    keys = list(keys)
    notes = [(command_option_notes(request_type, keys, t), n) for t, n in targets.items()]
    return {key: _tally(key, ((by_key[key], n) for by_key, n in notes)) for key in keys}


def query_option_tally(request_type: str, targets: Mapping[Target, int]) -> list[OptionTally]:
    """`query_option_notes` over a selection ({target: number of devices}), in schema order."""
    notes = [(query_option_notes(request_type, t), n) for t, n in targets.items()]
    if not notes:
        return []
    return [
        _tally(first.key, ((listed[i], n) for listed, n in notes))
        for i, first in enumerate(notes[0][0])
    ]
