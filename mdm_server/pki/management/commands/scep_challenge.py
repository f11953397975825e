"""`manage.py scep_challenge REFERENCE`: print a one-time SCEP challenge (manual enrollments)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mdm_server.pki import services


class Command(BaseCommand):
    help = "Create a one-time SCEP challenge password for REFERENCE and print it once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("reference", help="what the challenge is for, e.g. a device name")
        parser.add_argument(
            "--ttl", type=int, default=3600, help="seconds until it expires (default 3600)"
        )
        parser.add_argument(
            "--subject",
            default="",
            help=(
                "the common name of the certificate issued with it (put the same in the "
                "profile's SCEP payload Subject); default: REFERENCE"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ttl"] <= 0:
            raise CommandError("--ttl must be a positive number of seconds")
        try:
            challenge = services.create_scep_challenge(
                reference=options["reference"],
                ttl_seconds=options["ttl"],
                subject=options["subject"],
            )
        except ValueError as exc:
            raise CommandError(f"--subject: {exc}") from None
        self.stdout.write(challenge)
