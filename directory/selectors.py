"""Reads of directory people, groups and domains made on every enrollment and sign-in.

Discovery, the sign-in page, the sign-in itself and each directory sign-in look people up by
what they typed (the functional indexes of migration 0003 answer each lookup).
"""

from __future__ import annotations

from django.db.models import Q

from directory.models import DirectoryGroup, DirectoryUser, IdentitySource, ManagedAppleIdDomain
from mdm_server.config_cache import CachedValue
from mdm_server.prepared import PreparedQuery

# Read by discovery and every sign-in; changed by administrators only (mdm_server.config_cache).
_ENABLED_DOMAINS = CachedValue(
    "directory.enabled_domains",
    lambda: list(
        ManagedAppleIdDomain.objects.filter(enabled=True)
        .order_by("domain")
        .values_list("domain", flat=True)
    ),
    models=[ManagedAppleIdDomain],
)
_SOURCES = CachedValue(
    "directory.identity_sources",
    lambda: {s.pk: s for s in IdentitySource.objects.all()},
    models=[IdentitySource],
)


# Discovery, the sign-in page and every sign-in look people up: compiled once (mdm_server.prepared),
# the same QuerySets as written here, rather than compiled by the ORM on every request.
_USER_BY_APPLE_ID = PreparedQuery(
    lambda identifier: DirectoryUser.objects.filter(managed_apple_id__iexact=identifier)[:1], str
)
_USER_BY_ANY_NAME = PreparedQuery(
    lambda identifier: DirectoryUser.objects.filter(
        Q(managed_apple_id__iexact=identifier)
        | Q(email__iexact=identifier)
        | Q(upn__iexact=identifier)
        | Q(username__iexact=identifier)
    ).order_by("-enabled", "id")[:1],
    str,
)
_USER_BY_EXTERNAL_ID = PreparedQuery(
    lambda source_id, external_id: DirectoryUser.objects.filter(
        source_id=source_id, external_id=external_id
    )[:1],
    int,
    str,
)
_USER_BY_EXTERNAL_ID_FOR_UPDATE = _USER_BY_EXTERNAL_ID.for_update()
_GROUPS_OF = PreparedQuery(lambda user_id: DirectoryGroup.objects.filter(members=user_id), int)


def enabled_domains() -> list[str]:
    """The organisation's enabled Managed Apple ID domains (lower case)."""
    return _ENABLED_DOMAINS.get()


def source_by_id(pk: int) -> IdentitySource | None:
    return _SOURCES.get().get(pk)


def source_by_name(name: str) -> IdentitySource | None:
    return next((s for s in _SOURCES.get().values() if s.name == name), None)


def enabled_sources() -> list[IdentitySource]:
    """The enabled identity sources, oldest first."""
    return sorted((s for s in _SOURCES.get().values() if s.enabled), key=lambda s: s.pk)


def has_enabled_source(kind: str) -> bool:
    """Whether any enabled identity source is of this kind (IdentitySource.Kind)."""
    return any(s.kind == kind for s in enabled_sources())


def user_by_apple_id(identifier: str) -> DirectoryUser | None:
    """The user holding this Managed Apple ID (any case), with its source loaded."""
    user: DirectoryUser | None = _USER_BY_APPLE_ID.first(identifier.strip())
    if user is not None:
        source = source_by_id(user.source_id)
        # Not among the kept sources (changed outside Django?): read it directly.
        user.source = (
            source if source is not None else IdentitySource.objects.get(pk=user.source_id)
        )
    return user


def user_by_any_name(identifier: str) -> DirectoryUser | None:
    """The user whose Managed Apple ID, e-mail, UPN or username is `identifier` (any case); an
    enabled account wins over a disabled one."""
    user: DirectoryUser | None = _USER_BY_ANY_NAME.first(identifier)
    return user


def user_by_external_id(
    source: IdentitySource, external_id: str, *, for_update: bool = False
) -> DirectoryUser | None:
    """The user a directory record (objectGUID, entryUUID, ...) maps to in this source."""
    query = _USER_BY_EXTERNAL_ID_FOR_UPDATE if for_update else _USER_BY_EXTERNAL_ID
    user: DirectoryUser | None = query.first(source.pk, external_id)
    return user


def groups_of(user: DirectoryUser) -> list[DirectoryGroup]:
    if user.pk is None:  # not saved: in no group (a prepared value cannot be None)
        return []
    groups: list[DirectoryGroup] = _GROUPS_OF.all(user.pk)
    return groups
