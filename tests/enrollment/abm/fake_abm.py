"""A fake Apple Business Manager Device Assignment API over https on loopback.

It checks what Apple checks: the OAuth 1.0a HMAC-SHA1 signature of `GET /session` against the
token's secrets (computed here independently of oauthlib), the timestamp and nonce, the access
token's expiry and revocation, the session header on every other call, and the
X-Server-Protocol-Version header. It issues and expires sessions, pages devices with cursors (a
full fetch, then syncs of what changed since), keeps profiles and their assignments and the
account-driven enrollment registration, and answers Apple's errors and rate limits.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import secrets
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from tests.directory.tls import make_tls

SERVER_UUID = "5f1a9c3e-2b7d-4e11-9a0c-7d3e4f5a6b7c"


def _pct(value: str) -> str:
    return quote(value, safe="~-._")


@dataclass
class Credentials:
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_secret: str
    expiry: dt.datetime
    revoked: bool = False


@dataclass
class Event:
    seq: int
    op_type: str
    device: dict[str, Any]


@dataclass
class Session:
    consumer_key: str
    created: float
    revoked: bool = False


@dataclass
class Failure:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0  # seconds before answering (a stalled Apple)


def abm_device(serial: str, model: str, family: str, **extra: Any) -> dict[str, Any]:
    """A device record as Fetch Devices describes it."""
    return {
        "serial_number": serial,
        "model": model,
        "description": f"{model.upper()} 256GB",
        "color": "BLACK",
        "asset_tag": "",
        "device_family": family,
        "os": "OSX" if family == "Mac" else "iOS",
        "profile_status": "empty",
        "device_assigned_by": "buyer@example.com",
        "device_assigned_date": "2026-11-20T09:30:00Z",
        **extra,
    }


class FakeAbm:
    """Device Assignment API on https://127.0.0.1:<port>."""

    session_ttl = 300.0
    page_size = 2

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fake-abm-"))
        self.ca_path, cert, key = make_tls(self.dir)
        self.ca_pem = self.ca_path.read_text()
        self.credentials: dict[str, Credentials] = {}
        self.sessions: dict[str, Session] = {}
        self.nonces: set[str] = set()
        self.devices: dict[str, dict[str, Any]] = {}
        self.events: list[Event] = []
        self.profiles: dict[str, dict[str, Any]] = {}
        self.discovery_url = ""
        self.failures: dict[str, Failure] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.sessions_issued = 0
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.base = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- what ABM's web interface does -----------------------------------------------------

    def server_token(self, certificate_pem: str, *, days: int = 365) -> bytes:
        """A new server token for an MDM server whose public key is `certificate_pem`: the
        S/MIME enveloped message ABM lets the admin download (smime.p7m)."""
        creds = Credentials(
            consumer_key=f"CK_{secrets.token_hex(24)}",
            consumer_secret=f"CS_{secrets.token_hex(20)}",
            access_token=f"AT_{secrets.token_hex(32)}",
            access_secret=f"AS_{secrets.token_hex(20)}",
            expiry=dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days),
        )
        self.credentials[creds.consumer_key] = creds
        document = {
            "consumer_key": creds.consumer_key,
            "consumer_secret": creds.consumer_secret,
            "access_token": creds.access_token,
            "access_secret": creds.access_secret,
            "access_token_expiry": creds.expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        message = (
            "Content-Type: text/plain;charset=UTF-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n\r\n"
            f"-----BEGIN MESSAGE-----\n{json.dumps(document)}\n-----END MESSAGE-----\n"
        ).encode()
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
        return (
            pkcs7.PKCS7EnvelopeBuilder()
            .set_data(message)
            .add_recipient(certificate)
            .encrypt(serialization.Encoding.SMIME, [])
        )

    def add_device(self, device: dict[str, Any]) -> None:
        with self.lock:
            op = "modified" if device["serial_number"] in self.devices else "added"
            self.devices[device["serial_number"]] = device
            self.events.append(Event(len(self.events) + 1, op, dict(device)))

    def remove_device(self, serial: str) -> None:
        with self.lock:
            device = self.devices.pop(serial)
            self.events.append(Event(len(self.events) + 1, "deleted", dict(device)))

    def revoke_sessions(self) -> None:
        for session in self.sessions.values():
            session.revoked = True

    def fail(
        self, path: str, status: int, body: str, times: int = 1, delay: float = 0.0, **headers: str
    ) -> None:
        """The next `times` calls of `path` answer this error (after `delay` seconds)."""
        self.failures[path] = Failure(status, body, headers, times, delay)

    def calls(self, path: str) -> list[dict[str, str]]:
        return [h for (_m, p, h) in self.requests if p == path]

    # --- OAuth 1.0a, checked as a service provider does --------------------------------------

    def check_oauth(self, method: str, url: str, header: str) -> tuple[int, str] | Credentials:
        if not header.startswith("OAuth "):
            return 401, "UNAUTHORIZED"
        params: dict[str, str] = {}
        for part in header[6:].split(","):
            name, _, value = part.strip().partition("=")
            params[unquote(name)] = unquote(value.strip('"'))
        signature = params.pop("oauth_signature", "")
        params.pop("realm", None)
        if params.get("oauth_signature_method") != "HMAC-SHA1":
            return 400, "oauth_problem_adviced"
        creds = self.credentials.get(params.get("oauth_consumer_key", ""))
        if creds is None or creds.access_token != params.get("oauth_token"):
            return 401, "UNAUTHORIZED"
        try:
            stamp = int(params.get("oauth_timestamp", "0"))
        except ValueError:
            return 400, "oauth_problem_adviced"
        nonce = params.get("oauth_nonce", "")
        if abs(time.time() - stamp) > 300 or not nonce or nonce in self.nonces:
            return 401, "UNAUTHORIZED"
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        pairs = sorted((_pct(k), _pct(v)) for k, v in [*params.items(), *query])
        normalized = "&".join(f"{k}={v}" for k, v in pairs)
        base_uri = f"{parts.scheme}://{parts.netloc.lower()}{parts.path}"
        base = "&".join((method.upper(), _pct(base_uri), _pct(normalized)))
        key = f"{_pct(creds.consumer_secret)}&{_pct(creds.access_secret)}"
        expected = base64.b64encode(
            hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
        ).decode()
        if not hmac.compare_digest(expected, signature):
            return 401, "UNAUTHORIZED"
        self.nonces.add(nonce)
        if creds.revoked:
            return 403, "ACCESS_DENIED"
        if creds.expiry <= dt.datetime.now(dt.UTC):
            return 403, "EXPIRED_TOKEN"
        return creds

    # --- HTTP ------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type",
                    "text/plain" if isinstance(body, str) else "application/json;charset=UTF8",
                )
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                return json.loads(raw) if raw else None

            def _handle(self, method: str) -> None:
                path = urlsplit(self.path).path
                fake.requests.append((method, path, dict(self.headers.items())))
                failure = fake.failures.get(path)
                if failure is not None and failure.times > 0:
                    failure.times -= 1
                    if failure.delay:
                        time.sleep(failure.delay)
                    with contextlib.suppress(OSError):  # the client may have given up waiting
                        self._send(failure.status, failure.body, failure.headers)
                    return
                if path == "/session" and method == "GET":
                    url = f"{fake.base}{self.path}"
                    result = fake.check_oauth(method, url, self.headers.get("Authorization", ""))
                    if isinstance(result, tuple):
                        self._send(result[0], result[1])
                        return
                    token = secrets.token_hex(16)
                    fake.sessions[token] = Session(result.consumer_key, time.monotonic())
                    fake.sessions_issued += 1
                    self._send(200, {"auth_session_token": token})
                    return
                if not self.headers.get("X-Server-Protocol-Version"):
                    self._send(400, "MISSING_PROTOCOL_VERSION")
                    return
                session = fake.sessions.get(self.headers.get("X-ADM-Auth-Session", ""))
                if (
                    session is None
                    or session.revoked
                    or time.monotonic() - session.created > fake.session_ttl
                ):
                    self._send(401, "UNAUTHORIZED")
                    return
                creds = fake.credentials[session.consumer_key]
                if creds.revoked:
                    self._send(403, "FORBIDDEN")
                    return
                try:
                    body = self._body()
                except ValueError:
                    self._send(400, "MALFORMED_REQUEST_BODY")
                    return
                self._route(method, path, body)

            def _route(self, method: str, path: str, body: Any) -> None:
                if path == "/account" and method == "GET":
                    self._send(
                        200,
                        {
                            "server_name": "Fake MDM",
                            "server_uuid": SERVER_UUID,
                            "admin_id": "admin@example.com",
                            "org_name": "Example Org",
                            "org_email": "it@example.com",
                            "org_phone": "+1 555 0100",
                            "org_address": "1 Infinite Loop",
                            "org_type": "org",
                            "org_version": "v2",
                        },
                    )
                elif path == "/server/devices" and method == "POST":
                    self._fetch(body or {})
                elif path == "/devices/sync" and method == "POST":
                    self._sync(body or {})
                elif path == "/profile" and method == "POST":
                    self._define(body)
                elif path == "/profile/devices" and method in ("PUT", "DELETE"):
                    self._assign(method, body)
                elif path == "/account-driven-enrollment/profile":
                    if method == "POST":
                        url = (body or {}).get("mdm_service_discovery_url", "")
                        if not isinstance(url, str) or not url.startswith("https://"):
                            self._send(400, "MALFORMED_REQUEST_BODY")
                            return
                        fake.discovery_url = url
                        self._send(200, {})
                    elif method == "GET":
                        self._send(200, {"mdm_service_discovery_url": fake.discovery_url})
                    elif method == "DELETE":
                        fake.discovery_url = ""
                        self._send(200, {})
                    else:
                        self._send(405, "")
                else:
                    self._send(404, "NOT_FOUND")

            def _fetch(self, body: dict[str, Any]) -> None:
                # Cursor of a fetch: "f<offset>.<event seq at the start of the fetch>".
                cursor = str(body.get("cursor") or "")
                limit = int(body.get("limit") or fake.page_size)
                with fake.lock:
                    if cursor:
                        try:
                            offset_text, seq_text = cursor[1:].split(".")
                            offset, seq = int(offset_text), int(seq_text)
                        except ValueError:
                            self._send(400, "INVALID_CURSOR")
                            return
                    else:
                        offset, seq = 0, len(fake.events)
                    serials = sorted(fake.devices)
                    size = min(limit, fake.page_size)
                    page = [fake.devices[s] for s in serials[offset : offset + size]]
                    more = offset + size < len(serials)
                    next_cursor = f"f{offset + size}.{seq}" if more else f"s{seq}"
                self._send(
                    200,
                    {
                        "devices": page,
                        "cursor": next_cursor,
                        "more_to_follow": more,
                        "fetched_until": "2026-12-06T10:00:00Z",
                    },
                )

            def _sync(self, body: dict[str, Any]) -> None:
                cursor = str(body.get("cursor") or "")
                if not cursor:
                    self._send(400, "CURSOR_REQUIRED")
                    return
                if cursor.startswith("f"):
                    self._send(400, "INVALID_CURSOR")
                    return
                try:
                    seq = int(cursor[1:])
                except ValueError:
                    self._send(400, "INVALID_CURSOR")
                    return
                with fake.lock:
                    events = [e for e in fake.events if e.seq > seq][: fake.page_size]
                    last = events[-1].seq if events else seq
                    more = any(e.seq > last for e in fake.events)
                devices = [
                    {**e.device, "op_type": e.op_type, "op_date": "2026-12-06T10:00:00Z"}
                    for e in events
                ]
                self._send(200, {"devices": devices, "cursor": f"s{last}", "more_to_follow": more})

            def _define(self, body: Any) -> None:
                if not isinstance(body, dict):
                    self._send(400, "MALFORMED_REQUEST_BODY")
                    return
                if not body.get("profile_name"):
                    self._send(400, "CONFIG_NAME_REQUIRED")
                    return
                if not str(body.get("url", "")).startswith("https://"):
                    self._send(400, "CONFIG_URL_REQUIRED")
                    return
                profile_uuid = uuid.uuid4().hex.upper()
                fake.profiles[profile_uuid] = body
                self._send(200, {"profile_uuid": profile_uuid, "devices": {}})

            def _assign(self, method: str, body: Any) -> None:
                if not isinstance(body, dict) or not isinstance(body.get("devices"), list):
                    self._send(400, "MALFORMED_REQUEST_BODY")
                    return
                profile_uuid = body.get("profile_uuid", "")
                if method == "PUT" and profile_uuid not in fake.profiles:
                    self._send(400, "PROFILE_NOT_FOUND")
                    return
                results: dict[str, str] = {}
                for serial in body["devices"]:
                    device = fake.devices.get(serial)
                    if device is None:
                        results[serial] = "NOT_ACCESSIBLE"
                        continue
                    if method == "PUT":
                        device.update(profile_uuid=profile_uuid, profile_status="assigned")
                    else:
                        device.update(profile_uuid="", profile_status="removed")
                    results[serial] = "SUCCESS"
                answer: dict[str, Any] = {"devices": results}
                if method == "PUT":
                    answer["profile_uuid"] = profile_uuid
                self._send(200, answer)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        return Handler
