"""Managed Apple ID mapping: email, userPrincipalName or a pattern, domain checks, duplicates, masking.

Pure: no Django imports. The rules follow Apple Business Manager's (a Managed Apple ID lives in one of
the organisation's verified domains) and the usual MDM rule that a duplicate is never assigned.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAPPINGS = ("email", "upn", "pattern")
PLACEHOLDERS = ("local", "domain", "username")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_LOCAL_RE = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class PatternError(ValueError):
    """A Managed Apple ID pattern is not usable; the message says why."""


def normalise_domain(domain: str) -> str:
    """Lowercase, strip spaces and a trailing dot; raise ValueError if it is not a DNS name."""
    value = domain.strip().lower().rstrip(".")
    if not _DOMAIN_RE.match(value):
        raise ValueError(
            f"{domain!r} is not a valid domain name (for example appleid.example.com)."
        )
    return value


def is_valid_address(value: str) -> bool:
    """True for a plain local@domain address (ASCII, lowercase as we store them)."""
    if value.count("@") != 1:
        return False
    local, domain = value.split("@")
    return bool(_LOCAL_RE.match(local)) and bool(_DOMAIN_RE.match(domain)) and len(value) <= 254


def validate_pattern(pattern: str) -> None:
    """Check a pattern such as ``{local}@appleid.{domain}``; raise PatternError with the reason."""
    value = pattern.strip()
    if not value:
        raise PatternError("The pattern is empty.")
    if value.count("{") != value.count("}") or re.search(r"\{[^}]*\{|\}[^{]*\}", value):
        raise PatternError("The pattern has unbalanced braces.")
    names = _PLACEHOLDER_RE.findall(value)
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise PatternError(f"Unknown placeholder {{{unknown[0]}}}; use {allowed}.")
    if value.count("@") != 1:
        raise PatternError("The pattern must contain exactly one @.")
    local, domain = value.split("@")
    if not _PLACEHOLDER_RE.search(local):
        # Without a placeholder every user would get the same address: all duplicates.
        raise PatternError("The part before @ needs a placeholder such as {local} or {username}.")
    if "{username}" in domain or "{local}" in domain:
        raise PatternError("Only {domain} may be used after the @.")
    if not domain.lower().startswith("appleid."):
        # Apple recommends a dedicated subdomain so Managed Apple IDs never collide with
        # personal Apple IDs people created with their work address.
        raise PatternError(
            "The part after @ must start with the appleid subdomain, e.g. appleid.{domain}."
        )
    sample = domain.replace("{domain}", "example.com").lower()
    if not _DOMAIN_RE.match(sample):
        raise PatternError("The part after @ is not a valid domain name.")


def _split(address: str) -> tuple[str, str] | None:
    address = address.strip().lower()
    if address.count("@") != 1:
        return None
    local, domain = address.split("@")
    return (local, domain) if local and domain else None


def render_pattern(pattern: str, *, email: str, upn: str, username: str) -> str | None:
    """Fill a (validated) pattern from the user's email, else UPN; None when data is missing."""
    parts = _split(email) or _split(upn)
    values = {
        "local": parts[0] if parts else "",
        "domain": parts[1] if parts else "",
        "username": username.strip().lower(),
    }
    needed = set(_PLACEHOLDER_RE.findall(pattern))
    if any(not values[name] for name in needed):
        return None
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], pattern.strip()).lower()


def candidate_apple_id(
    *, mapping: str, pattern: str, email: str, upn: str, username: str
) -> str | None:
    """The Managed Apple ID a user would get under a source's mapping, before uniqueness checks."""
    if mapping == "email":
        value = email.strip().lower()
    elif mapping == "upn":
        value = upn.strip().lower()
    elif mapping == "pattern":
        value = render_pattern(pattern, email=email, upn=upn, username=username) or ""
    else:
        raise ValueError(f"unknown Managed Apple ID mapping {mapping!r}")
    return value or None


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def mask(address: str | None) -> str:
    """GDPR masking for lists: keep the first character and the domain (``j***@appleid.example.com``)."""
    if not address:
        return ""
    if "@" not in address:
        return address[:1] + "***"
    local, domain = address.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


@dataclass
class AssignmentResult:
    """Outcome of one assignment round: the ID per user key (None = none) and problems to report."""

    assigned: dict[str, str | None] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def assign(
    *,
    candidates: Mapping[str, str | None],
    current: Mapping[str, str | None],
    held_elsewhere: Iterable[str],
    domains: Iterable[str],
) -> AssignmentResult:
    """Decide Managed Apple IDs for a batch of users (keys are stable user ids).

    ``candidates``: key -> computed ID; ``current``: key -> ID the user holds now; ``held_elsewhere``:
    IDs held by users outside the batch. A duplicate is never assigned: an ID already held outside
    the batch goes to nobody in it; within the batch the current holder keeps it, and if nobody
    holds it yet but several users claim it, none gets it (which one is "right" is a human call).
    """
    allowed = {d.lower() for d in domains}
    taken = {a.lower() for a in held_elsewhere}
    result = AssignmentResult()
    claimants: dict[str, list[str]] = defaultdict(list)
    for key, value in candidates.items():
        if value is None:
            result.assigned[key] = None
            result.problems[key] = "no email or UPN to build a Managed Apple ID from"
        elif not is_valid_address(value):
            result.assigned[key] = None
            result.problems[key] = f"{value} is not a valid address"
        elif domain_of(value) not in allowed:
            result.assigned[key] = None
            result.problems[key] = (
                f"{domain_of(value)} is not one of the organisation's Managed Apple ID domains"
            )
        else:
            claimants[value].append(key)
    for value, keys in claimants.items():
        if value in taken:
            for key in keys:
                result.assigned[key] = None
                result.problems[key] = f"duplicate: {value} is already used by another account"
            continue
        holders = [k for k in keys if (current.get(k) or "").lower() == value]
        winner = keys[0] if len(keys) == 1 else (holders[0] if holders else None)
        for key in keys:
            if key == winner:
                result.assigned[key] = value
            else:
                result.assigned[key] = None
                others = sorted(k for k in keys if k != key)
                result.problems[key] = (
                    f"duplicate: {value} would also be assigned to {len(others)} other account(s)"
                    if winner is None
                    else f"duplicate: {value} is already used by another account"
                )
    return result
