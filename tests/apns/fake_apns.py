"""A local fake of Apple's push gateway: HTTP/2 over TLS (ALPN h2), client certificate required.

Answers per token from a script (200, 410, 429, 500, 403 ...) and records what it received.
Runs in a thread from pytest (`FakeAPNs(...).start_in_thread()`) or as a process for the
benchmark (`python -m tests.apns.fake_apns --dir DIR`, prints `PORT <n>`, stats as JSON on exit).
Also makes the throwaway PKI it needs (a CA acting as Apple, the server certificate, push certs).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import functools
import ipaddress
import json
import signal
import ssl
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import ConnectionTerminated, DataReceived, RequestReceived, StreamEnded
from h2.settings import SettingCodes
from hpack import NeverIndexedHeaderTuple

# --- throwaway PKI -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FakePKI:
    """Files of the fake's PKI: the CA (trust it as APNS_CA_FILE), the server identity."""

    directory: Path
    ca_cert: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def server_cert_file(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key_file(self) -> Path:
        return self.directory / "server.key"


def _pem_key(key: Any) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_pki(directory: Path) -> FakePKI:
    """A CA (plays Apple: issues push certs and the gateway's server cert) and a server cert."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fake Apple Push CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pki = FakePKI(directory, ca_cert, ca_key)
    pki.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.server_cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    pki.server_key_file.write_bytes(_pem_key(server_key))
    pki.server_key_file.chmod(0o600)
    return pki


def issue_push_certificate(
    pki: FakePKI,
    *,
    topic: str | None = "com.apple.mgmt.External.11111111-2222-3333-4444-555555555555",
    days: int = 365,
    not_before_days: int = -1,
    key: rsa.RSAPrivateKey | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """An MDM push certificate like Apple's: subject UID = topic (None: no UID at all)."""
    now = dt.datetime.now(dt.UTC)
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attrs = []
    if topic is not None:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, topic))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, f"APSP:{uuid.uuid4()}"))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(pki.ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=not_before_days))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(pki.ca_key, hashes.SHA256())
    )
    return cert, key


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: Any) -> bytes:
    return _pem_key(key)


# --- the server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One push as the fake saw it."""

    token: str
    headers: dict[str, str]
    payload: dict[str, Any]
    client_subject: dict[str, str]
    status: int
    at: float


@dataclass
class FakeState:
    """Script and records; shared between the server loop and the test thread."""

    # token -> answers to give in order; the last one repeats. (status, reason)
    script: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    default: tuple[int, str] = (200, "")
    gone_suffix: str = ""  # tokens ending in this answer 410 Unregistered (benchmark)
    delay: float = 0.0  # seconds before each answer
    record: bool = True
    received: list[Received] = field(default_factory=list)
    counts: collections.Counter[str] = field(default_factory=collections.Counter)
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    connections: int = 0
    open_protocols: set[Any] = field(default_factory=set)

    def answer(self, token: str) -> tuple[int, str]:
        queue = self.script.get(token)
        if queue:
            return queue.pop(0) if len(queue) > 1 else queue[0]
        if self.gone_suffix and token.endswith(self.gone_suffix):
            return 410, "Unregistered"
        if len(token) != 64 or any(c not in "0123456789abcdefABCDEF" for c in token):
            return 400, "BadDeviceToken"
        return self.default


_H2_CONFIG = H2Configuration(
    client_side=False,
    header_encoding=None,
    validate_inbound_headers=False,
    normalize_inbound_headers=False,
    validate_outbound_headers=False,
    normalize_outbound_headers=False,
)


class _LeanServerConnection(H2Connection):
    """Counts open streams (a walk over all of them) only every 32nd new stream: see apns.client."""

    _opened = 0

    @property
    def open_inbound_streams(self) -> int:
        self._opened += 1
        return self._open_streams(1) if self._opened % 32 == 1 else 0


class _Gateway(asyncio.Protocol):
    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.conn = _LeanServerConnection(config=_H2_CONFIG)
        self.conn.encoder.encode = functools.partial(self.conn.encoder.encode, huffman=False)  # type: ignore[method-assign]
        self.transport: asyncio.Transport | None = None
        self.streams: dict[int, tuple[dict[bytes, bytes], bytearray]] = {}
        self.subject: dict[str, str] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.state.connections += 1
        self.state.open_protocols.add(self)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None and ssl_object.selected_alpn_protocol() != "h2":
            transport.close()
            return
        peer = ssl_object.getpeercert() if ssl_object is not None else None
        if peer:
            self.subject = {k: v for rdn in peer.get("subject", ()) for k, v in rdn}
        self.conn.initiate_connection()
        # Apple advertises 1000 concurrent streams per connection once authenticated.
        self.conn.update_settings({SettingCodes.MAX_CONCURRENT_STREAMS: 1000})
        self.conn.increment_flow_control_window(2**30)
        transport.write(self.conn.data_to_send())  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        try:
            events = self.conn.receive_data(data)
        except Exception:
            if self.transport is not None:
                self.transport.close()
            return
        for event in events:
            if isinstance(event, RequestReceived):
                self.streams[event.stream_id] = (dict(event.headers), bytearray())
            elif isinstance(event, DataReceived):
                entry = self.streams.get(event.stream_id)
                if entry is not None:
                    entry[1].extend(event.data)
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, StreamEnded):
                entry = self.streams.pop(event.stream_id, None)
                if entry is not None:
                    if self.state.delay:
                        asyncio.get_running_loop().call_later(
                            self.state.delay, self._respond, event.stream_id, *entry
                        )
                    else:
                        self._respond(event.stream_id, *entry, flush=False)
            elif isinstance(event, ConnectionTerminated) and self.transport is not None:
                self.transport.close()
        self._flush()

    def _flush(self) -> None:
        out = self.conn.data_to_send()
        if out and self.transport is not None and not self.transport.is_closing():
            self.transport.write(out)

    def _respond(
        self, stream_id: int, headers: dict[bytes, bytes], body: bytearray, flush: bool = True
    ) -> None:
        path = headers.get(b":path", b"").decode()
        token = path.rsplit("/", 1)[-1] if path.startswith("/3/device/") else ""
        status, reason = self.state.answer(token)
        state = self.state
        state.counts[token] += 1
        state.statuses[status] += 1
        if state.record:
            try:
                payload = json.loads(bytes(body) or b"{}")
            except ValueError:
                payload = {"_raw": bytes(body).decode(errors="replace")}
            state.received.append(
                Received(
                    token=token,
                    headers={k.decode(): v.decode() for k, v in headers.items()},
                    payload=payload,
                    client_subject=self.subject,
                    status=status,
                    at=time.monotonic(),
                )
            )
        apns_id = headers.get(b"apns-id") or str(uuid.uuid4()).encode()
        try:
            if status == 200:
                self.conn.send_headers(
                    stream_id,
                    [(b":status", b"200"), NeverIndexedHeaderTuple(b"apns-id", apns_id)],
                    end_stream=True,
                )
            else:
                error: dict[str, Any] = {"reason": reason}
                if status == 410:
                    error["timestamp"] = int(time.time() * 1000)
                data = json.dumps(error).encode()
                self.conn.send_headers(
                    stream_id,
                    [
                        (b":status", str(status).encode()),
                        NeverIndexedHeaderTuple(b"apns-id", apns_id),
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(data)).encode()),
                    ],
                )
                self.conn.send_data(stream_id, data, end_stream=True)
        except Exception:  # the client went away meanwhile
            return
        if flush:
            self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self.streams.clear()
        self.state.open_protocols.discard(self)


class FakeAPNs:
    """The fake gateway on 127.0.0.1; `state` is the script and the record."""

    def __init__(self, pki: FakePKI, *, port: int = 0, state: FakeState | None = None) -> None:
        self.pki = pki
        self.port = port
        self.state = state or FakeState()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(self.pki.ca_file))
        ctx.load_cert_chain(str(self.pki.server_cert_file), str(self.pki.server_key_file))
        ctx.verify_mode = ssl.CERT_REQUIRED  # like APNs certificate authentication
        ctx.set_alpn_protocols(["h2"])
        return ctx

    async def start(self) -> int:
        self._loop = asyncio.get_running_loop()
        self._server = await self._loop.create_server(
            lambda: _Gateway(self.state),
            host="127.0.0.1",
            port=self.port,
            ssl=self.ssl_context(),
            backlog=256,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        """Stop listening and close the open client connections (no unclosed transports)."""
        if self._server is not None:
            self._server.close()
        for protocol in list(self.state.open_protocols):
            if protocol.transport is not None:
                protocol.transport.close()
        for _ in range(100):  # TLS close takes a few loop turns
            if not self.state.open_protocols:
                break
            await asyncio.sleep(0.01)

    def start_in_thread(self) -> int:
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-apns", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("fake APNs did not start within 10 s")
        if failure:
            raise failure[0]
        return self.port

    def stop_thread(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return

        async def shutdown() -> None:
            await self.close()
            loop.stop()

        loop.call_soon_threadsafe(lambda: loop.create_task(shutdown()))
        self._thread.join(10)

    def tokens(self) -> list[str]:
        return [r.token for r in self.state.received]


def stats(state: FakeState) -> dict[str, Any]:
    return {
        "requests": sum(state.counts.values()),
        "unique_tokens": len(state.counts),
        "statuses": {str(k): v for k, v in sorted(state.statuses.items())},
        "connections": state.connections,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake APNs gateway on 127.0.0.1 (tests only)")
    parser.add_argument("--dir", required=True, type=Path, help="PKI directory (made by make_pki)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--gone-suffix", default="", help="tokens ending in this answer 410")
    parser.add_argument("--record", action="store_true", help="keep every request in memory")
    parser.add_argument("--max-seconds", type=float, default=600, help="exit after this long")
    args = parser.parse_args(argv)
    pki_dir: Path = args.dir
    ca_cert = x509.load_pem_x509_certificate((pki_dir / "ca.pem").read_bytes())
    pki = FakePKI(pki_dir, ca_cert, ec.generate_private_key(ec.SECP256R1()))  # CA key unused
    state = FakeState(gone_suffix=args.gone_suffix, record=args.record)
    fake = FakeAPNs(pki, port=args.port, state=state)

    async def serve() -> None:
        port = await fake.start()
        sys.stdout.write(f"PORT {port}\n")
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.max_seconds)
        await fake.close()

    asyncio.run(serve())
    sys.stdout.write(json.dumps(stats(state)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
