"""The PostgreSQL backend's health check (mdm_server/postgresql): no round trip for a healthy
connection; a session the server ended is found before use, and the request reconnects."""

from __future__ import annotations

import select
import time

import psycopg
import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def _statements_sent(check) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    """What `check()` returns and how many statements it sent on the raw connection (Django's
    execute wrappers do not see the health check's: it bypasses them, as Django's own does)."""
    raw = connection.connection
    sent = []
    execute = raw.execute
    cursor = raw.cursor

    def counting_cursor(*args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append("cursor")
        return cursor(*args, **kwargs)

    raw.cursor, raw.execute = (
        counting_cursor,
        lambda *a, **k: sent.append("execute") or execute(*a, **k),
    )
    try:
        return check(), len(sent)
    finally:
        del raw.cursor, raw.execute


def _ended_by_the_server() -> None:
    """The server ends this session (as a restart does) and its last words reach the socket."""
    pid = connection.connection.info.backend_pid
    with psycopg.connect(connection.connection.info.dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    socket = connection.connection.pgconn.socket
    readable = select.select([socket], [], [], 5)[0]
    assert readable  # the FATAL message and the end of the stream are there to read
    time.sleep(0.05)


def test_a_healthy_connection_is_usable_without_a_statement() -> None:
    connection.ensure_connection()
    usable, sent = _statements_sent(connection.is_usable)
    assert usable is True
    assert sent == 0


def test_a_connection_with_a_notice_waiting_is_still_usable() -> None:
    """Data that is not the end (a NOTIFY for this session) leaves the connection usable."""
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("LISTEN mdm_health")
    with psycopg.connect(raw.info.dsn, autocommit=True) as other:
        other.execute("NOTIFY mdm_health, 'x'")
    assert select.select([raw.pgconn.socket], [], [], 5)[0]
    assert connection.is_usable() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)


def test_a_session_the_server_ended_is_found_before_use_and_replaced() -> None:
    connection.ensure_connection()
    old_pid = connection.connection.info.backend_pid
    _ended_by_the_server()
    assert connection.is_usable() is False
    # What Django does at the first use in a request: check, close, connect again.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (new_pid,) = cursor.fetchone()
    assert new_pid != old_pid
