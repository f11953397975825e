"""Sign-in for enrollment (and optionally the console): local passwords, LDAP bind, Entra ID.

Every failure is an AuthenticationFailed with a code and a message that is safe to show to the
person signing in; details for administrators go to the log.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from directory import entra, selectors, services, sync
from directory.ldap_client import LdapError, sign_in_connections
from directory.models import DirectoryUser, IdentitySource
from mdm_server.prepared import PreparedQuery, PreparedQuerySetUpdate

logger = logging.getLogger(__name__)

CODES = frozenset(
    {
        "wrong_password",
        "disabled",
        "locked",
        "not_allowed",
        "unknown_user",
        "unreachable",
        "not_configured",
    }
)


class AuthenticationFailed(Exception):
    """Sign-in refused; ``code`` is one of CODES, ``message`` is user-facing."""

    def __init__(self, code: str, message: str, account: str = "") -> None:
        assert code in CODES, code  # noqa: S101 - programming error, not input
        super().__init__(message)
        self.code = code
        self.message = message
        # The account the attempt was for (see account_key), when the directory found it.
        self.account = account


# Called with the account's key once the account is known and before its password is checked;
# it may raise to refuse the attempt (enrollment pauses accounts after repeated failures).
Gate = Callable[[str], None]


def account_key(source_id: int, external_id: str) -> str:
    """One account however it was typed (username, e-mail, UPN, Managed Apple ID, any case)."""
    return f"{source_id}:{external_id.strip().lower()}"


def _no_gate(account: str) -> None:
    return None


WRONG_PASSWORD = "The username or password is not correct."  # noqa: S105 - a message
UNKNOWN_USER = "No account with that name was found."
DISABLED = "This account is disabled. Contact your IT department."
LOCKED = "This account is locked. Contact your IT department."
NOT_ALLOWED = "This account is not allowed to enroll devices."
UNREACHABLE = "The sign-in service cannot be reached right now. Try again later."
NOT_CONFIGURED = "Sign-in is not set up for this account. Contact your IT department."


def source_for_identifier(identifier: str) -> IdentitySource:
    """The enabled source serving the identifier's email domain, else the local users source."""
    if "@" in identifier:
        domain = identifier.rsplit("@", 1)[1].strip().lower()
        for source in selectors.enabled_sources():
            if source.kind == IdentitySource.Kind.LOCAL:
                continue
            if domain in [d.lower() for d in source.sign_in_domains or []]:
                return source
    return services.local_source()


def authenticate_password(
    *,
    identifier: str,
    password: str,
    source: IdentitySource | None = None,
    gate: Gate = _no_gate,
) -> DirectoryUser:
    """Check a username/email and password against the right source; returns the user, its
    sign-in written (`Verified.sign_in`).

    `gate` is called with the account's key before the password is checked (see Gate)."""
    return verify_password(
        identifier=identifier, password=password, source=source, gate=gate
    ).sign_in()


@dataclass(frozen=True)
class Verified:
    """A password the directory accepted, with nothing written yet (`verify_password`).

    `sign_in()` writes what a sign-in writes and returns the user: a local account's login
    stamp; a directory (LDAP) user created or refreshed from its record, and stamped."""

    source: IdentitySource
    account: str  # account_key of the account, as the gate was given it
    user: DirectoryUser | None = None  # a local account: its row, as read and checked
    record: sync.UserRecord | None = None  # a directory's record of the person

    def sign_in(self) -> DirectoryUser:
        if self.record is not None:
            return _upsert(self.source, self.record)
        if self.user is None:  # pragma: no cover - made by verify_password with one of them
            raise ValueError("a Verified holds a user or a record")
        _STAMP_LOGIN.update(self.user.pk, _now())
        return self.user

    def stamp_sql(self, user: DirectoryUser, now: dt.datetime) -> tuple[str, list[Any]] | None:
        """`sign_in()`'s login stamp of `user` (read by the caller: a local account's is
        `self.user`) as an UPDATE ... RETURNING for the caller's own statement: it writes only
        when the stamp is all `sign_in()` would write and `user`'s row is still as read
        (directory.services.login_stamp_sql says exactly when); else nothing, and the caller
        calls `sign_in()`. None where there is no such statement."""
        if self.record is None and (self.user is None or user.pk != self.user.pk):
            return None
        return services.login_stamp_sql(source=self.source, record=self.record, user=user, now=now)


def verify_password(
    *,
    identifier: str,
    password: str,
    source: IdentitySource | None = None,
    gate: Gate = _no_gate,
) -> Verified:
    """`authenticate_password`'s checks, in the same order with the same refusals, without its
    writes: the password accepted, the account enabled and allowed (AuthenticationFailed
    otherwise). `Verified.sign_in()` writes them."""
    identifier = identifier.strip()
    if not identifier:
        raise AuthenticationFailed("unknown_user", UNKNOWN_USER)
    if not password:
        # LDAP treats an empty password as an anonymous bind that "succeeds": refuse up front.
        raise AuthenticationFailed("wrong_password", WRONG_PASSWORD)
    source = source or source_for_identifier(identifier)
    if not source.enabled:
        raise AuthenticationFailed("not_configured", NOT_CONFIGURED)
    if source.kind == IdentitySource.Kind.LOCAL:
        return _local(source, identifier, password, gate)
    if source.kind == IdentitySource.Kind.LDAP:
        return _ldap(source, identifier, password, gate)
    # Entra ID passwords are typed at Microsoft only (authorization-code flow).
    raise AuthenticationFailed("not_configured", "Sign in with your Microsoft account instead.")


# A local account's sign-in (most of them check a remembered password: directory.services.signin)
# makes its lookup and its login stamp with statements compiled once per thread
# (mdm_server.prepared), as a directory sign-in does (README, "Prepared statements on the sign-in
# and profile requests"): through the ORM, compiling them cost more than the rest of `_local`.
_LOCAL_USERS = PreparedQuery(
    lambda source, name: DirectoryUser.objects.filter(
        Q(source_id=source), Q(username__iexact=name) | Q(email__iexact=name)
    )[:2],
    int,
    str,
)
_STAMP_LOGIN = PreparedQuerySetUpdate(
    lambda pk, now: DirectoryUser.objects.filter(pk=pk),
    lambda pk, now: {"last_login_at": now},
    int,
    dt.datetime,
)


def _local(source: IdentitySource, identifier: str, password: str, gate: Gate) -> Verified:
    matches = _LOCAL_USERS.all(source.pk, identifier)
    if len(matches) != 1:
        raise AuthenticationFailed("unknown_user", UNKNOWN_USER)
    user = matches[0]
    account = account_key(source.pk, user.external_id)
    gate(account)
    if not services.check_local_password(user, password):
        raise AuthenticationFailed("wrong_password", WRONG_PASSWORD, account)
    if not user.enabled:
        raise AuthenticationFailed("disabled", DISABLED)
    if source.allowed_groups:  # the groups are read only when the source limits sign-in by them
        _check_allowed_groups(source, {g.name.lower() for g in user.groups.all()})
    return Verified(source=source, account=account, user=user)


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _check_allowed_groups(source: IdentitySource, member_of: set[str]) -> None:
    allowed = {str(g).strip().lower() for g in source.allowed_groups or [] if str(g).strip()}
    if allowed and not allowed & member_of:
        raise AuthenticationFailed("not_allowed", NOT_ALLOWED)


def _ldap(source: IdentitySource, identifier: str, password: str, gate: Gate) -> Verified:
    config = services.ldap_config(source)
    try:
        # The thread's connections to this directory, kept between sign-ins: one bound as the
        # service account searches, the other binds as the person and reads nothing.
        with sign_in_connections.use(config) as conn:
            found = conn.find_login(identifier)  # the identifier is escaped there
            if len(found) != 1:
                raise AuthenticationFailed("unknown_user", UNKNOWN_USER)
            record = found[0]
            if record.locked:
                raise AuthenticationFailed("locked", LOCKED)
            account = account_key(source.pk, record.external_id)
            gate(account)
            member_of = conn.group_dns_of(record) if source.allowed_groups else set()
            try:
                conn.check_password(record.dn, password, what="Signing in")
            except LdapError as exc:
                if exc.code == "invalid_credentials":
                    raise AuthenticationFailed("wrong_password", WRONG_PASSWORD, account) from None
                raise
    except LdapError as exc:
        logger.warning("LDAP sign-in via %s failed: %s", source.name, exc.message)
        if exc.code == "unreachable":
            raise AuthenticationFailed("unreachable", UNREACHABLE) from None
        raise AuthenticationFailed("not_configured", NOT_CONFIGURED) from None
    if not record.enabled:
        raise AuthenticationFailed("disabled", DISABLED)
    if source.allowed_groups:
        names = set(member_of)
        # Allowed groups may be written as DNs or as plain names (the first RDN value).
        names |= {dn.split(",", 1)[0].split("=", 1)[-1] for dn in member_of}
        _check_allowed_groups(source, names)
    return Verified(source=source, account=account, record=record)


def _upsert(source: IdentitySource, record: sync.UserRecord) -> DirectoryUser:
    """The signed-in user, created or refreshed; one disabled here (by an administrator or the
    last sync) stays refused until re-enabled."""
    try:
        return services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True)
    except services.DirectoryError as exc:
        if exc.code == "disabled":
            raise AuthenticationFailed("disabled", DISABLED) from None
        if exc.code == "retry":  # the person's row changed under a concurrent sign-in
            raise AuthenticationFailed("unreachable", UNREACHABLE) from None
        raise


# --- Entra ID ----------------------------------------------------------------------------------


def begin_entra_sign_in(
    *, source: IdentitySource, redirect_uri: str, login_hint: str = ""
) -> tuple[str, dict[str, Any]]:
    """Start the authorization-code flow: (URL to send the browser to, flow to keep in the session)."""
    if source.kind != IdentitySource.Kind.ENTRA or not source.enabled:
        raise AuthenticationFailed("not_configured", NOT_CONFIGURED)
    try:
        app = entra.build_app(services.entra_config(source))
        flow = entra.begin_auth_code_flow(app, redirect_uri=redirect_uri, login_hint=login_hint)
    except entra.EntraError as exc:
        logger.warning("Entra sign-in via %s cannot start: %s", source.name, exc.message)
        code = "unreachable" if exc.code == "unreachable" else "not_configured"
        raise AuthenticationFailed(
            code, UNREACHABLE if code == "unreachable" else NOT_CONFIGURED
        ) from None
    return str(flow["auth_uri"]), flow


def finish_entra_sign_in(
    *,
    source: IdentitySource,
    flow: Mapping[str, Any],
    params: Mapping[str, str],
    known_only: bool = False,
) -> DirectoryUser:
    """Redeem the code from the redirect (state and nonce are checked) and return the user.

    With `known_only`, a person this server has no user for is refused ("unknown_user")
    instead of being added: signing in to read something must not create accounts.
    """
    if source.kind != IdentitySource.Kind.ENTRA or not source.enabled:
        raise AuthenticationFailed("not_configured", NOT_CONFIGURED)
    config = services.entra_config(source)
    try:
        app = entra.build_app(config)
        claims = entra.finish_auth_code_flow(app, flow=flow, params=params, config=config)
    except entra.EntraError as exc:
        logger.warning("Entra sign-in via %s failed: %s", source.name, exc.message)
        if exc.code == "unreachable":
            raise AuthenticationFailed("unreachable", UNREACHABLE) from None
        raise AuthenticationFailed(
            "wrong_password", "Microsoft sign-in did not succeed. Try again."
        ) from None
    if str(claims["tid"]).lower() != source.tenant_id.lower():
        raise AuthenticationFailed(
            "not_allowed", "This Microsoft account belongs to another organisation."
        )
    oid = str(claims["oid"]).lower()
    upn = str(claims.get("upn") or claims.get("preferred_username") or "").lower()
    record = sync.UserRecord(
        external_id=oid,
        username=upn or oid,
        email=str(claims.get("email") or "").lower(),
        upn=upn,
        display_name=str(claims.get("name") or ""),
    )
    known = selectors.user_by_external_id(source, oid)
    if known is None and known_only:
        raise AuthenticationFailed("unknown_user", "This account is not known to this server.")
    if known is not None and not known.enabled:
        raise AuthenticationFailed("disabled", DISABLED)  # before asking Microsoft Graph
    if source.allowed_groups:
        try:
            groups = entra.GraphClient(config).member_of(oid)
        except entra.EntraError as exc:
            logger.warning("Entra group check via %s failed: %s", source.name, exc.message)
            raise AuthenticationFailed("unreachable", UNREACHABLE) from None
        names = {str(g.get("id", "")).lower() for g in groups}
        names |= {str(g.get("displayName", "")).lower() for g in groups}
        _check_allowed_groups(source, names)
    return _upsert(source, record)
