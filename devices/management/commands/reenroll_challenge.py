"""`manage.py reenroll_challenge PUBLIC_ID`: a SCEP challenge for re-enrolling one device channel."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from devices import binding
from devices.management.commands.unenroll_device import enrollment_by_public_id
from mdm_server.pki import services as pki


class Command(BaseCommand):
    help = (
        "Print a one-time SCEP challenge whose certificate may re-enroll this device channel "
        "(replacing its pinned identity certificate) and no other."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("public_id", help="the enrollment's id, as in /console/devices/<id>/")
        parser.add_argument(
            "--ttl", type=int, default=3600, help="seconds until it expires (default 3600)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ttl"] <= 0:
            raise CommandError("--ttl must be a positive number of seconds")
        enrollment = enrollment_by_public_id(options["public_id"])
        if enrollment.parent_id is not None:
            raise CommandError("that is a user channel: re-enroll its device channel")
        self.stdout.write(
            pki.create_scep_challenge(
                reference=binding.grant_reference(str(enrollment.public_id)),
                ttl_seconds=options["ttl"],
            )
        )
