"""Only the enqueue measurement of bench.run: one command to N seeded devices (default 100,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdm_bench_enqueue \\
        .venv/bin/python -m bench.enqueue [--devices 100000] [--push-certificate]

Creates (drops first) the database named in DATABASE_URL, migrates, seeds the devices as
bench.run does, then prints `measure_enqueue()` as JSON with the machine-speed reference.
`--push-certificate` uploads a test push certificate first, so the push outbox is written too
(bench.run has none: its figure leaves the outbox out).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from urllib.parse import urlsplit, urlunsplit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--push-certificate", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("DATABASE_URL must name a PostgreSQL database to (re)create", file=sys.stderr)
        return 2
    import psycopg

    from bench import seed, stack

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    stack._create_database(urlunsplit(parts._replace(path="/postgres")), name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdm_server.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.push_certificate:
        _upload_push_certificate()
    with psycopg.connect(url, autocommit=True) as conn:
        seed.seed_bulk(conn, start=0, stop=args.devices, topic="com.apple.mgmt.bench")
        seed.analyze(conn)
    from bench.run import measure_enqueue

    print(json.dumps(measure_enqueue()), flush=True)
    return 0


def _upload_push_certificate() -> None:
    import tempfile
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric import rsa

    from apns import services
    from tests.apns.fake_apns import cert_pem, issue_push_certificate, key_pem, make_pki

    pki = make_pki(Path(tempfile.mkdtemp(prefix="bench-apns-")))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert, key = issue_push_certificate(
        pki, topic="com.apple.mgmt.External.11111111-2222-3333-4444-555555555555", days=365, key=key
    )
    services.upload_push_certificate(data=cert_pem(cert), key_pem=key_pem(key))


if __name__ == "__main__":
    sys.exit(main())
