"""`manage.py reenroll_challenge PUBLIC_ID`: a SCEP challenge for re-enrolling one device channel."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from cryptography import x509
from django.core.management.base import BaseCommand, CommandError

from devices import binding
from devices.management.commands.unenroll_device import enrollment_by_public_id
from mdm_server.pki import certificates
from mdm_server.pki import services as pki
from mdm_server.pki.models import ScepChallenge


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
        parser.add_argument(
            "--subject",
            default="",
            help=(
                "the common name of the certificate issued with it (put the same in the "
                "profile's SCEP payload Subject); default: the device channel's current one"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ttl"] <= 0:
            raise CommandError("--ttl must be a positive number of seconds")
        enrollment = enrollment_by_public_id(options["public_id"])
        if enrollment.parent_id is not None:
            raise CommandError("that is a user channel: re-enroll its device channel")
        # The name the device's identity has now, so the profile it was enrolled with (whose
        # SCEP payload asks for it) can be used again as it is.
        reference = binding.grant_reference(str(enrollment.public_id))
        subject = options["subject"] or _current_subject(enrollment.cert_fingerprint)
        try:
            challenge = pki.create_scep_challenge(
                reference=reference, ttl_seconds=options["ttl"], subject=subject
            )
        except ValueError as exc:
            if options["subject"]:
                raise CommandError(f"--subject: {exc}") from None
            # The current name is not one this CA issues any more (an identity from before
            # it chose the names): the reference, as without a channel.
            subject = ""
            challenge = pki.create_scep_challenge(reference=reference, ttl_seconds=options["ttl"])
        chosen = ScepChallenge.objects.filter(reference=reference).latest("pk").subject
        # The name to put as the single CN of the profile's SCEP payload Subject.
        self.stderr.write(f"subject: {chosen}" + ("" if subject else " (the grant reference)"))
        self.stdout.write(challenge)


def _current_subject(fingerprint: str) -> str:
    issued = pki.find_issued_certificate(fingerprint) if fingerprint else None
    if issued is None:
        return ""
    try:
        cert = x509.load_pem_x509_certificate(issued.pem.encode())
    except ValueError:
        return ""
    return certificates.subject_common_name(cert) or ""
