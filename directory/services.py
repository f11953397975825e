"""Directory write path: sources, users, groups, Managed Apple IDs, invitations, imports and syncs.

Imports are all-or-nothing per run: records are collected from the directory first (progress is
written to the ImportRun as pages arrive), then applied in one transaction.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from directory import entra, ldap_client, mapping, sync
from directory.ldap_client import Connection, LdapConfig, LdapError
from directory.models import (
    DirectoryGroup,
    DirectoryUser,
    IdentitySource,
    ImportRun,
    Invitation,
    ManagedAppleIdDomain,
)
from mdm_server import audit

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
INVITATION_LIFETIME = timedelta(days=7)
LOCAL_SOURCE_NAME = "Local users"
MAX_SELECTION = 200
MAX_IMPORT_USERS = 200_000


class DirectoryError(Exception):
    """A directory action cannot be done; the message is safe to show to an administrator."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class InvitationError(DirectoryError):
    """An invitation token is unknown, expired or already used."""


# --- sources -----------------------------------------------------------------------------------


def local_source() -> IdentitySource:
    """The one source for locally created users (created on first use)."""
    source, _ = IdentitySource.objects.get_or_create(
        kind=IdentitySource.Kind.LOCAL, defaults={"name": LOCAL_SOURCE_NAME}
    )
    return source


def source_problems(source: IdentitySource) -> dict[str, str]:
    """Field -> message for an unusable configuration (shared by the console form and the API)."""
    errors: dict[str, str] = {}
    if source.apple_id_mapping == IdentitySource.AppleIdMapping.PATTERN:
        try:
            mapping.validate_pattern(source.apple_id_pattern)
        except mapping.PatternError as exc:
            errors["apple_id_pattern"] = str(exc)
    domains = []
    for value in source.sign_in_domains or []:
        try:
            domains.append(mapping.normalise_domain(str(value)))
        except ValueError as exc:
            errors["sign_in_domains"] = str(exc)
    source.sign_in_domains = domains
    # One domain, one source: otherwise which directory checks a password would be a guess.
    others = IdentitySource.objects.exclude(pk=source.pk).exclude(kind=IdentitySource.Kind.LOCAL)
    for other in others.only("name", "sign_in_domains"):
        shared = sorted(set(domains) & {str(d).lower() for d in other.sign_in_domains or []})
        if shared:
            errors["sign_in_domains"] = f"{shared[0]} is already served by {other.name}."
    if source.kind == IdentitySource.Kind.LDAP:
        if not source.ldap_url.startswith(("ldap://", "ldaps://")):
            errors["ldap_url"] = "Enter an ldap:// or ldaps:// URL."
        elif source.ldap_security == "ldaps" and not source.ldap_url.startswith("ldaps://"):
            errors["ldap_url"] = "LDAPS needs an ldaps:// URL."
        if not source.user_base_dn.strip():
            errors["user_base_dn"] = "The user search base is required."
        for name in ("user_filter", "group_filter"):
            try:
                sync.validate_ldap_filter(getattr(source, name))
            except sync.FilterError as exc:
                errors[name] = str(exc)
        unknown = sorted(set(source.attribute_map or {}) - set(sync.ATTRIBUTE_KEYS))
        if unknown:
            errors["attribute_map"] = (
                f"Unknown key {unknown[0]!r}; allowed: {', '.join(sync.ATTRIBUTE_KEYS)}."
            )
        if source.ldap_ca_pem.strip() and "BEGIN CERTIFICATE" not in source.ldap_ca_pem:
            errors["ldap_ca_pem"] = "Paste a PEM certificate (-----BEGIN CERTIFICATE-----)."
    if source.kind == IdentitySource.Kind.ENTRA:
        import uuid

        try:
            uuid.UUID(source.tenant_id)
        except ValueError:
            errors["tenant_id"] = "Enter the directory (tenant) ID, a GUID."
        if not source.client_id.strip():
            errors["client_id"] = "The application (client) ID is required."
        for name in ("authority_host", "graph_url"):
            try:
                entra.validate_https_url(getattr(source, name), name.replace("_", " "))
            except entra.EntraError as exc:
                errors[name] = exc.message
        if source.client_certificate_pem.strip():
            problem = _certificate_problem(source.client_certificate_pem, source.client_key)
            if problem:
                errors["client_certificate_pem"] = problem
        if not source.has_client_secret and not (
            source.client_certificate_pem and source.client_key_encrypted
        ):
            errors["client_secret"] = "Enter a client secret or a certificate with its key."  # noqa: S105
        if source.authority_ca_pem.strip() and "BEGIN CERTIFICATE" not in source.authority_ca_pem:
            errors["authority_ca_pem"] = "Paste a PEM certificate (-----BEGIN CERTIFICATE-----)."
    return errors


def _certificate_problem(cert_pem: str, key_pem: str) -> str:
    """Why an Entra client certificate and key cannot be used, or "" when they can."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
    except ValueError:
        return "The client certificate is not a PEM certificate."
    if not key_pem:
        return "The client certificate needs its private key."
    try:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    except (ValueError, TypeError):
        return "The private key is not an unencrypted PEM key."
    if key.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
        return "The private key does not belong to the client certificate."
    return ""


SECRET_FIELDS = ("bind_password", "client_secret", "client_key")
EDITABLE_SOURCE_FIELDS = frozenset(
    {
        "name", "enabled", "sign_in_domains", "allowed_groups", "apple_id_mapping",
        "apple_id_pattern", "auto_invite", "sync_enabled", "sync_adds_new_users", "timeout",
        "console_sign_in",
        "ldap_url", "ldap_security", "ldap_ca_pem", "bind_dn", "user_base_dn", "user_filter",
        "group_base_dn", "group_filter", "group_member_attribute", "attribute_map",
        "tenant_id", "client_id", "client_certificate_pem", "authority_host", "graph_url",
        "authority_ca_pem",
    }
)  # fmt: skip
STALE_RUN_AFTER = timedelta(hours=2)


@transaction.atomic
def save_source(
    *, source: IdentitySource | None, data: Mapping[str, Any], actor: Actor
) -> IdentitySource:
    """Create or update a source. Secrets given as "" keep the stored value; they are encrypted."""
    creating = source is None
    source = source or IdentitySource()
    for key, value in data.items():
        if key in SECRET_FIELDS:
            if value:
                getattr(source, f"set_{key}")(str(value))
        elif key in EDITABLE_SOURCE_FIELDS:
            setattr(source, key, value)
        elif key == "kind" and (creating or value == source.kind):
            source.kind = value
        else:
            raise DirectoryError(f"{key} cannot be changed.")
    if source.kind == IdentitySource.Kind.LOCAL and creating and local_source_exists():
        raise DirectoryError("There is already a local users source.")
    errors = source_problems(source)
    if errors:
        raise SourceInvalid(errors)
    source.save()
    audit.record(
        actor=actor,
        action="directory.source_created" if creating else "directory.source_updated",
        target=source,
        details={"kind": source.kind, "fields": sorted(k for k in data if k not in SECRET_FIELDS)},
    )
    return source


class SourceInvalid(DirectoryError):
    """Field errors for a source configuration."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def local_source_exists() -> bool:
    return IdentitySource.objects.filter(kind=IdentitySource.Kind.LOCAL).exists()


@transaction.atomic
def delete_source(*, source: IdentitySource, actor: Actor) -> None:
    """Delete a source that has no users; a source with users is disabled instead by the admin."""
    if source.users.exists():
        raise DirectoryError(
            f"{source.name} still has {source.users.count()} user(s); disable the source instead."
        )
    audit.record(actor=actor, action="directory.source_deleted", target=source)
    source.delete()


def ldap_config(source: IdentitySource) -> LdapConfig:
    return LdapConfig(
        url=source.ldap_url,
        bind_dn=source.bind_dn,
        bind_password=source.bind_password,
        security=source.ldap_security,
        ca_pem=source.ldap_ca_pem,
        user_base_dn=source.user_base_dn,
        user_filter=source.user_filter,
        group_base_dn=source.group_base_dn,
        group_filter=source.group_filter,
        group_member_attribute=source.group_member_attribute,
        attribute_map=dict(source.attribute_map or {}),
        timeout=source.timeout,
        page_size=ldap_client.PAGE_SIZE,
    )


def entra_config(source: IdentitySource) -> entra.EntraConfig:
    return entra.EntraConfig(
        tenant_id=source.tenant_id,
        client_id=source.client_id,
        client_secret=source.client_secret,
        client_certificate_pem=source.client_certificate_pem,
        client_key_pem=source.client_key,
        authority_host=source.authority_host,
        graph_url=source.graph_url,
        ca_pem=source.authority_ca_pem,
        timeout=source.timeout,
    )


def test_source(*, source: IdentitySource) -> str:
    """Try the connection and credentials; returns a short success message or raises."""
    try:
        if source.kind == IdentitySource.Kind.LDAP:
            with Connection(ldap_config(source)) as conn:
                conn.service_bind()
                count = len(
                    list(conn.search(source.user_base_dn, source.user_filter, ["1.1"], limit=50))
                )
            return f"Connected; {count}{'+' if count >= 50 else ''} user(s) match the user filter."
        if source.kind == IdentitySource.Kind.ENTRA:
            client = entra.GraphClient(entra_config(source))
            client.get_all("organization", {"$select": "id"})
            return "Connected to Microsoft Graph."
    except (LdapError, entra.EntraError) as exc:
        raise DirectoryError(exc.message, code=exc.code) from None
    return "Local users need no connection."


# --- users and groups --------------------------------------------------------------------------


def managed_apple_id_domains() -> list[str]:
    """The organisation's enabled Managed Apple ID domains (lowercase)."""
    return list(ManagedAppleIdDomain.objects.filter(enabled=True).values_list("domain", flat=True))


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
        held_elsewhere=held.values_list("managed_apple_id", flat=True),
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


def enrollment_settings_for(user: DirectoryUser) -> EnrollmentSettings:
    """The settings of the user's group with the lowest priority number; BYOD User Enrollment if
    no group has a setting."""
    group = user.groups.exclude(apple_enrollment_type="").order_by("priority", "name", "pk").first()
    if group is None:
        return DEFAULT_SETTINGS
    return EnrollmentSettings(group.apple_enrollment_type, group.default_ownership, group.name)


# --- invitations -------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/directory/invitation/{token}/"


@transaction.atomic
def create_invitation(
    *, user: DirectoryUser, actor: Actor = None, send_email: bool = True, base_url: str
) -> tuple[Invitation, str]:
    """Create an invitation and (after commit) email its link; the plaintext token is returned
    once and only its hash is stored."""
    if not user.enabled:
        raise DirectoryError(f"{user} is disabled and cannot be invited.")
    if not user.email:
        raise DirectoryError(f"{user} has no email address to send an invitation to.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        email=user.email,
        token_hash=_hash_token(token),
        expires_at=timezone.now() + INVITATION_LIFETIME,
        created_by=actor.get_username() if actor is not None and actor.is_authenticated else "",
    )
    if send_email:
        link = invitation_url(base_url, token)
        name = user.display_name or user.username
        body = (
            f"Hello {name},\n\nyou are invited to enroll your iPhone, iPad or Mac in your "
            f"organisation's device management.\n\nOpen this link on the device: {link}\n\n"
            f"The link is valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC and works once.\n"
        )
        recipient = user.email
        # robust: a mail server outage is logged and must not break the caller.
        transaction.on_commit(
            lambda: send_mail("Enroll your device", body, settings.DEFAULT_FROM_EMAIL, [recipient]),
            robust=True,
        )

    audit.record(actor=actor, action="directory.user_invited", target=user)
    return invitation, token


def find_invitation(*, token: str) -> Invitation:
    """Look up an invitation by token without using it; raises InvitationError with the reason."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=_hash_token(token)).first()
        if token
        else None
    )
    if invitation is None:
        raise InvitationError("This invitation link is not valid.", code="unknown")
    if invitation.used_at is not None:
        raise InvitationError("This invitation was already used.", code="used")
    if invitation.expires_at <= timezone.now():
        raise InvitationError("This invitation has expired; ask for a new one.", code="expired")
    if not invitation.user.enabled:
        raise InvitationError("This account is disabled.", code="disabled")
    return invitation


@transaction.atomic
def redeem_invitation(*, token: str) -> DirectoryUser:
    """Use an invitation once; returns its user. Raises InvitationError (unknown/used/expired)."""
    invitation = find_invitation(token=token)
    # Conditional update: two simultaneous redemptions cannot both succeed.
    claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        raise InvitationError("This invitation was already used.", code="used")
    return invitation.user


# --- search, import and sync -------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One result of a directory search offered for import."""

    type: str  # "user" | "group" | "ou"
    id: str  # LDAP DN or Graph object id
    name: str
    detail: str = ""
    imported: bool = False


def search_directory(*, source: IdentitySource, query: str, limit: int = 50) -> list[SearchHit]:
    """Find users, groups and OUs (LDAP) or users and groups (Entra ID) whose names match."""
    text = query.strip()
    if not text:
        raise DirectoryError("Enter part of a name, email, group or OU to search for.")
    known_users = set(source.users.values_list("external_id", flat=True))
    hits: list[SearchHit] = []
    try:
        if source.kind == IdentitySource.Kind.LDAP:
            value = sync.escape_filter_value(text)
            config = ldap_config(source)
            amap = config.attributes
            with Connection(config) as conn:
                conn.service_bind()
                fields = [amap[k] for k in ("username", "email", "display_name") if amap.get(k)]
                inner = "(|" + "".join(f"({f}=*{value}*)" for f in fields) + ")"
                for u in conn.users(inner=inner, limit=limit):
                    hits.append(
                        SearchHit(
                            "user",
                            u.dn,
                            u.display_name or u.username,
                            u.email,
                            u.external_id in known_users,
                        )
                    )
                for g in conn.groups(inner=f"({amap['group_name']}=*{value}*)", limit=limit):
                    hits.append(SearchHit("group", g.dn, g.name, f"{len(g.member_refs)} member(s)"))
                for dn, _entry in conn.search(
                    source.user_base_dn,
                    f"(&(objectClass=organizationalUnit)(ou=*{value}*))",
                    ["ou"],
                    limit=limit,
                ):
                    hits.append(SearchHit("ou", dn, dn.split(",", 1)[0].split("=", 1)[-1], dn))
        elif source.kind == IdentitySource.Kind.ENTRA:
            client = entra.GraphClient(entra_config(source))
            for obj in client.search_users(text)[:limit]:
                record = sync.graph_user_to_record(obj)
                hits.append(
                    SearchHit(
                        "user",
                        record.external_id,
                        record.display_name or record.upn,
                        record.email or record.upn,
                        record.external_id in known_users,
                    )
                )
            for obj in client.groups(text)[:limit]:
                hits.append(SearchHit("group", str(obj["id"]), str(obj.get("displayName") or "")))
        else:
            raise DirectoryError("Local users are added by hand, not imported.")
    except (LdapError, entra.EntraError) as exc:
        raise DirectoryError(exc.message, code=exc.code) from None
    return hits


@transaction.atomic
def start_import(
    *, source: IdentitySource, selection: list[Mapping[str, str]], actor: Actor
) -> ImportRun:
    """Record an import of the selected users, groups or OUs and queue it (runs after commit)."""
    if source.kind == IdentitySource.Kind.LOCAL:
        raise DirectoryError("Local users are added by hand, not imported.")
    if not source.enabled:
        raise DirectoryError(f"{source.name} is disabled.")
    if not selection:
        raise DirectoryError("Select at least one user, group or OU to import.")
    if len(selection) > MAX_SELECTION:
        raise DirectoryError(f"Select at most {MAX_SELECTION} entries per import.")
    clean = []
    for item in selection:
        kind, ident = str(item.get("type", "")), str(item.get("id", "")).strip()
        allowed = (
            ("user", "group", "ou", "all") if source.kind == "ldap" else ("user", "group", "all")
        )
        if kind not in allowed or (kind != "all" and not ident):
            raise DirectoryError(
                f"Cannot import {kind or 'an entry'} {ident!r} from {source.name}."
            )
        clean.append({"type": kind, "id": ident, "name": str(item.get("name", ident))[:200]})
    run = ImportRun.objects.create(
        source=source,
        kind=ImportRun.Kind.IMPORT,
        selection=clean,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
    )
    audit.record(
        actor=actor,
        action="directory.import_started",
        target=source,
        details={"run": run.pk, "selection": clean[:20]},
    )
    _queue(run)
    return run


@transaction.atomic
def start_sync(*, source: IdentitySource, actor: Actor = None) -> ImportRun:
    """Queue a full sync of a source: refresh known users and groups, disable missing ones."""
    if source.kind == IdentitySource.Kind.LOCAL:
        raise DirectoryError("Local users have nothing to sync.")
    run = ImportRun.objects.create(
        source=source,
        kind=ImportRun.Kind.SYNC,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
    )
    if actor is not None:
        audit.record(
            actor=actor, action="directory.sync_started", target=source, details={"run": run.pk}
        )
    _queue(run)
    return run


def _queue(run: ImportRun) -> None:
    from directory.tasks import execute_import_run_task

    run_id = run.pk
    transaction.on_commit(lambda: execute_import_run_task.delay(run_id))


@dataclass
class Collected:
    """Everything read from the directory for one run, before any write."""

    users: list[sync.UserRecord]
    groups: list[sync.GroupRecord]
    complete: bool  # users is the whole directory: known users missing from it are disabled
    add_new: bool


def _progress(run_id: int) -> Callable[[int], None]:
    def report(count: int) -> None:
        ImportRun.objects.filter(pk=run_id).update(found=count)

    return report


def _collect_ldap(run: ImportRun, source: IdentitySource) -> Collected:
    config = ldap_config(source)
    users: dict[str, sync.UserRecord] = {}
    groups: list[sync.GroupRecord] = []
    report = _progress(run.pk)

    def add(records: Iterable[sync.UserRecord]) -> None:
        for record in records:
            users.setdefault(record.external_id, record)
        if len(users) > MAX_IMPORT_USERS:
            # Never work on a truncated list: a sync would disable everyone past the cut.
            raise DirectoryError(
                f"More than {MAX_IMPORT_USERS} users match; narrow the user filter or base."
            )
        report(len(users))

    with Connection(config) as conn:
        conn.service_bind()
        if run.kind == ImportRun.Kind.SYNC:
            add(conn.users(on_page=report, limit=MAX_IMPORT_USERS + 1))
            for group in source.groups.filter(kind=DirectoryGroup.Kind.SYNCED):
                try:
                    groups.append(conn.group_by_dn(group.distinguished_name))
                except LdapError as exc:
                    if exc.code != "no_such_base":
                        raise
                    groups.append(
                        sync.GroupRecord(group.external_id, group.name, group.distinguished_name)
                    )
            return Collected(
                list(users.values()), groups, complete=True, add_new=source.sync_adds_new_users
            )
        for item in run.selection:
            if item["type"] == "user":
                record = conn.user_by_dn(item["id"])
                if record is None:
                    raise LdapError(
                        "no_such_base", f"{item['id']} is not a user matching the filter."
                    )
                add([record])
            elif item["type"] == "ou":
                add(conn.users(base=item["id"], on_page=report, limit=MAX_IMPORT_USERS + 1))
            elif item["type"] == "all":
                add(conn.users(on_page=report, limit=MAX_IMPORT_USERS + 1))
            elif item["type"] == "group":
                group = conn.group_by_dn(item["id"])
                groups.append(group)
                for member_dn in group.member_refs:
                    try:
                        record = conn.user_by_dn(member_dn)
                    except LdapError as exc:
                        if exc.code != "no_such_base":
                            raise
                        record = None  # a member that is gone or not a user (nested group)
                    if record is not None:
                        add([record])
    return Collected(list(users.values()), groups, complete=False, add_new=True)


def _collect_entra(run: ImportRun, source: IdentitySource) -> Collected:
    client = entra.GraphClient(entra_config(source))
    report = _progress(run.pk)
    users: dict[str, sync.UserRecord] = {}
    groups: list[sync.GroupRecord] = []

    def add(objs: Iterable[Mapping[str, Any]]) -> None:
        for obj in objs:
            odata = str(obj.get("@odata.type", "#microsoft.graph.user"))
            if odata.endswith(".user"):
                record = sync.graph_user_to_record(obj)
                users.setdefault(record.external_id, record)
        report(len(users))

    def add_group(group_id: str, name: str) -> None:
        members = client.group_members(group_id)
        add(members)
        ids = [
            str(m["id"]) for m in members if str(m.get("@odata.type", ".user")).endswith(".user")
        ]
        groups.append(sync.graph_group_to_record({"id": group_id, "displayName": name}, ids))

    if run.kind == ImportRun.Kind.SYNC:
        add(client.users(on_page=report))
        for group in source.groups.filter(kind=DirectoryGroup.Kind.SYNCED):
            try:
                add_group(group.external_id, group.name)
            except entra.EntraError as exc:
                if exc.code != "invalid":
                    raise
                groups.append(sync.GroupRecord(group.external_id, group.name))
        return Collected(
            list(users.values()), groups, complete=True, add_new=source.sync_adds_new_users
        )
    for item in run.selection:
        if item["type"] == "all":
            add(client.users(on_page=report))
        elif item["type"] == "user":
            found = client.get_all(
                "users",
                {"$select": entra.USER_SELECT, "$filter": f"id eq '{entra._q(item['id'])}'"},
            )
            if not found:
                raise entra.EntraError("invalid", f"User {item['id']} was not found in Entra ID.")
            add(found)
        elif item["type"] == "group":
            add_group(item["id"], item.get("name") or item["id"])
    return Collected(list(users.values()), groups, complete=False, add_new=True)


def execute_import_run(*, run_id: int) -> ImportRun:
    """Run a queued import or sync: collect everything, then write it in one transaction.

    Any failure (directory unreachable mid-way, bad credentials, a database error) leaves the
    database as it was and marks the run failed with the reason.
    """
    run = ImportRun.objects.select_related("source").get(pk=run_id)
    # Claim the run: a redelivered task must not run it twice.
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PENDING).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return run
    source = run.source
    try:
        if source.kind == IdentitySource.Kind.LDAP:
            collected = _collect_ldap(run, source)
        elif source.kind == IdentitySource.Kind.ENTRA:
            collected = _collect_entra(run, source)
        else:
            raise DirectoryError("Local users have nothing to import.")
        with transaction.atomic():
            counts = _apply(run=run, source=source, collected=collected)
    except (LdapError, entra.EntraError, DirectoryError) as exc:
        return _fail(run, exc.message)
    except IntegrityError as exc:
        logger.exception("directory import %s hit a database conflict", run.pk)
        return _fail(
            run,
            f"The import conflicts with existing data ({exc.__class__.__name__}); nothing was imported.",
        )
    except Exception:
        # Never leave a run "running" forever; the traceback goes to the log.
        logger.exception("directory import %s failed unexpectedly", run.pk)
        return _fail(run, "The import failed with an internal error (see the server log).")
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.SUCCEEDED, finished_at=timezone.now(), **counts
    )
    run.refresh_from_db()
    return run


def _fail(run: ImportRun, message: str) -> ImportRun:
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FAILED,
        finished_at=timezone.now(),
        error=message[:2000],
        created=0,
        updated=0,
        disabled=0,
        groups=0,
        invited=0,
    )
    run.refresh_from_db()
    return run


def _apply(*, run: ImportRun, source: IdentitySource, collected: Collected) -> dict[str, Any]:
    """Write collected records (inside the caller's transaction)."""
    existing_rows = {u.external_id: u for u in source.users.select_for_update()}
    existing = {
        ext: sync.ExistingUser(ext, u.username, u.email, u.upn, u.display_name, u.enabled)
        for ext, u in existing_rows.items()
    }
    plan = sync.plan_sync(
        existing=existing,
        incoming=collected.users,
        add_new=collected.add_new,
        complete=collected.complete,
    )
    now = timezone.now()
    touched: list[DirectoryUser] = []
    created: list[DirectoryUser] = []
    for record in plan.create:
        user = DirectoryUser.objects.create(
            source=source,
            external_id=record.external_id,
            username=record.username[:255],
            email=record.email[:254],
            upn=record.upn[:255],
            display_name=record.display_name[:255],
            distinguished_name=record.dn[:500],
            enabled=record.enabled,
            disabled_at=None if record.enabled else now,
        )
        created.append(user)
    for record in plan.update:
        user = existing_rows[record.external_id]
        if user.enabled and not record.enabled:
            user.disabled_at = now
        user.username, user.email, user.upn = (
            record.username[:255],
            record.email[:254],
            record.upn[:255],
        )
        user.display_name, user.enabled = record.display_name[:255], record.enabled
        user.distinguished_name = record.dn[:500]
        user.save()
        touched.append(user)
    disabled = 0
    if plan.disable:
        disabled = source.users.filter(external_id__in=plan.disable, enabled=True).update(
            enabled=False, disabled_at=now
        )
    disabled += sum(1 for r in plan.update if not r.enabled and existing[r.external_id].enabled)

    # Groups and memberships: members are matched by DN (LDAP) or object id (Entra).
    by_ref: dict[str, DirectoryUser] = {}
    members = source.users.all()
    if collected.complete:
        # A full read knows who still exists: a member DN left behind in a group (no
        # referential integrity upstream) must not keep a deleted user in the group.
        members = members.filter(external_id__in=[r.external_id for r in collected.users])
    for user in members:
        by_ref[user.external_id] = user
        if user.distinguished_name:
            by_ref[user.distinguished_name.lower()] = user
    for record in collected.groups:
        group, _ = DirectoryGroup.objects.update_or_create(
            source=source,
            external_id=record.external_id,
            kind=DirectoryGroup.Kind.SYNCED,
            defaults={"name": record.name[:200], "distinguished_name": record.dn[:500]},
        )
        group.members.set([by_ref[m] for m in record.member_refs if m in by_ref])

    problems = _apply_apple_ids(created + touched, source)
    names = {u.pk: u.username for u in created + touched}
    problem_list = [{"user": names[pk], "problem": text} for pk, text in sorted(problems.items())]

    invited = 0
    if source.auto_invite:
        for user in created:
            if user.enabled and user.email:
                create_invitation(user=user, actor=None, base_url=settings.PUBLIC_URL)
                invited += 1
    IdentitySource.objects.filter(pk=source.pk).update(last_synced_at=now)
    return {
        "found": len(collected.users),
        "created": len(created),
        "updated": len(touched),
        "disabled": disabled,
        "groups": len(collected.groups),
        "invited": invited,
        "problems": problem_list[:500],
    }


def sync_all_sources() -> list[ImportRun]:
    """Sync every enabled LDAP and Entra source that has sync turned on (the beat task)."""
    runs = []
    # A worker that died mid-run leaves it open; give up on it so the source syncs again.
    ImportRun.objects.filter(
        status__in=[ImportRun.Status.PENDING, ImportRun.Status.RUNNING],
        created_at__lt=timezone.now() - STALE_RUN_AFTER,
    ).update(
        status=ImportRun.Status.FAILED,
        finished_at=timezone.now(),
        error="The run did not finish (worker stopped?); nothing was imported by it.",
    )
    for source in IdentitySource.objects.filter(enabled=True, sync_enabled=True).exclude(
        kind=IdentitySource.Kind.LOCAL
    ):
        if source.runs.filter(status__in=["pending", "running"]).exists():
            continue  # one run per source at a time
        runs.append(start_sync(source=source))
    return runs


# --- sign-in support (used by directory.auth) --------------------------------------------------


@transaction.atomic
def upsert_signed_in_user(*, source: IdentitySource, record: sync.UserRecord) -> DirectoryUser:
    """Create or refresh a user from the directory at sign-in, then stamp last_login_at."""
    user = source.users.select_for_update().filter(external_id=record.external_id).first()
    fields = {
        "username": record.username[:255],
        "email": record.email[:254],
        "upn": record.upn[:255],
        "display_name": record.display_name[:255],
        "distinguished_name": record.dn[:500],
    }
    changed = user is None
    if user is None:
        user = DirectoryUser.objects.create(source=source, external_id=record.external_id, **fields)
    else:
        for key, value in fields.items():
            if value and getattr(user, key) != value:
                setattr(user, key, value)
                changed = True
    user.last_login_at = timezone.now()
    user.save()
    if changed or (user.managed_apple_id is None and not user.managed_apple_id_problem):
        _apply_apple_ids([user], source)
    return user


def check_local_password(user: DirectoryUser, password: str) -> bool:
    return bool(user.password) and check_password(password, user.password)
