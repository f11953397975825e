"""`manage.py revoke_certificate FINGERPRINT --reason TEXT`: mark an issued certificate revoked."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mdm_server.pki import certificates, services


class Command(BaseCommand):
    help = "Revoke a device certificate issued by the MDM CA (SHA-256 fingerprint, hex)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("fingerprint", help="SHA-256 fingerprint; colons are accepted")
        parser.add_argument("--reason", required=True, help="why, for the record")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            row = services.revoke_certificate(
                fingerprint=options["fingerprint"], reason=options["reason"]
            )
        except certificates.CertificateError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"revoked {row.subject} ({row.fingerprint}) at {row.revoked_at:%Y-%m-%d %H:%M} UTC"
        )
