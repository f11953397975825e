"""Benchmark: MDM pushes per second through the local fake APNs gateway (127.0.0.1 only).

    .venv/bin/python bench/apns_push.py [--count 100000] [--phase sender|service|both]

The fake runs in its own process. "sender" times the HTTP/2 client alone (apns.client, chunks of
services.CHUNK_SIZE as the push task sends them); "service" times what a worker does per chunk:
read the enrollments, push, write the device log and token state (apns.services.push_enrollments),
in a throwaway test database. Bounded by --max-seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdm_server.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from apns import client, services  # noqa: E402
from devices.models import Device, DeviceEvent, Enrollment  # noqa: E402
from tests.apns.fake_apns import cert_pem, issue_push_certificate, key_pem, make_pki  # noqa: E402

TOPIC = "com.apple.mgmt.External.bench0000-0000-0000-0000-000000000000"
GONE_SUFFIX = "00"  # 1 token in 256 answers 410 Unregistered


class OutOfTime(SystemExit):
    """Raised by the alarm: like SystemExit, asyncio and `except Exception` let it through."""


class TimedSender:
    """Wraps the real sender to split the time between sending and the database work."""

    def __init__(self, inner: client.PushSender) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.cpu = 0.0

    def send(self, targets: Sequence[client.PushTarget]) -> list[client.PushOutcome]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return self.inner.send(targets)
        finally:
            self.seconds += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu


def start_fake(pki_dir: Path, max_seconds: float) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.apns.fake_apns", "--dir", str(pki_dir),
         "--gone-suffix", GONE_SUFFIX, "--max-seconds", str(max_seconds)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    line = proc.stdout.readline() if proc.stdout is not None else ""

    if not line.startswith("PORT "):
        proc.kill()
        raise SystemExit(f"the fake gateway did not start: {line!r}")
    return proc, int(line.split()[1])


def stop_fake(proc: subprocess.Popen[str]) -> dict[str, Any]:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        return {"error": "the fake gateway did not stop in time"}
    return json.loads(out.strip().splitlines()[-1])


def fake_cpu_seconds(pid: int) -> float:
    """utime + stime of the fake gateway process (Linux /proc), to see where the CPU goes."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_sender(config: client.ApnsConfig, count: int, profile: bool) -> dict[str, Any]:
    targets = [client.PushTarget(i, f"{i:064x}", f"magic-{i}") for i in range(1, count + 1)]
    sender = TimedSender(client.AioApnsSender(config))
    statuses: Counter[int] = Counter()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for start in range(0, count, services.CHUNK_SIZE):
        for outcome in sender.send(targets[start : start + services.CHUNK_SIZE]):
            statuses[outcome.status] += 1
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    result = {
        "pushes": count,
        "seconds": round(elapsed, 2),
        "pushes_per_second": round(count / elapsed),
        "client_cpu_ms_per_push": round(1000 * sender.cpu / count, 3),
        "statuses": dict(statuses),
    }
    if profiler:
        result["profile"] = _top(profiler)
    return result


def run_service(count: int, profile: bool, workers: int) -> dict[str, Any]:
    cert = services.active_certificate()
    if cert is None:
        raise SystemExit("no push certificate in the benchmark database")
    devices = Device.objects.bulk_create(
        (Device(user_enrollment=True, platform="iOS") for _ in range(count)), batch_size=5000
    )
    Enrollment.objects.bulk_create(
        (
            Enrollment(
                channel_key=f"eid:bench-{i}",
                device=devices[i - 1],
                enrollment_type=Enrollment.Type.USER,
                status=Enrollment.Status.ENROLLED,
                enrollment_id=f"BENCH-{i}",
                push_token=f"{i:064x}",
                push_magic=f"magic-{i}",
                topic=TOPIC,
            )
            for i in range(1, count + 1)
        ),
        batch_size=5000,
    )
    ids = list(Enrollment.objects.order_by("id").values_list("id", flat=True))
    chunks = [ids[i : i + services.CHUNK_SIZE] for i in range(0, len(ids), services.CHUNK_SIZE)]
    profiler = cProfile.Profile() if profile and workers == 1 else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    if workers == 1:
        totals, sending = _push_chunks(chunks, cert)
    else:
        totals, sending = _push_in_processes(chunks, cert, workers)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    result = {
        "pushes": len(ids),
        "seconds": round(elapsed, 2),
        "pushes_per_second": round(len(ids) / elapsed),
        "workers": workers,
        "sending_s_per_worker": round(sending / workers, 2),
        "database_s_per_worker": round(elapsed - sending / workers, 2),
        "outcomes": dict(totals),
        "push_events_logged": DeviceEvent.objects.filter(kind="push").count(),
        "dead_tokens_marked": Enrollment.objects.filter(push_token_dead=True).count(),
    }
    if profiler:
        result["profile"] = _top(profiler)
    return result


def _push_chunks(chunks: list[list[int]], cert: Any) -> tuple[Counter[str], float]:
    """What one worker does with its share of the push tasks."""
    sender = TimedSender(services.sender_for(cert))
    totals: Counter[str] = Counter()
    for chunk in chunks:
        report = services.push_enrollments(enrollment_ids=chunk, sender=sender)
        for name, value in report.summary().items():
            if isinstance(value, int):
                totals[name] += value
    return totals, sender.seconds


def _worker(chunks: list[list[int]], cert_pk: int, queue: Any) -> None:
    from apns.models import PushCertificate

    totals, sending = _push_chunks(chunks, PushCertificate.objects.get(pk=cert_pk))
    queue.put((dict(totals), sending))


def _push_in_processes(
    chunks: list[list[int]], cert: Any, workers: int
) -> tuple[Counter[str], float]:
    """Like a Celery worker with --concurrency=N: N processes, each taking every Nth chunk."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each forked process opens its own database connection
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(chunks[n::workers], cert.pk, queue))
        for n in range(workers)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    totals: Counter[str] = Counter()
    for part, _ in results:
        totals.update(part)
    return totals, sum(sending for _, sending in results)


def _top(profiler: cProfile.Profile, n: int = 15) -> list[str]:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(n)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "tottime" in line)
    return lines[start : start + n + 1]


def with_test_database(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run in a throwaway database (test_<name>), dropped afterwards."""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return work()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--phase", choices=["sender", "service", "both"], default="both")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--streams", type=int, default=400, help="pushes in flight")
    parser.add_argument("--per-connection", type=int, default=100, help="streams per connection")
    parser.add_argument("--profile", action="store_true", help="cProfile the client side")
    parser.add_argument(
        "--workers", type=int, default=1, help="service phase: processes, like celery -c N"
    )
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()

    def out_of_time(signum: int, frame: Any) -> None:
        raise OutOfTime(f"benchmark stopped after --max-seconds={args.max_seconds:.0f}")

    # A hard bound on the whole run; the finally blocks still stop the fake and drop the database.
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(max(1, int(args.max_seconds)))
    logging.getLogger("aioapns").setLevel(logging.ERROR)  # one line per connection otherwise

    with tempfile.TemporaryDirectory(prefix="apns-bench-") as tmp:
        pki = make_pki(Path(tmp))
        cert, key = issue_push_certificate(pki, topic=TOPIC)
        fake, port = start_fake(Path(tmp), args.max_seconds + 60)
        settings.APNS_HOST, settings.APNS_PORT = "127.0.0.1", port
        settings.APNS_CA_FILE = str(pki.ca_file)
        settings.APNS_CONNECTIONS, settings.APNS_STREAMS = args.connections, args.streams
        settings.APNS_STREAMS_PER_CONNECTION = args.per_connection
        report: dict[str, Any] = {
            "count": args.count,
            "chunk": services.CHUNK_SIZE,
            "connections": args.connections,
            "streams": args.streams,
            "streams_per_connection": args.per_connection,
            "database": connection.vendor,
            "cpus": os.cpu_count(),
        }
        try:
            if args.phase in ("sender", "both"):
                config = client.ApnsConfig(
                    identity_pem=cert_pem(cert) + key_pem(key),
                    topic=TOPIC,
                    host="127.0.0.1",
                    port=port,
                    ca_file=str(pki.ca_file),
                    connections=args.connections,
                    streams=args.streams,
                    streams_per_connection=args.per_connection,
                )
                before = fake_cpu_seconds(fake.pid)
                report["sender"] = run_sender(config, args.count, args.profile)
                report["sender"]["fake_cpu_ms_per_push"] = round(
                    1000 * (fake_cpu_seconds(fake.pid) - before) / args.count, 3
                )
            if args.phase in ("service", "both"):

                def service() -> dict[str, Any]:
                    services.upload_push_certificate(data=cert_pem(cert) + key_pem(key))
                    return run_service(args.count, args.profile, args.workers)

                report["service"] = with_test_database(service)
        finally:
            report["fake"] = stop_fake(fake)
    print(json.dumps(report, indent=2))
    return 0


def run() -> int:
    try:
        return main()
    except OutOfTime as exc:
        print(json.dumps({"error": str(exc)}))
        return 2


if __name__ == "__main__":
    raise SystemExit(run())
