"""manage.py push_certificate upload|show|csr: the APNs MDM push certificate from the shell."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apns import services


class Command(BaseCommand):
    help = "Upload or show the APNs MDM push certificate, or make a key and CSR for Apple."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        upload = sub.add_parser("upload", help="upload and activate a push certificate")
        upload.add_argument("certificate", type=Path, help="PEM (cert, optionally key) or .p12")
        upload.add_argument("--key", type=Path, help="PEM private key file, if separate")
        upload.add_argument("--password", help="PKCS#12 or key password ('-' to be asked for it)")
        upload.add_argument(
            "--force", action="store_true", help="accept a new topic (orphans every device)"
        )
        sub.add_parser("show", help="show the active certificate, its topic and expiry")
        csr = sub.add_parser("csr", help="generate a key (kept encrypted) and a CSR")
        csr.add_argument("--common-name", required=True)
        csr.add_argument("--email", default="")
        csr.add_argument("--out", type=Path, help="write the CSR here (default: stdout)")
        vendor = sub.add_parser(
            "vendor", help="keep your own MDM vendor certificate (key encrypted) to sign requests"
        )
        vendor.add_argument("certificate", type=Path, help="PEM (cert, optionally key) or .p12")
        vendor.add_argument("--key", type=Path, help="PEM private key file, if separate")
        vendor.add_argument("--chain", type=Path, help="PEM of Apple's WWDR intermediate and root")
        vendor.add_argument("--password", help="PKCS#12 or key password ('-' to be asked for it)")
        sign = sub.add_parser(
            "sign", help="sign a CSR made here with the vendor certificate, for Apple's portal"
        )
        sign.add_argument("request", type=int, help="the request number printed by `csr`")
        sign.add_argument("--out", type=Path, help="write the request file here (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "upload":
            self._upload(options)
        elif action == "show":
            self._show()
        elif action == "vendor":
            self._vendor(options)
        elif action == "sign":
            self._sign(options)
        else:
            self._csr(options)

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None

    def _upload(self, options: dict[str, Any]) -> None:
        password = options["password"]
        if password == "-":  # noqa: S105 - "ask me", not a password
            password = getpass.getpass("Password: ")
        try:
            row = services.upload_push_certificate(
                data=self._read(options["certificate"]),
                key_pem=self._read(options["key"]) if options["key"] else None,
                password=password or None,
                force=options["force"],
            )
        except services.PushCertificateError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Active push certificate: {row.topic}, expires {row.not_after:%Y-%m-%d}")

    def _vendor(self, options: dict[str, Any]) -> None:
        password = options["password"]
        if password == "-":  # noqa: S105 - "ask me", not a password
            password = getpass.getpass("Password: ")
        try:
            row = services.upload_vendor_certificate(
                data=self._read(options["certificate"]),
                key_pem=self._read(options["key"]) if options["key"] else None,
                chain_pem=self._read(options["chain"]) if options["chain"] else None,
                password=password or None,
            )
        except services.PushCertificateError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"MDM vendor certificate: {row.subject}, expires {row.not_after:%Y-%m-%d}"
        )

    def _sign(self, options: dict[str, Any]) -> None:
        try:
            data = services.signed_push_request(csr_id=options["request"])
        except services.PushCertificateError as exc:
            raise CommandError(str(exc)) from None
        if options["out"]:
            options["out"].write_bytes(data)
            self.stdout.write(
                f"Signed request written to {options['out']}: upload it at identity.apple.com"
            )
        else:
            self.stdout.write(data.decode("ascii"))

    def _show(self) -> None:
        status = services.certificate_status()
        if status is None:
            raise CommandError("no push certificate: run `push_certificate upload FILE`")
        self.stdout.write(f"Topic:   {status.topic}")
        self.stdout.write(f"Subject: {status.certificate.subject}")
        self.stdout.write(
            f"Expires: {status.not_after:%Y-%m-%d %H:%M} UTC ({status.days_left} days)"
        )
        for warning in status.warnings:
            self.stderr.write(f"Warning: {warning}")

    def _csr(self, options: dict[str, Any]) -> None:
        try:
            row = services.create_push_csr(
                common_name=options["common_name"], email=options["email"]
            )
        except services.PushCertificateError as exc:
            raise CommandError(str(exc)) from None
        if options["out"]:
            options["out"].write_text(row.csr_pem)
            self.stdout.write(f"CSR written to {options['out']} (request #{row.pk})")
        else:
            self.stdout.write(row.csr_pem)
