"""Where an account-driven enrollment spends its server CPU, request by request.

Runs the enrollment flow of `tests.simulator.enrollment_flow` in this process against the
deployed WSGI entry point (no HTTP, no other process on the cores), and prints, for each kind
of request, the CPU milliseconds and SQL queries it took:

    .venv/bin/python -m bench.enroll_breakdown --enrollments 20 [--sign-in ldap] [--assigned-profiles 3]

It creates and drops its own PostgreSQL database (`mdm_bench_breakdown`) and runs its own
redis-server, like bench.run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.stack import (
    _create_database,
    _drop_database,
    start_redis,
    stop_process,
    with_database,
)

DATABASE = "mdm_bench_breakdown"


def _label(environ: dict[str, Any]) -> str:
    """`METHOD /path?operation=` of a request, with ids shown as <id>."""
    parts = [
        "<id>" if len(p) >= 16 and all(c in "0123456789abcdef-" for c in p.lower()) else p
        for p in environ["PATH_INFO"].split("/")
    ]
    query = environ.get("QUERY_STRING", "")
    operation = next((q for q in query.split("&") if q.startswith("operation=")), "")
    return f"{environ['REQUEST_METHOD']} {'/'.join(parts)}" + (f"?{operation}" if operation else "")


class Meter:
    """A WSGI wrapper counting CPU and queries per request label."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        profile: str | None = None,
        show_sql: str | None = None,
    ) -> None:
        self.app = app
        # Prints the statements of the requests whose label contains `show_sql`.
        self.show_sql = show_sql
        self.rows: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
        self.on = False
        # cProfile of the requests whose label contains `profile` (measured ones only).
        self.profile = profile
        self.profiler = cProfile.Profile(time.process_time) if profile else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        from django.db import connection

        label = _label(environ)
        if label.startswith("POST /enroll/") and label.endswith(("/byod", "/adde")):
            # The device's two POSTs of MachineInfo: the 401 challenge, then (with a bearer)
            # the profile.
            label += " (profile)" if "HTTP_AUTHORIZATION" in environ else " (challenge)"
        if label == "PUT /mdm/checkin":
            # Authenticate and TokenUpdate apart: the body is read here and handed on as is.
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            kind = next((k for k in (b"Authenticate", b"TokenUpdate") if k in body), b"other")
            label += f" ({kind.decode()})"
        queries = 0

        show = self.on and self.show_sql is not None and self.show_sql in label

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            nonlocal queries
            queries += 1
            if show:
                print(f"[{label}] {args[0][:300]}")
            return execute(*args)

        profiling = (
            self.on and self.profiler is not None and self.profile is not None
            and self.profile in label
        )  # fmt: skip
        started = time.process_time()
        if profiling:
            assert self.profiler is not None  # noqa: S101
            self.profiler.enable()
        # An execute wrapper counts statements without Django's debug cursor, which would
        # format every statement's SQL and add that work to the figures.
        with connection.execute_wrapper(count):
            answer = self.app(environ, start_response)
            body = list(answer)
            close = getattr(answer, "close", None)
            if close is not None:
                # As a WSGI server does: Django's end-of-request work (request_finished) counts.
                close()
        if profiling:
            assert self.profiler is not None  # noqa: S101
            self.profiler.disable()
        if self.on:
            row = self.rows[label]
            row[0] += 1
            row[1] += time.process_time() - started
            row[2] += queries
        return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--admin-database-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--enrollments", type=int, default=20)
    parser.add_argument("--sign-in", choices=["local", "ldap"], default="local")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument(
        "--profile",
        default=None,
        help="print cProfile's top functions for the requests whose label contains this",
    )
    parser.add_argument(
        "--profile-lines", type=int, default=45, help="functions listed by cumulative time"
    )
    parser.add_argument(
        "--show-sql",
        default=None,
        help="print the statements of the requests whose label contains this",
    )
    parser.add_argument(
        "--directory-users",
        type=int,
        default=0,
        help="other people in the directory (how lookups by what the user typed scale)",
    )
    parser.add_argument(
        "--assigned-profiles",
        type=int,
        default=0,
        help="small profiles assigned to every enrollment type before the run (a realistic "
        "configuration: each enrollment then gets them)",
    )
    args = parser.parse_args(argv)

    _create_database(args.admin_database_url, args.database)
    data_dir = tempfile.mkdtemp(prefix="mdm-breakdown-")
    # Redis as in production: the configuration generation lives there (mdm_server.config_cache).
    redis, redis_url = start_redis(Path(data_dir))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "mdm_server.settings",
            "DATABASE_URL": with_database(args.admin_database_url, args.database),
            "REDIS_URL": redis_url,
            # Tasks wait in Redis, as a web server leaves them to the Celery worker: the
            # pushes after TokenUpdate are the worker's CPU, not the enrollment requests'.
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "APNS_HOST": "127.0.0.1",  # never a name lookup, should a task run here
            "MDM_DATA_DIR": data_dir,
            "MDM_PUBLIC_URL": "http://127.0.0.1",
            "SECRET_KEY": "breakdown-" + "x" * 40,
            "LOG_LEVEL": "ERROR",
        }
    )
    slapd = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.conf import settings

        settings.DEBUG = False
        from bench import enroll
        from mdm_server.pki import services as pki

        pki.ensure_server_pki(organisation="Breakdown")
        if args.sign_in == "ldap":
            from tests.directory.conftest import Slapd

            slapd = Slapd(extra_users=4).start()
            users = enroll.prepare_ldap(4, slapd.url)
        else:
            users = enroll.prepare_local(4)
        if args.directory_users:
            _seed_directory(args.directory_users)
        if args.assigned_profiles:
            _assign_profiles(args.assigned_profiles)
        from bench import reference

        before = reference.measure()
        meter = _run(users, args.enrollments, args.profile, args.show_sql)
        after = reference.measure()
    finally:
        if slapd is not None:
            slapd.cleanup()
        from django.db import connections

        connections.close_all()
        _drop_database(args.admin_database_url, args.database)
        stop_process(redis)
    total_cpu = sum(r[1] for r in meter.rows.values()) * 1000 / args.enrollments
    total_queries = sum(r[2] for r in meter.rows.values()) / args.enrollments
    print(
        f"{args.enrollments} enrollments, password checked by {args.sign_in}, "
        f"{args.directory_users:,} other people in the directory, "
        f"{args.assigned_profiles} profiles assigned to every enrollment type"
    )
    print(f"{'request':44} {'per enrollment':>15} {'CPU ms each':>12} {'queries each':>13}")
    for label, (count, cpu, queries) in sorted(meter.rows.items(), key=lambda r: -r[1][1]):
        print(
            f"{label:44} {count / args.enrollments:15.1f} {cpu * 1000 / count:12.2f} "
            f"{queries / count:13.1f}"
        )
    print(f"{'all requests':44} {'':15} {total_cpu:12.2f} {total_queries:13.1f}  (per enrollment)")
    print(f"reference before: {reference.describe(before)}; after: {reference.describe(after)}")
    if meter.profiler is not None:
        pstats.Stats(meter.profiler).sort_stats("cumulative").print_stats(args.profile_lines)
        pstats.Stats(meter.profiler).sort_stats("tottime").print_stats(30)
    return 0


def _seed_directory(count: int) -> None:
    """`count` more local people (no password: they only make the table realistic)."""
    from django.db import connection

    from directory.models import DirectoryUser
    from directory.services import local_source

    source = local_source()
    batch = 10_000
    for start in range(0, count, batch):
        DirectoryUser.objects.bulk_create(
            DirectoryUser(
                source=source,
                external_id=f"seed-{n}",
                username=f"person{n}",
                email=f"person{n}@people.example",
                managed_apple_id=f"person{n}@appleid.people.example",
            )
            for n in range(start, min(count, start + batch))
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_directoryuser")


def _assign_profiles(count: int) -> None:
    """`count` small profiles (one web clip each), each assigned to every enrollment type."""
    from devices.models import Enrollment
    from profiles import services

    for n in range(count):
        profile = services.create_profile(
            identifier=f"bench.assigned.{n}",
            display_name=f"Assigned {n}",
            payloads=[
                services.PayloadInput(
                    "com.apple.webClip.managed", {"URL": f"https://{n}.example", "Label": f"{n}"}
                )
            ],
            actor=None,
        )
        services.assign_profile(
            profile=profile, actor=None, enrollment_types=Enrollment.Type.values
        )


def _run(
    users: list[tuple[str, str]],
    count: int,
    profile: str | None = None,
    show_sql: str | None = None,
) -> Meter:
    from bench import enroll
    from mdm_server.pki import certificates
    from mdm_server.wsgi import application
    from tests.simulator import WSGITransport
    from tests.simulator import enrollment_flow as flow

    keys = [certificates.new_rsa_key() for _ in range(2)]
    turn = iter(range(10**9))
    # The device makes its SCEP key: not the server's work, so a few are made beforehand.
    certificates.new_rsa_key = lambda bits=2048: keys[next(turn) % len(keys)]  # type: ignore[assignment]
    meter = Meter(application, profile, show_sql)
    apple = flow.throwaway_apple_identity()
    for n in range(count + 2):
        meter.on = n >= 2  # two warm-up enrollments
        user, password = users[n % len(users)]
        transport = WSGITransport(meter)
        enroll.enroll_one(transport, "http://127.0.0.1", user=user, password=password, apple=apple)
    return meter


if __name__ == "__main__":
    sys.exit(main())
