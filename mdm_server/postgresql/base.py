"""Django's PostgreSQL backend (settings.DATABASES' ENGINE when DATABASE_URL is postgres://),
with a health check that asks the connection's socket instead of the server.

Connections persist across requests (CONN_MAX_AGE) and are checked before their first use in
each request (CONN_HEALTH_CHECKS), so that a request after a database restart reconnects instead
of failing on a stale connection. Django checks with `SELECT 1`: a round trip, about 0.08-0.1 ms
of CPU inside a request, for each of the eight enrollment requests that reach the database
(bench/RESULTS.md). A server that ends a session (a restart, a shutdown,
`pg_terminate_backend`) sends its FATAL error and closes the socket: the socket then has data
or its end to read, which a poll sees without a round trip; libpq reads it
(`PQconsumeInput`) and marks the connection bad. An idle connection with nothing to read is
usable, as `SELECT 1` would find it. What neither sees before use is a server that went away
without a word (a host or network gone): `SELECT 1` would wait for the socket's timeout there,
as the request's first statement now does.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg.pq import ConnStatus

# Reads at most, before a connection that still has data to read is taken as usable (notices
# arriving faster than they are read).
_READS = 8


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        pgconn = connection.pgconn
        if pgconn.status != ConnStatus.OK:
            return False
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        # The server said something while the connection was idle: its last words then the end
        # of the stream, or a notice. libpq reads what is there, one read at a time (the end is
        # seen by the read after the last words); an end of stream marks the connection bad.
        for _ in range(_READS):
            if not poller.poll(0):
                break
            try:
                pgconn.consume_input()
            except psycopg.OperationalError:
                return False
            if pgconn.status != ConnStatus.OK:
                return False
        return pgconn.status == ConnStatus.OK
