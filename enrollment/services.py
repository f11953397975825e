"""Enrollment writes: discovery decisions, sign-in sessions and tokens, enrollment profiles.

Every change of enrollment state goes through a function here; the protocol views, the portal,
the console and the devices hooks call them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from enrollment import directory_access, discovery, mdm_profile
from enrollment.directory_access import Person, SignInFailed
from enrollment.machine_info import MachineInfo, MachineInfoError, parse_machine_info
from enrollment.models import (
    EnrollmentConfiguration,
    EnrollmentSession,
    EnrollmentSettings,
    EnrollmentToken,
)

if TYPE_CHECKING:
    from devices.hooks import AuthChallenge, EnrollmentContext
    from devices.models import Enrollment
    from devices.protocol import EnrollmentIds

logger = logging.getLogger(__name__)

OAUTH_SCOPE = "MDM"
OAUTH_REDIRECT_URL = f"{discovery.CALLBACK_SCHEME}:/oauth2/redirection"
OAUTH_CODE_TTL = dt.timedelta(minutes=5)
# Minimum OS versions of profile-based User Enrollment, and the first OS where it is gone.
PROFILE_UE_MIN = {"iOS": (13, 1), "macOS": (10, 15)}
PROFILE_UE_REMOVED = {"iOS": (18, 0), "macOS": (15, 0)}

__all__ = ["SignInFailed"]


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


def base_url(configuration: EnrollmentConfiguration, version: str) -> str:
    return public_url(
        reverse("enrollment:account", args=[configuration.slug, version_slug(version)])
    )


def sign_in_url(configuration: EnrollmentConfiguration, version: str) -> str:
    return public_url(
        reverse("enrollment:authenticate", args=[configuration.slug, version_slug(version)])
    )


def challenge_for(configuration: EnrollmentConfiguration, version: str) -> str:
    """The WWW-Authenticate value for this configuration's sign-in method."""
    if configuration.sign_in_method == EnrollmentConfiguration.SignIn.OAUTH2:
        return discovery.oauth2_challenge(
            authorization_url=public_url(
                reverse(
                    "enrollment:oauth-authorize",
                    args=[configuration.slug, version_slug(version)],
                )
            ),
            token_url=public_url(reverse("enrollment:oauth-token", args=[configuration.slug])),
            redirect_url=OAUTH_REDIRECT_URL,
            client_id=configuration.oauth_client_id,
            scope=OAUTH_SCOPE,
        )
    return discovery.web_challenge(sign_in_url(configuration, version))


def platform_of_product(product: str) -> str:
    """iOS, macOS, visionOS, tvOS or watchOS from a PRODUCT/model string such as iPhone17,2."""
    p = product or ""
    if p.startswith(("iPhone", "iPad", "iPod")):
        return "iOS"
    if p.startswith(("Mac", "iMac", "MacBook", "VirtualMac")):
        return "macOS"
    if p.startswith("RealityDevice"):
        return "visionOS"
    if p.startswith("AppleTV"):
        return "tvOS"
    if p.startswith("Watch"):
        return "watchOS"
    return ""


def platform_of_family(family: str) -> str:
    return {"iPhone": "iOS", "iPad": "iOS", "Mac": "macOS", "RealityDevice": "visionOS"}.get(
        family, ""
    )


def parse_version(text: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", text or "")[:3]
    return tuple(int(p) for p in parts)


# --- configuration lookup and discovery --------------------------------------------------------


def default_configuration() -> EnrollmentConfiguration:
    """The default configuration; created on first use so a fresh server can enroll."""
    config = EnrollmentConfiguration.objects.filter(is_default=True).first()
    if config is None:
        config, _ = EnrollmentConfiguration.objects.get_or_create(name="Default")
        EnrollmentConfiguration.objects.filter(pk=config.pk).update(is_default=True)
        config.is_default = True
    return config


def configuration_for_domain(domain: str) -> EnrollmentConfiguration | None:
    """The configuration listing this domain, else the default one for an organisation domain."""
    domain = domain.lower()
    for config in EnrollmentConfiguration.objects.all():
        if domain in [d.lower() for d in config.domains]:
            return config
    if domain in directory_access.organisation_domains():
        return default_configuration()
    return None


@dataclass(frozen=True)
class Discovery:
    configuration: EnrollmentConfiguration
    version: str
    document: dict[str, Any]


def _check_person_allowed(person: Person | None, configuration: EnrollmentConfiguration) -> None:
    if person is None:
        return
    if not person.enabled:
        raise discovery.DiscoveryRejected(
            "Your account is disabled. Contact your IT department.", "directory user disabled"
        )
    if configuration.groups and not set(configuration.groups) & set(person.groups):
        raise discovery.DiscoveryRejected(
            "Your account is not allowed to enroll devices. Contact your IT department.",
            "user outside the configuration's groups",
        )


def discover(
    *,
    user_identifier: str | None,
    model_family: str | None,
    configuration: EnrollmentConfiguration | None = None,
) -> Discovery:
    """Decide the well-known answer; raises discovery.DiscoveryRejected for the 403."""
    options = EnrollmentSettings.load()
    if not user_identifier:
        # Reached by a redirect that dropped the query string: answer with the default.
        config = configuration or default_configuration()
        version = discovery.version_for_family(
            model_family or "",
            family_versions=config.family_versions,
            default_version=config.default_version,
        )
    else:
        ident = discovery.split_user_identifier(user_identifier)
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
        _check_person_allowed(directory_access.find_person(ident.text), config)
        version = discovery.version_for_family(
            model_family or "",
            family_versions=config.family_versions,
            default_version=config.default_version,
        )
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
    return Discovery(configuration=config, version=version, document=document)


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


def _session_type(version: str) -> str:
    return EnrollmentSession.Type.USER if version == "mdm-byod" else EnrollmentSession.Type.ADDE


def _new_session(
    *,
    kind: str,
    enrollment_type: str,
    configuration: EnrollmentConfiguration | None,
    person: Person,
    identifier: str,
    model_family: str = "",
    platform: str = "",
) -> EnrollmentSession:
    options = EnrollmentSettings.load()
    return EnrollmentSession.objects.create(
        kind=kind,
        enrollment_type=enrollment_type,
        configuration=configuration,
        user_identifier=identifier[:255],
        directory_user_id=person.id,
        managed_apple_id=person.managed_apple_id,
        model_family=model_family[:32],
        platform=platform,
        expires_at=timezone.now() + dt.timedelta(days=options.session_ttl_days),
    )


def _new_token(
    session: EnrollmentSession,
    *,
    kind: str,
    expires_at: dt.datetime,
    profile_deadline: dt.datetime | None = None,
    redirect_uri: str = "",
) -> str:
    secret = _new_secret()
    EnrollmentToken.objects.create(
        session=session,
        kind=kind,
        token_hash=hash_token(secret),
        expires_at=expires_at,
        profile_deadline=profile_deadline,
        redirect_uri=redirect_uri,
    )
    return secret


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
    _check_feature(version)
    person = directory_access.authenticate(
        identifier=identifier, password=password, source=configuration.identity_source
    )
    return start_account_session(
        configuration=configuration, version=version, person=person, identifier=identifier
    )


def _check_feature(version: str) -> None:
    if version == "mdm-byod" and not EnrollmentSettings.load().user_enrollment_enabled:
        raise SignInFailed("disabled_feature", "Enrolling personal devices is switched off.")


@transaction.atomic
def start_account_session(
    *, configuration: EnrollmentConfiguration, version: str, person: Person, identifier: str
) -> tuple[EnrollmentSession, str]:
    """A signed-in person (password or external IdP): new session and its access token."""
    _check_feature(version)
    _check_sign_in_policy(person, configuration, identifier)
    session = _new_session(
        kind=EnrollmentSession.Kind.ACCOUNT,
        enrollment_type=_session_type(version),
        configuration=configuration,
        person=person,
        identifier=identifier,
    )
    options = EnrollmentSettings.load()
    token = _new_token(
        session,
        kind=EnrollmentToken.Kind.ACCESS,
        expires_at=session.expires_at,
        profile_deadline=timezone.now() + dt.timedelta(minutes=options.token_ttl_minutes),
    )
    return session, token


def entra_source_for(configuration: EnrollmentConfiguration, identifier: str) -> Any | None:
    """The Entra ID source that signs this identifier in (passwords typed at Microsoft)."""
    return directory_access.entra_source(
        configured=configuration.identity_source, identifier=identifier
    )


def _find_token(secret: str, kind: str) -> EnrollmentToken | None:
    if not secret or len(secret) > 200:
        return None
    token = (
        EnrollmentToken.objects.select_related("session", "session__configuration")
        .filter(token_hash=hash_token(secret), kind=kind)
        .first()
    )
    # The lookup is by hash already; compare again in constant time for good measure.
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(secret)):
        return None
    return token


def bearer_of(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


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


def _identity_for(
    session: EnrollmentSession, configuration: EnrollmentConfiguration | None
) -> mdm_profile.ScepIdentity | mdm_profile.Pkcs12Identity:
    from mdm_server.pki import services as pki

    subject = f"MDM {session.get_enrollment_type_display()} {session.public_id[:12]}"
    if configuration is not None and configuration.identity_kind == "pkcs12":
        password = secrets.token_urlsafe(12)
        data, _issued = pki.issue_identity_pkcs12(
            reference=session.public_id, common_name=subject, password=password
        )
        return mdm_profile.Pkcs12Identity(data=data, password=password)
    challenge = pki.create_scep_challenge(reference=session.public_id)
    return mdm_profile.ScepIdentity(
        url=public_url("/scep"), challenge=challenge, subject_cn=subject
    )


def _profile_kind(session: EnrollmentSession) -> mdm_profile.ProfileKind:
    kinds = mdm_profile.ProfileKind
    if session.kind == EnrollmentSession.Kind.ACCOUNT:
        return kinds.ACCOUNT_BYOD if session.enrollment_type == "user" else kinds.ACCOUNT_ADDE
    return kinds.PROFILE_UE if session.enrollment_type == "user" else kinds.DEVICE


def _identifier_prefix() -> str:
    from urllib.parse import urlsplit

    host = urlsplit(settings.PUBLIC_URL).hostname or "mdm.local"
    return ".".join(reversed(host.split("."))) + ".mdm"


def build_profile_for(session: EnrollmentSession) -> bytes:
    """Build and sign the enrollment profile of a session (raises EnrollmentError)."""
    from mdm_server.pki.certificates import CertificateError
    from profiles.signing import sign_profile

    options = EnrollmentSettings.load()
    topic = _push_topic()
    try:
        identity = _identity_for(session, session.configuration)
        spec = mdm_profile.EnrollmentProfileSpec(
            kind=_profile_kind(session),
            identifier=_identifier_prefix(),
            organisation=options.organisation_name,
            server_url=public_url("/mdm/connect"),
            check_in_url=public_url("/mdm/checkin"),
            topic=topic,
            identity=identity,
            managed_apple_id=session.managed_apple_id,
            access_rights=options.device_access_rights,
        )
        profile = mdm_profile.build_enrollment_profile(spec)
        from profiles.builder import to_mobileconfig

        return sign_profile(to_mobileconfig(profile))
    except mdm_profile.MdmProfileError as exc:
        raise EnrollmentError(403, str(exc)) from None
    except CertificateError as exc:
        raise EnrollmentError(403, f"The server PKI is not ready: {exc}") from None


def trusted_device_roots() -> list[Any]:
    """Apple's device CA (configured PEM), against which signed MachineInfo is checked."""
    from cryptography import x509

    pem = EnrollmentSettings.load().apple_device_ca_pem.strip()
    if not pem:
        return []
    try:
        return list(x509.load_pem_x509_certificates(pem.encode()))
    except ValueError:
        logger.error("the configured Apple device CA is not a PEM certificate")
        raise EnrollmentError(
            403, "The server's Apple device CA setting is broken; contact your IT department."
        ) from None


def read_machine_info(body: bytes) -> MachineInfo:
    try:
        return parse_machine_info(body, trusted_roots=trusted_device_roots() or None)
    except MachineInfoError as exc:
        raise EnrollmentError(400, str(exc)) from None


@transaction.atomic
def issue_account_profile(
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    authorization: str | None,
    body: bytes,
) -> tuple[bytes, EnrollmentSession]:
    """The second POST: a valid Bearer token gets the signed profile, once (Apple step 12)."""
    info = read_machine_info(body)
    challenge = challenge_for(configuration, version)
    secret = bearer_of(authorization)
    if secret is None:
        raise EnrollmentError(401, "sign-in required", challenge=challenge)
    token = _find_token(secret, EnrollmentToken.Kind.ACCESS)
    now = timezone.now()
    if token is None:
        raise EnrollmentError(401, "unknown access token", challenge=challenge)
    token = EnrollmentToken.objects.select_for_update().get(pk=token.pk)
    session = EnrollmentSession.objects.select_for_update().get(pk=token.session_id)
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
    session.platform = platform_of_product(info.product)
    session.model_family = re.sub(r"[\d,]+$", "", info.product)[:32]
    session.status = EnrollmentSession.Status.PROFILE_ISSUED
    session.save(update_fields=["machine_info", "platform", "model_family", "status"])
    token.profile_issued_at = now
    token.save(update_fields=["profile_issued_at"])
    return build_profile_for(session), session


@transaction.atomic
def revoke_session(
    *, session: EnrollmentSession, reason: str = "revoked by an administrator"
) -> None:
    """Revoke a session: its tokens stop working; check-ins get a new sign-in challenge."""
    now = timezone.now()
    EnrollmentSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason[:200], status=EnrollmentSession.Status.REVOKED
    )
    EnrollmentToken.objects.filter(session=session, revoked_at__isnull=True).update(revoked_at=now)


# --- apple-oauth2 ------------------------------------------------------------------------------


class OAuthError(Exception):
    """An OAuth 2 token-endpoint error (RFC 6749 §5.2): `error` code and a description."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def check_oauth_client(
    configuration: EnrollmentConfiguration, *, client_id: str, redirect_uri: str
) -> None:
    if configuration.sign_in_method != EnrollmentConfiguration.SignIn.OAUTH2:
        raise OAuthError("unauthorized_client", "OAuth 2 sign-in is not enabled here")
    if not hmac.compare_digest(client_id or "", configuration.oauth_client_id):
        raise OAuthError("invalid_client", "unknown client_id", 401)
    if redirect_uri != OAUTH_REDIRECT_URL:
        raise OAuthError("invalid_request", "redirect_uri does not match the registered one")


@transaction.atomic
def oauth_authorize(
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    identifier: str,
    password: str,
    client_id: str,
    redirect_uri: str,
) -> str:
    """Authorization endpoint: sign the user in and return a one-time authorization code."""
    check_oauth_client(configuration, client_id=client_id, redirect_uri=redirect_uri)
    if not identifier.strip() or not password:
        raise SignInFailed("missing", "Enter your account and password.")
    person = directory_access.authenticate(
        identifier=identifier.strip(), password=password, source=configuration.identity_source
    )
    return issue_oauth_code(
        configuration=configuration,
        version=version,
        person=person,
        identifier=identifier.strip(),
        redirect_uri=redirect_uri,
    )


@transaction.atomic
def issue_oauth_code(
    *,
    configuration: EnrollmentConfiguration,
    version: str,
    person: Person,
    identifier: str,
    redirect_uri: str,
) -> str:
    """A signed-in person gets a one-time authorization code bound to a new session."""
    _check_feature(version)
    _check_sign_in_policy(person, configuration, identifier)
    session = _new_session(
        kind=EnrollmentSession.Kind.ACCOUNT,
        enrollment_type=_session_type(version),
        configuration=configuration,
        person=person,
        identifier=identifier,
    )
    return _new_token(
        session,
        kind=EnrollmentToken.Kind.CODE,
        expires_at=timezone.now() + OAUTH_CODE_TTL,
        redirect_uri=redirect_uri,
    )


def _issue_oauth_tokens(session: EnrollmentSession, *, first: bool) -> dict[str, Any]:
    options = EnrollmentSettings.load()
    now = timezone.now()
    ttl = dt.timedelta(minutes=options.oauth_access_ttl_minutes)
    access = _new_token(
        session,
        kind=EnrollmentToken.Kind.ACCESS,
        expires_at=min(now + ttl, session.expires_at),
        profile_deadline=(now + dt.timedelta(minutes=options.token_ttl_minutes) if first else None),
    )
    refresh = _new_token(session, kind=EnrollmentToken.Kind.REFRESH, expires_at=session.expires_at)
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": int(ttl.total_seconds()),
        "refresh_token": refresh,
        "scope": OAUTH_SCOPE,
    }


class _CodeReplayed(Exception):
    def __init__(self, session: EnrollmentSession) -> None:
        super().__init__("authorization code replayed")
        self.session = session


def oauth_token(*, configuration: EnrollmentConfiguration, form: dict[str, str]) -> dict[str, Any]:
    """Token endpoint: authorization_code and refresh_token grants (refresh tokens rotate)."""
    try:
        return _oauth_token(configuration=configuration, form=form)
    except _CodeReplayed as replay:
        # Outside the failed transaction, so the revocation sticks (RFC 6749 §4.1.2).
        revoke_session(session=replay.session, reason="authorization code replayed")
        raise OAuthError("invalid_grant", "the authorization code was already used") from None


@transaction.atomic
def _oauth_token(*, configuration: EnrollmentConfiguration, form: dict[str, str]) -> dict[str, Any]:
    grant = form.get("grant_type", "")
    client_id = form.get("client_id", "")
    if configuration.sign_in_method != EnrollmentConfiguration.SignIn.OAUTH2:
        raise OAuthError("unauthorized_client", "OAuth 2 sign-in is not enabled here")
    if not hmac.compare_digest(client_id, configuration.oauth_client_id):
        raise OAuthError("invalid_client", "unknown client_id", 401)
    now = timezone.now()
    if grant == "authorization_code":
        token = _find_token(form.get("code", ""), EnrollmentToken.Kind.CODE)
        if token is None:
            raise OAuthError("invalid_grant", "unknown authorization code")
        token = EnrollmentToken.objects.select_for_update().get(pk=token.pk)
        if token.used_at is not None:
            raise _CodeReplayed(token.session)
        if token.expires_at <= now or token.revoked_at is not None:
            raise OAuthError("invalid_grant", "the authorization code has expired")
        if form.get("redirect_uri", "") != token.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
        if token.session.configuration_id != configuration.pk:
            raise OAuthError("invalid_grant", "the code belongs to another configuration")
        token.used_at = now
        token.save(update_fields=["used_at"])
        return _issue_oauth_tokens(token.session, first=True)
    if grant == "refresh_token":
        token = _find_token(form.get("refresh_token", ""), EnrollmentToken.Kind.REFRESH)
        if token is None:
            raise OAuthError("invalid_grant", "unknown refresh token")
        token = EnrollmentToken.objects.select_for_update().get(pk=token.pk)
        session = token.session
        if (
            token.used_at is not None
            or token.revoked_at is not None
            or token.expires_at <= now
            or not session.is_active
        ):
            raise OAuthError("invalid_grant", "the refresh token is expired or revoked")
        if session.configuration_id != configuration.pk:
            raise OAuthError("invalid_grant", "the refresh token belongs to another configuration")
        token.used_at = now
        token.save(update_fields=["used_at"])
        return _issue_oauth_tokens(session, first=False)
    raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")


# --- devices hooks -----------------------------------------------------------------------------


def _session_by_reference(reference: str) -> EnrollmentSession | None:
    if not reference:
        return None
    return (
        EnrollmentSession.objects.select_related("configuration")
        .filter(public_id=reference)
        .first()
    )


def resolve_enrollment(
    ids: EnrollmentIds, cert_fingerprint: str, bearer: str | None
) -> EnrollmentContext | None:
    """Authenticate: certificate -> issued certificate -> session -> enrollment type."""
    from devices.hooks import EnrollmentContext
    from mdm_server.pki.services import find_issued_certificate

    issued = find_issued_certificate(cert_fingerprint) if cert_fingerprint else None
    session = _session_by_reference(issued.reference) if issued is not None else None
    if session is None:
        if ids.udid:
            return EnrollmentContext(enrollment_type="device")
        return EnrollmentContext(enrollment_type="user")
    return EnrollmentContext(
        enrollment_type=session.enrollment_type,
        reference=session.public_id,
        managed_apple_id=session.managed_apple_id,
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


def check_bearer(enrollment: Enrollment, bearer: str | None) -> AuthChallenge | None:
    """Later check-ins and connects of account-driven enrollments must carry a valid token."""
    from devices.hooks import AuthChallenge

    reference = enrollment.enrollment_reference
    if not reference and enrollment.parent_id:
        reference = enrollment.parent.enrollment_reference if enrollment.parent else ""
    session = _session_by_reference(reference)
    if session is None or session.kind != EnrollmentSession.Kind.ACCOUNT:
        return None
    config = session.configuration or default_configuration()
    challenge = AuthChallenge(www_authenticate=challenge_for(config, session.version))
    if bearer is None:
        # macOS sends the token only on the user channel, never on the device channel.
        if enrollment.platform == "macOS" and enrollment.channel == "device":
            return None
        return challenge
    token = _find_token(bearer, EnrollmentToken.Kind.ACCESS)
    now = timezone.now()
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.session.is_active
        or not _token_belongs(token, session, enrollment)
    ):
        return challenge
    bound = enrollment.parent_id or enrollment.pk
    for row in {session, token.session}:
        if row.enrollment_id is None:
            EnrollmentSession.objects.filter(pk=row.pk, enrollment__isnull=True).update(
                enrollment_id=bound, status=EnrollmentSession.Status.ENROLLED
            )
    return None


def bind_on_enrolled(enrollment: Enrollment) -> None:
    """First TokenUpdate of a session's enrollment: mark the session enrolled."""
    session = _session_by_reference(enrollment.enrollment_reference)
    if session is None or session.enrollment_id is not None:
        return
    EnrollmentSession.objects.filter(pk=session.pk, enrollment__isnull=True).update(
        enrollment_id=enrollment.parent_id or enrollment.pk,
        status=EnrollmentSession.Status.ENROLLED,
    )


# --- portal (profile-based) enrollment ---------------------------------------------------------


@dataclass(frozen=True)
class PortalDecision:
    """What the portal does for this person and device: a profile type, or advice instead."""

    enrollment_type: str  # "user" or "device"; "" when no profile is offered
    reason: str
    advice: str = ""


def decide_portal_enrollment(
    *,
    platform: str,
    os_version: str,
    personal: bool,
    group_type: str,
    previous_type: str = "",
) -> PortalDecision:
    """Priority rules: re-enrollment keeps its type; an OS below the User Enrollment minimum is
    device-enrolled; the user's group setting decides; otherwise the ownership choice does."""
    version = parse_version(os_version)
    if previous_type in ("user", "device"):
        wanted = previous_type
        reason = "re-enrollment keeps the original enrollment type"
    elif platform in PROFILE_UE_MIN and version and version < PROFILE_UE_MIN[platform]:
        wanted = "device"
        reason = f"{platform} {os_version} is below the User Enrollment minimum"
    elif group_type in ("user", "device"):
        wanted = group_type
        reason = "set by the user's group (Apple Enrollment Type)"
    else:
        wanted = "user" if personal else "device"
        reason = "personal device" if personal else "organisation-owned device"
    if wanted == "user":
        removed = PROFILE_UE_REMOVED.get(platform)
        if removed is not None and version and version >= removed:
            where = (
                "System Settings → General → Device Management"
                if platform == "macOS"
                else "Settings → General → VPN & Device Management"
            )
            return PortalDecision(
                enrollment_type="",
                reason=f"profile-based User Enrollment was removed in {platform} {removed[0]}",
                advice=(
                    f"On this {platform} version, enroll from {where} → "
                    "Sign In to Work or School Account, with your work account."
                ),
            )
        if platform not in PROFILE_UE_MIN:
            return PortalDecision(
                enrollment_type="",
                reason=f"User Enrollment is not available on {platform or 'this device'}",
                advice="User Enrollment needs an iPhone, iPad or Mac.",
            )
    return PortalDecision(enrollment_type=wanted, reason=reason)


def previous_portal_type(session_id: str, person: Person) -> str:
    """The type of an earlier enrollment of this person (for a re-enrollment link)."""
    if not session_id:
        return ""
    earlier = EnrollmentSession.objects.filter(
        public_id=session_id, directory_user_id=person.id
    ).first()
    return earlier.enrollment_type if earlier is not None else ""


@transaction.atomic
def start_portal_enrollment(
    *,
    person: Person,
    identifier: str,
    platform: str,
    os_version: str,
    personal: bool,
    reenroll: str = "",
) -> tuple[PortalDecision, EnrollmentSession | None, str]:
    """Portal sign-in done: decide the type and create a session with a one-time download token."""
    if not person.enabled:
        raise SignInFailed("disabled", "Your account is disabled. Contact your IT department.")
    decision = decide_portal_enrollment(
        platform=platform,
        os_version=os_version,
        personal=personal,
        group_type=person.apple_enrollment_type,
        previous_type=previous_portal_type(reenroll, person),
    )
    if not decision.enrollment_type:
        return decision, None, ""
    if decision.enrollment_type == "user":
        if not EnrollmentSettings.load().user_enrollment_enabled:
            raise SignInFailed("disabled_feature", "Enrolling personal devices is switched off.")
        if not person.managed_apple_id:
            raise SignInFailed(
                "apple_id",
                "Your account has no Managed Apple Account yet. Contact your IT department.",
            )
    session = _new_session(
        kind=EnrollmentSession.Kind.PORTAL,
        enrollment_type=decision.enrollment_type,
        configuration=default_configuration(),
        person=person,
        identifier=identifier,
        platform=platform,
    )
    options = EnrollmentSettings.load()
    deadline = timezone.now() + dt.timedelta(minutes=options.token_ttl_minutes)
    token = _new_token(
        session, kind=EnrollmentToken.Kind.ACCESS, expires_at=deadline, profile_deadline=deadline
    )
    return decision, session, token


@transaction.atomic
def download_portal_profile(*, token: str) -> tuple[bytes, EnrollmentSession]:
    """The portal's one-time profile download."""
    row = _find_token(token, EnrollmentToken.Kind.ACCESS)
    if row is None or row.session.kind != EnrollmentSession.Kind.PORTAL:
        raise EnrollmentError(404, "This download link is not valid.")
    row = EnrollmentToken.objects.select_for_update().get(pk=row.pk)
    now = timezone.now()
    if row.profile_issued_at is not None:
        raise EnrollmentError(410, "This download link was already used. Sign in again.")
    if row.expires_at <= now or row.revoked_at is not None or not row.session.is_active:
        raise EnrollmentError(410, "This download link has expired. Sign in again.")
    row.profile_issued_at = now
    row.save(update_fields=["profile_issued_at"])
    session = row.session
    session.status = EnrollmentSession.Status.PROFILE_ISSUED
    session.save(update_fields=["status"])
    return build_profile_for(session), session


# --- console: settings, configurations, self-test, Apple Business Manager -----------------------


def well_known_url(configuration: EnrollmentConfiguration | None = None) -> str:
    if configuration is None:
        return public_url(discovery.WELL_KNOWN_PATH)
    return public_url(reverse("enrollment:discovery", args=[configuration.slug]))


@transaction.atomic
def save_settings(*, values: dict[str, Any], actor: Any) -> EnrollmentSettings:
    """Store the organisation-wide enrollment settings (the ABM token only when given)."""
    from mdm_server import audit, encryption

    options = EnrollmentSettings.load()
    token = values.pop("abm_server_token", "")
    for key, value in values.items():
        setattr(options, key, value)
    if token:
        options.abm_server_token = encryption.encrypt(token.encode())
    options.save()
    audit.record(
        actor=actor,
        action="enrollment.settings_saved",
        target=options,
        details={"fields": sorted(values) + (["abm_server_token"] if token else [])},
    )
    return options


@transaction.atomic
def save_configuration(
    *, configuration: EnrollmentConfiguration, actor: Any
) -> EnrollmentConfiguration:
    """Save a configuration; at most one is the default."""
    from mdm_server import audit

    configuration.domains = sorted({d.strip().lower().rstrip(".") for d in configuration.domains})
    configuration.save()
    if configuration.is_default:
        EnrollmentConfiguration.objects.exclude(pk=configuration.pk).update(is_default=False)
    audit.record(actor=actor, action="enrollment.configuration_saved", target=configuration)
    return configuration


@transaction.atomic
def delete_configuration(*, configuration: EnrollmentConfiguration, actor: Any) -> None:
    from mdm_server import audit

    audit.record(actor=actor, action="enrollment.configuration_deleted", target=configuration)
    configuration.delete()


@dataclass(frozen=True)
class SelfTest:
    ok: bool
    status: int
    summary: str
    body: str


def self_test(
    *, configuration: EnrollmentConfiguration | None = None, timeout: float = 5.0
) -> SelfTest:
    """Fetch our own public well-known URL the way a device would (bounded timeout)."""
    import json
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode

    domains = (configuration.domains if configuration else []) or (
        directory_access.organisation_domains()
    )
    query = urlencode(
        {
            "user-identifier": f"self-test@{domains[0] if domains else 'example.com'}",
            "model-family": "iPhone",
        }
    )
    url = f"{well_known_url(configuration)}?{query}"
    request = urllib.request.Request(url, headers={"User-Agent": "MDM self-test"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, content_type = response.status, response.headers.get("Content-Type", "")
            body = response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, content_type = exc.code, exc.headers.get("Content-Type", "")
        body = exc.read(65536).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return SelfTest(False, 0, f"{url} cannot be reached: {reason}", "")
    try:
        document = json.loads(body)
    except ValueError:
        return SelfTest(False, status, f"HTTP {status}: the answer is not JSON", body[:500])
    if status == 200 and content_type.startswith("application/json") and document.get("Servers"):
        version = document["Servers"][0].get("Version")
        return SelfTest(True, status, f"OK: {url} answers {version}", body[:2000])
    if status == 403 and document.get("code") == "com.apple.well-known.failed":
        return SelfTest(
            False, status, f"Reachable, but refused: {document.get('message')}", body[:2000]
        )
    return SelfTest(False, status, f"HTTP {status} ({content_type})", body[:2000])


class AbmError(Exception):
    """Apple Business Manager refused or could not be reached; the text is for the admin."""


def _abm_request(method: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One call to the Device Assignment API's account-driven-enrollment/profile resource.

    Simplified: the DEP OAuth session (server token -> session token) is replaced by the
    configured server token sent as X-ADM-Auth-Session.
    """
    import json
    import urllib.error
    import urllib.request

    from mdm_server import encryption

    options = EnrollmentSettings.load()
    if not options.abm_base_url:
        raise AbmError("Set the Apple Business Manager API address first.")
    if not options.abm_server_token:
        raise AbmError("Set the Apple Business Manager server token first.")
    token = encryption.decrypt(bytes(options.abm_server_token)).decode()
    url = f"{options.abm_base_url.rstrip('/')}/account-driven-enrollment/profile"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - admin-configured https URL
        url,
        data=data,
        method=method,
        headers={
            "Content-Type": "application/json;charset=UTF8",
            "X-ADM-Auth-Session": token,
            "X-Server-Protocol-Version": "7",
            "User-Agent": "MDM server",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace").strip()
        raise AbmError(f"Apple Business Manager answered HTTP {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise AbmError(
            f"Apple Business Manager cannot be reached: {getattr(exc, 'reason', exc)}"
        ) from None
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise AbmError("Apple Business Manager answered something that is not JSON") from None
    return parsed if isinstance(parsed, dict) else {"result": parsed}


def register_discovery_url(*, url: str, actor: Any) -> dict[str, Any]:
    """POST the service-discovery URL to ABM (the account-driven enrollment fallback)."""
    from mdm_server import audit

    if not url.startswith("https://"):
        raise AbmError("Apple requires an https:// service discovery URL.")
    result = _abm_request("POST", {"mdm_service_discovery_url": url})
    options = EnrollmentSettings.load()
    options.abm_registered_url = url
    options.save(update_fields=["abm_registered_url", "updated_at"])
    audit.record(actor=actor, action="enrollment.abm_registered", details={"url": url})
    return result


def fetch_discovery_registration() -> dict[str, Any]:
    return _abm_request("GET")


def delete_discovery_registration(*, actor: Any) -> dict[str, Any]:
    from mdm_server import audit

    result = _abm_request("DELETE")
    options = EnrollmentSettings.load()
    options.abm_registered_url = ""
    options.save(update_fields=["abm_registered_url", "updated_at"])
    audit.record(actor=actor, action="enrollment.abm_unregistered")
    return result


def push_status() -> str:
    """ "" when enrollment profiles can be built, else the problem for the console."""
    try:
        _push_topic()
    except EnrollmentError as exc:
        return exc.message
    return ""
