"""How the simulator reaches a server: real HTTP, or in-process (Django's test client, WSGI)."""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

Response = tuple[int, dict[str, str], bytes]


class Transport(Protocol):
    def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes = b""
    ) -> Response: ...


class HttpTransport:
    """Keep-alive HTTP(S) connections per host; what a real device does between requests."""

    def __init__(self, *, timeout: float = 10.0, ssl_context: Any = None) -> None:
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._conns: dict[tuple[str, str], http.client.HTTPConnection] = {}

    def _conn(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        key = (scheme, netloc)
        conn = self._conns.get(key)
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(
                    netloc, timeout=self.timeout, context=self.ssl_context
                )
            else:
                conn = http.client.HTTPConnection(netloc, timeout=self.timeout)
            self._conns[key] = conn
        return conn

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes = b""
    ) -> Response:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in range(2):
            conn = self._conn(parts.scheme, parts.netloc)
            try:
                conn.request(method, path or "/", body=body, headers=dict(headers))
                resp = conn.getresponse()
                data = resp.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self._conns.pop((parts.scheme, parts.netloc), None)
                if attempt:
                    raise
                continue
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        raise ConnectionError(url)  # pragma: no cover

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()


class DjangoTestTransport:
    """Route requests through django.test.Client (in-process; for tests)."""

    def __init__(self, client: Any = None) -> None:
        if client is None:
            from django.test import Client

            client = Client()
        self.client = client

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes = b""
    ) -> Response:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        content_type = next(
            (v for k, v in headers.items() if k.lower() == "content-type"),
            "application/octet-stream",
        )
        response = self.client.generic(
            method, path, data=body, content_type=content_type, headers=extra
        )
        out_headers = {k.lower(): v for k, v in response.items()}
        content = b"".join(response) if response.streaming else response.content
        return response.status_code, out_headers, content


class WSGITransport:
    """Call a WSGI application in-process: the deployed entry point with its wrappers (tests)."""

    def __init__(self, app: Any, *, remote_addr: str = "127.0.0.1") -> None:
        self.app = app
        self.remote_addr = remote_addr

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes = b""
    ) -> Response:
        import io
        import sys

        parts = urlsplit(url)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path or "/",
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "localhost",
            "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https" else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self.remote_addr,
            "HTTP_HOST": parts.netloc or "localhost",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            else:
                environ[f"HTTP_{key}"] = value
        started: list[Any] = []

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
            started[:] = [status, response_headers]

        chunks = self.app(environ, start_response)
        try:
            content = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, response_headers = started
        return int(status.split()[0]), {k.lower(): v for k, v in response_headers}, content
