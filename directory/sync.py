"""Directory records: LDAP entries and Microsoft Graph objects to plain records, filters, sync plans.

Pure: no Django imports. The services turn a plan into database writes in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from mdm_server import untrusted

# Attribute map for OpenLDAP-style directories; an admin can override any key per source.
# "status" holds an account state: values in DISABLED_VALUES disable, "locked" locks.
DEFAULT_LDAP_ATTRIBUTES: dict[str, str] = {
    "username": "uid",
    "email": "mail",
    "upn": "userPrincipalName",
    "display_name": "cn",
    "external_id": "entryUUID",
    "status": "employeeType",
    "locked": "pwdAccountLockedTime",
    "group_name": "cn",
    "group_external_id": "entryUUID",
}
ATTRIBUTE_KEYS = tuple(DEFAULT_LDAP_ATTRIBUTES)
DISABLED_VALUES = frozenset({"disabled", "inactive", "deleted", "false"})
LOCKED_VALUES = frozenset({"locked"})
# Active Directory's userAccountControl flags.
UAC_ACCOUNTDISABLE = 0x2
UAC_LOCKOUT = 0x10


class FilterError(ValueError):
    """An LDAP search filter is malformed; the message says where."""


def validate_ldap_filter(value: str) -> str:  # noqa: C901 - a small hand-written parser
    """Check an RFC 4515 filter's shape (parentheses, operators, escapes); return it stripped."""
    text = value.strip()
    if not text:
        raise FilterError("The filter is empty.")
    unescaped = text.replace("\\\\", "").replace("\\(", "").replace("\\)", "")
    if unescaped.count("(") != unescaped.count(")"):
        raise FilterError("Unbalanced parentheses.")
    if not (text.startswith("(") and text.endswith(")")):
        raise FilterError("A filter must be enclosed in parentheses, e.g. (objectClass=person).")
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if not all(c in "0123456789abcdefABCDEF" for c in text[i + 1 : i + 3]) or i + 3 > len(
                text
            ):
                raise FilterError(f"Bad escape at position {i + 1}; use \\XX hex escapes.")
            i += 3
            continue
        if ch == "(":
            depth += 1
            nxt = text[i + 1 : i + 2]
            if nxt in ("", ")"):
                raise FilterError(f"Empty parentheses at position {i + 1}.")
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise FilterError(f"Unbalanced ')' at position {i + 1}.")
            if depth == 0 and i != len(text) - 1:
                raise FilterError(
                    "Several filters side by side; combine them with (&...) or (|...)."
                )
        i += 1
    if depth != 0:
        raise FilterError("Unbalanced parentheses.")
    for part in _leaf_items(text):
        if not any(op in part for op in ("=", "~=", ">=", "<=")):
            raise FilterError(f"({part}) has no comparison such as attribute=value.")
        if part.startswith("="):
            raise FilterError(f"({part}) has no attribute name.")
    return text


def _leaf_items(text: str) -> list[str]:
    """The innermost (attr=value) items of a filter whose parentheses are already balanced."""
    items: list[str] = []
    start = -1
    for i, ch in enumerate(text):
        if ch == "(" and (i == 0 or text[i - 1] != "\\"):
            start = i
        elif ch == ")" and start >= 0:
            inner = text[start + 1 : i]
            if inner and inner[0] not in "&|!":
                items.append(inner)
            start = -1
    return items


def escape_filter_value(value: str) -> str:
    """RFC 4515 escaping of user input placed inside a filter (same rules as python-ldap)."""
    out = []
    for ch in value:
        if ch in "\\*()\x00":
            out.append(f"\\{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class UserRecord:
    """One user as the directory describes it."""

    external_id: str
    username: str
    email: str = ""
    upn: str = ""
    display_name: str = ""
    enabled: bool = True
    locked: bool = False
    dn: str = ""
    group_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupRecord:
    """One group and the external ids (LDAP: DNs resolved later) of its members."""

    external_id: str
    name: str
    dn: str = ""
    member_refs: tuple[str, ...] = ()


def _text(value: bytes | str) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _first(attrs: Mapping[str, Sequence[bytes | str]], name: str) -> str:
    if not name:
        return ""
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            return _text(values[0]).strip()
    return ""


def _raw_first(attrs: Mapping[str, Sequence[bytes | str]], name: str) -> bytes | str | None:
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def merged_attribute_map(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """Defaults plus the admin's overrides; unknown keys are rejected by the forms, ignored here."""
    merged = dict(DEFAULT_LDAP_ATTRIBUTES)
    for key, value in (overrides or {}).items():
        if key in merged and isinstance(value, str):
            merged[key] = value.strip()
    return merged


def ldap_attribute_names(attribute_map: Mapping[str, str]) -> list[str]:
    """Attributes to request for a user (operational ones such as entryUUID must be asked for)."""
    keys = ("username", "email", "upn", "display_name", "external_id", "status", "locked")
    names = {attribute_map[k] for k in keys if attribute_map.get(k)}
    names.update({"memberOf", "userAccountControl", "displayName"})
    return sorted(names)


def _external_id(raw: bytes | str | None, dn: str) -> str:
    if raw is None:
        return dn.lower()  # no stable id attribute: the DN is the best we have
    if isinstance(raw, bytes) and len(raw) == 16:
        # Active Directory's objectGUID is 16 raw bytes, little-endian for the first fields.
        try:
            return str(uuid.UUID(bytes_le=raw))
        except ValueError:
            return raw.hex()
    return _text(raw).strip().lower()


def ldap_entry_to_user(
    dn: str, attrs: Mapping[str, Sequence[bytes | str]], attribute_map: Mapping[str, str]
) -> UserRecord:
    """Build a UserRecord from an LDAP entry using the source's attribute map."""
    amap = merged_attribute_map(attribute_map)
    status = _first(attrs, amap["status"]).lower() if amap["status"] else ""
    enabled = status not in DISABLED_VALUES
    locked = status in LOCKED_VALUES or bool(amap["locked"] and _first(attrs, amap["locked"]))
    uac = untrusted.natural(_first(attrs, "userAccountControl"))
    if uac is not None:
        enabled = enabled and not uac & UAC_ACCOUNTDISABLE
        locked = locked or bool(uac & UAC_LOCKOUT)
    username = _first(attrs, amap["username"]) or dn.split(",", 1)[0].split("=", 1)[-1]
    member_of = tuple(
        _text(v).lower()
        for key, values in attrs.items()
        if key.lower() == "memberof"
        for v in values
    )
    return UserRecord(
        external_id=_external_id(_raw_first(attrs, amap["external_id"]), dn),
        username=username,
        email=_first(attrs, amap["email"]).lower(),
        upn=_first(attrs, amap["upn"]).lower(),
        display_name=_first(attrs, amap["display_name"]) or _first(attrs, "displayName"),
        enabled=enabled,
        locked=locked,
        dn=dn,
        group_ids=member_of,
    )


def ldap_entry_to_group(
    dn: str,
    attrs: Mapping[str, Sequence[bytes | str]],
    attribute_map: Mapping[str, str],
    member_attribute: str,
) -> GroupRecord:
    """Build a GroupRecord; member_refs are member DNs (lowercased) to match against users."""
    amap = merged_attribute_map(attribute_map)
    members = tuple(
        _text(v).strip().lower()
        for key, values in attrs.items()
        if key.lower() == member_attribute.lower()
        for v in values
    )
    return GroupRecord(
        external_id=_external_id(_raw_first(attrs, amap["group_external_id"]), dn),
        name=_first(attrs, amap["group_name"]) or dn.split(",", 1)[0].split("=", 1)[-1],
        dn=dn,
        member_refs=members,
    )


def graph_user_to_record(obj: Mapping[str, object]) -> UserRecord:
    """Microsoft Graph user (id, userPrincipalName, mail, displayName, accountEnabled)."""
    upn = str(obj.get("userPrincipalName") or "").lower()
    return UserRecord(
        external_id=str(obj["id"]).lower(),
        username=upn or str(obj["id"]),
        email=str(obj.get("mail") or "").lower(),
        upn=upn,
        display_name=str(obj.get("displayName") or ""),
        enabled=obj.get("accountEnabled") is not False,
    )


def graph_group_to_record(obj: Mapping[str, object], member_ids: Iterable[str]) -> GroupRecord:
    return GroupRecord(
        external_id=str(obj["id"]).lower(),
        name=str(obj.get("displayName") or obj["id"]),
        member_refs=tuple(str(m).lower() for m in member_ids),
    )


@dataclass(frozen=True)
class ExistingUser:
    """What the database holds for a user of the source, for comparison."""

    external_id: str
    username: str
    email: str
    upn: str
    display_name: str
    enabled: bool


@dataclass
class SyncPlan:
    """Users to create, update and disable; nothing is written while planning."""

    create: list[UserRecord] = field(default_factory=list)
    update: list[UserRecord] = field(default_factory=list)
    unchanged: list[UserRecord] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)


def _differs(old: ExistingUser, new: UserRecord) -> bool:
    return (old.username, old.email, old.upn, old.display_name, old.enabled) != (
        new.username,
        new.email,
        new.upn,
        new.display_name,
        new.enabled,
    )


def plan_sync(
    *,
    existing: Mapping[str, ExistingUser],
    incoming: Iterable[UserRecord],
    add_new: bool,
    complete: bool,
) -> SyncPlan:
    """Compare the directory with the database.

    ``add_new``: users not yet known are created (an import) or skipped (a refresh of known users).
    ``complete``: ``incoming`` is everything the source has, so known users missing from it were
    deleted upstream and get disabled here (never deleted: devices still point at them).
    """
    plan = SyncPlan()
    seen: set[str] = set()
    for record in incoming:
        if record.external_id in seen:
            continue
        seen.add(record.external_id)
        old = existing.get(record.external_id)
        if old is None:
            if add_new:
                plan.create.append(record)
        elif _differs(old, record):
            plan.update.append(record)
        else:
            plan.unchanged.append(record)
    if complete:
        plan.disable = sorted(
            ext for ext, old in existing.items() if ext not in seen and old.enabled
        )
    return plan
