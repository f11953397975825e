"""Sending MDM pushes to APNs over HTTP/2 with certificate authentication (aioapns).

Pure: no Django or ORM imports. `PushSender.send()` takes targets and returns one outcome each;
`classify()` says what an APNs answer means for the caller (delivered, dead token, retry, fatal).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import itertools
import json
import os
import ssl
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aioapns import APNs, NotificationRequest, PushType
from aioapns.common import NotificationResult
from aioapns.connection import APNsProductionClientProtocol, ChannelPool
from aioapns.exceptions import ConnectionError as APNsConnectionError
from aioapns.exceptions import MaxAttemptsExceeded
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.settings import SettingCodes
from hpack import NeverIndexedHeaderTuple

# Apple answers these for a token that will never work again (the app was removed, the device
# was unenrolled or wiped, or the token is not a device token at all).
DEAD_TOKEN_REASONS = frozenset({"Unregistered", "ExpiredToken", "BadDeviceToken"})
# Any of these means the push certificate itself is refused: every further push would fail too.
CERTIFICATE_REASONS = frozenset(
    {"BadCertificate", "BadCertificateEnvironment", "Forbidden", "CertificateRevoked"}
)
# Status 0 is ours: no HTTP answer at all (connection refused, TLS failure, timeout).
NO_ANSWER = 0


class Verdict(enum.StrEnum):
    """What the caller should do with one push outcome."""

    DELIVERED = "delivered"
    DEAD_TOKEN = "dead_token"  # noqa: S105 - not a secret; stop pushing this token until the device sends a new one
    RETRY = "retry"  # transient: 429, 5xx, no answer
    CERTIFICATE = "certificate"  # the push certificate is refused: stop the whole batch
    FAILED = "failed"  # permanent for this push (e.g. 400 BadTopic), not the token's fault
    NOT_SENT = "not_sent"  # never sent because the batch stopped first


@dataclass(frozen=True, slots=True)
class PushTarget:
    """One push to send: `key` is the caller's id for it (an enrollment id)."""

    key: int
    token: str  # hex device token
    push_magic: str


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """APNs' answer to one push (status 0 when there was no HTTP answer)."""

    key: int
    status: int
    apns_id: str = ""
    reason: str = ""
    timestamp: int | None = None

    @property
    def verdict(self) -> Verdict:
        return classify(self.status, self.reason)


@dataclass(frozen=True)
class ApnsConfig:
    """Where and how to connect; `identity_pem` holds the certificate and its unencrypted key."""

    identity_pem: bytes
    topic: str
    host: str = "api.push.apple.com"
    port: int = 443
    ca_file: str | None = None
    connections: int = 4
    # Concurrent streams per connection (Apple allows up to 1000) and pushes in flight at once
    # over all connections. A few connections with some streams each keep the CPU per push low
    # and still cover real APNs round trips (100 streams / 30 ms ≈ 3,000 pushes/s per connection).
    streams_per_connection: int = 100
    streams: int = 400
    # Apple may keep an undeliverable push this long (device offline); MDM pushes only wake the
    # device, so a day is plenty and a newer push supersedes an older one anyway.
    expiration_seconds: int = 86400
    # Whole-batch time limit: whatever has not been answered by then is reported for retry.
    timeout_seconds: float = 60.0
    priority: int = 10
    extra: dict[str, Any] = field(default_factory=dict)


class PushSender(Protocol):
    """The interface the services use; tests and the benchmark may swap the implementation.

    `on_outcome`, when given, is called with each outcome as soon as it is known (from the
    sending thread), so the caller can record progress while the batch is still going.
    """

    def send(
        self,
        targets: Sequence[PushTarget],
        on_outcome: Callable[[PushOutcome], None] | None = None,
    ) -> list[PushOutcome]: ...


def classify(status: int, reason: str) -> Verdict:
    """Map an APNs status and reason to what to do next (Apple: "Handling notification responses
    from APNs")."""
    if status == 200:
        return Verdict.DELIVERED
    if status == 410 or (status == 400 and reason in DEAD_TOKEN_REASONS):
        return Verdict.DEAD_TOKEN
    if status == 403 and (reason in CERTIFICATE_REASONS or not reason):
        return Verdict.CERTIFICATE
    if status in (NO_ANSWER, 429) or status >= 500:
        return Verdict.RETRY
    if status == -1:
        return Verdict.NOT_SENT
    return Verdict.FAILED


def mdm_payload(push_magic: str) -> dict[str, str]:
    """The whole MDM push payload: only the PushMagic, no `aps` dictionary."""
    return {"mdm": push_magic}


def _hpack_int(value: int, prefix_bits: int, flags: int) -> bytes:
    """An HPACK integer with an N-bit prefix (RFC 7541 section 5.1)."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes((flags | value,))
    out = bytearray((flags | limit,))
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _never_indexed(name: int | bytes, value: bytes) -> bytes:
    """A literal header field never indexed (RFC 7541 section 6.2.3), no Huffman coding.

    `name` is a static-table index or the name itself. Such a field never touches the dynamic
    table, so this encoder needs no state shared with h2's.
    """
    if isinstance(name, int):
        head = _hpack_int(name, 4, 0x10)
    else:
        head = b"\x10" + _hpack_int(len(name), 7, 0) + name
    return head + _hpack_int(len(value), 7, 0) + value


_H2_CLIENT_CONFIG = H2Configuration(
    client_side=True,
    header_encoding=None,
    # We build the headers ourselves and read only :status, apns-id and the JSON body: header
    # validation and normalisation cost more CPU than the rest of a push.
    validate_outbound_headers=False,
    normalize_outbound_headers=False,
    validate_inbound_headers=False,
    normalize_inbound_headers=False,
)


class _LeanH2Connection(H2Connection):
    """h2 counts open streams by walking every stream, for each new one (O(n) per push).

    The pool's ChannelPool already bounds our streams by the server's limit, so the exact count
    is only needed for h2's housekeeping (it forgets closed streams while counting): do the real
    walk every 32nd stream and report none open in between (a stale count could refuse a stream
    the pool rightly handed out).
    """

    _opened = 0

    @property
    def open_outbound_streams(self) -> int:
        self._opened += 1
        return self._open_streams(1) if self._opened % 32 == 1 else 0


class _GatewayProtocol(APNsProductionClientProtocol):
    """aioapns' HTTP/2 protocol, subclassed per gateway (aioapns has no host argument), fixed:

    - it opens a large receive window and returns credit for received bytes: aioapns never
      acknowledges DATA, so after ~64 KiB of error bodies on one connection the server could
      not answer any more;
    - an error answer without a body still completes its request instead of hanging;
    - fewer streams per connection (STREAMS), so the pool spreads a batch over several
      connections: h2 counts open streams by walking all of them for every new one;
    - per push: headers built once as bytes, unique values kept out of the HPACK table, and
      writes coalesced into one per event-loop turn instead of one per push.
    """

    STREAMS = 100
    _flush_pending = False
    _armed_at = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _LeanH2Connection(config=_H2_CLIENT_CONFIG)
        self._hpack_encode = functools.partial(self.conn.encoder.encode, huffman=False)
        self.conn.encoder.encode = self._encode_headers  # type: ignore[method-assign,assignment]
        self._block: bytes | None = None
        self.free_channels = ChannelPool(self.STREAMS)
        self._host = self.APNS_SERVER.encode()
        self._regular = _never_indexed(38, self._host) + _never_indexed(b"apns-push-type", b"mdm")
        self.lost: asyncio.Future[None] = self.loop.create_future()
        self._topic = (self.apns_topic or "").encode()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.conn.increment_flow_control_window(2**30)
        self._flush_now()

    def connection_lost(self, exc: Exception | None) -> None:
        # aioapns fails every pending request here; one cancelled by the batch time limit is
        # already done and would make it raise half-way.
        self.requests = {k: f for k, f in self.requests.items() if not f.done()}
        try:
            super().connection_lost(exc)
        finally:
            if not self.lost.done():
                self.lost.set_result(None)

    def on_remote_settings_changed(self, changed_settings: dict[Any, Any]) -> None:
        for setting in changed_settings.values():
            if setting.setting == SettingCodes.MAX_CONCURRENT_STREAMS:
                self.free_channels.bound = min(setting.new_value, self.STREAMS)

    async def send_notification(self, request: NotificationRequest) -> NotificationResult:
        stream_id = await self.free_channels.acquire()
        path = b"/3/device/" + request.device_token.encode()
        apns_id = request.notification_id.encode()
        topic = request.apns_topic.encode() if request.apns_topic else self._topic
        headers: list[tuple[bytes, bytes]] = [
            (b":method", b"POST"),
            (b":scheme", b"https"),
            NeverIndexedHeaderTuple(b":path", path),
            (b"host", self._host),
            NeverIndexedHeaderTuple(b"apns-id", apns_id),
            (b"apns-topic", topic),
            (b"apns-push-type", b"mdm"),
        ]
        # The same header block, HPACK-encoded here (RFC 7541: indexed static entries and
        # never-indexed literals only), which costs a fraction of the generic encoder.
        block = (
            b"\x83\x87"  # :method POST, :scheme https (static table entries 3 and 7)
            + _never_indexed(4, path)
            + self._regular
            + _never_indexed(b"apns-id", apns_id)
            + _never_indexed(b"apns-topic", topic)
        )
        if request.time_to_live is not None:
            expiration = str(int(time.time()) + request.time_to_live).encode()
            headers.append((b"apns-expiration", expiration))
            block += _never_indexed(b"apns-expiration", expiration)
        if request.priority is not None:
            priority = str(request.priority).encode()
            headers.append((b"apns-priority", priority))
            block += _never_indexed(b"apns-priority", priority)
        self._block = block
        self.conn.send_headers(stream_id=stream_id, headers=headers)
        body = json.dumps(request.message, ensure_ascii=False).encode()
        self.conn.send_data(stream_id=stream_id, data=body, end_stream=True)
        self.flush()
        future: asyncio.Future[NotificationResult] = self.loop.create_future()
        self.requests[request.notification_id] = future
        self.request_streams[stream_id] = request.notification_id
        return await future

    def _encode_headers(self, headers: Any) -> bytes:
        """h2's call to the HPACK encoder: use the block built for this push when it can."""
        block, self._block = self._block, None
        if block is None or self.conn.encoder.table_size_changes:
            # The peer changed the table size: the generic encoder must announce that first.
            # Huffman-coding unique values (path, apns-id) costs more CPU than it saves bytes.
            return self._hpack_encode(headers)
        return block

    def flush(self) -> None:
        if not self._flush_pending:
            self._flush_pending = True
            self.loop.call_soon(self._flush_now)

    def _flush_now(self) -> None:
        self._flush_pending = False
        if self.transport is not None and not self.transport.is_closing():
            self.refresh_inactivity_timer()
            data = self.conn.data_to_send()
            if data:
                self.transport.write(data)

    def refresh_inactivity_timer(self) -> None:
        # aioapns re-arms a timer on every write; once per second is enough for an idle timeout.
        now = self.loop.time()
        if self.inactivity_timer is None or now - self._armed_at > 1.0:
            self._armed_at = now
            super().refresh_inactivity_timer()

    def on_response_received(self, headers: dict[bytes, bytes]) -> None:
        future = self.requests.get(headers.get(b"apns-id", b"").decode())
        if future is not None and future.done():  # cancelled by the batch time limit
            self.requests.pop(headers[b"apns-id"].decode(), None)
            return
        super().on_response_received(headers)

    def on_data_received(self, raw_data: bytes, stream_id: int) -> None:
        with contextlib.suppress(Exception):
            self.conn.acknowledge_received_data(len(raw_data), stream_id)
        try:
            super().on_data_received(raw_data, stream_id)
        except ValueError:  # not JSON: treat like an answer without a reason
            self._finish_without_body(stream_id)
        except (KeyError, asyncio.InvalidStateError):
            pass  # an answer to a request given up on (time limit): nothing waits for it

    def on_stream_ended(self, stream_id: int) -> None:
        self._finish_without_body(stream_id)
        super().on_stream_ended(stream_id)

    def _finish_without_body(self, stream_id: int) -> None:
        notification_id = self.request_streams.pop(stream_id, None)
        if notification_id is None:
            return
        status = self.request_statuses.pop(notification_id, None)
        future = self.requests.pop(notification_id, None)
        if future is not None and not future.done() and status is not None:
            future.set_result(NotificationResult(notification_id, status))


def gateway_protocol(
    host: str, port: int, streams: int = 100
) -> type[APNsProductionClientProtocol]:
    attrs = {"APNS_SERVER": host, "APNS_PORT": port, "STREAMS": streams}
    return type("GatewayProtocol", (_GatewayProtocol,), attrs)


class AioApnsSender:
    """Sends a batch over a few HTTP/2 connections with many concurrent streams each."""

    def __init__(self, config: ApnsConfig) -> None:
        self.config = config

    def send(
        self,
        targets: Sequence[PushTarget],
        on_outcome: Callable[[PushOutcome], None] | None = None,
    ) -> list[PushOutcome]:
        if not targets:
            return []
        return asyncio.run(self._send_all(list(targets), on_outcome))

    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.config.ca_file)
        ctx.set_alpn_protocols(["h2"])  # aioapns sets no ALPN; APNs requires h2
        return ctx

    def _build_client(self) -> APNs:
        # aioapns loads the identity from a file: write it to a private temporary directory
        # and delete it as soon as the TLS context has read it.
        with tempfile.TemporaryDirectory(prefix="apns-") as tmp:
            path = os.path.join(tmp, "push.pem")  # noqa: PTH118 - paths for a C API
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.config.identity_pem)
            client = APNs(
                client_cert=path,
                topic=self.config.topic,  # explicit: aioapns would parse it via pyOpenSSL
                ssl_context=self._ssl_context(),
                max_connections=self.config.connections,
                max_connection_attempts=1,  # Celery retries, with backoff
                err_func=_ignore_error,  # outcomes are returned, not logged one by one
            )
        client.pool.protocol_class = gateway_protocol(
            self.config.host, self.config.port, self.config.streams_per_connection
        )
        return client

    async def _send_all(
        self, targets: list[PushTarget], on_outcome: Callable[[PushOutcome], None] | None
    ) -> list[PushOutcome]:
        # Built inside the running loop: aioapns binds to the current loop at construction.
        client = self._build_client()
        outcomes: dict[int, PushOutcome] = {}
        stop = asyncio.Event()
        pending = iter(targets)
        deadline = time.monotonic() + self.config.timeout_seconds
        apns_ids = _apns_ids()

        async def worker() -> None:
            for target in pending:
                if stop.is_set():
                    outcome = PushOutcome(target.key, -1, reason="NotSent")
                else:
                    outcome = await self._send_one(client, target, next(apns_ids))
                    if outcome.verdict is Verdict.CERTIFICATE:
                        stop.set()
                outcomes[target.key] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)

        # One worker per stream we want in flight: a few connections x many streams each.
        streams = max(1, min(len(targets), self.config.streams))
        tasks = [asyncio.ensure_future(worker()) for _ in range(streams)]
        try:
            await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await _close(client)
        results = []
        for target in targets:
            outcome = outcomes.get(target.key)
            if outcome is None:  # the batch time limit passed first
                outcome = PushOutcome(target.key, NO_ANSWER, reason="Timeout")
            results.append(outcome)
        return results

    async def _send_one(self, client: APNs, target: PushTarget, apns_id: str) -> PushOutcome:
        request = NotificationRequest(
            device_token=target.token,
            notification_id=apns_id,
            message=mdm_payload(target.push_magic),
            time_to_live=self.config.expiration_seconds,
            priority=self.config.priority,
            push_type=PushType.MDM,
        )
        try:
            result = await client.send_notification(request)
        except (APNsConnectionError, MaxAttemptsExceeded, OSError, ssl.SSLError) as exc:
            return PushOutcome(
                target.key, NO_ANSWER, request.notification_id, _connection_reason(exc)
            )
        return PushOutcome(
            key=target.key,
            status=int(result.status or 0),
            apns_id=result.notification_id,
            reason=result.description or "",
            timestamp=result.timestamp,
        )


def _apns_ids() -> Iterator[str]:
    """apns-id values (canonical UUID form, as APNs requires): a random 80-bit prefix per batch
    and a counter, unique like uuid4() but a fraction of its cost per push."""
    prefix = uuid.uuid4().hex[:20]
    head = f"{prefix[:8]}-{prefix[8:12]}-{prefix[12:16]}-{prefix[16:20]}-"
    return (f"{head}{n:012x}" for n in itertools.count())


async def _close(client: APNs) -> None:
    """Close the pool's connections and wait (briefly) until their transports are gone."""
    connections = [c for c in client.pool.connections if isinstance(c, _GatewayProtocol)]
    client.pool.close()
    waiters = [c.lost for c in connections if not c.lost.done()]
    if waiters:
        await asyncio.wait(waiters, timeout=2.0)


async def _ignore_error(request: NotificationRequest, result: NotificationResult) -> None:
    return None


def _connection_reason(exc: BaseException) -> str:
    name = type(exc).__name__
    return "ConnectionError" if name in ("ConnectionError", "MaxAttemptsExceeded") else name


def outcome_detail(outcome: PushOutcome) -> dict[str, Any]:
    """The device-log detail for one outcome (JSON-safe)."""
    detail: dict[str, Any] = {"apns_id": outcome.apns_id, "status": outcome.status}
    if outcome.reason:
        detail["reason"] = outcome.reason
    if outcome.timestamp is not None:
        detail["timestamp"] = outcome.timestamp
    return detail
