"""Writes and reads for console sign-in: forced password change, second factor (TOTP), policy.

Every change is audited. TOTP devices are django-otp's; a device is usable once confirmed with
a code from the authenticator app, so a half-finished enrollment never locks anyone out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from mdm_server import audit
from mdm_server.models import ConsoleAccount, ConsoleSecurity

TOTP_NAME = "Authenticator app"


@dataclass(frozen=True)
class SignInState:
    """What a signed-in session may still have to do before it reaches the console."""

    must_change_password: bool
    has_second_factor: bool
    second_factor_required: bool


def sign_in_state(user: AbstractBaseUser) -> SignInState:
    """The three facts the sign-in gate needs, in one query (it runs on every console request)."""
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            must=Exists(
                ConsoleAccount.objects.filter(user_id=OuterRef("pk"), must_change_password=True)
            ),
            totp=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
            required=Exists(ConsoleSecurity.objects.filter(pk=1, require_second_factor=True)),
        )
        .values_list("must", "totp", "required")
        .first()
    )
    return SignInState(*(row or (False, False, False)))


# --- password ------------------------------------------------------------------------------------


def must_change_password(user: AbstractBaseUser) -> bool:
    return ConsoleAccount.objects.filter(user_id=user.pk, must_change_password=True).exists()


@transaction.atomic
def require_password_change(*, user: AbstractBaseUser) -> None:
    """The user's password was chosen by someone else: ask for a new one at the next sign-in."""
    ConsoleAccount.objects.update_or_create(
        user_id=user.pk, defaults={"must_change_password": True}
    )


@transaction.atomic
def change_password(*, user: AbstractBaseUser, new_password: str) -> None:
    """Set a new password (already validated by the form) and lift a forced change."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ConsoleAccount.objects.filter(user_id=user.pk).update(must_change_password=False)
    audit.record(actor=user, action="console.password_changed", target=user)


# --- policy --------------------------------------------------------------------------------------


def second_factor_required() -> bool:
    row = ConsoleSecurity.objects.filter(pk=1).first()
    return bool(row and row.require_second_factor)


@transaction.atomic
def set_second_factor_required(*, required: bool, actor: Any) -> None:
    ConsoleSecurity.objects.update_or_create(pk=1, defaults={"require_second_factor": required})
    audit.record(actor=actor, action="console.second_factor_policy", details={"required": required})


# --- TOTP ----------------------------------------------------------------------------------------


def confirmed_totp(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


@transaction.atomic
def start_totp(*, user: AbstractBaseUser) -> TOTPDevice:
    """A new, unconfirmed TOTP secret for the user (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def pending_totp(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()


@transaction.atomic
def confirm_totp(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a new TOTP device with a code from the app; it then replaces any earlier one."""
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=device.user, action="console.totp_enrolled", target=device.user)
    return True


@transaction.atomic
def remove_totp(*, user: AbstractBaseUser, actor: Any) -> bool:
    deleted = TOTPDevice.objects.filter(user_id=user.pk).delete()[0] > 0
    if deleted:
        audit.record(actor=actor, action="console.totp_removed", target=user)
    return deleted
