"""manage.py api_token create|revoke|list: REST API tokens for console users (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mdm_server import api_tokens, selectors


class Command(BaseCommand):
    help = "Create (or replace), revoke or list REST API tokens. A token acts as its user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("username", nargs="?", help="the console user (create, revoke)")

    def handle(self, *args: Any, action: str, username: str | None, **options: Any) -> None:
        if action == "list":
            for token in selectors.api_tokens():
                self.stdout.write(
                    f"{token.user.get_username()}\t{token.created:%Y-%m-%d %H:%M}\t{token.prefix}…"
                )
            return
        if not username:
            raise CommandError(f"{action} needs a username")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if action == "create":
            try:
                issued = api_tokens.create_api_token(user=user, actor=None)
            except api_tokens.TokenError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(issued.key)
        elif not api_tokens.revoke_api_token(user=user, actor=None):
            raise CommandError(f"{username!r} has no API token")
        else:
            self.stdout.write(f"revoked the API token of {username}")
