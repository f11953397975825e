"""Server CPU of the command channel, in one process without HTTP: Idle polls and round trips.

Enrolls a few devices through the deployed WSGI entry point (account-driven, as
`bench.enroll_breakdown` does: they send a bearer token with every request), or with
`--no-bearer` seeds them as `bench.run` does (`bench.seed`: no enrollment session, no bearer
token), then measures, interleaved so that the machine's load falls on every kind alike:

- an Idle poll with Apple's media type (`application/x-apple-aspen-mdm; charset=UTF-8`),
- an Idle poll with the bare type,
- a round trip with a small result (SecurityInfo stored, the next command fetched),
- a round trip with a realistic list (ProfileList of 30 profiles, the next command fetched),

each with the server's CPU (the WSGI application's call, not the simulated device's signing) and
the SQL statements of one request, and the same-run machine-speed
reference (`bench.reference`):

    .venv/bin/python -m bench.connect_breakdown --rounds 300 [--no-bearer] [--profile lists]

`--profile KIND` prints cProfile's top functions for that kind of request. It creates and drops
its own PostgreSQL database (`mdm_bench_connect`) and runs its own redis-server.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import plistlib
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stack import (
    _create_database,
    _drop_database,
    start_redis,
    stop_process,
    with_database,
)

DATABASE = "mdm_bench_connect"
KINDS = ("idle_apple", "idle_bare", "small", "lists")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--admin-database-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--devices", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=200, help="requests of each kind")
    parser.add_argument("--profile", choices=KINDS, default=None)
    parser.add_argument(
        "--no-bearer",
        action="store_true",
        help="devices seeded as bench.run's (no bearer token) instead of account-driven ones",
    )
    args = parser.parse_args(argv)

    _create_database(args.admin_database_url, args.database)
    data_dir = tempfile.mkdtemp(prefix="mdm-connect-breakdown-")
    redis, redis_url = start_redis(Path(data_dir))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "mdm_server.settings",
            "DATABASE_URL": with_database(args.admin_database_url, args.database),
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",  # pushes wait in Redis: no APNs here
            "MDM_DATA_DIR": data_dir,
            "MDM_PUBLIC_URL": "http://127.0.0.1",
            "SECRET_KEY": "breakdown-" + "x" * 40,
            "LOG_LEVEL": "ERROR",
        }
    )
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.conf import settings

        settings.DEBUG = False
        from bench import enroll, reference
        from mdm_server.pki import services as pki

        pki.ensure_server_pki(organisation="Breakdown")
        users = enroll.prepare_local(2)
        ref = reference.measure()
        rows, profiler = _run(users, args)
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database(args.admin_database_url, args.database)
        stop_process(redis)
    kind_of_devices = "seeded, no bearer token" if args.no_bearer else "account-driven, bearer"
    print(
        f"{args.rounds} requests of each kind, interleaved, {args.devices} devices "
        f"({kind_of_devices}); reference: {reference.describe(ref)}"
    )
    print(
        f"{'request':12} {'CPU ms median':>14} {'CPU ms mean':>12} {'statements':>11} {'/ Idle':>7}"
    )
    idle = statistics.median(rows["idle_apple"][0])
    for kind in KINDS:
        cpu, queries = rows[kind]
        med = statistics.median(cpu)
        print(
            f"{kind:12} {med:14.3f} {statistics.fmean(cpu):12.3f} "
            f"{statistics.fmean(queries):11.1f} {med / idle:7.2f}"
        )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return 0


def _run(users: list[tuple[str, str]], args: argparse.Namespace) -> tuple[Any, Any]:
    from django.db import connection

    from bench import load
    from devices import services
    from devices.models import Enrollment
    from mdm_server.wsgi import application
    from tests.simulator import WSGITransport

    server_cpu = [0.0]

    def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """The server's part only: the simulated device's signing and parsing are not counted."""
        started = time.process_time()
        answer = application(environ, start_response)
        body = list(answer)
        close = getattr(answer, "close", None)
        if close is not None:
            close()  # as a WSGI server does: Django's end-of-request work counts too
        server_cpu[0] = time.process_time() - started
        return body

    transport = WSGITransport(timed)
    if args.no_bearer:
        devices = _seeded_devices(transport, args.devices)
    else:
        devices = _account_devices(transport, users, args.devices)

    queries = 0

    def count(execute: Callable[..., Any], *a: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(*a)

    profiler = cProfile.Profile(time.process_time) if args.profile else None
    rows: dict[str, tuple[list[float], list[int]]] = {k: ([], []) for k in KINDS}

    def measured(kind: str, call: Callable[[], tuple[int, bytes]]) -> bytes:
        nonlocal queries
        queries = 0
        profiling = profiler is not None and kind == args.profile
        if profiling:
            profiler.enable()
        with connection.execute_wrapper(count):
            status, body = call()
        if profiling:
            profiler.disable()
        spent = server_cpu[0] * 1000
        if status != 200:
            raise RuntimeError(f"{kind}: {status} {body[:200]!r}")
        rows[kind][0].append(spent)
        rows[kind][1].append(queries)
        return body

    everyone = Enrollment.objects.filter(parent__isnull=True)
    for turn in range(args.rounds + 5):
        device = devices[turn % len(devices)]
        warm = turn < 5
        # Every other turn in the opposite order: what a kind leaves behind (garbage to collect,
        # cold caches) falls on the others alike.
        for kind in KINDS if turn % 2 else KINDS[::-1]:
            if kind.startswith("idle"):
                device.type_parameters = load.APPLE_PARAMETERS if kind == "idle_apple" else ""
                body = measured(kind, lambda d=device: d.connect("Idle"))
                if body:
                    raise RuntimeError(f"{kind}: the queue is not empty")
                continue
            request_type = "SecurityInfo" if kind == "small" else "ProfileList"
            device.type_parameters = load.APPLE_PARAMETERS
            # Two commands queued: the first is fetched (not measured), the measured request
            # stores its result and fetches the second, which is then answered (not measured).
            services.enqueue_command(
                enrollments=everyone.filter(pk=_pk(device)), request_type=request_type
            )
            services.enqueue_command(
                enrollments=everyone.filter(pk=_pk(device)), request_type="SecurityInfo"
            )
            first = plistlib.loads(device.connect("Idle")[1])
            extra = load.realistic_answer(device, request_type)
            body = measured(
                kind,
                lambda d=device, u=first["CommandUUID"], e=extra: d.connect(
                    "Acknowledged", command_uuid=u, extra=e
                ),
            )
            second = plistlib.loads(body)
            device.connect(
                "Acknowledged",
                command_uuid=second["CommandUUID"],
                extra=load.realistic_answer(device, "SecurityInfo"),
            )
        if warm:
            for kind in KINDS:
                rows[kind][0].clear()
                rows[kind][1].clear()
    return rows, profiler


def _account_devices(transport: Any, users: list[tuple[str, str]], count: int) -> list[Any]:
    """Account-driven enrollments through the WSGI entry point: each sends a bearer token."""
    from bench import enroll, load
    from tests.simulator import enrollment_flow as flow

    apple = flow.throwaway_apple_identity()
    devices = []
    for n in range(count):
        user, password = users[n % len(users)]
        account = flow.enroll_account_driven(
            transport,
            "http://127.0.0.1",
            user_identifier=user,
            password=password,
            apple_identity=apple,
        )
        device = enroll.device_of(account, transport, load.BenchDevice)
        device.enroll()
        # It answers the inventory asked when its enrollment completed: polls start empty.
        device.run(max_commands=10)
        devices.append(device)
    return devices


def _seeded_devices(transport: Any, count: int) -> list[Any]:
    """Devices as `bench.run` drives them: identities from the server's CA, their channels
    seeded with `bench.seed` (enrolled, pinned, no enrollment session: no bearer token)."""
    import psycopg
    from cryptography import x509

    from bench import load, run, seed
    from mdm_server.pki import certificates

    specs = run.issue_identities(count, rsa=True)
    active = [
        seed.ActiveDevice(
            s.enrollment_id,
            certificates.fingerprint(x509.load_pem_x509_certificate(s.cert_pem)),
            s.user_enrollment,
        )
        for s in specs
    ]
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        seed.seed_active(conn, active, topic=run.TOPIC)
    return [load.make_device(s, transport, "http://127.0.0.1") for s in specs]


def _pk(device: Any) -> int:
    from devices.models import Enrollment

    key = f"eid:{device.enrollment_id}" if device.user_enrollment else f"udid:{device.udid}"
    return int(Enrollment.objects.values_list("pk", flat=True).get(channel_key=key))


if __name__ == "__main__":
    sys.exit(main())
