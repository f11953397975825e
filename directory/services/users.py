"""Users, groups, Managed Apple ID domains and mapping, enrollment settings per group."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from directory import mapping, selectors
from directory.models import (
    DirectoryGroup,
    DirectoryUser,
    IdentitySource,
    ManagedAppleIdDomain,
)
from directory.services.common import (
    Actor,
    DirectoryError,
)
from directory.services.sources import (
    local_source,
)
from mdm_server import audit

# --- users and groups --------------------------------------------------------------------------


def managed_apple_id_domains() -> list[str]:
    """The organisation's enabled Managed Apple ID domains (lowercase)."""
    return selectors.enabled_domains()


@transaction.atomic
def add_managed_apple_id_domain(*, domain: str, actor: Actor) -> ManagedAppleIdDomain:
    try:
        value = mapping.normalise_domain(domain)
    except ValueError as exc:
        raise DirectoryError(str(exc)) from None
    if ManagedAppleIdDomain.objects.filter(domain=value).exists():
        raise DirectoryError(f"{value} is already in the list.")
    row = ManagedAppleIdDomain.objects.create(domain=value)
    audit.record(actor=actor, action="directory.apple_id_domain_added", target=row)
    return row


@transaction.atomic
def remove_managed_apple_id_domain(*, domain: ManagedAppleIdDomain, actor: Actor) -> None:
    audit.record(actor=actor, action="directory.apple_id_domain_removed", target=domain)
    domain.delete()


def _apply_apple_ids(users: list[DirectoryUser], source: IdentitySource) -> dict[int, str]:
    """Compute and store Managed Apple IDs for these users of one source; returns problems."""
    if not users:
        return {}
    keys = {str(u.pk): u for u in users}
    candidates = {
        key: mapping.candidate_apple_id(
            mapping=source.apple_id_mapping,
            pattern=source.apple_id_pattern,
            email=u.email,
            upn=u.upn,
            username=u.username,
        )
        for key, u in keys.items()
    }
    wanted = {c for c in candidates.values() if c}
    held = DirectoryUser.objects.filter(managed_apple_id__in=wanted).exclude(
        pk__in=[u.pk for u in users]
    )
    result = mapping.assign(
        candidates=candidates,
        current={k: u.managed_apple_id for k, u in keys.items()},
        held_elsewhere=[a for a in held.values_list("managed_apple_id", flat=True) if a],
        domains=managed_apple_id_domains(),
    )
    # Release first, then assign: an ID may move from one user to another in the same batch.
    changing = [u for k, u in keys.items() if u.managed_apple_id != result.assigned.get(k)]
    for user in changing:
        if user.managed_apple_id is not None:
            user.managed_apple_id = None
            user.save(update_fields=["managed_apple_id"])
    problems: dict[int, str] = {}
    for key, user in keys.items():
        user.managed_apple_id = result.assigned.get(key)
        user.managed_apple_id_problem = result.problems.get(key, "")[:300]
        user.save(update_fields=["managed_apple_id", "managed_apple_id_problem"])
        if key in result.problems:
            problems[user.pk] = result.problems[key]
    return problems


def _check_local_username(username: str, email: str, exclude: int | None = None) -> None:
    source = local_source()
    clash = source.users.filter(Q(username__iexact=username) | Q(email__iexact=email or "-"))
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise DirectoryError("A local user with this username or email already exists.")


@transaction.atomic
def create_local_user(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    groups: Iterable[DirectoryGroup] = (),
    actor: Actor,
) -> DirectoryUser:
    """Add a local user (signs in with the password given here)."""
    username = username.strip()
    email = email.strip().lower()
    if not username or "@" in username or any(c.isspace() for c in username):
        raise DirectoryError(
            "A username is required; no spaces or @ (sign-in by email also works)."
        )
    if len(password) < 8:
        raise DirectoryError("The password needs at least 8 characters.")
    _check_local_username(username, email)
    source = local_source()
    user = DirectoryUser.objects.create(
        source=source,
        external_id=f"local:{secrets.token_hex(8)}",
        username=username,
        email=email,
        upn="",
        display_name=display_name.strip(),
        password=make_password(password),
    )
    user.groups.set(list(groups))
    _apply_apple_ids([user], source)
    audit.record(actor=actor, action="directory.user_created", target=user)
    return user


@transaction.atomic
def update_user(*, user: DirectoryUser, data: Mapping[str, Any], actor: Actor) -> DirectoryUser:
    """Change a user: ``enabled`` and ``groups`` for all users; names, email and password for
    local users only (directory users are changed in the directory)."""
    local = user.source.kind == IdentitySource.Kind.LOCAL
    changed: list[str] = []
    for key in ("username", "email", "display_name"):
        if key in data and data[key] != getattr(user, key):
            if not local:
                raise DirectoryError(f"{key} comes from {user.source.name}; change it there.")
            setattr(user, key, str(data[key]).strip())
            changed.append(key)
    if "email" in changed or "username" in changed:
        user.email = user.email.lower()
        _check_local_username(user.username, user.email, exclude=user.pk)
    if data.get("password"):
        if not local:
            raise DirectoryError("Passwords of directory users are changed in the directory.")
        if len(str(data["password"])) < 8:
            raise DirectoryError("The password needs at least 8 characters.")
        user.password = make_password(str(data["password"]))
        changed.append("password")
    if "enabled" in data and bool(data["enabled"]) != user.enabled:
        user.enabled = bool(data["enabled"])
        user.disabled_at = None if user.enabled else timezone.now()
        changed.append("enabled")
    user.save()
    if "groups" in data:
        static = [g for g in data["groups"] if g.kind == DirectoryGroup.Kind.STATIC]
        synced = list(user.groups.filter(kind=DirectoryGroup.Kind.SYNCED))
        user.groups.set(static + synced)  # synced memberships belong to the directory
        changed.append("groups")
    if "email" in changed or "username" in changed:
        _apply_apple_ids([user], user.source)
    if changed:
        audit.record(
            actor=actor, action="directory.user_updated", target=user, details={"fields": changed}
        )
    return user


@transaction.atomic
def recompute_managed_apple_id(*, user: DirectoryUser, actor: Actor) -> str:
    """Run the mapping again for one user (after a domain was added, a duplicate resolved...)."""
    problems = _apply_apple_ids([user], user.source)
    audit.record(actor=actor, action="directory.apple_id_recomputed", target=user)
    return problems.get(user.pk, "")


@transaction.atomic
def save_group(
    *,
    group: DirectoryGroup | None,
    name: str,
    apple_enrollment_type: str,
    default_ownership: str,
    priority: int,
    actor: Actor,
) -> DirectoryGroup:
    """Create a static group or change a group's enrollment settings (synced groups keep names)."""
    creating = group is None
    group = group or DirectoryGroup(kind=DirectoryGroup.Kind.STATIC)
    if group.kind == DirectoryGroup.Kind.STATIC:
        name = name.strip()
        if not name:
            raise DirectoryError("A group name is required.")
        clash = DirectoryGroup.objects.filter(kind="static", name__iexact=name).exclude(pk=group.pk)
        if clash.exists():
            raise DirectoryError(f"A group named {name} already exists.")
        group.name = name
    if apple_enrollment_type not in DirectoryGroup.EnrollmentType.values:
        raise DirectoryError("Apple Enrollment Type must be user, device or empty.")
    if default_ownership not in DirectoryGroup.Ownership.values:
        raise DirectoryError("Default ownership must be personal or corporate.")
    group.apple_enrollment_type = apple_enrollment_type
    group.default_ownership = default_ownership
    group.priority = priority
    group.save()
    audit.record(
        actor=actor,
        action="directory.group_created" if creating else "directory.group_updated",
        target=group,
        details={"apple_enrollment_type": apple_enrollment_type, "ownership": default_ownership},
    )
    return group


@transaction.atomic
def delete_group(*, group: DirectoryGroup, actor: Actor) -> None:
    audit.record(actor=actor, action="directory.group_deleted", target=group)
    group.delete()


@transaction.atomic
def set_group_members(
    *, group: DirectoryGroup, users: Iterable[DirectoryUser], actor: Actor
) -> None:
    if group.kind != DirectoryGroup.Kind.STATIC:
        raise DirectoryError("Members of a synced group come from the directory.")
    group.members.set(list(users))
    audit.record(actor=actor, action="directory.group_members_set", target=group)


@dataclass(frozen=True)
class EnrollmentSettings:
    """What enrollment should do for a user: Apple Enrollment Type and default ownership."""

    apple_enrollment_type: str  # "user" | "device"
    default_ownership: str  # "personal" | "corporate"
    group: str | None  # the group whose setting applied, None for the default


DEFAULT_SETTINGS = EnrollmentSettings("user", "personal", None)


def enrollment_settings_for(
    user: DirectoryUser, groups: Iterable[DirectoryGroup] | None = None
) -> EnrollmentSettings:
    """The settings of the user's group with the lowest priority number; BYOD User Enrollment if
    no group has a setting. `groups` are the user's groups when the caller has read them."""
    if groups is None:
        group = (
            user.groups.exclude(apple_enrollment_type="").order_by("priority", "name", "pk").first()
        )
    else:
        group = min(
            (g for g in groups if g.apple_enrollment_type),
            key=lambda g: (g.priority, g.name, g.pk),
            default=None,
        )
    if group is None:
        return DEFAULT_SETTINGS
    return EnrollmentSettings(group.apple_enrollment_type, group.default_ownership, group.name)
