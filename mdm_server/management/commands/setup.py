"""Prepare a server: migrate, create the server PKI and roles, and the first administrator.

Safe to run again: nothing that exists is replaced.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from mdm_server import accounts, roles
from mdm_server.pki import services as pki


class Command(BaseCommand):
    help = "Migrate the database, create the server PKI, the console roles and the first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", default="Self-hosted", help="Organisation name in the CA subject"
        )
        parser.add_argument("--skip-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["skip_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("Database migrated.")
        status = pki.ensure_server_pki(organisation=options["organisation"])
        for kind, row in (("MDM CA", status.ca), ("profile signing", status.signing)):
            state = "created" if row.kind in status.created else "present"
            self.stdout.write(f"{kind}: {state} (generation {row.generation}, {row.subject})")
        for name in roles.ROLES:
            Group.objects.get_or_create(name=name)
        self._first_admin()

    def _first_admin(self) -> None:
        user_model = get_user_model()
        username = settings.MDM_ADMIN_USERNAME
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(f"Administrator {username!r} exists; password unchanged.")
            return
        password = settings.MDM_ADMIN_PASSWORD
        generated = password is None
        if generated:
            password = secrets.token_urlsafe(12)
        user = user_model.objects.create_superuser(
            username=username, email=settings.MDM_ADMIN_EMAIL, password=password
        )
        user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
        if generated:
            accounts.require_password_change(user=user)
            self.stdout.write(
                self.style.WARNING(
                    f"Administrator {username!r} created. One-time password (shown only now; "
                    f"the console asks for a new one at the first sign-in): {password}"
                )
            )
        else:
            self.stdout.write(f"Administrator {username!r} created from MDM_ADMIN_PASSWORD.")
