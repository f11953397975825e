"""The few directory calls enrollment needs, in one place (sign-in, user lookup, domains, groups).

The directory app owns users and identity sources; this module only adapts its interface.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mdm_server.counters import WindowCounter

if TYPE_CHECKING:
    from directory.auth import Verified


class SignInFailed(Exception):
    """Sign-in refused; `message` is shown to the user in the web sheet or portal."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# No account name holds a control character; PostgreSQL refuses NUL in a query (a 500).
_CONTROL = frozenset(chr(c) for c in (*range(32), 127))
UNUSABLE_IDENTIFIER = "An account name has no control characters: check what was typed."


def _usable(identifier: str) -> bool:
    return not _CONTROL.intersection(identifier)


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
    # The default ownership of that group ("" when no group has a setting).
    default_ownership: str = ""


def _groups_of(user: Any) -> list[Any]:
    from directory import selectors
    from directory.models import DirectoryUser

    if isinstance(user, DirectoryUser):
        return list(selectors.groups_of(user))
    groups = getattr(user, "groups", None)
    if groups is None:
        return []
    return list(groups.all() if hasattr(groups, "all") else groups)


def _group_settings_of(user: Any, groups: list[Any]) -> tuple[str, str]:
    """The Apple Enrollment Type and default ownership of the user's deciding group; ("", "")
    when no group has a setting."""
    from directory.models import DirectoryGroup
    from directory.services import enrollment_settings_for

    known = [g for g in groups if isinstance(g, DirectoryGroup)]
    settings = enrollment_settings_for(user, known if len(known) == len(groups) else None)
    # Without a group setting the directory reports its default, which is not a decision.
    if settings.group is None:
        return "", ""
    return str(settings.apple_enrollment_type or ""), str(settings.default_ownership or "")


def person_of(user: Any, identifier: str, groups: list[Any] | None = None) -> Person:
    """`groups` are the user's groups when the caller has read them with the user."""
    if groups is None:
        groups = _groups_of(user)  # read once: the names and the enrollment type come from them
    enrollment_type, ownership = _group_settings_of(user, groups)
    return Person(
        id=getattr(user, "pk", None),
        identifier=identifier,
        managed_apple_id=str(getattr(user, "managed_apple_id", "") or ""),
        enabled=bool(getattr(user, "enabled", True)),
        groups=tuple(str(getattr(g, "name", g)) for g in groups),
        apple_enrollment_type=enrollment_type,
        email=str(getattr(user, "email", "") or ""),
        default_ownership=ownership,
    )


# Failed password sign-ins per account before it is paused (the web sheet is public). Failures
# are counted per account as the directory knows it (alice, alice@example.com and her Managed
# Apple ID are one account), within a fixed window; the pause then lasts PAUSE_SECONDS.
MAX_FAILURES = 10
FAILURE_WINDOW_SECONDS = 15 * 60
PAUSE_SECONDS = 15 * 60
THROTTLE_PREFIX = "enrollment-sign-in-failures:"
_FAILURES = WindowCounter("enrollment-sign-in", FAILURE_WINDOW_SECONDS)


def _keys(account: str) -> tuple[str, str]:
    """(failure counter, pause) cache keys of an account (hashed: names stay out of the cache)."""
    digest = hashlib.sha256(account.encode()).hexdigest()
    return f"{THROTTLE_PREFIX}{digest}", f"{THROTTLE_PREFIX}paused:{digest}"


def throttled_message(until: float) -> str:
    """What a paused person is told: when to try again, as a time and in minutes."""
    from django.utils import timezone

    now = timezone.now()
    when = timezone.localtime(dt.datetime.fromtimestamp(until, tz=dt.UTC))
    minutes = max(1, -int(-(when - now).total_seconds() // 60))
    return (
        "Too many failed sign-ins for this account. "
        f"Try again after {when:%H:%M} {when.tzname()} (in {minutes} minute{'s' * (minutes != 1)})."
    )


def _count_failure(account: str) -> None:
    """One more failure; the MAX_FAILURES-th in the window pauses the account."""
    import time

    counter, paused = _keys(account)
    if _FAILURES.incr(counter) >= MAX_FAILURES:
        _FAILURES.set(paused, time.time() + PAUSE_SECONDS, PAUSE_SECONDS)
        _FAILURES.clear(counter)


def authenticate(*, identifier: str, password: str, source: str = "") -> Person:
    """Check a password with the directory (local or LDAP); raises SignInFailed.

    Wrong passwords are counted per account in the cache; after MAX_FAILURES within the window
    the account cannot sign in here for PAUSE_SECONDS, and is told until when. Without
    Redis the counts are kept per server process (mdm_server.counters): sign-in keeps working.
    """
    return accept_password(identifier=identifier, password=password, source=source).sign_in()


def accept_password(*, identifier: str, password: str, source: str = "") -> Accepted:
    """`authenticate`'s checks of the password, throttled and counted as there, without its
    writes: `Accepted.sign_in()` writes them and gives the person; raises SignInFailed."""
    from directory import auth, selectors

    if not _usable(identifier):
        raise SignInFailed("unknown_user", UNUSABLE_IDENTIFIER)
    had_failures = False

    def gate(account: str) -> None:
        nonlocal had_failures
        counter, paused = _keys(account)
        found = _FAILURES.get_many([counter, paused])  # one round trip
        if paused in found:
            raise SignInFailed("throttled", throttled_message(float(found[paused])))
        had_failures = counter in found

    source_obj = None
    if source:
        source_obj = selectors.source_by_name(source)
        if source_obj is None:
            raise SignInFailed("source", f"The identity source {source!r} is not configured.")
    login, known_source, known = _login_for(identifier)
    try:
        verified = auth.verify_password(
            identifier=login, password=password, source=source_obj or known_source, gate=gate
        )
    except auth.AuthenticationFailed as exc:
        if exc.code == "wrong_password" and exc.account:
            _count_failure(exc.account)
        raise SignInFailed(exc.code, exc.message) from None
    return Accepted(identifier, verified, known, had_failures)


class Accepted:
    """A password the directory accepted (`accept_password`), nothing written yet.

    `sign_in()` writes the sign-in (the directory's writes: the login stamp, a user made or
    refreshed) and gives the person, as `authenticate` does. A caller that writes rows of its
    own may instead take `unwritten()`, the person and the login stamp as a statement of its
    own, and call `signed_in()` once that statement wrote the stamp."""

    def __init__(
        self,
        identifier: str,
        verified: Verified,
        known: tuple[Any, list[Any]] | None,
        had_failures: bool,
    ) -> None:
        self.identifier = identifier
        self._verified = verified
        self._known = known  # the user of the Managed Apple ID typed, and their groups
        self._had_failures = had_failures

    def sign_in(self) -> Person:
        from directory import auth

        try:
            user = self._verified.sign_in()
        except auth.AuthenticationFailed as exc:
            raise SignInFailed(exc.code, exc.message) from None
        self.signed_in()
        return person_of(user, self.identifier, self._groups_of(user))

    def unwritten(self, now: dt.datetime) -> tuple[Person, tuple[str, list[Any]]] | None:
        """The person, as the directory has them before this sign-in writes anything, and the
        sign-in's login stamp as an `UPDATE ... RETURNING` (SQL, parameters) for the caller's
        statement: it writes, and returns a row, only when the stamp is all `sign_in()` would
        write and the person's row is still what the person was made of
        (directory.auth.Verified.stamp_sql). None when there is no such statement, or when the
        person's row was not read whole enough before (a directory's person found otherwise
        than by the Managed Apple ID typed): the caller calls `sign_in()`."""
        verified = self._verified
        user = verified.user  # a local account's row
        if user is None:
            # A directory's person: the user of the Managed Apple ID typed, when it is theirs
            # (the statement checks the source and the record's id too).
            if self._known is None or self._known[0].source_id != verified.source.pk:
                return None
            user = self._known[0]
        stamp = verified.stamp_sql(user, now)
        if stamp is None:
            return None
        return person_of(user, self.identifier, self._groups_of(user)), stamp

    def signed_in(self) -> None:
        """The sign-in was written: the account's failures start afresh."""
        if self._had_failures:
            _FAILURES.clear(_keys(self._verified.account)[0])

    def _groups_of(self, user: Any) -> list[Any] | None:
        # The groups read with the Managed Apple ID's user, when that is who signed in.
        known = self._known
        return known[1] if known is not None and known[0].pk == user.pk else None


def _login_for(identifier: str) -> tuple[str, Any | None, tuple[Any, list[Any]] | None]:
    """The directory login for what the device typed: a Managed Apple ID maps to its user.
    Also that user and their groups, read with it (None when the identifier is no Managed
    Apple ID of a password source).

    On the device people type their Managed Apple ID, which is often not their directory login
    (alice@appleid.example.com vs alice / alice@example.com).
    """
    from directory import selectors
    from directory.models import IdentitySource

    found = selectors.user_and_groups_by_apple_id(identifier)
    if found is None or found[0].source.kind == IdentitySource.Kind.ENTRA:
        return identifier, None, None
    user = found[0]
    return user.username, user.source, found


def find_person(identifier: str) -> Person | None:
    """The directory user with this sign-in identifier or Managed Apple ID, if known."""
    from directory import selectors

    if not _usable(identifier):
        return None
    found = selectors.user_and_groups_by_any_name(identifier)
    return person_of(found[0], identifier, found[1]) if found is not None else None


def groups_decide_enrollment_type() -> bool:
    """Whether any directory group carries an Apple Enrollment Type (kept per process; never
    False once one does)."""
    from directory import selectors

    return selectors.any_group_sets_enrollment_type()


def get_person(user_id: int) -> Person | None:
    from directory.models import DirectoryUser

    user = DirectoryUser.objects.filter(pk=user_id).first()
    return person_of(user, user.email or user.username) if user is not None else None


def organisation_domains() -> list[str]:
    """The organisation's enabled Managed Apple ID domains (lower case)."""
    from directory import selectors

    return selectors.enabled_domains()


def all_domains() -> list[tuple[int, str, bool]]:
    from directory.models import ManagedAppleIdDomain

    return [(d.pk, d.domain, d.enabled) for d in ManagedAppleIdDomain.objects.all()]


def save_domains(domains: list[str], *, actor: Any) -> None:
    """Make the organisation's domain list exactly `domains` (through the directory services)."""
    from directory import services
    from directory.models import ManagedAppleIdDomain

    wanted = {d.strip().lower().rstrip(".") for d in domains if d.strip()}
    for row in ManagedAppleIdDomain.objects.all():
        if row.domain in wanted:
            wanted.discard(row.domain)
        else:
            services.remove_managed_apple_id_domain(domain=row, actor=actor)
    for domain in sorted(wanted):
        try:
            services.add_managed_apple_id_domain(domain=domain, actor=actor)
        except services.DirectoryError as exc:
            raise SignInFailed("domain", str(exc)) from None


def source_names() -> list[str]:
    from directory.models import IdentitySource

    return list(IdentitySource.objects.filter(enabled=True).values_list("name", flat=True))


def invitation_email(token: str) -> str:
    """The invited address of a usable invitation (raises SignInFailed otherwise)."""
    from directory import services

    try:
        return services.find_invitation(token=token).email
    except services.InvitationError as exc:
        raise SignInFailed(f"invitation_{exc.code}", str(exc)) from None


def redeem_invitation(token: str) -> Person:
    """Use a one-time invitation: the invited user, without a password."""
    from directory import services

    try:
        user = services.redeem_invitation(token=token)
    except services.InvitationError as exc:
        raise SignInFailed(f"invitation_{exc.code}", str(exc)) from None
    return person_of(user, user.email or user.username)


def invite(*, user_id: int, actor: Any, portal_url: str) -> str:
    """Email a one-time enrollment link for the portal; returns the address it went to."""
    from directory import services
    from directory.models import DirectoryUser

    user = DirectoryUser.objects.filter(pk=user_id).first()
    if user is None:
        raise SignInFailed("unknown_user", "No such user.")
    try:
        invitation, _token = services.create_invitation(
            user=user, actor=actor, send_email=True, base_url=portal_url
        )
    except services.DirectoryError as exc:
        raise SignInFailed("invitation", str(exc)) from None
    return invitation.email


def entra_enabled() -> bool:
    """Whether some enabled Entra ID source signs people in (at Microsoft, not here)."""
    from directory import selectors
    from directory.models import IdentitySource

    return bool(selectors.has_enabled_source(IdentitySource.Kind.ENTRA))


def entra_source(*, configured: str, identifier: str) -> Any | None:
    """The Entra ID source for this sign-in: the configured one, else the identifier's domain."""
    from directory import auth, selectors
    from directory.models import IdentitySource

    if configured:
        source = selectors.source_by_name(configured)
        if source is not None and not source.enabled:
            source = None
    elif not selectors.has_enabled_source(IdentitySource.Kind.ENTRA):
        return None  # the usual case, answered without looking the person up
    elif identifier and _usable(identifier):
        known = selectors.user_by_apple_id(identifier)
        source = known.source if known is not None else auth.source_for_identifier(identifier)
    else:
        return None
    if source is None or source.kind != IdentitySource.Kind.ENTRA:
        return None
    return source


def begin_entra(*, source: Any, redirect_uri: str, login_hint: str) -> tuple[str, dict[str, Any]]:
    """Start Microsoft sign-in: (URL for the web sheet, flow state to keep in the session)."""
    from directory import auth

    try:
        return auth.begin_entra_sign_in(
            source=source, redirect_uri=redirect_uri, login_hint=login_hint
        )
    except auth.AuthenticationFailed as exc:
        raise SignInFailed(exc.code, exc.message) from None


def finish_entra(
    *, source_id: int, flow: dict[str, Any], params: dict[str, str], known_only: bool = False
) -> Person:
    """Redeem Microsoft's redirect; the person who signed in (with `known_only`, only a person
    the directory already has)."""
    from directory import auth
    from directory.models import IdentitySource

    source = IdentitySource.objects.filter(pk=source_id).first()
    if source is None:
        raise SignInFailed("not_configured", "This sign-in is no longer configured.")
    try:
        user = auth.finish_entra_sign_in(
            source=source, flow=flow, params=params, known_only=known_only
        )
    except auth.AuthenticationFailed as exc:
        raise SignInFailed(exc.code, exc.message) from None
    return person_of(user, user.upn or user.email or user.username)
