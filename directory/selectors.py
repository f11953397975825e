"""Reads of directory people, groups and domains made on every enrollment and sign-in.

Discovery, the sign-in page, the sign-in itself and each directory sign-in look people up by
what they typed (the functional indexes of migration 0003 answer each lookup). The lookups every
discovery and password sign-in make are compiled once per thread (`mdm_server.prepared`; why at
`_USER_BY_APPLE_ID` and `_PERSON_WITH_GROUPS`); the rest is plain ORM.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q
from django.db.models.signals import post_delete, post_save

from directory.models import DirectoryGroup, DirectoryUser, IdentitySource, ManagedAppleIdDomain
from mdm_server import config_cache
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
# The kinds of the enabled sources: what every enrollment sign-in asks (is there an Entra ID
# source to send the person to?), without copying every source's row (a CachedValue hands out
# an unpickled copy of what it keeps).
_ENABLED_KINDS = CachedValue(
    "directory.enabled_source_kinds",
    lambda: sorted(set(IdentitySource.objects.filter(enabled=True).values_list("kind", flat=True))),
    models=[IdentitySource],
)


# Whether any group carries an Apple Enrollment Type. Without one, a person's groups decide
# nothing at service discovery (only a configuration restricted to groups still needs them), so
# discovery need not look the person up (enrollment.services.discover). Not watched like the
# values above: a directory sync saves every synced group on every run, and would replace the
# configuration generation each time. What has to be seen at once is a group getting a type
# (False becoming True): every such save (the console, the API, the admin site, a sync of a
# group an administrator typed) and every deletion of a typed group replaces the generation
# (`_typed_group_changed`). A type removed or a plain group deleted leaves True kept a while
# (at most config_cache.MAX_AGE), which only costs discovery its lookup.
_TYPED_GROUPS = CachedValue(
    "directory.typed_groups",
    lambda: DirectoryGroup.objects.exclude(apple_enrollment_type="").exists(),
    models=(),
)


def any_group_sets_enrollment_type() -> bool:
    """Whether some group has an Apple Enrollment Type (False is never stale: see above)."""
    return _TYPED_GROUPS.get()


def _typed_group_changed(sender: type[Model], instance: DirectoryGroup, **kwargs: Any) -> None:
    if instance.apple_enrollment_type:
        config_cache.changed()


post_save.connect(
    _typed_group_changed, sender=DirectoryGroup, dispatch_uid="directory:typed-group:save"
)
post_delete.connect(
    _typed_group_changed, sender=DirectoryGroup, dispatch_uid="directory:typed-group:delete"
)


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
    return kind in _ENABLED_KINDS.get()


def user_by_apple_id(identifier: str) -> DirectoryUser | None:
    """The user holding this Managed Apple ID (any case), with its source loaded. Callers map
    the ID to a login and a source: the other fields load on first use."""
    user = _USER_BY_APPLE_ID.first(identifier.strip())
    if user is not None:
        _load_source(user)
    return user


def user_and_groups_by_apple_id(
    identifier: str,
) -> tuple[DirectoryUser, list[DirectoryGroup]] | None:
    """`user_by_apple_id`, with the user's groups (as `groups_of` gives them), in one statement:
    a password sign-in by Managed Apple ID (what people type on the device) needs both, and
    reading the groups apart was a statement of its own after the password check. The user has
    its e-mail address and whether enabled read too (`_SIGN_IN_FIELDS`)."""
    rows = _USER_AND_GROUPS_BY_APPLE_ID.all(identifier.strip())
    if not rows:
        return None
    width = len(_SIGN_IN_FIELDS)
    first = rows[0][:width]  # the first user in `first()`'s order: its rows come first
    db = DirectoryUser.objects.db
    user = DirectoryUser.from_db(db, list(_SIGN_IN_FIELDS), first)
    _load_source(user)
    groups = [
        DirectoryGroup.from_db(db, list(_GROUP_FIELDS), row[width:])
        for row in rows
        if row[:width] == first and row[width] is not None
    ]
    return user, _in_order(groups)


def _load_source(user: DirectoryUser) -> None:
    source = source_by_id(user.source_id)
    # Not among the kept sources (changed outside Django?): read it directly.
    user.source = source if source is not None else IdentitySource.objects.get(pk=user.source_id)


def _any_name(identifier: str) -> Q:
    return (
        Q(managed_apple_id__iexact=identifier)
        | Q(email__iexact=identifier)
        | Q(upn__iexact=identifier)
        | Q(username__iexact=identifier)
    )


def _fields(model: type[Model], names: set[str]) -> tuple[str, ...]:
    """`names` in the model's field order, the order Model.from_db takes values in."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


# What enrollment reads of a person found by name (discovery, every sign-in page) and of each
# of their groups: the rest of a row loads on first use (Model.from_db defers it).
_PERSON_FIELDS = _fields(DirectoryUser, {"id", "managed_apple_id", "enabled", "email"})
_GROUP_FIELDS = _fields(
    DirectoryGroup, {"id", "name", "apple_enrollment_type", "default_ownership", "priority"}
)

# The password sign-in's own lookups (the Managed Apple ID typed, the directory record's user,
# locked while it is refreshed, and their groups), compiled once per thread
# (mdm_server.prepared): through the ORM, compiling them was most of a sign-in's CPU beside the
# password check itself (see README, "Prepared statements on the sign-in and profile requests").
_APPLE_ID_FIELDS = _fields(DirectoryUser, {"id", "source_id", "username", "managed_apple_id"})
# With the groups, what enrollment makes its person of too (enrollment.directory_access.person_of:
# whether enabled, the e-mail address), so that a sign-in can write its session without reading
# the person again.
_SIGN_IN_FIELDS = _fields(DirectoryUser, {*_APPLE_ID_FIELDS, "email", "enabled"})
_USER_BY_APPLE_ID = PreparedQuery(
    # In the model's order (username), as `first()` reads it.
    lambda value: DirectoryUser.objects.filter(managed_apple_id__iexact=value).only(
        *_APPLE_ID_FIELDS
    )[:1],
    str,
)
# The same user (the model's order, then the key: each user's rows together), a row per group
# (the LEFT JOIN gives one row without a group).
_USER_AND_GROUPS_BY_APPLE_ID = PreparedQuery(
    lambda value: (
        DirectoryUser.objects.filter(managed_apple_id__iexact=value)
        .order_by("username", "id")
        .values_list(*_SIGN_IN_FIELDS, *(f"groups__{f}" for f in _GROUP_FIELDS))
    ),
    str,
)
# At most one row (a unique constraint).
_USER_BY_EXTERNAL_ID = PreparedQuery(
    lambda source, value: DirectoryUser.objects.filter(
        source_id=source, external_id=value
    ).order_by()[:1],
    int,
    str,
)
_USER_BY_EXTERNAL_ID_FOR_UPDATE = _USER_BY_EXTERNAL_ID.for_update()
_GROUPS_OF = PreparedQuery(
    lambda user: DirectoryGroup.objects.filter(members=user).order_by().only(*_GROUP_FIELDS), int
)


# Service discovery asks this of every enrollment, before anyone has signed in. Built and
# compiled by the ORM on each request, this one statement (four case-insensitive matches, the
# groups' join, the order) took 1.15-1.4 ms of CPU, most of a discovery request and several times
# what PostgreSQL spends answering it; compiled once per thread, 0.23-0.3 ms (7 December, in a
# timing loop). On SQLite, whose `iexact` rewrites the value, it runs through the ORM each time
# (mdm_server.prepared), with the same results.
_PERSON_WITH_GROUPS = PreparedQuery(
    lambda name: (
        DirectoryUser.objects.filter(_any_name(name))
        .order_by("-enabled", "id")
        .values_list(*_PERSON_FIELDS, *(f"groups__{f}" for f in _GROUP_FIELDS))
    ),
    str,
)


def user_and_groups_by_any_name(
    identifier: str,
) -> tuple[DirectoryUser, list[DirectoryGroup]] | None:
    """The user whose Managed Apple ID, e-mail, UPN or username is `identifier` (any case; an
    enabled account wins over a disabled one), with their groups, in one statement (the LEFT
    JOIN gives a row per group, or one row without a group)."""
    rows = _PERSON_WITH_GROUPS.all(identifier)
    if not rows:
        return None
    width = len(_PERSON_FIELDS)
    first = rows[0][:width]  # the winner: its rows come first, as `first()` would pick it
    db = DirectoryUser.objects.db
    user = DirectoryUser.from_db(db, list(_PERSON_FIELDS), first)
    groups = [
        DirectoryGroup.from_db(db, list(_GROUP_FIELDS), row[width:])
        for row in rows
        if row[:width] == first and row[width] is not None
    ]
    return user, _in_order(groups)


def user_by_external_id(
    source: IdentitySource, external_id: str, *, for_update: bool = False
) -> DirectoryUser | None:
    """The user a directory record (objectGUID, entryUUID, ...) maps to in this source."""
    query = _USER_BY_EXTERNAL_ID_FOR_UPDATE if for_update else _USER_BY_EXTERNAL_ID
    user: DirectoryUser | None = query.first(source.pk, external_id)
    return user


def _in_order(groups: list[DirectoryGroup]) -> list[DirectoryGroup]:
    """By priority, then name (DirectoryGroup.Meta.ordering), sorted here rather than by the
    statement: the ORDER BY of the join costs more to compile than a user's few groups to sort."""
    return sorted(groups, key=lambda g: (g.priority, g.name, g.pk))


def groups_of(user: DirectoryUser) -> list[DirectoryGroup]:
    """The user's groups, with what enrollment reads of them (the rest loads on first use)."""
    groups: list[DirectoryGroup] = _GROUPS_OF.all(user.pk)
    return _in_order(groups)
