"""Shared pieces of the directory services: errors, limits, the actor type."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

Actor = AbstractBaseUser | AnonymousUser | None
INVITATION_LIFETIME = timedelta(days=7)
LOCAL_SOURCE_NAME = "Local users"
MAX_SELECTION = 200
MAX_IMPORT_USERS = 200_000


class DirectoryError(Exception):
    """A directory action cannot be done; the message is safe to show to an administrator."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class RunInProgress(DirectoryError):
    """A sync is asked for while a run of the same source waits or runs: `run_id` is that run."""

    def __init__(self, message: str, *, run_id: int) -> None:
        super().__init__(message, code="busy")
        self.run_id = run_id


class InvitationError(DirectoryError):
    """An invitation token is unknown, expired or already used."""
