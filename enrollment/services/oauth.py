"""apple-oauth2: authorization codes, access and refresh tokens.

RFC 6749 and Apple "Authenticating with OAuth 2" (the account-driven enrollment variant).
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.db import transaction
from django.utils import timezone

from enrollment import directory_access
from enrollment.directory_access import Person, SignInFailed
from enrollment.models import (
    EnrollmentConfiguration,
    EnrollmentSession,
    EnrollmentSettings,
    EnrollmentToken,
)
from enrollment.services.core import (
    OAUTH_CODE_TTL,
    OAUTH_REDIRECT_URL,
    OAUTH_SCOPE,
    _check_feature,
    _check_sign_in_policy,
    _find_token,
    _new_session,
    _new_token,
    _session_type,
    revoke_session,
)


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
    # As bytes: compare_digest refuses str with characters outside ASCII (a TypeError: a 500).
    if not hmac.compare_digest(
        (client_id or "").encode("utf-8", "surrogatepass"),
        configuration.oauth_client_id.encode("utf-8", "surrogatepass"),
    ):
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
    options = EnrollmentSettings.current()
    _check_feature(version, options)
    _check_sign_in_policy(person, configuration, identifier)
    session = _new_session(
        kind=EnrollmentSession.Kind.ACCOUNT,
        enrollment_type=_session_type(version),
        configuration=configuration,
        person=person,
        identifier=identifier,
        options=options,
    )
    return _new_token(
        session,
        kind=EnrollmentToken.Kind.CODE,
        expires_at=timezone.now() + OAUTH_CODE_TTL,
        redirect_uri=redirect_uri,
    )


def _issue_oauth_tokens(session: EnrollmentSession, *, first: bool) -> dict[str, Any]:
    options = EnrollmentSettings.current()
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
        revoke_session(
            session=replay.session, reason="authorization code replayed", end_enrollment=False
        )
        raise OAuthError("invalid_grant", "the authorization code was already used") from None


@transaction.atomic
def _oauth_token(*, configuration: EnrollmentConfiguration, form: dict[str, str]) -> dict[str, Any]:
    grant = form.get("grant_type", "")
    client_id = form.get("client_id", "")
    if configuration.sign_in_method != EnrollmentConfiguration.SignIn.OAUTH2:
        raise OAuthError("unauthorized_client", "OAuth 2 sign-in is not enabled here")
    if not hmac.compare_digest(
        client_id.encode("utf-8", "surrogatepass"),
        configuration.oauth_client_id.encode("utf-8", "surrogatepass"),
    ):
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
