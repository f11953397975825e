"""Smoke tests of the benchmark's pieces (the benchmark itself is run by hand: python -m bench.run)."""

from __future__ import annotations

import base64
import os
import threading
from typing import Any

import pytest
from django.db import connection

from bench import load, reference, report, run, seed, stack
from tests.channels import create_channel
from tests.simulator.device import CONNECT_TYPE


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
        bare = {**idle, "server_cpu_ms_per_request": round(cpu / 1.05, 3)}
        trip = {**idle, "round_trips_per_s": 100.0, "server_cpu_ms_per_request": cpu * 2}
        return {
            "devices": devices,
            "rows": {"devices_queuedcommand": devices * 10},
            "reference": {"rsa2048_sign_ms": 0.8, "python_loop_ms": 7.0},
            "idle": idle,
            "idle_bare": bare,
            "round_trip": trip,
        }

    text = report.render({"scaling": [step(1000, 0.5, 10.0), step(100_000, 0.55, 11.0)]})
    assert "| 100,000 | 1,000,000 |" in text
    assert "target ≤ 0.8 ms: met" in text
    assert "worst ratio 1.05 (target ≤ 1.1: met)" in text
    assert "worst 2.0 (target ≤ 2.5: met)" in text
    assert "RSA sign 0.8 ms, Python loop 7.0 ms" in text
    assert "under 20 ms: met" in text
    slow = step(100_000, 1.6, 30.0)
    slow["round_trip"]["server_cpu_ms_per_request"] = 1.6 * 3
    text = report.render({"scaling": [step(1000, 1.5, 10.0), slow]})
    assert "target ≤ 0.8 ms: missed" in text and "under 20 ms: missed" in text
    assert "worst 3.0 (target ≤ 2.5: missed)" in text


def test_report_divides_the_median_round_trip_by_the_median_poll() -> None:
    idle = {
        "requests_per_s": 500.0,
        "server_cpu_ms_per_request": 0.9,  # the run with the median p99
        "server_cpu_ms_median": 0.5,
        "postgres_cpu_ms_per_request": 0.2,
        "latency_ms": {"p50": 3.0, "p99": 10.0},
        "errors": 0,
    }
    # Measured in each repeat beside its polls: the median of the runs is the figure.
    trip = {**idle, "round_trips_per_s": 100.0, "server_cpu_ms_per_request": 2.0}
    trip["server_cpu_ms_median"] = 1.1
    step = {
        "devices": 1000,
        "rows": {"devices_queuedcommand": 10},
        "reference": {"rsa2048_sign_ms": 0.8, "python_loop_ms": 7.0},
        "idle": idle,
        "idle_bare": idle,
        "round_trip": trip,
    }
    text = report.render({"scaling": [step]})
    assert "| 1.1 | 2.2 |" in text
    assert "worst 2.2 (target ≤ 2.5: met)" in text


def test_report_shows_enqueue_per_target() -> None:
    step = {
        "devices": 100_000,
        "rows": {"devices_queuedcommand": 10},
        "idle": {
            "requests_per_s": 1.0,
            "server_cpu_ms_per_request": 0.4,
            "postgres_cpu_ms_per_request": 0.1,
            "latency_ms": {"p50": 1.0, "p99": 2.0},
            "errors": 0,
        },
        "enqueue": {
            "targets": 100_000,
            "queued": 100_000,
            "statements": 60,
            "cpu_s": 4.0,
            "wall_s": 6.0,
            "cpu_ms_per_target": 0.04,
            "reference": {"rsa2048_sign_ms": 0.8, "python_loop_ms": 7.0},
        },
    }
    text = report.render({"scaling": [step]})
    assert "| 100,000 | 100,000 | 60 | 4.0 | 6.0 | 0.04 |" in text
    assert "0.04 ms (target < 0.1 ms: met)" in text


def test_reference_figures_are_measured() -> None:
    ref = reference.measure(samples=1)
    assert ref["rsa2048_sign_ms"] > 0 and ref["python_loop_ms"] > 0
    assert reference.describe(ref).startswith("RSA sign ")


def test_bench_devices_send_apples_media_type_and_both_signature_forms(server_pki: Any) -> None:
    """The load generator's requests are what devices send: the media type with parameters,
    RSA-2048 identities, signatures with and without signed attributes; the server reads them."""
    from asn1crypto import cms as asn1_cms
    from cryptography.hazmat.primitives.asymmetric import rsa

    from mdm_server.pki import cms

    specs = run.issue_identities(4, rsa=True)
    assert {(s.platform, s.user_enrollment) for s in specs} == {("iOS", True)}
    assert [s.signed_attributes for s in specs] == [False, True, False, True]
    mac = run.issue_identities(10, rsa=True)[9]
    assert (mac.platform, mac.user_enrollment) == ("macOS", False)
    for spec in specs[:2]:
        device = load.make_device(spec, load.HttpTransport(), "http://127.0.0.1:9")
        assert isinstance(device.key, rsa.RSAPrivateKey) and device.key.key_size == 2048
        device.type_parameters = load.APPLE_PARAMETERS
        headers = device._headers(b"<plist/>", CONNECT_TYPE)
        assert headers["Content-Type"] == "application/x-apple-aspen-mdm; charset=UTF-8"
        raw = base64.b64decode(headers["Mdm-Signature"])
        signer = asn1_cms.ContentInfo.load(raw)["content"]["signer_infos"][0]
        assert (signer["signed_attrs"].native is not None) is spec.signed_attributes
        assert cms.read_mdm_signature(headers["Mdm-Signature"], b"<plist/>").signer == (
            device.certificate
        )


@pytest.mark.parametrize("request_type", load.ROUND_TRIP_COMMANDS)
def test_realistic_answers_have_tens_of_entries(server_pki: Any, request_type: str) -> None:
    spec = run.issue_identities(1, rsa=False)[0]
    device = load.make_device(spec, load.HttpTransport(), "http://127.0.0.1:9")
    (items,) = load.realistic_answer(device, request_type).values()
    assert len(items) >= 12


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
    active = [
        seed.ActiveDevice("ACTIVE-1", "ab" * 32),
        seed.ActiveDevice("ACTIVE-2", "cd" * 32),
        seed.ActiveDevice("ACTIVE-MAC", "ef" * 32, user_enrollment=False),
    ]
    assert seed.seed_active(raw, active, topic="com.apple.mgmt.test") == 3
    seed.seed_bulk(raw, start=3, stop=103, topic="com.apple.mgmt.test")
    rows = seed.counts(raw)
    assert rows["devices_enrollment"] == 103
    assert rows["devices_queuedcommand"] == 103 * seed.HISTORY_PER_DEVICE
    mac = Enrollment.objects.get(channel_key="udid:ACTIVE-MAC")
    assert (mac.device.platform, mac.enrollment_type, mac.device.udid) == (
        "macOS",
        "device",
        "ACTIVE-MAC",
    )
    assert 0 < rows["pending_queue_rows"] <= 10
    ue = Enrollment.objects.filter(enrollment_type="user")
    assert not ue.filter(device__udid__isnull=False).exists()  # the seed keeps the UE invariants
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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bulk seeding is PostgreSQL SQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("commands", [load.ROUND_TRIP_COMMANDS, load.SMALL_ROUND_TRIP_COMMANDS])
def test_round_trip_loop_against_a_live_server(
    live_server: Any, server_pki: Any, commands: tuple[str, ...]
) -> None:
    """Every measured request stores a result and gets the next command."""
    from devices import identity, services
    from devices.models import Enrollment, InstalledApplication, InstalledProfile

    identity.forget_cached_state()
    specs = run.issue_identities(10, rsa=False)[7:]  # device-enrolled Macs
    connection.ensure_connection()
    seed.seed_active(
        connection.connection,
        [seed.ActiveDevice(s.enrollment_id, run._fingerprint(s), s.user_enrollment) for s in specs],
        topic="com.apple.mgmt.test",
    )
    for request_type in commands:
        services.enqueue_command(enrollments=Enrollment.objects.all(), request_type=request_type)
    barriers = (threading.Barrier(2), threading.Barrier(2))
    out: dict[str, load.LoadResult] = {}

    def work() -> None:
        out["r"] = load.round_trip_loop(
            specs, live_server.url, barrier=barriers, duration=20.0, commands=commands
        )

    thread = threading.Thread(target=work)
    thread.start()
    barriers[0].wait(timeout=60)
    barriers[1].wait(timeout=60)
    thread.join(timeout=90)
    result = out["r"]
    assert result.errors == 0, result.unexpected
    # Two results per device fetch a next command (the third command is left unanswered).
    assert result.requests == result.round_trips == 2 * len(specs)
    if commands == load.ROUND_TRIP_COMMANDS:
        assert InstalledProfile.objects.count() == len(specs) * load.PROFILES_PER_DEVICE
        assert InstalledApplication.objects.count() == len(specs) * load.APPS_PER_DEVICE
    else:
        assert all(e.device.security_info for e in Enrollment.objects.all())


@pytest.mark.django_db
def test_measure_enqueue_counts_targets_and_statements(server_pki: Any) -> None:
    from devices.models import Enrollment, QueuedCommand

    for n in range(5):
        create_channel(
            channel_key=f"eid:E{n}",
            enrollment_id=f"E{n}",
            enrollment_type=Enrollment.Type.USER,
            platform="iOS",
            os_version="18.2",
            status=Enrollment.Status.ENROLLED,
        )
    out = run.measure_enqueue()
    assert (out["targets"], out["queued"]) == (5, 5)
    assert QueuedCommand.objects.count() == 5
    assert 0 < out["statements"] < 10
    assert out["cpu_ms_per_target"] >= 0 and out["reference"]["rsa2048_sign_ms"] > 0
