"""The few directory calls enrollment needs, in one place (sign-in, user lookup, domains, groups).

The directory app owns users and identity sources; this module only adapts its interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class SignInFailed(Exception):
    """Sign-in refused; `message` is shown to the user in the web sheet or portal."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Person:
    """What enrollment needs to know about a directory user."""

    id: int | None
    identifier: str
    managed_apple_id: str
    enabled: bool
    groups: tuple[str, ...]
    apple_enrollment_type: str  # "user", "device" or "" (no group setting)
    email: str = ""


def _group_names(user: Any) -> tuple[str, ...]:
    groups = getattr(user, "groups", None)
    if groups is None:
        return ()
    items = groups.all() if hasattr(groups, "all") else groups
    return tuple(str(getattr(g, "name", g)) for g in items)


def _enrollment_type_of(user: Any) -> str:
    try:
        from directory.services import enrollment_settings_for
    except ImportError:
        enrollment_settings_for = None
    if enrollment_settings_for is not None:
        settings = enrollment_settings_for(user)
        value = (
            settings.get("apple_enrollment_type")
            if isinstance(settings, dict)
            else getattr(settings, "apple_enrollment_type", "")
        )
        return str(value or "")
    # Fallback: the lowest-priority-number group with a setting wins.
    groups = getattr(user, "groups", None)
    if groups is None or not hasattr(groups, "all"):
        return ""
    for group in groups.all().order_by("priority", "name"):
        if getattr(group, "apple_enrollment_type", ""):
            return str(group.apple_enrollment_type)
    return ""


def person_of(user: Any, identifier: str) -> Person:
    return Person(
        id=getattr(user, "pk", None),
        identifier=identifier,
        managed_apple_id=str(getattr(user, "managed_apple_id", "") or ""),
        enabled=bool(getattr(user, "enabled", True)),
        groups=_group_names(user),
        apple_enrollment_type=_enrollment_type_of(user),
        email=str(getattr(user, "email", "") or ""),
    )


def authenticate(*, identifier: str, password: str, source: str = "") -> Person:
    """Check a password with the directory (local, LDAP or Entra ID ROPC); raises SignInFailed."""
    from directory import auth
    from directory.models import IdentitySource

    source_obj = None
    if source:
        source_obj = IdentitySource.objects.filter(name=source).first()
        if source_obj is None:
            raise SignInFailed("source", f"The identity source {source!r} is not configured.")
    try:
        user = auth.authenticate_password(
            identifier=identifier, password=password, source=source_obj
        )
    except auth.AuthenticationFailed as exc:
        code = str(getattr(exc, "code", "failed"))
        message = str(getattr(exc, "message", "") or exc)
        raise SignInFailed(code, message) from None
    return person_of(user, identifier)


def find_person(identifier: str) -> Person | None:
    """The directory user with this sign-in identifier or Managed Apple ID, if known."""
    from django.db.models import Q

    from directory.models import DirectoryUser

    user = (
        DirectoryUser.objects.filter(
            Q(managed_apple_id__iexact=identifier)
            | Q(email__iexact=identifier)
            | Q(upn__iexact=identifier)
            | Q(username__iexact=identifier)
        )
        .order_by("-enabled", "id")
        .first()
    )
    return person_of(user, identifier) if user is not None else None


def get_person(user_id: int) -> Person | None:
    from directory.models import DirectoryUser

    user = DirectoryUser.objects.filter(pk=user_id).first()
    return person_of(user, user.email or user.username) if user is not None else None


def organisation_domains() -> list[str]:
    """The organisation's enabled Managed Apple ID domains (lower case)."""
    from directory.models import ManagedAppleIdDomain

    return list(ManagedAppleIdDomain.objects.filter(enabled=True).values_list("domain", flat=True))


def all_domains() -> list[tuple[int, str, bool]]:
    from directory.models import ManagedAppleIdDomain

    return [(d.pk, d.domain, d.enabled) for d in ManagedAppleIdDomain.objects.all()]


def save_domains(domains: list[str]) -> None:
    """Make the enabled domain list exactly `domains` (others are disabled, never deleted)."""
    from directory.models import ManagedAppleIdDomain

    wanted = {d.strip().lower().rstrip(".") for d in domains if d.strip()}
    for row in ManagedAppleIdDomain.objects.all():
        enabled = row.domain in wanted
        if row.enabled != enabled:
            row.enabled = enabled
            row.save(update_fields=["enabled"])
        wanted.discard(row.domain)
    for domain in sorted(wanted):
        ManagedAppleIdDomain.objects.create(domain=domain, enabled=True)


def source_names() -> list[str]:
    from directory.models import IdentitySource

    return list(IdentitySource.objects.filter(enabled=True).values_list("name", flat=True))
