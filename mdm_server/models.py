"""Core models shared by every app: the audit log of admin actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who did what to which object, and when (console, API and management commands)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=100, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"


class ApiToken(models.Model):
    """A REST API key, stored as its SHA-256 only: the key itself is shown once, at creation.

    `prefix` (the key's first characters) tells tokens apart in lists without revealing them.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"


class ConsoleAccount(models.Model):
    """Sign-in state of a console user that Django's user model has no field for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="console_account"
    )
    # Set for a password someone else chose (the one-time password `setup` prints): the user
    # changes it at the next console sign-in before anything else.
    must_change_password = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"console account {self.user_id}"


class ConsoleSecurity(models.Model):
    """Console-wide sign-in policy (one row), set by administrators on the Settings page."""

    require_second_factor = models.BooleanField(
        default=False,
        help_text="Every console account must sign in with a one-time code (TOTP) too.",
    )

    def __str__(self) -> str:
        return "console security"
