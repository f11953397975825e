"""Load generator processes: simulated devices from `devices.simulator` over real HTTP.

Each process drives its share of the devices in a closed loop (one request in flight per
process), bounded by a deadline and a request budget, and returns latencies and error counts.
"""

from __future__ import annotations

import plistlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization

from devices.simulator import HttpTransport, SimulatedDevice

# Keep-alive connections per load process (one request in flight at a time).
CONNECTIONS = 8


@dataclass(frozen=True)
class DeviceSpec:
    """A device identity that can be shipped to another process (PEM text)."""

    enrollment_id: str
    cert_pem: bytes
    key_pem: bytes


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
    load generator, which shares the two cores with the server, from stealing CPU.
    """

    _signed: dict[bytes, dict[str, str]]

    def _headers(self, body: bytes, content_type: str) -> dict[str, str]:
        cache = self.__dict__.setdefault("_signed", {})
        headers = cache.get(body)
        if headers is None:
            headers = super()._headers(body, content_type)
            if len(cache) < 4:
                cache[body] = headers
        return headers


def make_device(spec: DeviceSpec, transport: HttpTransport, base_url: str) -> BenchDevice:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(spec.cert_pem)
    key = serialization.load_pem_private_key(spec.key_pem, password=None)
    return BenchDevice(
        transport=transport,
        certificate=cert,
        key=key,  # type: ignore[arg-type]
        server_url=f"{base_url}/mdm/connect",
        checkin_url=f"{base_url}/mdm/checkin",
        user_enrollment=True,
        enrollment_id=spec.enrollment_id,
    )


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
) -> LoadResult:
    """Authenticated Idle connects with an empty queue, round-robin over the devices.

    The devices share CONNECTIONS keep-alive connections, so that the requests of one load
    process reach every server worker, as a fleet's many connections do (with a single
    connection, where the kernel happened to place it decides the figures of a whole run).
    """
    transports = [HttpTransport(timeout=10.0) for _ in range(CONNECTIONS)]
    devices = [make_device(s, transports[n % CONNECTIONS], base_url) for n, s in enumerate(specs)]
    for device in devices:  # warm-up: signatures cached, server caches filled
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
