"""Full account-driven enrollment under load: discovery, MachineInfo, web sign-in, profile, SCEP,
Authenticate and TokenUpdate, as `devices.simulator.enrollment_flow` and the simulator do them.

The device-side RSA key generation (the SCEP key, the stand-in Apple identity) happens on the
phone in reality; here it is done before the measurement so the shared cores serve the server.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bench import load

DOMAIN = "bench.example"
PASSWORD = "bench-enroll-password-9"


def enroll_loop(
    users: list[str],
    base_url: str,
    *,
    barrier: Any,
    count: int,
    duration: float,
) -> load.LoadResult:
    """Enroll `count` devices one after another (bounded by `duration`)."""
    from mdm_server.pki import certificates

    keys = [certificates.new_rsa_key() for _ in range(4)]
    pool = iter(range(10**9))
    # SCEP asks the device for a new 2048-bit key each time; reuse a few made beforehand.
    certificates.new_rsa_key = lambda bits=2048: keys[next(pool) % len(keys)]  # type: ignore[assignment]
    from devices.simulator import HttpTransport, SimulatedDevice
    from devices.simulator import enrollment_flow as flow

    apple = flow.throwaway_apple_identity()
    result = load.LoadResult()
    load._wait_for_start(barrier)
    result.started = time.time()
    deadline = result.started + duration
    for n in range(count):
        if time.time() > deadline:
            break
        transport = HttpTransport(timeout=30.0)
        t0 = time.perf_counter()
        try:
            account = flow.enroll_account_driven(
                transport,
                base_url,
                user_identifier=users[n % len(users)],
                password=PASSWORD,
                apple_identity=apple,
            )
            mdm = account.mdm_payload
            device = SimulatedDevice(
                transport=transport,
                certificate=account.identity_certificate,
                key=account.identity_key,
                server_url=mdm["ServerURL"],
                checkin_url=mdm.get("CheckInURL"),
                user_enrollment=mdm.get("EnrollmentMode") == "BYOD",
                bearer=account.bearer,
                topic=mdm["Topic"],
            )
            device.enroll()
            result.round_trips += 1
        except Exception as exc:  # a failed enrollment is counted and shown, not fatal
            load._note(result, f"{type(exc).__name__}: {str(exc)[:120]}")
        result.latencies_ms.append((time.perf_counter() - t0) * 1000)
        result.requests += 1
        transport.close()
    result.finished = time.time()
    return result


def prepare(users: int) -> list[str]:
    """A push certificate (its topic goes into the profile), a domain and local users."""
    import tempfile
    from pathlib import Path

    from apns import services as apns
    from directory import services as directory
    from tests.apns.fake_apns import cert_pem, issue_push_certificate, key_pem, make_pki

    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        pki = make_pki(Path(tmp))
        cert, key = issue_push_certificate(
            pki, topic="com.apple.mgmt.External.00000000-0000-0000-0000-0000000e0011"
        )
        if apns.active_topic() is None:
            apns.upload_push_certificate(data=cert_pem(cert) + key_pem(key))
    directory.add_managed_apple_id_domain(domain=DOMAIN, actor=None)
    names = []
    for n in range(users):
        directory.create_local_user(
            username=f"bench{n}", email=f"bench{n}@{DOMAIN}", password=PASSWORD, actor=None
        )
        names.append(f"bench{n}@{DOMAIN}")
    return names


def scenario(stack: Any, pool: ProcessPoolExecutor, args: argparse.Namespace) -> dict[str, Any]:
    from bench.run import _measure

    users = prepare(8)
    per_process = max(1, args.enrollments // args.concurrency)
    out = _measure(
        stack,
        pool,
        enroll_loop,
        [users[i :: args.concurrency] for i in range(args.concurrency)],
        count=per_process,
        duration=args.duration * 6,
    )
    enrolled = out["round_trips"]
    return {
        "enrollments": enrolled,
        "failed": out["errors"],
        "unexpected": out["unexpected"],
        "enrollments_per_s": out["round_trips_per_s"],
        "server_cpu_ms_per_enrollment": round(out["server_cpu_s"] * 1000 / enrolled, 1)
        if enrolled
        else None,
        "postgres_cpu_ms_per_enrollment": round(
            (out["postgres_cpu_ms_per_request"] or 0) * out["requests"] / enrolled, 1
        )
        if enrolled
        else None,
        "latency_ms": out["latency_ms"],
        "wall_s": out["wall_s"],
        "load_processes": args.concurrency,
    }
