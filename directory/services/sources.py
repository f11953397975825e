"""Identity sources: the local source, LDAP and Entra ID configuration, checks, tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction

from directory import entra, ldap_client, mapping, sync
from directory.ldap_client import Connection, LdapConfig, LdapError
from directory.models import (
    IdentitySource,
)
from directory.services.common import (
    LOCAL_SOURCE_NAME,
    Actor,
    DirectoryError,
)
from mdm_server import audit

# --- sources -----------------------------------------------------------------------------------


def local_source() -> IdentitySource:
    """The one source for locally created users (created on first use)."""
    source, _ = IdentitySource.objects.get_or_create(
        kind=IdentitySource.Kind.LOCAL, defaults={"name": LOCAL_SOURCE_NAME}
    )
    return source


def source_problems(source: IdentitySource) -> dict[str, str]:  # noqa: C901 - one check per form field
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
                setattr(source, key, str(value))
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
