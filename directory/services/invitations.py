"""Invitations: one-time, expiring enrollment links sent by e-mail."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from directory.models import (
    DirectoryUser,
    Invitation,
)
from directory.services.common import (
    INVITATION_LIFETIME,
    Actor,
    DirectoryError,
    InvitationError,
)
from mdm_server import audit

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
