"""Full account-driven enrollment under load: discovery, MachineInfo, web sign-in, profile, SCEP,
Authenticate and TokenUpdate, as `tests.simulator.enrollment_flow` and the simulator do them.

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
SIGN_INS = ("ldap", "local")
WARM_UP = 4  # enrollments per load process before the measurement


def sign_ins(value: str) -> list[str]:
    """The --sign-in option: a comma-separated subset of SIGN_INS."""
    chosen = [x.strip() for x in value.split(",") if x.strip()]
    unknown = [x for x in chosen if x not in SIGN_INS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(SIGN_INS)}, comma-separated")
    return chosen


def device_of(account: Any, transport: Any, cls: Any = None) -> Any:
    """The simulated device (`cls`, SimulatedDevice by default) that an account-driven
    enrollment's profile describes: its identity, URLs, mode, bearer token and topic."""
    from tests.simulator import SimulatedDevice

    mdm = account.mdm_payload
    return (cls or SimulatedDevice)(
        transport=transport,
        certificate=account.identity_certificate,
        key=account.identity_key,
        server_url=mdm["ServerURL"],
        checkin_url=mdm.get("CheckInURL"),
        user_enrollment=mdm.get("EnrollmentMode") == "BYOD",
        bearer=account.bearer,
        topic=mdm["Topic"],
    )


def enroll_one(transport: Any, base_url: str, *, user: str, password: str, apple: Any) -> None:
    """One account-driven enrollment: discovery to SCEP, then Authenticate and TokenUpdate."""
    from tests.simulator import enrollment_flow as flow

    account = flow.enroll_account_driven(
        transport, base_url, user_identifier=user, password=password, apple_identity=apple
    )
    device_of(account, transport).enroll()


def enroll_loop(
    users: list[tuple[str, str]],
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
    from tests.simulator import HttpTransport
    from tests.simulator import enrollment_flow as flow

    apple = flow.throwaway_apple_identity()
    result = load.LoadResult()
    # A few enrollments before the clock starts: each server worker imports and compiles what
    # enrollment needs on its first requests (modules, templates, prepared queries), about a
    # second of CPU that a long-running server pays once, not per enrollment.
    for n in range(WARM_UP):
        user, password = users[n % len(users)]
        transport = HttpTransport(timeout=30.0)
        try:
            enroll_one(transport, base_url, user=user, password=password, apple=apple)
        finally:
            transport.close()
    load._wait_for_start(barrier)
    result.started = time.time()
    deadline = result.started + duration
    for n in range(count):
        if time.time() > deadline:
            break
        transport = HttpTransport(timeout=30.0)
        t0 = time.perf_counter()
        user, password = users[n % len(users)]
        try:
            enroll_one(transport, base_url, user=user, password=password, apple=apple)
            result.round_trips += 1
        except Exception as exc:  # a failed enrollment is counted and shown, not fatal
            load._note(result, f"{type(exc).__name__}: {str(exc)[:120]}")
        result.latencies_ms.append((time.perf_counter() - t0) * 1000)
        result.requests += 1
        transport.close()
    result.finished = time.time()
    return result


def _push_certificate() -> None:
    """A push certificate: its topic goes into the enrollment profile."""
    import tempfile
    from pathlib import Path

    from apns import services as apns
    from tests.apns.fake_apns import cert_pem, issue_push_certificate, key_pem, make_pki

    if apns.active_topic() is not None:
        return
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        pki = make_pki(Path(tmp))
        cert, key = issue_push_certificate(
            pki, topic="com.apple.mgmt.External.00000000-0000-0000-0000-0000000e0011"
        )
        apns.upload_push_certificate(data=cert_pem(cert) + key_pem(key))


def prepare_local(users: int) -> list[tuple[str, str]]:
    """Local accounts: the server checks the password (PBKDF2, Django's default hasher)."""
    from directory import services as directory

    _push_certificate()
    directory.add_managed_apple_id_domain(domain=DOMAIN, actor=None)
    names = []
    for n in range(users):
        directory.create_local_user(
            username=f"bench{n}", email=f"bench{n}@{DOMAIN}", password=PASSWORD, actor=None
        )
        names.append((f"bench{n}@{DOMAIN}", PASSWORD))
    return names


def prepare_ldap(users: int, ldap_url: str) -> list[tuple[str, str]]:
    """Accounts in an LDAP directory (the test suite's slapd): the directory checks passwords."""
    from directory import services as directory
    from tests.directory.conftest import make_ldap_source

    _push_certificate()
    directory.add_managed_apple_id_domain(domain="example.com", actor=None)
    make_ldap_source(ldap_url, apple_id_mapping="email", allowed_groups=[])
    # The slapd seed's extra users: user000, user001, ... with passwords user000-pw, ...
    return [(f"user{n:03d}@example.com", f"user{n:03d}-pw") for n in range(users)]


def scenario(
    stack: Any, pool: ProcessPoolExecutor, args: argparse.Namespace, sign_in: str
) -> dict[str, Any]:
    if sign_in == "ldap":
        from tests.directory.conftest import Slapd

        slapd = Slapd(extra_users=8).start()
        try:
            users = prepare_ldap(8, slapd.url)
            out = _run(stack, pool, args, users)
        finally:
            slapd.cleanup()
    else:
        out = _run(stack, pool, args, prepare_local(8))
    enrolled = out["round_trips"]
    return {
        "sign_in": sign_in,
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
        "load_processes": args.enroll_concurrency,
    }


def _run(
    stack: Any, pool: ProcessPoolExecutor, args: argparse.Namespace, users: list[tuple[str, str]]
) -> dict[str, Any]:
    from bench.run import _measure

    per_process = max(1, args.enrollments // args.enroll_concurrency)
    return _measure(
        stack,
        pool,
        enroll_loop,
        [users[i :: args.enroll_concurrency] for i in range(args.enroll_concurrency)],
        count=per_process,
        duration=args.duration * 6,
    )
