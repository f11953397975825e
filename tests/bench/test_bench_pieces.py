"""Smoke tests of the benchmark's pieces (the benchmark itself is run by hand: python -m bench.run)."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from django.db import connection

from bench import load, report, run, seed, stack
from devices.simulator.device import CONNECT_TYPE


def test_percentile_and_summary() -> None:
    assert run.percentile([], 99) == 0.0
    values = [float(v) for v in range(1, 101)]
    assert run.percentile(values, 50) in (50.0, 51.0)
    assert run.percentile(values, 99) == 99.0
    part = load.LoadResult(latencies_ms=values, requests=100, round_trips=10, errors=1)
    part.started, part.finished = 10.0, 12.0
    out = run.summarize([part], cpu=0.25, pg_cpu=0.05)
    assert out["requests_per_s"] == 50.0
    assert out["round_trips_per_s"] == 5.0
    assert out["server_cpu_ms_per_request"] == 2.5
    assert out["postgres_cpu_ms_per_request"] == 0.5
    assert out["latency_ms"]["max"] == 100.0 and out["errors"] == 1


def test_report_marks_targets_met_and_missed() -> None:
    def step(devices: int, cpu: float, p99: float) -> dict[str, Any]:
        idle = {
            "requests_per_s": 500.0,
            "server_cpu_ms_per_request": cpu,
            "postgres_cpu_ms_per_request": 0.2,
            "latency_ms": {"p50": 3.0, "p99": p99},
            "errors": 0,
        }
        fan = {**idle, "round_trips_per_s": 100.0}
        return {
            "devices": devices,
            "rows": {"devices_queuedcommand": devices * 10},
            "idle": idle,
            "fanout": fan,
        }

    text = report.render({"scaling": [step(1000, 0.5, 10.0), step(100_000, 0.55, 11.0)]})
    assert "| 100,000 | 1,000,000 |" in text
    assert "target ≤ 0.6 ms: met" in text
    assert "under 20 ms: met" in text
    text = report.render({"scaling": [step(1000, 1.5, 10.0), step(100_000, 1.6, 30.0)]})
    assert "target ≤ 0.6 ms: missed" in text and "under 20 ms: missed" in text


def test_report_shows_each_enrollment_sign_in() -> None:
    def run(sign_in: str, rate: float) -> dict[str, Any]:
        return {
            "sign_in": sign_in,
            "enrollments": 100,
            "failed": 0,
            "enrollments_per_s": rate,
            "server_cpu_ms_per_enrollment": 40.0,
            "postgres_cpu_ms_per_enrollment": 5.0,
            "latency_ms": {"p50": 90.0, "p99": 200.0},
        }

    text = report.render({"enrollments": [run("ldap", 55.0), run("local", 6.0)]})
    assert "| LDAP directory (slapd on 127.0.0.1) | 100 | 0 | 55.0 |" in text
    assert "| this server (local account, PBKDF2) | 100 | 0 | 6.0 |" in text
    assert "Target ≥ 50 per second: met (best 55.0)" in text
    text = report.render({"enrollments": [run("local", 6.0)]})
    assert "Target ≥ 50 per second: missed (best 6.0)" in text


def test_process_cpu_and_database_url_helpers() -> None:
    assert stack.proc_cpu_seconds(os.getpid()) > 0
    assert stack.proc_cpu_seconds(2**22 + 12345) == 0.0  # no such process
    # A backend that appeared counts in full; one that went away cannot make it negative.
    assert stack.cpu_delta({1: 1.0, 2: 5.0}, {1: 1.5, 3: 0.25}) == 0.75
    url = stack.with_database("postgres://u@127.0.0.1:5432/postgres?sslmode=disable", "mdm_bench")
    assert url == "postgres://u@127.0.0.1:5432/mdm_bench?sslmode=disable"
    admin = "postgres://x@127.0.0.1/postgres"
    with (
        pytest.raises(ValueError, match="mdm_bench"),
        stack.running_stack(admin_database_url=admin, database="prod"),
    ):
        pass  # pragma: no cover


def test_bench_device_signs_an_identical_body_once(server_pki: Any) -> None:
    specs = run.issue_identities(1, rsa=False)
    device = load.make_device(specs[0], load.HttpTransport(), "http://127.0.0.1:9")
    first = device._headers(b"<plist/>", CONNECT_TYPE)
    assert device._headers(b"<plist/>", CONNECT_TYPE) is first
    assert device._headers(b"<plist>2</plist>", CONNECT_TYPE) is not first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bulk seeding is PostgreSQL SQL")
@pytest.mark.django_db
def test_bulk_seed_makes_devices_history_and_pending_rows() -> None:
    from devices.models import Enrollment, QueuedCommand

    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection, inside the test's transaction
    active = [seed.ActiveDevice("ACTIVE-1", "ab" * 32), seed.ActiveDevice("ACTIVE-2", "cd" * 32)]
    assert seed.seed_active(raw, active, topic="com.apple.mgmt.test") == 2
    seed.seed_bulk(raw, start=2, stop=102, topic="com.apple.mgmt.test")
    rows = seed.counts(raw)
    assert rows["devices_enrollment"] == 102
    assert rows["devices_queuedcommand"] == 102 * seed.HISTORY_PER_DEVICE
    assert 0 < rows["pending_queue_rows"] <= 10
    ue = Enrollment.objects.filter(enrollment_type="user")
    assert not ue.filter(udid__isnull=False).exists()  # the seed keeps the UE invariants
    pinned = Enrollment.objects.get(channel_key="eid:ACTIVE-1")
    assert pinned.cert_fingerprint == "ab" * 32 and pinned.status == "enrolled"
    # The driven devices have history but nothing pending: their Idle polls get empty answers.
    assert not QueuedCommand.objects.filter(
        enrollment=pinned, status__in=QueuedCommand.PENDING
    ).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bulk seeding is PostgreSQL SQL")
@pytest.mark.django_db(transaction=True)
def test_idle_loop_against_a_live_server(live_server: Any, server_pki: Any) -> None:
    from devices import identity

    identity.forget_cached_state()
    specs = run.issue_identities(3, rsa=False)
    connection.ensure_connection()
    seed.seed_active(
        connection.connection,
        [seed.ActiveDevice(s.enrollment_id, run._fingerprint(s)) for s in specs],
        topic="com.apple.mgmt.test",
    )
    barriers = (threading.Barrier(2), threading.Barrier(2))
    out: dict[str, load.LoadResult] = {}

    def work() -> None:
        # Django's test server answers in two TCP writes, so each request waits ~40 ms for a
        # delayed ACK: the deadline leaves room for all 20 requests.
        out["r"] = load.idle_loop(
            specs, live_server.url, barrier=barriers, duration=10.0, max_requests=20
        )

    thread = threading.Thread(target=work)
    thread.start()
    barriers[0].wait(timeout=30)
    barriers[1].wait(timeout=30)
    thread.join(timeout=60)
    result = out["r"]
    assert result.requests == 20
    assert result.errors == 0, result.unexpected
    assert len(result.latencies_ms) == 20


def test_regenerated_results_keep_the_hand_written_analysis() -> None:
    first = report.render_file({"date": "d1"})
    assert report.ANALYSIS_MARKER in first
    edited = first + "The database is not the limit.\n"
    second = report.render_file({"date": "d2"}, edited)
    assert "d2" in second and "d1" not in second
    assert second.endswith("The database is not the limit.\n")


def test_sign_in_option() -> None:
    import argparse

    from bench import enroll

    assert enroll.sign_ins("ldap, local") == ["ldap", "local"]
    for bad in ("", "ldap,kerberos"):
        with pytest.raises(argparse.ArgumentTypeError):
            enroll.sign_ins(bad)
