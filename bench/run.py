"""Run the benchmarks: `python -m bench.run` (see bench/RESULTS.md and the README section).

Starts a private stack on 127.0.0.1 (PostgreSQL database mdm_bench, redis-server, granian,
Celery), seeds it with bulk SQL, drives simulated devices from separate processes, measures
throughput, latency and the server's CPU per request, writes bench/results.json and
bench/RESULTS.md, and tears everything down. Every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench import enroll, load, reference, report, seed
from bench.stack import Stack, cpu_delta, running_stack

HERE = Path(__file__).resolve().parent
TOPIC = "com.apple.mgmt.External.00000000-0000-0000-0000-00000000be0c"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarize(results: list[load.LoadResult], *, cpu: float, pg_cpu: float) -> dict[str, Any]:
    latencies = [x for r in results for x in r.latencies_ms]
    requests = sum(r.requests for r in results)
    round_trips = sum(r.round_trips for r in results)
    started = min((r.started for r in results if r.started), default=0.0)
    finished = max((r.finished for r in results), default=0.0)
    wall = max(finished - started, 1e-9)
    return {
        "requests": requests,
        "errors": sum(r.errors for r in results),
        "unexpected": [u for r in results for u in r.unexpected][:5],
        "wall_s": round(wall, 3),
        "requests_per_s": round(requests / wall, 1),
        "round_trips": round_trips,
        "round_trips_per_s": round(round_trips / wall, 1),
        "server_cpu_s": round(cpu, 3),
        "server_cpu_ms_per_request": round(cpu * 1000 / requests, 3) if requests else None,
        "postgres_cpu_ms_per_request": round(pg_cpu * 1000 / requests, 3) if requests else None,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 2),
            "p90": round(percentile(latencies, 90), 2),
            "p99": round(percentile(latencies, 99), 2),
            "max": round(max(latencies), 2) if latencies else 0.0,
            "mean": round(statistics.fmean(latencies), 2) if latencies else 0.0,
        },
    }


_MANAGER: Any = None


def _manager() -> Any:
    global _MANAGER  # one manager process for the run, started on first use
    if _MANAGER is None:
        _MANAGER = multiprocessing.get_context("spawn").Manager()
    return _MANAGER


def _split(specs: list[load.DeviceSpec], parts: int) -> list[list[load.DeviceSpec]]:
    return [specs[i::parts] for i in range(parts) if specs[i::parts]]


def _measure(
    stack: Stack, pool: ProcessPoolExecutor, fn: Any, chunks: list[Any], **kwargs: Any
) -> dict[str, Any]:
    manager = _manager()
    barrier = (manager.Barrier(len(chunks) + 1), manager.Barrier(len(chunks) + 1))
    futures = [
        pool.submit(fn, chunk, stack.base_url, barrier=barrier, **kwargs) for chunk in chunks
    ]
    # Read the CPU counters after the load processes warmed up, just before releasing them.
    barrier[0].wait(timeout=300)
    pg0 = stack.postgres_cpu()
    cpu0 = stack.server_cpu()
    barrier[1].wait(timeout=300)
    results = [f.result(timeout=600) for f in futures]
    cpu1, pg1 = stack.server_cpu(), stack.postgres_cpu()
    return summarize(results, cpu=cpu1 - cpu0, pg_cpu=cpu_delta(pg0, pg1))


def issue_identities(count: int, *, rsa: bool) -> list[load.DeviceSpec]:
    """Device identities from the bench server's CA (RSA keys reused: generation is slow)."""
    import uuid

    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    from mdm_server.pki import certificates
    from mdm_server.pki import services as pki

    ca = pki.active_identity("ca")
    keys = (
        [certificates.new_rsa_key() for _ in range(min(8, count))]
        if rsa
        else [None] * min(64, count)
    )
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    specs = []
    for n in range(count):
        key = keys[n % len(keys)] or ec.generate_private_key(ec.SECP256R1())
        if keys[n % len(keys)] is None:
            keys[n % len(keys)] = key
        cert = certificates.issue_certificate(
            issuer=ca,
            public_key=key.public_key(),
            subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"bench-{n}")]),
            days=30,
            usage="client",
        )
        specs.append(
            load.DeviceSpec(
                # A BYOD fleet: 7 in 10 user-enrolled iPhones, the rest device-enrolled Macs;
                # every other device signs with signed attributes.
                platform="iOS" if n % 10 < 7 else "macOS",
                user_enrollment=n % 10 < 7,
                signed_attributes=n % 2 == 1,
                enrollment_id=f"ACTIVE-{uuid.uuid4().hex.upper()}",
                cert_pem=cert.public_bytes(serialization.Encoding.PEM),
                key_pem=key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
            )
        )
    return specs


def _fingerprint(spec: load.DeviceSpec) -> str:
    from cryptography import x509

    from mdm_server.pki import certificates

    return certificates.fingerprint(x509.load_pem_x509_certificate(spec.cert_pem))


def scenario_scaling(
    stack: Stack, pool: ProcessPoolExecutor, args: argparse.Namespace
) -> list[dict[str, Any]]:
    import psycopg

    from devices.models import Enrollment

    specs = issue_identities(args.active, rsa=args.device_key == "rsa")
    out: list[dict[str, Any]] = []
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        seed.seed_active(
            conn,
            [seed.ActiveDevice(s.enrollment_id, _fingerprint(s), s.user_enrollment) for s in specs],
            topic=TOPIC,
        )
        seeded = len(specs)
        for scale in args.scales:
            t0 = time.monotonic()
            seed.seed_bulk(conn, start=seeded, stop=max(scale, seeded), topic=TOPIC)
            seeded = max(scale, seeded)
            seed.analyze(conn)
            rows = seed.counts(conn)
            seed_s = round(time.monotonic() - t0, 1)
            print(f"[scale {scale}] seeded in {seed_s} s: {rows}", flush=True)
            ref = reference.measure()
            print(f"[scale {scale}] reference: {reference.describe(ref)}", flush=True)
            # The two cores are shared with the load generator (and whatever else runs on the
            # machine): repeat, alternating Apple's media type with parameters and the bare
            # type, and report for each the run with the median p99, keeping every run.
            # The small round trip is measured in each repeat too, right after its Idle polls:
            # its ratio to a poll compares figures of the same minutes, not of a drifted host.
            active = Enrollment.objects.filter(
                channel_key__in=[
                    f"{'eid' if s.user_enrollment else 'udid'}:{s.enrollment_id}" for s in specs
                ]
            )
            idle: dict[str, dict[str, Any]] = {}
            runs: dict[str, list[dict[str, Any]]] = {"bare": [], "apple": []}
            small_runs: list[dict[str, Any]] = []
            for _ in range(args.repeat):
                for kind, parameters in (("apple", load.APPLE_PARAMETERS), ("bare", "")):
                    runs[kind].append(
                        _measure(
                            stack,
                            pool,
                            load.idle_loop,
                            _split(specs, args.concurrency),
                            duration=args.duration,
                            max_requests=args.max_requests,
                            type_parameters=parameters,
                        )
                    )
                small_runs.append(
                    _round_trips(stack, pool, args, specs, active, load.SMALL_ROUND_TRIP_COMMANDS)
                )
                print(
                    f"[scale {scale}] round trips (small): {json.dumps(small_runs[-1])}", flush=True
                )
            for kind, measured in runs.items():
                chosen = dict(
                    sorted(measured, key=lambda r: r["latency_ms"]["p99"])[len(measured) // 2]
                )
                chosen["runs"] = [
                    {k: r[k] for k in ("requests_per_s", "server_cpu_ms_per_request", "latency_ms")}
                    for r in measured
                ]
                chosen["server_cpu_ms_median"] = statistics.median(
                    r["server_cpu_ms_per_request"] or 0 for r in measured
                )
                idle[kind] = chosen
                print(f"[scale {scale}] idle ({kind}): {json.dumps(chosen)}", flush=True)
            small = dict(
                sorted(small_runs, key=lambda r: r["server_cpu_ms_per_request"] or 0)[
                    len(small_runs) // 2
                ]
            )
            small["runs"] = [
                {k: r[k] for k in ("round_trips_per_s", "server_cpu_ms_per_request", "reference")}
                for r in small_runs
            ]
            small["server_cpu_ms_median"] = statistics.median(
                r["server_cpu_ms_per_request"] or 0 for r in small_runs
            )
            trips = {
                "small": small,
                "lists": _round_trips(stack, pool, args, specs, active, load.ROUND_TRIP_COMMANDS),
            }
            print(f"[scale {scale}] round trips (lists): {json.dumps(trips['lists'])}", flush=True)
            step: dict[str, Any] = {
                "devices": rows["devices_enrollment"], "rows": rows, "seed_s": seed_s,
                "reference": ref, "idle": idle["apple"], "idle_bare": idle["bare"],
                "round_trip": trips["small"], "round_trip_lists": trips["lists"],
            }  # fmt: skip
            if scale == max(args.scales):
                step["enqueue"] = measure_enqueue()
                print(f"[scale {scale}] enqueue: {json.dumps(step['enqueue'])}", flush=True)
            out.append(step)
    return out


def _round_trips(
    stack: Stack,
    pool: ProcessPoolExecutor,
    args: argparse.Namespace,
    specs: list[load.DeviceSpec],
    active: Any,
    commands: tuple[str, ...],
) -> dict[str, Any]:
    """Results stored and next commands fetched: `commands` queued to every active device,
    answered in turn (load.round_trip_loop); what is left pending is then canceled."""
    from django.db import connection

    from devices import services
    from devices.models import QueuedCommand

    queued = 0
    for request_type in commands:
        queued += len(
            services.enqueue_command(
                enrollments=active, request_type=request_type, origin="bench"
            ).queued
        )
    trip = _measure(
        stack,
        pool,
        load.round_trip_loop,
        _split(specs, args.concurrency),
        duration=args.duration * 2,
        commands=commands,
    )
    trip["queued"] = queued
    trip["reference"] = reference.measure()
    # Leave nothing pending for what comes next, nor the dead rows and index entries of what
    # was answered and canceled (the next repeat's Idle polls read the pending-queue index).
    QueuedCommand.objects.filter(enrollment__in=active, status__in=QueuedCommand.PENDING).update(
        status=QueuedCommand.Status.CANCELED, status_reason="bench"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {QueuedCommand._meta.db_table}")
    return trip


def measure_enqueue() -> dict[str, Any]:
    """One command to every enrolled device: this process's CPU per target and its SQL
    statements (the pushes go to the Celery worker, which is not counted here)."""
    from django.db import connection

    from devices import services
    from devices.models import Enrollment

    statements = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    ref = reference.measure()
    targets = Enrollment.objects.filter(status=Enrollment.Status.ENROLLED)
    wall0, cpu0 = time.monotonic(), time.process_time()
    with connection.execute_wrapper(count):
        result = services.enqueue_command(
            enrollments=targets, request_type="SecurityInfo", origin="bench"
        )
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    queued = len(result.queued)
    return {
        "targets": queued + len(result.refused),
        "queued": queued,
        "statements": statements[0],
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "cpu_ms_per_target": round(cpu * 1000 / max(queued, 1), 4),
        "reference": ref,
    }


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": mem,
        "python": platform.python_version(),
        "django": django.get_version(),
        "kernel": platform.release(),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-database-url",
        default=os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL allowed to CREATE/DROP DATABASE",
    )  # fmt: skip
    parser.add_argument("--database", default="mdm_bench")
    parser.add_argument("--scales", default="1000,10000,100000", help="enrolled devices per step")
    parser.add_argument("--active", type=int, default=1000, help="devices that connect")
    parser.add_argument("--concurrency", type=int, default=2, help="load processes")
    parser.add_argument(
        "--enroll-concurrency",
        type=int,
        default=6,
        help="load processes enrolling at once (an enrollment is 9 requests with waits for "
        "PostgreSQL and the directory in between: 2 at a time leave the cores idle)",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="Idle measurements per size")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument(
        "--worker-class",
        default="granian",
        choices=["granian", "gthread", "sync"],
        help="granian (production) or, if gunicorn is installed, its gthread or sync workers",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="application threads per worker (2: a request waiting for PostgreSQL or the "
        "directory leaves the interpreter to the other; measured best on 2 cores)",
    )
    parser.add_argument("--device-key", default="rsa", choices=["rsa", "ec"])
    parser.add_argument("--scenarios", default="scaling,enroll,push")
    parser.add_argument("--enrollments", type=int, default=400)
    parser.add_argument(
        "--push-workers",
        type=int,
        default=2,
        help="push service processes (one per core, like `celery -c 2`)",
    )
    parser.add_argument(
        "--sign-in",
        default="ldap,local",
        type=enroll.sign_ins,
        help="who checks the enrollment password: ldap (slapd), local (PBKDF2 here), or both",
    )
    parser.add_argument("--pushes", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--markdown", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--log", action="store_true", help="show server logs")
    parser.add_argument(
        "--async-commit",
        action="store_true",
        help="synchronous_commit=off for the bench database (takes the disk's fsync out)",
    )
    args = parser.parse_args(argv)
    args.scales = [int(x) for x in str(args.scales).split(",") if x]
    args.scenarios = {x.strip() for x in str(args.scenarios).split(",") if x.strip()}
    if max(args.scales) > 1_000_000 or args.active > 20_000 or args.duration > 120:
        parser.error("bounded by design: at most 1M devices, 20k active, 120 s per measurement")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    results: dict[str, Any] = {"date": started.isoformat(timespec="seconds")}
    with running_stack(
        admin_database_url=args.admin_database_url,
        database=args.database,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        synchronous_commit=not args.async_commit,
        log=args.log,
    ) as stack:
        os.environ.update(stack.env)
        import django

        django.setup()
        results["machine"] = machine()
        results["config"] = {
            "server": (
                f"granian (WSGI), {args.workers} workers x {args.threads} threads"
                if args.worker_class == "granian"
                else f"gunicorn {args.worker_class}, {args.workers} workers"
                + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
            ),
            "load_processes": args.concurrency,
            "active_devices": args.active,
            "device_key": args.device_key,
            "duration_s": args.duration,
            "synchronous_commit": "off" if args.async_commit else "on",
        }
        ctx = multiprocessing.get_context("spawn")
        workers = max(args.concurrency, args.enroll_concurrency, 2)
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            if "scaling" in args.scenarios:
                results["scaling"] = scenario_scaling(stack, pool, args)
            if "enroll" in args.scenarios:
                results["enrollments"] = []
                for sign_in in args.sign_in:
                    ref = reference.measure()
                    outcome = enroll.scenario(stack, pool, args, sign_in)
                    results["enrollments"].append({**outcome, "reference": ref})
            if "push" in args.scenarios:
                from bench import push

                ref = reference.measure()
                results["push"] = {**push.scenario(stack, args), "reference": ref}
    results["total_s"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    previous = args.markdown.read_text() if args.markdown.exists() else ""
    args.markdown.write_text(report.render_file(results, previous))
    print(f"wrote {args.out} and {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
