"""What the devices app asks enrollment at check-in: the enrollment type and the bearer token."""

from __future__ import annotations

import functools
import hmac
import threading
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from enrollment.abm import hooks as abm_hooks
from enrollment.models import (
    EnrollmentSession,
    EnrollmentToken,
)
from enrollment.services.core import (
    challenge_for,
    default_configuration,
    hash_token,
    revoke_sessions_of,
)
from mdm_server.prepared import PreparedQuery, PreparedQuerySetUpdate

if TYPE_CHECKING:
    from devices.hooks import AuthChallenge, EnrollmentContext
    from devices.hotpath import SessionRead
    from devices.models import Enrollment
    from devices.protocol import EnrollmentIds


# The bearer check runs on every check-in and connect of an account-driven enrollment: the
# command channel's hot path, whose reads are prepared like those of devices/hotpath.py (which
# cannot read enrollment's tables). Through the ORM, even as one statement with the token's
# session joined, an Idle poll took 2.8 ms of server CPU instead of 1.95 ms (bench.
# connect_breakdown, 6 December, reference RSA sign 0.27-0.28 ms).
_SESSION_BY_REFERENCE = PreparedQuery(
    lambda reference: EnrollmentSession.objects.filter(public_id=reference)[:1], str
)
_ACCESS_TOKEN = PreparedQuery(
    lambda digest: EnrollmentToken.objects.filter(
        token_hash=digest, kind=EnrollmentToken.Kind.ACCESS
    )[:1],
    str,
)
_SESSION_BY_ID = PreparedQuery(lambda pk: EnrollmentSession.objects.filter(pk=pk)[:1], int)
# The usual case in one statement: the access token of this hash, when it belongs to the
# session of the channel's reference, with what the check reads of both. No row (no such token,
# or a token of another session: a later sign-in) leaves the decision to the two lookups above.
_OWN_ACCESS_TOKEN = PreparedQuery(
    lambda digest, reference: EnrollmentToken.objects.filter(
        token_hash=digest, kind=EnrollmentToken.Kind.ACCESS, session__public_id=reference
    ).values_list(
        "token_hash",
        "revoked_at",
        "expires_at",
        "session_id",
        "session__kind",
        "session__revoked_at",
        "session__expires_at",
        "session__enrollment_id",
        "session__replaces_id",
    )[:1],
    str,
    str,
)


# What an enrollment's completion and its Authenticate read of its session: a few columns, not
# the whole row (its MachineInfo decoded, a model instance built and thrown away).
_REPLACES = PreparedQuery(
    lambda reference: EnrollmentSession.objects.filter(public_id=reference).values_list(
        "replaces_id", flat=True
    )[:1],
    str,
)
_CONTEXT_FIELDS = (
    "enrollment_type",
    "public_id",
    "managed_apple_id",
    "directory_user_id",
    "revoked_at",
    "enrollment_id",
    "ownership",
)
_SESSION_CONTEXT = PreparedQuery(
    lambda reference: EnrollmentSession.objects.filter(public_id=reference).values_list(
        *_CONTEXT_FIELDS
    )[:1],
    str,
)


class _Replaced(threading.local):
    """The channel the session of `reference` replaces, as this thread's bearer check last read
    it with the session (`replaces`): what the enrollment's completion asks next, after the
    TokenUpdate's commit, in the same request."""

    reference = ""
    replaces: int | None = None


_replaced = _Replaced()


def _read_replaces(reference: str, replaces: int | None) -> None:
    _replaced.reference, _replaced.replaces = reference, replaces


def replaced_channel(reference: str) -> int | None:
    """The channel (its id) that the enrollment session `reference` replaces, when it came
    from a re-enrollment link for the person's old device; else None. Asked at every
    enrollment's completion (`reenrollment.replace_on_completion`), whose TokenUpdate's bearer
    check read it with the session: that value, else one column by a query compiled once.
    A value read earlier answers as a read now would: a session's `replaces` is set when the
    session is made and only ever cleared, when that channel is deleted (SET NULL), and a
    deleted channel is replaced by nobody either way."""
    if not reference:
        return None
    if _replaced.reference == reference:
        return _replaced.replaces
    replaces: int | None = _REPLACES.first(reference)
    return replaces


def _access_token(secret: str, session: EnrollmentSession) -> EnrollmentToken | None:
    """The access token with this secret, its session attached (`session` when it is the
    token's, as it is unless the person signed in again)."""
    if not secret or len(secret) > 200:
        return None
    digest = hash_token(secret)
    token: EnrollmentToken | None = _ACCESS_TOKEN.first(digest)
    # The lookup is by hash already; compare again in constant time for good measure.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    own = session if session.pk == token.session_id else _SESSION_BY_ID.first(token.session_id)
    if own is None:  # deleted meanwhile (a purge): no token either
        return None
    token.session = own
    return token


def session_context_sql(reference: str) -> tuple[str, int]:
    """`_SESSION_CONTEXT`'s read as a SELECT whose reference is the SQL `reference`, for the
    statement that reads an Authenticate's certificate to run (devices.hooks.SessionSql), and
    its number of columns."""
    meta = EnrollmentSession._meta
    qn = connection.ops.quote_name
    column = {f.attname: str(f.column) for f in meta.concrete_fields}
    columns = ", ".join(qn(column[name]) for name in _CONTEXT_FIELDS)
    # Quoted names and the caller's SQL for the reference; no value.
    sql = (
        f"SELECT {columns} FROM {qn(meta.db_table)}"  # noqa: S608
        f" WHERE {qn(column['public_id'])} = {reference} LIMIT 1"
    )
    return sql, len(_CONTEXT_FIELDS)


def resolve_enrollment(
    ids: EnrollmentIds, reference: str, bearer: str | None, read: SessionRead | None = None
) -> EnrollmentContext | None:
    """Authenticate: the certificate's issuance reference -> session -> enrollment type, and
    what the takeover rules need of the session (revoked? bound to which channel? whose?).
    `read`: the session's row as `session_context_sql` read it with the certificate."""
    from devices.hooks import EnrollmentContext

    if read is not None:
        row = read.row if reference else None
    else:
        row = _SESSION_CONTEXT.first(reference) if reference else None
    if row is None:
        if ids.udid and abm_hooks.is_ade_reference(reference):
            device_id, vouched_udid = abm_hooks.known_device(reference)
            return EnrollmentContext(
                enrollment_type="ade",
                reference=reference,
                device_id=device_id,
                vouched_udid=vouched_udid,
            )
        if ids.udid:
            return EnrollmentContext(enrollment_type="device")
        return EnrollmentContext(enrollment_type="user")
    session = dict(zip(_CONTEXT_FIELDS, row, strict=True))
    return EnrollmentContext(
        enrollment_type=session["enrollment_type"],
        reference=session["public_id"],
        managed_apple_id=session["managed_apple_id"],
        directory_user_id=session["directory_user_id"],
        session_revoked=session["revoked_at"] is not None,
        session_enrollment_id=session["enrollment_id"],
        ownership=session["ownership"],
    )


# Every Authenticate of an account-driven enrollment binds its session: compiled once.
_BIND_SESSION = PreparedQuerySetUpdate(
    lambda reference, pk: EnrollmentSession.objects.filter(
        public_id=reference, revoked_at__isnull=True
    ).filter(Q(enrollment__isnull=True) | Q(enrollment_id=pk)),
    lambda reference, pk: {"enrollment_id": pk, "status": EnrollmentSession.Status.ENROLLED},
    str,
    int,
)


def bind_session(enrollment: Enrollment, replaced: bool) -> bool:
    """Authenticate accepted: bind the device channel to the session its certificate was issued
    for (one UPDATE; none when the certificate came from no session). False when the session is
    bound to another channel: another Authenticate bound it since it was read (the UPDATE waits
    for that transaction, then matches nothing), or revoked since (a revocation that committed
    while this waited saw no channel to unenroll: binding then would leave one enrolled with a
    revoked session). A re-enrollment that replaced another
    certificate ends the sessions of the enrollment it replaces."""
    reference = enrollment.enrollment_reference
    if replaced:
        revoke_sessions_of(
            enrollment_id=enrollment.pk,
            keep=reference,
            reason="the device enrolled again with another identity certificate",
        )
    if not reference:
        return True
    if abm_hooks.is_ade_reference(reference):
        return abm_hooks.bind_ade_enrollment(enrollment)
    return _BIND_SESSION.update(reference, enrollment.pk) > 0


def bind_session_statement(
    enrollment: Enrollment, channel_key: str
) -> tuple[str, list[Any]] | None:
    """`bind_session(enrollment, replaced=False)` of a new channel as the UPDATE that the
    statement inserting the channel runs (`devices.hooks.session_bind_statement`: one
    statement fewer for every enrollment's first Authenticate), `channel_key` the SQL of the
    new channel's key there. The same UPDATE as `_BIND_SESSION`'s: a new channel's key is no
    session's yet, so only an unbound session is bound. None without a session, or for an ADE
    reference (bound by `abm_hooks`)."""
    reference = enrollment.enrollment_reference
    if not reference or abm_hooks.is_ade_reference(reference):
        return None
    return _bind_session_sql(connection.vendor, channel_key), [_ENROLLED, reference]


_ENROLLED = EnrollmentSession.Status.ENROLLED.value


@functools.cache
def _bind_session_sql(vendor: str, channel_key: str) -> str:
    """`bind_session_statement`'s UPDATE, written once per database kind and key SQL: quoted
    names and the caller's SQL for the key; every value is a parameter."""
    qn = connection.ops.quote_name
    return (
        f"UPDATE {qn(EnrollmentSession._meta.db_table)} SET {qn('enrollment_id')} = {channel_key},"  # noqa: S608
        f" {qn('status')} = %s WHERE {qn('public_id')} = %s AND {qn('enrollment_id')} IS NULL"
        f" AND {qn('revoked_at')} IS NULL"
    )


def end_sessions(enrollment: Enrollment, reason: str) -> None:
    """The channel's enrollment ended: its sessions and every token of them stop working, and
    say why (`reason`: the check-out's, the administrator's, the takeover's)."""
    revoke_sessions_of(
        enrollment_id=enrollment.pk, reference=enrollment.enrollment_reference, reason=reason
    )


def _token_belongs(token: EnrollmentToken, session: EnrollmentSession, enrollment: Any) -> bool:
    if token.session_id == session.pk:
        return True
    other = token.session
    # A re-authentication (after expiry or revocation) creates a new session for the same
    # person: accept it once it is bound to this enrollment, or bind it now if it is fresh.
    if other.enrollment_id is not None:
        return other.enrollment_id in (enrollment.pk, enrollment.parent_id)
    return (
        other.kind == EnrollmentSession.Kind.ACCOUNT
        and other.configuration_id == session.configuration_id
        and other.managed_apple_id == session.managed_apple_id
        and other.enrollment_type == session.enrollment_type
    )


def _challenge(session: EnrollmentSession) -> AuthChallenge:
    """The sign-in challenge of the session's configuration (read only when one is sent)."""
    from devices.hooks import AuthChallenge

    config = session.configuration or default_configuration()
    return AuthChallenge(www_authenticate=challenge_for(config, session.version))


def _own_token_accepted(enrollment: Enrollment, reference: str, bearer: str) -> bool:
    """Whether `bearer` is a valid access token of the reference's own account session (one
    statement). False decides nothing: the full check runs."""
    if not 0 < len(bearer) <= 200:
        return False
    digest = hash_token(bearer)
    row = _OWN_ACCESS_TOKEN.first(digest, reference)
    if row is None:
        return False
    token_hash, revoked_at, expires_at, session_id, kind, session_revoked_at = row[:6]
    session_expires_at, bound_to, replaces = row[6:]
    _read_replaces(reference, replaces)
    now = timezone.now()
    if (
        not hmac.compare_digest(token_hash, digest)
        or kind != EnrollmentSession.Kind.ACCOUNT
        or revoked_at is not None
        or expires_at <= now
        or session_revoked_at is not None
        or session_expires_at <= now
    ):
        return False
    if bound_to is None:
        _bind_if_unbound(session_id, enrollment)
    return True


def check_bearer(enrollment: Enrollment, bearer: str | None) -> AuthChallenge | None:
    """Later check-ins and connects of account-driven enrollments must carry a valid token."""
    reference = enrollment.enrollment_reference
    if not reference and enrollment.parent_id:
        reference = enrollment.parent.enrollment_reference if enrollment.parent else ""
    if reference and bearer and _own_token_accepted(enrollment, reference, bearer):
        return None
    session = _SESSION_BY_REFERENCE.first(reference) if reference else None
    if session is not None:
        _read_replaces(reference, session.replaces_id)
    if session is None or session.kind != EnrollmentSession.Kind.ACCOUNT:
        return None
    if bearer is None:
        # macOS sends the token only on the user channel, never on the device channel.
        if enrollment.device.platform == "macOS" and enrollment.channel == "device":
            return None
        return _challenge(session)
    token = _access_token(bearer, session)
    now = timezone.now()
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.session.is_active
        or not _token_belongs(token, session, enrollment)
    ):
        return _challenge(session)
    for row in {session, token.session}:
        if row.enrollment_id is None:
            _bind_if_unbound(row.pk, enrollment)
    return None


def _bind_if_unbound(session_id: int, enrollment: Enrollment) -> None:
    """A session whose token a channel uses, bound to no channel yet, is bound to it (the
    device channel of a user channel)."""
    EnrollmentSession.objects.filter(pk=session_id, enrollment__isnull=True).update(
        enrollment_id=enrollment.parent_id or enrollment.pk,
        status=EnrollmentSession.Status.ENROLLED,
    )


def purge_sessions(*, enrollment_ids: list[int], references: list[str]) -> int:
    """Ended User Enrollments are purged after their retention: their sessions (the person's
    sign-in name, Managed Apple ID, MachineInfo) and tokens go with them. The deleted count."""
    return EnrollmentSession.objects.filter(
        Q(enrollment_id__in=enrollment_ids) | Q(public_id__in=references)
    ).delete()[0]
