"""Print the MDM CA certificates (every generation) as PEM, for a TLS proxy's client-cert check."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mdm_server.pki.models import ServerCertificate


class Command(BaseCommand):
    help = "Print every MDM CA generation as PEM (for ssl_client_certificate in the proxy)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = ServerCertificate.objects.filter(kind=ServerCertificate.Kind.CA)
        if not rows:
            raise CommandError("No MDM CA yet: run `manage.py setup` first.")
        for row in rows:
            self.stdout.write(row.certificate_pem, ending="")
