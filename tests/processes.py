"""Helpers for tests that run a real server process against the test database."""

from __future__ import annotations

from django.db import connection


def database_url() -> str:
    """A DATABASE_URL naming the test database, for another process (PostgreSQL only)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
