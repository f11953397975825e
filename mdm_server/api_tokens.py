"""REST API tokens: create or replace, revoke (always audited), and find the user of a key.

One token per user; API clients should get their own user with the role they need. Only the
SHA-256 of a key is stored (a key is 256 random bits, so a fast hash is enough): the key is
returned once by create_api_token, and lists show its first characters.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from mdm_server import audit, roles
from mdm_server.models import ApiToken

Actor = AbstractBaseUser | AnonymousUser | None


PREFIX_LENGTH = 8


class TokenError(ValueError):
    """A token cannot be issued for this user; the message says why."""


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: the stored row, and the key, which exists only here."""

    row: ApiToken
    key: str

    @property
    def user(self) -> AbstractBaseUser:
        return self.row.user

    @property
    def created(self) -> datetime:
        return self.row.created

    @property
    def prefix(self) -> str:
        return self.row.prefix


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_for_key(key: str) -> ApiToken | None:
    """The token row (with its user) that this key belongs to, if any."""
    return ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()


@transaction.atomic
def create_api_token(*, user: AbstractBaseUser, actor: Actor) -> IssuedToken:
    """Issue a new token for `user`, replacing (and so revoking) any previous one."""
    if not user.is_active:
        raise TokenError(f"{user.get_username()} is disabled")
    role = roles.role_of(user)
    if role is None:
        raise TokenError(
            f"{user.get_username()} has no console role: add the user to the "
            f"'{roles.ADMINISTRATOR}' or '{roles.HELPDESK}' group first"
        )
    replaced = ApiToken.objects.filter(user=user).delete()[0] > 0
    key = secrets.token_hex(32)
    row = ApiToken.objects.create(user=user, key_hash=hash_key(key), prefix=key[:PREFIX_LENGTH])
    audit.record(
        actor=actor,
        action="api.token_created",
        target=user,
        details={"role": role, "replaced": replaced},
    )
    return IssuedToken(row=row, key=key)


@transaction.atomic
def revoke_api_token(*, user: AbstractBaseUser, actor: Actor) -> bool:
    """Delete the user's token; False when there was none."""
    deleted = ApiToken.objects.filter(user=user).delete()[0] > 0
    if deleted:
        audit.record(actor=actor, action="api.token_revoked", target=user)
    return deleted
