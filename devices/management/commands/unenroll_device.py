"""`manage.py unenroll_device PUBLIC_ID --reason TEXT`: unenroll a device on the server side."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from devices import services
from devices.models import Enrollment


def enrollment_by_public_id(public_id: str) -> Enrollment:
    """The enrollment with this public id (the id in console and API addresses)."""
    try:
        enrollment = Enrollment.objects.filter(public_id=public_id).first()
    except ValidationError:
        enrollment = None
    if enrollment is None:
        raise CommandError(f"no enrollment has the id {public_id!r}")
    return enrollment


class Command(BaseCommand):
    help = (
        "Unenroll a device (a lost or wiped one) as if it had checked out: its queue is dropped, "
        "its identity certificate revoked, its enrollment sessions ended, and its channel is "
        "free for a new enrollment. The device is not told (queue Unenroll for that)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("public_id", help="the enrollment's id, as in /console/devices/<id>/")
        parser.add_argument("--reason", default="unenrolled by an administrator")

    def handle(self, *args: Any, **options: Any) -> None:
        enrollment = enrollment_by_public_id(options["public_id"])
        if services.unenroll(enrollment=enrollment, reason=options["reason"]):
            self.stdout.write(f"unenrolled {enrollment}")
        else:
            self.stdout.write(f"{enrollment} was unenrolled already")
