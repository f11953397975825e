"""The discovery self-test reads whatever answers at the public URL: odd JSON is a failed test
with the reason, never a 500 in the console."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from enrollment import services

ANSWERS = [b"[]", b'"x"', b'{"Servers": "x"}', b'{"Servers": [1]}', b"[" * 5000 + b"]" * 5000]


class _Odd(BaseHTTPRequestHandler):
    answer = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(type(self).answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def odd_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer", ANSWERS, ids=["list", "string", "servers-str", "servers-int", "deep"]
)
def test_odd_json_is_a_failed_self_test(
    odd_server: ThreadingHTTPServer, settings: Any, answer: bytes
) -> None:
    _Odd.answer = answer
    settings.PUBLIC_URL = f"http://127.0.0.1:{odd_server.server_address[1]}"
    result = services.self_test(timeout=5)
    assert not result.ok
    assert result.summary.startswith("HTTP 200")
