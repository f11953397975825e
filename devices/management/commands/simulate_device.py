"""Run simulated devices against a running server, to try a setup without a real iPhone or Mac.

The identity is issued directly by this server's MDM CA (as SCEP would). The simulator itself is
test tooling (`tests/simulator/`), imported when the command runs. The devices enroll,
then poll the command channel and answer every queued command, like a real device.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mdm_server.pki import certificates
from mdm_server.pki import services as pki


class Command(BaseCommand):
    help = "Enroll simulated devices against a running server and answer their commands."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="server base URL")
        parser.add_argument("--platform", choices=["iOS", "macOS"], default="iOS")
        parser.add_argument(
            "--enrollment",
            choices=["user", "device"],
            default="user",
            help="user: User Enrollment (EnrollmentID); device: Device Enrollment (UDID)",
        )
        parser.add_argument("--os-version", default=None)
        parser.add_argument("--count", type=int, default=1, help="devices (1-1000)")
        parser.add_argument("--polls", type=int, default=1, help="connect rounds per device")
        parser.add_argument("--interval", type=float, default=0.0, help="seconds between rounds")
        parser.add_argument("--check-out", action="store_true", help="send CheckOut at the end")

    def handle(self, *args: Any, **options: Any) -> None:
        try:  # test tooling, in the source tree beside the applications, not in their packages
            from tests.simulator import HttpTransport, SimulatedDevice, issue_identity
        except ImportError as exc:
            raise CommandError(
                "the device simulator is in the source tree's tests/simulator/ folder, "
                "which this installation lacks (run it from a checkout of the repository)"
            ) from exc
        count = options["count"]
        if not 1 <= count <= 1000:
            raise CommandError("--count must be between 1 and 1000")
        if not 1 <= options["polls"] <= 10000:
            raise CommandError("--polls must be between 1 and 10000")
        try:
            ca = pki.active_identity("ca")
        except certificates.CertificateError as exc:
            raise CommandError(str(exc)) from None
        base = options["url"].rstrip("/")
        transport = HttpTransport(timeout=10)
        devices = []
        for _ in range(count):
            cert, key = issue_identity(ca)
            device = SimulatedDevice(
                transport=transport,
                certificate=cert,
                key=key,
                server_url=f"{base}/mdm/connect",
                checkin_url=f"{base}/mdm/checkin",
                platform=options["platform"],
                user_enrollment=options["enrollment"] == "user",
                os_version=options["os_version"]
                or ("18.2" if options["platform"] == "iOS" else "15.2"),
            )
            try:
                device.enroll()
            except (OSError, RuntimeError) as exc:
                raise CommandError(f"enrollment failed against {base}: {exc}") from None
            name = device.enrollment_id if device.user_enrollment else device.udid
            self.stdout.write(f"enrolled {options['platform']} {options['enrollment']} {name}")
            devices.append(device)
        for round_no in range(options["polls"]):
            for device in devices:
                try:
                    handled = device.run()
                except (OSError, RuntimeError) as exc:
                    raise CommandError(f"connect failed: {exc}") from None
                for item in handled:
                    self.stdout.write(f"  {item.request_type} -> {item.answered}")
            if round_no + 1 < options["polls"] and options["interval"]:
                time.sleep(options["interval"])
        if options["check_out"]:
            for device in devices:
                device.check_out()
            self.stdout.write(f"checked out {len(devices)} device(s)")
        transport.close()
