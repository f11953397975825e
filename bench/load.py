"""Load generator processes: simulated devices from `tests.simulator` over real HTTP.

Each process drives its share of the devices in a closed loop (one request in flight per
process), bounded by a deadline and a request budget, and returns latencies and error counts.
"""

from __future__ import annotations

import base64
import functools
import plistlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization

from mdm_server.pki import cms
from tests.simulator import HttpTransport, SimulatedDevice

# Keep-alive connections per load process (one request in flight at a time).
CONNECTIONS = 8


# What Apple documents and devices send; the bare type is measured beside it.
APPLE_PARAMETERS = "; charset=UTF-8"


@dataclass(frozen=True)
class DeviceSpec:
    """A device identity that can be shipped to another process (PEM text).

    The fleet is a mix, like a BYOD deployment: user-enrolled iPhones (EnrollmentID channel)
    and device-enrolled Macs (UDID channel); half of the devices sign with signed attributes
    (contentType, messageDigest, signingTime, SHA-256), half without (SHA-1, as iOS does).
    """

    enrollment_id: str
    cert_pem: bytes
    key_pem: bytes
    platform: str = "iOS"
    user_enrollment: bool = True
    signed_attributes: bool = False


@dataclass
class LoadResult:
    """What one load process saw."""

    latencies_ms: list[float] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    unexpected: list[str] = field(default_factory=list)
    round_trips: int = 0
    started: float = 0.0
    finished: float = 0.0


class BenchDevice(SimulatedDevice):
    """A simulated device that signs an identical body once.

    The server still verifies every request; caching the device's own signature only keeps the
    load generator, which shares the two cores with the server, from stealing CPU. It sends
    Apple's media types with `type_parameters` appended, and signs with signed attributes when
    `signed_attributes` is set.
    """

    _signed: dict[tuple[bytes, str], dict[str, str]]
    type_parameters: str = ""
    signed_attributes: bool = False

    def _headers(self, body: bytes, content_type: str) -> dict[str, str]:
        content_type += self.type_parameters
        cache = self.__dict__.setdefault("_signed", {})
        headers = cache.get((body, content_type))
        if headers is None:
            if self.signed_attributes:
                signature = cms.sign_detached(
                    body,
                    certificate=self.certificate,
                    key=self.key,
                    digest="sha256",
                    signed_attributes=True,
                )
                headers = {
                    "Content-Type": content_type,
                    "User-Agent": "MDM/1.0",
                    "Mdm-Signature": base64.b64encode(signature).decode(),
                }
            else:
                headers = super()._headers(body, content_type)
            if len(cache) < 4:
                cache[(body, content_type)] = headers
        return headers


@functools.cache
def _identity(cert_pem: bytes, key_pem: bytes) -> tuple[Any, Any]:
    """Loaded once per load process: every measurement makes its devices again, and checking
    an RSA key as it loads costs tens of milliseconds (keys this benchmark generated itself)."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem)
    key = serialization.load_pem_private_key(
        key_pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    return cert, key


def make_device(spec: DeviceSpec, transport: HttpTransport, base_url: str) -> BenchDevice:
    cert, key = _identity(spec.cert_pem, spec.key_pem)
    device = BenchDevice(
        transport=transport,
        certificate=cert,
        key=key,  # type: ignore[arg-type]
        server_url=f"{base_url}/mdm/connect",
        checkin_url=f"{base_url}/mdm/checkin",
        platform=spec.platform,
        os_version="18.2" if spec.platform == "iOS" else "15.2",
        user_enrollment=spec.user_enrollment,
        enrollment_id=spec.enrollment_id,
        udid=spec.enrollment_id,
    )
    device.signed_attributes = spec.signed_attributes
    return device


def _wait_for_start(barrier: Any) -> None:
    """Every load process and the orchestrator meet twice: warmed up, then go.

    Between the two the orchestrator reads the server's CPU counters.
    """
    ready, go = barrier
    ready.wait(timeout=300)
    go.wait(timeout=300)


def _note(result: LoadResult, what: str) -> None:
    result.errors += 1
    if len(result.unexpected) < 5:
        result.unexpected.append(what)


def idle_loop(
    specs: list[DeviceSpec],
    base_url: str,
    *,
    barrier: Any,
    duration: float,
    max_requests: int,
    type_parameters: str = "",
) -> LoadResult:
    """Authenticated Idle connects with an empty queue, round-robin over the devices, with
    `type_parameters` after the media type (Apple's `; charset=UTF-8`, or none).

    The devices share CONNECTIONS keep-alive connections, so that the requests of one load
    process reach every server worker, as a fleet's many connections do (with a single
    connection, where the kernel happened to place it decides the figures of a whole run).
    """
    transports = [HttpTransport(timeout=10.0) for _ in range(CONNECTIONS)]
    devices = [make_device(s, transports[n % CONNECTIONS], base_url) for n, s in enumerate(specs)]
    for device in devices:  # warm-up: signatures cached, server caches filled
        device.type_parameters = type_parameters
        device.connect("Idle")
    result = LoadResult()
    _wait_for_start(barrier)
    result.started = time.time()
    deadline = result.started + duration
    i = 0
    while result.requests < max_requests and time.time() < deadline:
        device = devices[i % len(devices)]
        i += 1
        t0 = time.perf_counter()
        status, body = device.connect("Idle")
        result.latencies_ms.append((time.perf_counter() - t0) * 1000)
        result.requests += 1
        if status != 200 or body:
            _note(result, f"Idle -> {status} {body[:80]!r}")
    result.finished = time.time()
    for transport in transports:
        transport.close()
    return result


def fanout_loop(
    specs: list[DeviceSpec],
    base_url: str,
    *,
    barrier: Any,
    duration: float,
    answers: Mapping[str, dict[str, Any]] | None = None,
) -> LoadResult:
    """Every device polls, receives the queued command, acknowledges it and gets an empty reply."""
    transport = HttpTransport(timeout=10.0)
    devices = [make_device(s, transport, base_url) for s in specs]
    result = LoadResult()
    _wait_for_start(barrier)
    result.started = time.time()
    deadline = result.started + duration
    for device in devices:
        if time.time() > deadline:
            break
        t0 = time.perf_counter()
        status, body = device.connect("Idle")
        result.latencies_ms.append((time.perf_counter() - t0) * 1000)
        result.requests += 1
        if status != 200 or not body:
            _note(result, f"Idle -> {status} {body[:80]!r}")
            continue
        reply = plistlib.loads(body)
        command = reply["Command"]
        answer_status, extra = device.answer(command["RequestType"], command)
        extra = {**extra, **(answers or {}).get(command["RequestType"], {})}
        t0 = time.perf_counter()
        status, body = device.connect(answer_status, command_uuid=reply["CommandUUID"], extra=extra)
        result.latencies_ms.append((time.perf_counter() - t0) * 1000)
        result.requests += 1
        if status != 200 or body:
            _note(result, f"{answer_status} -> {status} {body[:80]!r}")
            continue
        result.round_trips += 1
    result.finished = time.time()
    transport.close()
    return result


# Results of a realistic size: a device with a few dozen profiles, apps and certificates.
PROFILES_PER_DEVICE = 30
APPS_PER_DEVICE = 40
CERTIFICATES_PER_DEVICE = 12
# The commands each device gets for the round-trip measurements, in order: each result is
# answered with the next command; the last one is left unanswered. Small results (SecurityInfo,
# a few keys) and realistic lists (tens of profiles, apps, certificates) are measured apart.
ROUND_TRIP_COMMANDS = ("ProfileList", "InstalledApplicationList", "CertificateList")
SMALL_ROUND_TRIP_COMMANDS = ("SecurityInfo", "SecurityInfo", "SecurityInfo")


def realistic_answer(device: SimulatedDevice, request_type: str) -> dict[str, Any]:
    """The result body of a device with tens of profiles, apps and certificates."""
    if request_type == "ProfileList":
        return {
            "ProfileList": [
                {
                    "PayloadIdentifier": f"com.example.bench.profile.{n}",
                    "PayloadUUID": f"6D1C2E4A-0000-4000-8000-{n:012d}",
                    "PayloadDisplayName": f"Bench profile {n}",
                    "PayloadOrganization": "Example Org",
                    "PayloadVersion": 1,
                    "IsManaged": True,
                    "PayloadContent": [
                        {"PayloadType": "com.apple.wifi.managed", "PayloadVersion": 1},
                        {"PayloadType": "com.apple.security.pkcs1", "PayloadVersion": 1},
                    ],
                }
                for n in range(PROFILES_PER_DEVICE)
            ]
        }
    if request_type == "InstalledApplicationList":
        return {
            "InstalledApplicationList": [
                {
                    "Identifier": f"com.example.bench.app{n}",
                    "Name": f"Bench App {n}",
                    "Version": f"{n}.0.1",
                    "ShortVersion": f"{n}.0",
                    "BundleSize": 10_000_000 + n,
                    "IsManaged": True,
                }
                for n in range(APPS_PER_DEVICE)
            ]
        }
    if request_type == "CertificateList":
        der = device.certificate.public_bytes(serialization.Encoding.DER)
        return {
            "CertificateList": [
                {"CommonName": f"Bench certificate {n}", "IsIdentity": n == 0, "Data": der}
                for n in range(CERTIFICATES_PER_DEVICE)
            ]
        }
    return device.answer(request_type, {"RequestType": request_type})[1]


def round_trip_loop(
    specs: list[DeviceSpec],
    base_url: str,
    *,
    barrier: Any,
    duration: float,
    type_parameters: str = APPLE_PARAMETERS,
    commands: tuple[str, ...] = ROUND_TRIP_COMMANDS,
) -> LoadResult:
    """Results that store a realistic answer and fetch the next command, and nothing else.

    Before the clock starts every device polls once and receives its first command (not
    measured); then each device answers its commands in turn: every measured request stores a
    result (inventory included) and gets the next command. The load processes sign each result
    as a device does (RSA-2048): that is their CPU, not the server's, which is what is counted.
    """
    transport = HttpTransport(timeout=10.0)
    devices = [make_device(s, transport, base_url) for s in specs]
    # (device, command UUID, request type, results the device has still to send)
    pending: list[tuple[BenchDevice, str, str, int]] = []
    result = LoadResult()
    for device in devices:
        device.type_parameters = type_parameters
        status, body = device.connect("Idle")
        if status != 200 or not body:
            _note(result, f"Idle -> {status} {body[:80]!r}")
            continue
        reply = plistlib.loads(body)
        first = reply["Command"]["RequestType"]
        pending.append((device, reply["CommandUUID"], first, len(commands) - 1))
    _wait_for_start(barrier)
    result.started = time.time()
    deadline = result.started + duration
    while pending and time.time() < deadline:
        device, uuid, request_type, left = pending.pop(0)
        extra = realistic_answer(device, request_type)
        t0 = time.perf_counter()
        status, body = device.connect("Acknowledged", command_uuid=uuid, extra=extra)
        result.latencies_ms.append((time.perf_counter() - t0) * 1000)
        result.requests += 1
        if status != 200 or not body:
            _note(result, f"{request_type} result -> {status} {body[:80]!r}")
            continue
        result.round_trips += 1
        reply = plistlib.loads(body)
        if left > 1:
            pending.append(
                (device, reply["CommandUUID"], reply["Command"]["RequestType"], left - 1)
            )
    result.finished = time.time()
    transport.close()
    return result
