"""Optional console sign-in with a directory password (add to AUTHENTICATION_BACKENDS).

Only existing, active console accounts can sign in this way, and only through LDAP sources with
``console_sign_in`` turned on: the directory proves the password, the console account (created by
an administrator, with its role) decides what the person may do. Nothing is created here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.http import HttpRequest

from directory import auth
from directory.models import IdentitySource


class DirectoryConsoleBackend(BaseBackend):
    """Authenticate console users against the LDAP source serving their username or email."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if not username or not password:
            return None
        source = auth.source_for_identifier(username)
        if source.kind != IdentitySource.Kind.LDAP or not source.console_sign_in:
            return None
        try:
            person = auth.authenticate_password(
                identifier=username, password=password, source=source
            )
        except auth.AuthenticationFailed:
            return None
        names = {username.lower(), person.username.lower()}
        if person.email:
            names.add(person.email.lower())
        query = Q()
        for name in names:
            query |= Q(username__iexact=name)
        matches = list(get_user_model().objects.filter(query, is_active=True)[:2])
        # Ambiguity (two console accounts match) is refused rather than guessed.
        return matches[0] if len(matches) == 1 else None

    def get_user(self, user_id: int) -> AbstractBaseUser | None:
        model = get_user_model()
        try:
            return model.objects.get(pk=user_id, is_active=True)
        except model.DoesNotExist:
            return None
