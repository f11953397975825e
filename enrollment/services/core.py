"""Enrollment core: addresses, discovery decisions, sign-in sessions and tokens, profiles."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, router, transaction
from django.urls import get_script_prefix
from django.utils import timezone

from devices import services as device_services
from devices.models import Enrollment
from enrollment import directory_access, discovery, mdm_profile
from enrollment.directory_access import Person, SignInFailed
from enrollment.machine_info import MachineInfo, MachineInfoError, parse_machine_info
from enrollment.models import (
    EnrollmentConfiguration,
    EnrollmentSession,
    EnrollmentSettings,
    EnrollmentToken,
)
from mdm_server import apple, config_cache
from mdm_server.config_cache import CachedValue
from mdm_server.paths import path_for
from mdm_server.prepared import (
    PreparedInsert,
    PreparedQuery,
    PreparedUpdate,
    row_converters,
    save_together,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

OAUTH_SCOPE = "MDM"
OAUTH_REDIRECT_URL = f"{discovery.CALLBACK_SCHEME}:/oauth2/redirection"
OAUTH_CODE_TTL = dt.timedelta(minutes=5)


class EnrollmentError(Exception):
    """A request that cannot go on; `status` is the HTTP status, `message` the reason.

    With `challenge` set the answer is 401 with that WWW-Authenticate value.
    """

    def __init__(self, status: int, message: str, *, challenge: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.challenge = challenge


# --- small helpers -----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def public_url(path: str) -> str:
    return f"{settings.PUBLIC_URL}{path}"


def version_slug(version: str) -> str:
    return "byod" if version == "mdm-byod" else "adde"


def version_of_slug(slug: str) -> str:
    if slug == "byod":
        return "mdm-byod"
    if slug == "adde":
        return "mdm-adde"
    raise EnrollmentError(404, "unknown enrollment kind")


# The addresses discovery and the 401 challenge give every enrollment: kept per process
# (mdm_server.paths).
def base_url(configuration: EnrollmentConfiguration, version: str) -> str:
    return public_url(path_for("enrollment:account", configuration.slug, version_slug(version)))


def sign_in_url(configuration: EnrollmentConfiguration, version: str) -> str:
    return public_url(
        path_for("enrollment:authenticate", configuration.slug, version_slug(version))
    )


def challenge_for(configuration: EnrollmentConfiguration, version: str) -> str:
    """The WWW-Authenticate value for this configuration's sign-in method."""
    if configuration.sign_in_method == EnrollmentConfiguration.SignIn.OAUTH2:
        return discovery.oauth2_challenge(
            authorization_url=public_url(
                path_for("enrollment:oauth-authorize", configuration.slug, version_slug(version))
            ),
            token_url=public_url(path_for("enrollment:oauth-token", configuration.slug)),
            redirect_url=OAUTH_REDIRECT_URL,
            client_id=configuration.oauth_client_id,
            scope=OAUTH_SCOPE,
        )
    return discovery.web_challenge(sign_in_url(configuration, version))


# --- configuration lookup and discovery --------------------------------------------------------


# Read by every device-facing enrollment request; an organisation has a handful.
_CONFIGURATIONS = CachedValue(
    "enrollment.configurations",
    lambda: list(EnrollmentConfiguration.objects.all()),
    models=[EnrollmentConfiguration],
)


def configuration_by_slug(slug: str) -> EnrollmentConfiguration | None:
    """The configuration of an enrollment URL (read by every device-facing enrollment request)."""
    return next((c for c in _CONFIGURATIONS.get() if c.slug == slug), None)


def default_configuration() -> EnrollmentConfiguration:
    """The default configuration; created on first use so a fresh server can enroll."""
    config = EnrollmentConfiguration.objects.filter(is_default=True).first()
    if config is None:
        config, _ = EnrollmentConfiguration.objects.get_or_create(name="Default")
        EnrollmentConfiguration.objects.filter(pk=config.pk).update(is_default=True)
        config_cache.changed()
        config.is_default = True
    return config


def configuration_for_domain(domain: str) -> EnrollmentConfiguration | None:
    """The configuration listing this domain, else the default one for an organisation domain."""
    domain = domain.lower()
    configs = _CONFIGURATIONS.get()
    for config in configs:
        if domain in [d.lower() for d in config.domains]:
            return config
    if domain in directory_access.organisation_domains():
        # The default is usually among those just read; default_configuration() creates it.
        default = next((c for c in configs if c.is_default), None)
        return default or default_configuration()
    return None


@dataclass(frozen=True)
class Discovery:
    configuration_id: int
    version: str
    body: bytes  # the JSON document (enrollment.discovery.build_service_discovery)


def _check_person_allowed(person: Person | None, configuration: EnrollmentConfiguration) -> None:
    # A disabled account is answered like an unknown one (discovery is public and must not tell
    # who has an account); it is refused at sign-in, once the password has been checked.
    if person is None:
        return
    if configuration.groups and not set(configuration.groups) & set(person.groups):
        raise discovery.DiscoveryRejected(
            "Your account is not allowed to enroll devices. Contact your IT department.",
            "user outside the configuration's groups",
        )


_KEPT_FAMILY_MAX = 32  # Apple's model families are short words ("iPhone", "Mac")
_KEPT_DOMAIN_MAX = 253  # a DNS name


def discover(
    *,
    user_identifier: str | None,
    model_family: str | None,
    configuration: EnrollmentConfiguration | None = None,
) -> Discovery:
    """Decide the well-known answer; raises discovery.DiscoveryRejected for the 403.

    The answer depends on configuration (every row it reads is watched by the configuration
    cache) and, when groups decide who may enroll or how, on the person's groups. Without the
    person it is kept for the configuration generation, for each domain, model family, address
    and script prefix (`_DISCOVERIES`): a device's discovery is then a lookup, not five reads of
    the cache and a JSON document built again (bench.enroll_breakdown)."""
    ident = discovery.split_user_identifier(user_identifier) if user_identifier else None
    key = (
        ident.domain if ident is not None else None,
        model_family or "",
        configuration.pk if configuration is not None else None,
        get_script_prefix(),
    )

    # Keys come from the request: one longer than any model family or domain name is answered
    # but not kept (256 keys of 400 kB each were 100 MB a process).
    keepable = len(model_family or "") <= _KEPT_FAMILY_MAX and (
        ident is None or len(ident.domain) <= _KEPT_DOMAIN_MAX
    )

    def compute() -> tuple[Discovery, bool]:
        result = _decide(ident, model_family or "", configuration, people=False)
        if result is not None:
            return result, keepable
        found = _decide(ident, model_family or "", configuration, people=True)
        assert found is not None  # noqa: S101 - with people, an answer or a refusal
        return found, False

    return _DISCOVERIES.get(key, compute)


_DISCOVERIES: config_cache.Derived[tuple[str | None, str, int | None, str], Discovery] = (
    config_cache.Derived("enrollment.discovery")
)


def _decide(
    ident: discovery.UserIdentifier | None,
    model_family: str,
    configuration: EnrollmentConfiguration | None,
    *,
    people: bool,
) -> Discovery | None:
    """The discovery answer; None, without `people`, when the person's groups decide it."""
    options = EnrollmentSettings.current()
    if ident is None:
        # Reached by a redirect that dropped the query string: answer with the default.
        config = configuration or default_configuration()
        version = discovery.version_for_family(
            model_family,
            family_versions=config.family_versions,
            default_version=config.default_version,
        )
    else:
        config = configuration_for_domain(ident.domain)
        if config is None:
            raise discovery.DiscoveryRejected(
                f"{ident.domain} is not a domain of this organisation's device management.",
                f"unknown domain {ident.domain}",
            )
        if configuration is not None:
            # A per-configuration URL answers for its own domains (any known one when it has none).
            own = [d.lower() for d in configuration.domains]
            if own and ident.domain not in own:
                raise discovery.DiscoveryRejected(
                    f"{ident.domain} is not served at this address.",
                    "domain belongs to another configuration",
                )
            config = configuration
        # The person matters only through their groups: for the configuration's group
        # restriction, and for a group's Apple Enrollment Type. With neither, the answer is the
        # configuration's for everyone, and the lookup (discovery's only statement) is skipped.
        person = None
        if config.groups or directory_access.groups_decide_enrollment_type():
            if not people:
                return None
            person = directory_access.find_person(ident.text)
        _check_person_allowed(person, config)
        version = discovery.choose_version(
            model_family,
            # A disabled account is answered like an unknown one (refused at sign-in).
            group_type=person.apple_enrollment_type if person and person.enabled else "",
            family_versions=config.family_versions,
            default_version=config.default_version,
        ).version
    if version == "mdm-byod" and not options.user_enrollment_enabled:
        raise discovery.DiscoveryRejected(
            "Enrolling personal devices is switched off. Contact your IT department.",
            "Apple User Enrollment is disabled",
        )
    problem = push_status()
    if problem:
        # Tell the device now rather than after the user has signed in.
        raise discovery.DiscoveryRejected(problem, "no active APNs push certificate")
    document = discovery.build_service_discovery(
        base_url=base_url(config, version), version=version
    )
    return Discovery(configuration_id=config.pk, version=version, body=discovery.to_json(document))


# --- account-driven sign-in --------------------------------------------------------------------


def _allowed_domains(configuration: EnrollmentConfiguration) -> list[str]:
    return [d.lower() for d in configuration.domains] or directory_access.organisation_domains()


def _check_sign_in_policy(
    person: Person, configuration: EnrollmentConfiguration, identifier: str
) -> None:
    if not person.enabled:
        raise SignInFailed("disabled", "Your account is disabled. Contact your IT department.")
    domain = identifier.rpartition("@")[2].lower()
    allowed = _allowed_domains(configuration)
    if "@" in identifier and allowed and domain not in allowed:
        raise SignInFailed(
            "domain", f"Accounts of {domain} cannot enroll here. Use your work account."
        )
    if configuration.groups and not set(configuration.groups) & set(person.groups):
        raise SignInFailed("group", "Your account is not in a group allowed to enroll devices.")
    if not person.managed_apple_id:
        raise SignInFailed(
            "apple_id", "Your account has no Managed Apple Account yet. Contact your IT department."
        )


def _check_group_version(person: Person, version: str) -> None:
    """The person's group decides the kind of enrollment (as in the portal). Discovery answered
    another kind when it did not know the person yet (an account imported at this sign-in, or a
    group changed meanwhile): starting again from discovery gives the group's kind."""
    wanted = discovery.GROUP_VERSIONS.get(person.apple_enrollment_type)
    if wanted is None or wanted == version:
        return
    kinds = {"mdm-byod": "User Enrollment", "mdm-adde": "Device Enrollment"}
    raise SignInFailed(
        "enrollment_type",
        f"Your organisation enrolls your devices with {kinds[wanted]}, not "
        f"{kinds.get(version, version)}. Cancel and sign in to your work account again.",
    )


def _session_type(version: str) -> str:
    return EnrollmentSession.Type.USER if version == "mdm-byod" else EnrollmentSession.Type.ADDE


def _new_session(**row: Any) -> EnrollmentSession:
    """A new session, saved (arguments: `_session_row`'s)."""
    session = _session_row(**row)
    _INSERT_SESSION.save(session)
    return session


def _session_row(
    *,
    kind: str,
    enrollment_type: str,
    configuration: EnrollmentConfiguration | None,
    person: Person,
    identifier: str,
    options: EnrollmentSettings,
    model_family: str = "",
    platform: str = "",
    replaces: Enrollment | None = None,
) -> EnrollmentSession:
    return EnrollmentSession(
        replaces=replaces,
        kind=kind,
        enrollment_type=enrollment_type,
        configuration=configuration,
        user_identifier=identifier[:255],
        directory_user_id=person.id,
        managed_apple_id=person.managed_apple_id,
        ownership=person.default_ownership,
        model_family=model_family[:32],
        platform=platform,
        expires_at=timezone.now() + dt.timedelta(days=options.session_ttl_days),
    )


def _new_token(session: EnrollmentSession, **row: Any) -> str:
    """A new token of a saved session, saved; its secret (arguments: `_token_row`'s)."""
    token, secret = _token_row(session, **row)
    _INSERT_TOKEN.save(token)
    return secret


def _token_row(
    session: EnrollmentSession,
    *,
    kind: str,
    expires_at: dt.datetime,
    profile_deadline: dt.datetime | None = None,
    redirect_uri: str = "",
) -> tuple[EnrollmentToken, str]:
    secret = _new_secret()
    token = EnrollmentToken(
        session=session,
        kind=kind,
        token_hash=hash_token(secret),
        expires_at=expires_at,
        profile_deadline=profile_deadline,
        redirect_uri=redirect_uri,
    )
    return token, secret


# Every sign-in writes a session and its token, every profile POST reads and locks both and
# updates both (each pair in one statement: save_with, save_together): compiled once per thread
# (mdm_server.prepared; README, "Prepared statements on the sign-in and profile requests").
_INSERT_SESSION = PreparedInsert(EnrollmentSession)
_INSERT_TOKEN = PreparedInsert(EnrollmentToken)
_UPDATE_SESSION_PROFILE = PreparedUpdate(
    EnrollmentSession, ["machine_info", "platform", "model_family", "status"]
)
_UPDATE_TOKEN_PROFILE = PreparedUpdate(EnrollmentToken, ["profile_issued_at"])


@transaction.atomic
def sign_in_account_user(
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    identifier: str,
    password: str,
) -> tuple[EnrollmentSession, str]:
    """Web sign-in (apple-as-web): a new session and its access token (plaintext, once)."""
    identifier = identifier.strip()
    if not identifier or not password:
        raise SignInFailed("missing", "Enter your account and password.")
    options = EnrollmentSettings.current()
    _check_feature(version, options)
    accepted = directory_access.accept_password(
        identifier=identifier, password=password, source=configuration.identity_source
    )
    written = _sign_in_in_one_statement(
        accepted, configuration=configuration, version=version, options=options
    )
    if written is not None:
        return written
    return start_account_session(
        configuration=configuration,
        version=version,
        person=accepted.sign_in(),
        identifier=identifier,
        options=options,
    )


def _sign_in_in_one_statement(
    accepted: directory_access.Accepted,
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    options: EnrollmentSettings,
) -> tuple[EnrollmentSession, str] | None:
    """A returning person's accepted sign-in (their login stamped, the session and its token
    inserted) in one statement on PostgreSQL, where the directory's writes and then the
    session's took two: the person is made of their row as read before the password check
    (with the Managed Apple ID typed; a local account's row the password was checked against),
    and the statement stamps that row, and inserts the session and token, only if the stamp is
    all the directory would write and the row is still as read (`Accepted.unwritten`). None,
    with nothing written, otherwise, and when the person would be refused: the caller signs in
    the usual way, whose writes and refusals (the same checks, on the row as written) are what
    they always were."""
    identifier = accepted.identifier
    now = timezone.now()
    found = accepted.unwritten(now)
    if found is None:
        return None
    person, stamp = found
    try:
        _check_sign_in_policy(person, configuration, identifier)
        _check_group_version(person, version)
    except SignInFailed:
        return None  # refused as ever after the usual writes (undone with the sign-in)
    written = _write_account_session(
        configuration=configuration,
        enrollment_type=_session_type(version),
        person=person,
        identifier=identifier,
        options=options,
        stamp=stamp,
        now=now,
    )
    if written is not None:
        accepted.signed_in()
    return written


def _check_feature(version: str, options: EnrollmentSettings) -> None:
    if version == "mdm-byod" and not options.user_enrollment_enabled:
        raise SignInFailed("disabled_feature", "Enrolling personal devices is switched off.")


# No savepoint when nested in the sign-in's transaction: any error here ends the sign-in.
@transaction.atomic(savepoint=False)
def start_account_session(
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    person: Person,
    identifier: str,
    options: EnrollmentSettings | None = None,
) -> tuple[EnrollmentSession, str]:
    """A signed-in person (password or external IdP): new session and its access token.

    `options` are the enrollment settings the caller has already read, if any."""
    options = options or EnrollmentSettings.current()
    _check_feature(version, options)
    _check_sign_in_policy(person, configuration, identifier)
    _check_group_version(person, version)
    written = _write_account_session(
        configuration=configuration,
        enrollment_type=_session_type(version),
        person=person,
        identifier=identifier,
        options=options,
    )
    if written is not None:
        return written
    session = _session_row(
        kind=EnrollmentSession.Kind.ACCOUNT,
        enrollment_type=_session_type(version),
        configuration=configuration,
        person=person,
        identifier=identifier,
        options=options,
    )
    token, secret = _token_row(
        session,
        kind=EnrollmentToken.Kind.ACCESS,
        expires_at=session.expires_at,
        profile_deadline=timezone.now() + dt.timedelta(minutes=options.token_ttl_minutes),
    )
    _INSERT_SESSION.save_with(session, _INSERT_TOKEN, token)  # one statement
    return session, secret


def _write_account_session(
    *,
    configuration: EnrollmentConfiguration,
    enrollment_type: str,
    person: Person,
    identifier: str,
    options: EnrollmentSettings,
    stamp: tuple[str, list[Any]] | None = None,
    now: dt.datetime | None = None,
) -> tuple[EnrollmentSession, str] | None:
    """What `start_account_session` writes (the rows `_session_row` and `_token_row` give, saved
    by `save_with`'s statement), with each column's value put straight into the statement's
    parameters: every sign-in made two model instances field by field and ran `save()`'s
    per-field steps on both, several times the Python the statement itself needs. The session
    returned is the saved row, as `from_db` makes it. None, with nothing written, where the
    statement does not apply (another database than PostgreSQL, rows saved with more than
    their SQL): the caller saves its rows the usual way.

    With `stamp` (an `UPDATE ... RETURNING` of the sign-in's person, `Accepted.unwritten`), the
    same statement runs it first and inserts the rows only if it returned its row: None, with
    nothing written, when it did not."""
    from mdm_server.prepared import saves_more_than_sql

    alias = router.db_for_write(EnrollmentSession)
    connection = connections[alias]
    if (
        connection.vendor != "postgresql"
        or router.db_for_write(EnrollmentToken) != alias
        or saves_more_than_sql(EnrollmentSession)
        or saves_more_than_sql(EnrollmentToken)
    ):
        return None
    sql, session_fields, token_fields = _account_session_sql(alias, stamp is not None)
    now = now or timezone.now()
    expires_at = now + dt.timedelta(days=options.session_ttl_days)
    secret = _new_secret()
    given: dict[str, Any] = {
        "kind": EnrollmentSession.Kind.ACCOUNT,
        "enrollment_type": enrollment_type,
        "configuration_id": configuration.pk,
        "user_identifier": identifier[:255],
        "directory_user_id": person.id,
        "managed_apple_id": person.managed_apple_id,
        "ownership": person.default_ownership,
        "expires_at": expires_at,
    }
    token_given: dict[str, Any] = {
        "kind": EnrollmentToken.Kind.ACCESS,
        "token_hash": hash_token(secret),
        "expires_at": expires_at,
        "profile_deadline": now + dt.timedelta(minutes=options.token_ttl_minutes),
    }
    # Each other column as a new row has it: its default, or the moment (auto_now_add).
    values = [_new_value(field, given, now) for field in session_fields]
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(session_fields, values, strict=True)
    ]
    params += [
        field.get_db_prep_save(_new_value(field, token_given, now), connection)
        for field in token_fields
    ]
    if stamp is not None:
        sql = f"WITH stamped AS ({stamp[0]}), {sql}"
        params = [*stamp[1], *params]
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # the stamp wrote nothing, and so nothing was inserted
        return None
    _token_pk, pk = row
    session = EnrollmentSession.from_db(
        alias, [_SESSION_KEY, *(f.attname for f in session_fields)], [pk, *values]
    )
    # As `_session_row` leaves it: the configuration given, not read again.
    EnrollmentSession.configuration.field.set_cached_value(session, configuration)
    return session, secret


_SESSION_KEY = EnrollmentSession._meta.pk.attname


def _new_value(field: Any, given: dict[str, Any], now: dt.datetime) -> Any:
    if field.attname in given:
        return given[field.attname]
    if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
        return now
    return field.get_default()


@functools.cache
def _account_session_sql(
    alias: str, after_stamp: bool = False
) -> tuple[str, tuple[Any, ...], tuple[Any, ...]]:
    """`_write_account_session`'s statement (the session's INSERT in a data-modifying WITH, the
    token's reading the new key from it, as `PreparedInsert.save_with` writes it), and the
    fields of each row in the order of their parameters (the token's without its session).
    `after_stamp`: the statement goes on from a `stamped AS (...)` (its caller writes it
    first), and each INSERT writes its row only if the part before it returned one."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    session_meta, token_meta = EnrollmentSession._meta, EnrollmentToken._meta
    session_fields = tuple(
        f for f in session_meta.local_concrete_fields if f is not session_meta.auto_field
    )
    link = token_meta.get_field("session")
    token_fields = tuple(
        f for f in token_meta.local_concrete_fields if f is not token_meta.auto_field
    )
    if (
        session_meta.concrete_fields[0] is not session_meta.auto_field
        or len(session_meta.concrete_fields) != len(session_fields) + 1
    ):
        raise ValueError("EnrollmentSession: its key first, then its own columns")
    key = qn(session_meta.pk.column)
    session_values = ", ".join("%s" for _ in session_fields)
    new_key = f"parent.{key}" if after_stamp else f"(SELECT {key} FROM parent)"  # noqa: S608
    token_values = ", ".join(new_key if f == link else "%s" for f in token_fields)
    if after_stamp:  # INSERT ... SELECT: a row only for each row of the part before
        session_rows = f"SELECT {session_values} FROM stamped"  # noqa: S608 - placeholders
        token_rows = f"SELECT {token_values} FROM parent"  # noqa: S608 - a quoted name
    else:
        session_rows, token_rows = f"VALUES ({session_values})", f"VALUES ({token_values})"
    sql = (
        f"{'' if after_stamp else 'WITH '}parent AS (INSERT INTO {qn(session_meta.db_table)} "
        f"({', '.join(qn(f.column) for f in session_fields)}) {session_rows} "
        f"RETURNING {key}) "
        f"INSERT INTO {qn(token_meta.db_table)} "
        f"({', '.join(qn(f.column) for f in token_fields)}) {token_rows} "
        f"RETURNING {qn(token_meta.pk.column)}, {qn(link.column)}"
    )
    return sql, session_fields, tuple(f for f in token_fields if f != link)


def entra_source_for(configuration: EnrollmentConfiguration, identifier: str) -> Any | None:
    """The Entra ID source that signs this identifier in (passwords typed at Microsoft)."""
    return directory_access.entra_source(
        configured=configuration.identity_source, identifier=identifier
    )


# The token of a hash with its session, every column of both (what select_related("session")
# reads), in one statement compiled once per thread (mdm_server.prepared; README, "Prepared
# statements on the sign-in and profile requests"). token_hash is unique: no ORDER BY.
_TOKEN_COLUMNS = tuple(f.attname for f in EnrollmentToken._meta.concrete_fields)
_SESSION_COLUMNS = tuple(f.attname for f in EnrollmentSession._meta.concrete_fields)
_HASH_COLUMN = _TOKEN_COLUMNS.index("token_hash")
_TOKEN_WITH_SESSION = PreparedQuery(
    lambda digest, kind: (
        EnrollmentToken.objects.filter(token_hash=digest, kind=kind)
        .order_by()
        .values_list(*_TOKEN_COLUMNS, *(f"session__{name}" for name in _SESSION_COLUMNS))[:1]
    ),
    str,
    str,
)
# Locks both rows (the join's FOR UPDATE, as select_related with select_for_update does).
_TOKEN_WITH_SESSION_FOR_UPDATE = _TOKEN_WITH_SESSION.for_update()


def _find_token(secret: str, kind: str, *, for_update: bool = False) -> EnrollmentToken | None:
    """The token with this secret, its session read with it (one statement); `for_update`
    locks both rows."""
    if not secret or len(secret) > 200:
        return None
    digest = hash_token(secret)
    query = _TOKEN_WITH_SESSION_FOR_UPDATE if for_update else _TOKEN_WITH_SESSION
    row = query.first(digest, kind)
    # The lookup is by hash already; compare again in constant time for good measure.
    if row is None or not hmac.compare_digest(row[_HASH_COLUMN], digest):
        return None
    db = router.db_for_write(EnrollmentToken) if for_update else router.db_for_read(EnrollmentToken)
    width = len(_TOKEN_COLUMNS)
    token = EnrollmentToken.from_db(db, list(_TOKEN_COLUMNS), row[:width])
    token.session = EnrollmentSession.from_db(db, list(_SESSION_COLUMNS), row[width:])
    return token


def _push_topic() -> str:
    """The APNs topic of the active push certificate (EnrollmentError 403 when none)."""
    try:
        from apns.services import active_topic
    except ImportError:
        active_topic = None
    topic = active_topic() if active_topic is not None else None
    if not topic:
        raise EnrollmentError(
            403,
            "This server cannot enroll devices yet: the administrator has not uploaded an "
            "MDM push certificate.",
        )
    return topic


@dataclass(frozen=True)
class IdentityRequest:
    """What the identity payload of an enrollment profile is issued for: the reference the
    certificate is bound to (a session, or an administrator's grant for one channel), its
    subject, and for a renewal the certificate it replaces (devices.binding)."""

    reference: str
    subject: str
    renews: str = ""
    challenge_ttl: int = 3600


def _identity_for(
    request: IdentityRequest, configuration: EnrollmentConfiguration | None
) -> mdm_profile.ScepIdentity | mdm_profile.Pkcs12Identity:
    from mdm_server.pki import services as pki

    if configuration is not None and configuration.identity_kind == "pkcs12":
        password = secrets.token_urlsafe(12)
        data, _issued = pki.issue_identity_pkcs12(
            reference=request.reference,
            common_name=request.subject,
            password=password,
            renews=request.renews,
        )
        return mdm_profile.Pkcs12Identity(data=data, password=password)
    identity, challenge = _scep_identity(request)
    pki.CHALLENGE_INSERT.save(challenge)
    return identity


def _scep_identity(request: IdentityRequest) -> tuple[mdm_profile.ScepIdentity, Any]:
    """The SCEP identity payload's content, and its one-time challenge's row, not saved yet."""
    from mdm_server.pki import services as pki

    # The challenge carries the subject the payload asks for: the CA signs that one only.
    row, challenge = pki.new_scep_challenge(
        reference=request.reference,
        ttl_seconds=request.challenge_ttl,
        renews=request.renews,
        subject=request.subject,
    )
    identity = mdm_profile.ScepIdentity(
        url=public_url("/scep"), challenge=challenge, subject_cn=request.subject
    )
    return identity, row


def _session_identity(session: EnrollmentSession) -> IdentityRequest:
    label = _type_labels().get(session.enrollment_type, session.enrollment_type)
    return IdentityRequest(
        reference=session.public_id, subject=f"MDM {label!s} {session.public_id[:12]}"
    )


@functools.cache
def _type_labels() -> dict[Any, Any]:
    """What `get_enrollment_type_display()` reads, the field's choices as a dictionary, made
    once: Django makes it again on every call (0.08 ms of CPU twice per profile POST under
    cProfile). A value outside the choices is displayed as it is, as Django displays it."""
    return dict(EnrollmentSession._meta.get_field("enrollment_type").flatchoices)


def _profile_kind(session: EnrollmentSession) -> mdm_profile.ProfileKind:
    kinds = mdm_profile.ProfileKind
    if session.kind == EnrollmentSession.Kind.ACCOUNT:
        return kinds.ACCOUNT_BYOD if session.enrollment_type == "user" else kinds.ACCOUNT_ADDE
    return kinds.PROFILE_UE if session.enrollment_type == "user" else kinds.DEVICE


def _identifier_prefix() -> str:
    """Reverse-DNS PayloadIdentifier prefix from the public host, shared with the devices app
    (its Unenroll command removes `<prefix>.enrollment`)."""
    return _prefix_of(settings.PUBLIC_URL)


@functools.lru_cache(maxsize=4)
def _prefix_of(public_url: str) -> str:
    """`payload_identifier_prefix`, worked out once per public URL (every enrollment profile)."""
    from devices.commands import payload_identifier_prefix

    return payload_identifier_prefix(public_url)


def build_profile_for(
    session: EnrollmentSession,
    *,
    configuration: EnrollmentConfiguration | None = None,
    options: EnrollmentSettings | None = None,
    identity: mdm_profile.ScepIdentity | None = None,
) -> bytes:
    """Build and sign the enrollment profile of a session (raises EnrollmentError).

    `configuration` (the session's, when the caller has it) and `options` save re-reading them;
    `identity` is the identity payload's content when the caller has made it (`_scep_identity`,
    its challenge saved with rows of the caller's)."""
    if configuration is None or configuration.pk != session.configuration_id:
        configuration = session.configuration
    return build_enrollment_profile(
        kind=_profile_kind(session),
        identity=_session_identity(session),
        managed_apple_id=session.managed_apple_id,
        configuration=configuration,
        options=options,
        made=identity,
    )


def build_enrollment_profile(
    *,
    kind: mdm_profile.ProfileKind,
    identity: IdentityRequest,
    managed_apple_id: str,
    configuration: EnrollmentConfiguration | None,
    options: EnrollmentSettings | None = None,
    topic: str = "",
    made: mdm_profile.ScepIdentity | None = None,
) -> bytes:
    """The signed enrollment profile (a first enrollment's, or a renewal's: the same
    PayloadIdentifier, ServerURL and `topic` as the installed one). Raises EnrollmentError.
    `made`: the identity payload's content, made for `identity` by the caller."""
    from mdm_server.pki.certificates import CertificateError
    from mdm_server.pki.signing import sign_profile

    options = options or EnrollmentSettings.current()
    topic = topic or _push_topic()
    try:
        spec = mdm_profile.EnrollmentProfileSpec(
            kind=kind,
            identifier=_identifier_prefix(),
            organisation=options.organisation_name,
            server_url=public_url("/mdm/connect"),
            check_in_url=public_url("/mdm/checkin"),
            topic=topic,
            identity=made or _identity_for(identity, configuration),
            managed_apple_id=managed_apple_id,
            access_rights=options.device_access_rights,
        )
        return sign_profile(mdm_profile.enrollment_profile_xml(spec))
    except mdm_profile.MdmProfileError as exc:
        raise EnrollmentError(403, str(exc)) from None
    except CertificateError as exc:
        raise EnrollmentError(403, f"The server PKI is not ready: {exc}") from None


def trusted_device_roots(options: EnrollmentSettings | None = None) -> list[Any]:
    """Apple's device CA (configured PEM), against which signed MachineInfo is checked."""
    pem = (options or EnrollmentSettings.current()).apple_device_ca_pem.strip()
    if not pem:
        return []
    try:
        return list(_certificates_of(pem))
    except ValueError:
        logger.error("the configured Apple device CA is not a PEM certificate")
        raise EnrollmentError(
            403, "The server's Apple device CA setting is broken; contact your IT department."
        ) from None


@functools.lru_cache(maxsize=4)
def _certificates_of(pem: str) -> tuple[Any, ...]:
    """The certificates of a PEM text, parsed once per text (the configured Apple device CA,
    read by both POSTs of every account-driven enrollment); ValueError when it holds none."""
    from cryptography import x509

    return tuple(x509.load_pem_x509_certificates(pem.encode()))


def read_machine_info(body: bytes, options: EnrollmentSettings | None = None) -> MachineInfo:
    try:
        return parse_machine_info(body, trusted_roots=trusted_device_roots(options) or None)
    except MachineInfoError as exc:
        raise EnrollmentError(400, str(exc)) from None


def issue_account_profile(
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    authorization: str | None,
    body: bytes,
) -> tuple[bytes, EnrollmentSession]:
    """The second POST: a valid Bearer token gets the signed profile, once (Apple step 12)."""
    options = EnrollmentSettings.current()
    info = read_machine_info(body, options)
    secret = apple.bearer_token(authorization)
    if secret is None:
        # The first POST of every enrollment: answered without opening a transaction.
        raise EnrollmentError(
            401, "sign-in required", challenge=challenge_for(configuration, version)
        )
    with transaction.atomic():
        return _issue_account_profile(
            configuration=configuration,
            version=version,
            secret=secret,
            info=info,
            options=options,
        )


def _issue_account_profile(
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    secret: str,
    info: MachineInfo,
    options: EnrollmentSettings,
) -> tuple[bytes, EnrollmentSession]:
    issued = _issue_in_one_statement(
        configuration=configuration, version=version, secret=secret, info=info, options=options
    )
    if issued is not None:
        return issued
    # Refused (or not for the one statement): nothing was written; the checks below say why.
    challenge = challenge_for(configuration, version)  # what a refused token is answered with
    token = _find_token(secret, EnrollmentToken.Kind.ACCESS, for_update=True)
    now = timezone.now()
    if token is None:
        raise EnrollmentError(401, "unknown access token", challenge=challenge)
    session = token.session  # locked with the token
    if (
        token.revoked_at is not None
        or token.profile_issued_at is not None
        or token.profile_deadline is None
        or token.profile_deadline <= now
        or token.expires_at <= now
        or not session.is_active
    ):
        raise EnrollmentError(401, "the access token is used or expired", challenge=challenge)
    if session.configuration_id != configuration.pk or session.version != version:
        raise EnrollmentError(403, "the access token belongs to another enrollment")
    byod = session.enrollment_type == EnrollmentSession.Type.USER
    session.machine_info = info.stored(byod=byod)
    session.platform = apple.platform_of(info.product) or ""
    session.model_family = re.sub(r"[\d,]+$", "", info.product)[:32]
    session.status = EnrollmentSession.Status.PROFILE_ISSUED
    token.profile_issued_at = now
    identity, challenge = None, None
    if configuration.identity_kind != "pkcs12":  # a PKCS#12 identity is issued as it is built
        identity, row = _scep_identity(_session_identity(session))
        from mdm_server.pki.services import CHALLENGE_INSERT

        challenge = (CHALLENGE_INSERT, row)
    # The session, its token and the profile's SCEP challenge written by one statement.
    save_together(_UPDATE_SESSION_PROFILE, session, _UPDATE_TOKEN_PROFILE, token, then=challenge)
    profile = build_profile_for(
        session, configuration=configuration, options=options, identity=identity
    )
    return profile, session


def _issue_in_one_statement(
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    secret: str,
    info: MachineInfo,
    options: EnrollmentSettings,
) -> tuple[bytes, EnrollmentSession] | None:
    """`_issue_account_profile`'s writes for a token that is accepted, in one statement on
    PostgreSQL: the token stamped (it must be an unused, unexpired, unrevoked access token of an
    active session of this configuration and kind), its session updated with the MachineInfo,
    and the profile's SCEP challenge inserted for that session (its reference and subject read
    from the session's row), each only if the one before it was written; the session read back.
    Where the two statements (the token and session read and locked, then the three writes)
    cost 0.6 ms of CPU, this costs one round trip. None, with nothing written, when the token
    is refused (the caller's checks then say why, as before), and when the statement does not
    apply (another database, a PKCS#12 identity, rows saved with more than their SQL)."""
    from mdm_server.pki import services as pki
    from mdm_server.pki.certificates import check_common_name
    from mdm_server.pki.models import ScepChallenge
    from mdm_server.prepared import saves_more_than_sql

    if configuration.identity_kind == "pkcs12" or not secret or len(secret) > 200:
        return None
    alias = router.db_for_write(EnrollmentToken)
    connection = connections[alias]
    if (
        connection.vendor != "postgresql"
        or router.db_for_write(EnrollmentSession) != alias
        or router.db_for_write(ScepChallenge) != alias
        or any(saves_more_than_sql(m) for m in (EnrollmentSession, EnrollmentToken, ScepChallenge))
    ):
        return None
    enrollment_type = _session_type(version)
    # The subject `_session_identity` gives: this prefix and the first 12 characters of the
    # session's public id (printable ASCII, required below), a valid common name whatever they are.
    prefix = f"MDM {EnrollmentSession.Type(enrollment_type).label} "
    try:
        check_common_name(prefix + "x" * 12)
    except ValueError:
        return None
    now = timezone.now()
    row, challenge = pki.new_scep_challenge(
        reference=_HEX_PLACEHOLDER, ttl_seconds=IdentityRequest.challenge_ttl, subject=prefix
    )
    sql, attnames, steps, challenge_fields = _one_statement_sql(alias)
    byod = enrollment_type == EnrollmentSession.Type.USER
    session_update = {
        "machine_info": info.stored(byod=byod),
        "platform": apple.platform_of(info.product) or "",
        "model_family": re.sub(r"[\d,]+$", "", info.product)[:32],
        "status": EnrollmentSession.Status.PROFILE_ISSUED,
    }
    session_meta = EnrollmentSession._meta
    token_meta = EnrollmentToken._meta
    stamp = token_meta.get_field("profile_issued_at").get_db_prep_save(now, connection)
    moment = token_meta.get_field("expires_at").get_db_prep_save(now, connection)
    params: list[Any] = [
        stamp,
        hash_token(secret),
        EnrollmentToken.Kind.ACCESS.value,
        moment,
        moment,
        session_meta.get_field("expires_at").get_db_prep_save(timezone.now(), connection),
        configuration.pk,
        enrollment_type,
    ]
    session_fields = {f.name: f for f in session_meta.concrete_fields}
    params += [
        session_fields[name].get_db_prep_save(value, connection)
        for name, value in session_update.items()
    ]
    params += params[5:8]  # the session's conditions, checked again by its UPDATE
    for field in challenge_fields:
        if field.name == "subject":
            params.append(prefix)
        elif field.name != "reference":
            params.append(field.get_db_prep_save(field.pre_save(row, True), connection))
    # Its values (a score of them) sent apart from the SQL (server-side binding), not quoted
    # into it in Python, by the cursor the check-ins' statements use (devices.hotpath).
    from devices.hotpath import bound_cursor

    with transaction.mark_for_rollback_on_error(using=alias), bound_cursor(connection) as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    values = list(found)
    for n, col, converters in steps:
        for convert in converters:
            values[n] = convert(values[n], col, connection)
    session = EnrollmentSession.from_db(alias, attnames, values)
    identity = mdm_profile.ScepIdentity(
        url=public_url("/scep"), challenge=challenge, subject_cn=_session_identity(session).subject
    )
    profile = build_profile_for(
        session, configuration=configuration, options=options, identity=identity
    )
    return profile, session


_HEX_PLACEHOLDER = "0" * 32  # a session's reference, replaced by the row's in the statement


@functools.cache
def _one_statement_sql(alias: str) -> tuple[str, list[str], Any, list[Any]]:
    """The statement of `_issue_in_one_statement` (written once per database), the session's
    attnames in its row, the converters of each column that has any (the ORM's, as for a
    SELECT of the row), and the challenge's fields in the order of their parameters."""
    from mdm_server.pki.models import ScepChallenge

    connection = connections[alias]
    qn = connection.ops.quote_name
    token_meta, session_meta = EnrollmentToken._meta, EnrollmentSession._meta
    challenge_meta = ScepChallenge._meta

    def col(meta: Any, name: str) -> str:
        return qn(meta.get_field(name).column)

    session_fields = session_meta.concrete_fields
    challenge_fields = [
        f for f in challenge_meta.local_concrete_fields if f is not challenge_meta.auto_field
    ]
    inserted = []
    for field in challenge_fields:
        if field.name == "reference":
            inserted.append(f"s.{col(session_meta, 'public_id')}")
        elif field.name == "subject":
            inserted.append(f"%s || left(s.{col(session_meta, 'public_id')}, 12)")
        else:
            inserted.append("%s")
    updated = ", ".join(
        f"{col(session_meta, name)} = %s"
        for name in ("machine_info", "platform", "model_family", "status")
    )
    token, session, challenge = (
        qn(meta.db_table) for meta in (token_meta, session_meta, challenge_meta)
    )
    returned = ", ".join(f"s.{qn(f.column)}" for f in session_fields)
    # The token is locked first, then its session: the order of every other writer of both
    # (revoke_session, revoke_sessions_of). Values are parameters; names are quoted.
    sql = (
        f"WITH t AS (UPDATE {token} SET {col(token_meta, 'profile_issued_at')} = %s "  # noqa: S608
        f"WHERE {col(token_meta, 'token_hash')} = %s AND {col(token_meta, 'kind')} = %s "
        f"AND {col(token_meta, 'revoked_at')} IS NULL "
        f"AND {col(token_meta, 'profile_issued_at')} IS NULL "
        f"AND {col(token_meta, 'profile_deadline')} > %s AND {col(token_meta, 'expires_at')} > %s "
        f"AND {col(token_meta, 'session')} IN (SELECT {qn(session_meta.pk.column)} FROM {session} "
        f"WHERE {col(session_meta, 'revoked_at')} IS NULL "
        f"AND {col(session_meta, 'expires_at')} > %s "
        f"AND {col(session_meta, 'configuration')} = %s "
        f"AND {col(session_meta, 'enrollment_type')} = %s "
        f"AND {col(session_meta, 'public_id')} ~ '^[ -~]+$') "
        f"RETURNING {col(token_meta, 'session')}), "
        # The session's conditions again: `t` read the session as the statement began, and a
        # writer of the session alone (a revocation by SQL, a configuration deleted: SET NULL)
        # that committed while this waited for its lock must stop it. Nothing is then issued;
        # the token stamped by `t` is refused as used by the caller's checks (or rolled back).
        f"s AS (UPDATE {session} SET {updated} WHERE {qn(session_meta.pk.column)} IN "
        f"(SELECT {col(token_meta, 'session')} FROM t) "
        f"AND {col(session_meta, 'revoked_at')} IS NULL "
        f"AND {col(session_meta, 'expires_at')} > %s "
        f"AND {col(session_meta, 'configuration')} = %s "
        f"AND {col(session_meta, 'enrollment_type')} = %s "
        f"RETURNING {', '.join(qn(f.column) for f in session_fields)}), "
        f"c AS (INSERT INTO {challenge} ({', '.join(qn(f.column) for f in challenge_fields)}) "
        f"SELECT {', '.join(inserted)} FROM s RETURNING 1) "
        f"SELECT {returned} FROM s WHERE EXISTS (SELECT 1 FROM c)"
    )
    steps = row_converters(session_fields, session_meta.db_table, connection)
    return sql, [f.attname for f in session_fields], steps, challenge_fields


@transaction.atomic
def revoke_session(
    *,
    session: EnrollmentSession,
    reason: str = "revoked by an administrator",
    actor: Any = None,
    end_enrollment: bool = True,
) -> bool:
    """Revoke a session and its tokens. With `end_enrollment` (an administrator's revocation),
    the enrollment the session made ends completely, as a CheckOut would: its identity
    certificate is revoked, its queue dropped, pushes stop, `devices.signals.enrollment_ended`
    is sent. False when the session was revoked already."""
    now = timezone.now()
    # The tokens first, then the session: the order in which a profile POST locks them (its
    # token joined to its session, FOR UPDATE). The other order deadlocked against it.
    EnrollmentToken.objects.filter(session=session, revoked_at__isnull=True).update(revoked_at=now)
    revoked = EnrollmentSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason[:200], status=EnrollmentSession.Status.REVOKED
    )
    if revoked and end_enrollment and session.enrollment_id is not None:
        device = Enrollment.objects.filter(
            pk=session.enrollment_id, enrollment_reference=session.public_id
        ).first()
        # Only the enrollment this session made: a device enrolled again since then under
        # another session keeps its new enrollment.
        if device is not None:
            device_services.unenroll(
                enrollment=device, reason=f"enrollment session revoked: {reason}", actor=actor
            )
    return bool(revoked)


def revoke_sessions_of(
    *, enrollment_id: int, reason: str, reference: str = "", keep: str = ""
) -> int:
    """Revoke the sessions bound to a device channel (and the session `reference`, bound or
    not), except `keep`, with all their tokens; returns how many sessions were revoked."""
    sessions = EnrollmentSession.objects.filter(enrollment_id=enrollment_id)
    if reference:
        sessions = sessions | EnrollmentSession.objects.filter(public_id=reference)
    ids = list(
        sessions.filter(revoked_at__isnull=True)
        .exclude(public_id=keep)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    now = timezone.now()
    # Tokens, then sessions: as `revoke_session` (the order a profile POST locks them in).
    EnrollmentToken.objects.filter(session_id__in=ids, revoked_at__isnull=True).update(
        revoked_at=now
    )
    EnrollmentSession.objects.filter(pk__in=ids).update(
        revoked_at=now, revoked_reason=reason[:200], status=EnrollmentSession.Status.REVOKED
    )
    return len(ids)


def push_status() -> str:
    """ "" when enrollment profiles can be built, else the problem for the console."""
    try:
        _push_topic()
    except EnrollmentError as exc:
        return exc.message
    return ""
