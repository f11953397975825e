"""Print the MDM CA certificates (every generation not retired) as PEM, for a TLS proxy's
client-cert check: during a CA rollover devices hold identities of both generations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mdm_server.pki.models import ServerCertificate


class Command(BaseCommand):
    help = (
        "Print every MDM CA generation not retired as PEM (for ssl_client_certificate in the "
        "proxy)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = ServerCertificate.objects.filter(
            kind=ServerCertificate.Kind.CA, retired_at__isnull=True
        )
        if not rows:
            raise CommandError("No MDM CA yet: run `manage.py setup` first.")
        for row in rows:
            self.stdout.write(row.certificate_pem, ending="")
