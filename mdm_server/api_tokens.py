"""Writes for REST API tokens (DRF authtoken): create or replace, and revoke, always audited.

One token per user (DRF's model); API clients should get their own user with the role they need.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from rest_framework.authtoken.models import Token

from mdm_server import audit, roles

Actor = AbstractBaseUser | AnonymousUser | None


class TokenError(ValueError):
    """A token cannot be issued for this user; the message says why."""


@transaction.atomic
def create_api_token(*, user: AbstractBaseUser, actor: Actor) -> Token:
    """Issue a new token for `user`, replacing (and so revoking) any previous one."""
    if not user.is_active:
        raise TokenError(f"{user.get_username()} is disabled")
    role = roles.role_of(user)
    if role is None:
        raise TokenError(
            f"{user.get_username()} has no console role: add the user to the "
            f"'{roles.ADMINISTRATOR}' or '{roles.HELPDESK}' group first"
        )
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    audit.record(
        actor=actor,
        action="api.token_created",
        target=user,
        details={"role": role, "replaced": replaced},
    )
    return token


@transaction.atomic
def revoke_api_token(*, user: AbstractBaseUser, actor: Actor) -> bool:
    """Delete the user's token; False when there was none."""
    deleted = Token.objects.filter(user=user).delete()[0] > 0
    if deleted:
        audit.record(actor=actor, action="api.token_revoked", target=user)
    return deleted
