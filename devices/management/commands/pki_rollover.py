"""`manage.py pki_rollover status|ca|signing|retire GENERATION|renew-now`: the server CA and the
profile-signing certificate over their lifetimes (see the README, "Identity renewal")."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from devices.models import LifecycleSettings
from devices.services import renewal
from mdm_server import clock
from mdm_server.pki import services as pki
from mdm_server.pki.certificates import CertificateError
from mdm_server.pki.models import ServerCertificate


class Command(BaseCommand):
    help = (
        "Roll the server CA or the profile-signing certificate over to a new generation, show "
        "which generations devices still hold, and retire an old CA generation once no enrolled "
        "device holds one of its identities."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="generations, expiries and the devices holding each")
        actions.add_parser("ca", help="a new CA generation (and signing certificate) now")
        actions.add_parser("signing", help="a new profile-signing certificate from the active CA")
        retire = actions.add_parser("retire", help="stop trusting an old CA generation")
        retire.add_argument("generation", type=int)
        retire.add_argument(
            "--force",
            action="store_true",
            help="even while devices hold its identities (they must then enroll again)",
        )
        renew = actions.add_parser(
            "renew-now", help="queue the renewals that are due now (what the schedule does)"
        )
        renew.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "ca":
                done = renewal.rollover_ca()
                self.stdout.write(
                    f"CA generation {done.ca.generation} is active (until "
                    f"{done.ca.not_after:%Y-%m-%d}); generation {done.previous.generation} stays "
                    "trusted. Devices are renewed from the new generation by the scheduled "
                    "renewal; run `pki_rollover status` to follow them."
                )
            elif action == "signing":
                row = pki.rotate_signing_certificate()
                self.stdout.write(
                    f"profile-signing generation {row.generation} is active "
                    f"(until {row.not_after:%Y-%m-%d})"
                )
            elif action == "retire":
                row = renewal.retire_ca(generation=options["generation"], force=options["force"])
                self.stdout.write(f"CA generation {row.generation} is retired")
            elif action == "renew-now":
                if options["limit"] < 1:
                    raise CommandError("--limit must be at least 1")
                run = renewal.renew_identities(limit=options["limit"])
                self.stdout.write(
                    f"{len(run.requested)} renewal(s) queued, {len(run.failed)} failed"
                )
                for pk, reason in run.failed.items():
                    self.stdout.write(f"  enrollment {pk}: {reason}")
            self._status()
        except (renewal.RolloverRefused, CertificateError) as exc:
            raise CommandError(str(exc)) from None
        except ServerCertificate.DoesNotExist:
            raise CommandError("the server PKI is not set up: run `manage.py setup`") from None

    def _status(self) -> None:
        warn = LifecycleSettings.load().server_certificate_warning_days
        alerts = {
            (a.kind, a.generation) for a in pki.expiry_alerts(warn_days=warn, now=clock.now())
        }
        for g in renewal.ca_generations():
            state = "active" if g.is_active else "retired" if g.retired else "trusted"
            soon = " EXPIRES SOON" if ("ca", g.generation) in alerts else ""
            self.stdout.write(
                f"CA generation {g.generation}: {state}, until {g.not_after:%Y-%m-%d}{soon}, "
                f"{g.devices} enrolled device(s) hold its identities"
            )
        signing = ServerCertificate.objects.filter(kind="signing", is_active=True).first()
        if signing is not None:
            soon = " EXPIRES SOON" if ("signing", signing.generation) in alerts else ""
            self.stdout.write(
                f"profile signing generation {signing.generation}: until "
                f"{signing.not_after:%Y-%m-%d}{soon}"
            )
