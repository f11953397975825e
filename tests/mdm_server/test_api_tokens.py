"""API tokens are stored hashed: the key is shown once, a database copy alone signs nobody in."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.test import APIClient

from mdm_server import api_tokens

ROOT = Path(__file__).resolve().parents[2]


def _stored_values() -> list[str]:
    """Every text value of every API-token row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        return [str(v) for row in cursor.fetchall() for v in row]


@pytest.mark.django_db
def test_the_key_is_not_stored_and_its_hash_is_no_key(helpdesk_user: User) -> None:
    key = api_tokens.create_api_token(user=helpdesk_user, actor=None).key
    stored = _stored_values()
    assert stored and not any(key in value for value in stored)
    assert hashlib.sha256(key.encode()).hexdigest() in stored

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/devices/").status_code == 200
    # Someone who read the table (a backup, a dump) holds only the hash: it opens nothing.
    client.credentials(HTTP_AUTHORIZATION=f"Token {hashlib.sha256(key.encode()).hexdigest()}")
    assert client.get("/api/v1/devices/").status_code == 401


@pytest.mark.django_db
def test_lists_show_a_prefix_never_the_key(admin_client: Any, helpdesk_user: User) -> None:
    created = admin_client.post("/console/settings/tokens/", {"username": helpdesk_user.username})
    page = created.content.decode()
    key = page.split('id="token-key" class="token">', 1)[1].split("<", 1)[0]
    assert len(key) >= 40
    settings_page = admin_client.get("/console/settings/").content.decode()
    assert key not in settings_page
    assert f"<code>{key[:8]}…</code>" in settings_page


@pytest.mark.django_db
def test_revoking_a_token_needs_post(admin_client: Any, helpdesk_user: User) -> None:
    key = api_tokens.create_api_token(user=helpdesk_user, actor=None).key
    url = f"/console/settings/tokens/{helpdesk_user.pk}/revoke/"
    # A link or an <img src> on another site must not revoke anything.
    assert admin_client.get(url).status_code == 405
    assert api_tokens.token_for_key(key) is not None
    assert admin_client.post(url).status_code == 302
    assert api_tokens.token_for_key(key) is None


def _manage(db: Path, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "MDM_DATA_DIR": str(db.parent)}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_migration_hashes_existing_clear_tokens_and_they_keep_working(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    _manage(db, "migrate", "--noinput", "core", "0001")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with sqlite3.connect(db) as conn:
        # The table as Django REST framework's authtoken app left it.
        conn.execute(
            'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, '
            '"created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE)'
        )
        conn.execute(
            "INSERT INTO auth_user (password, last_login, is_superuser, username, first_name,"
            " last_name, email, is_staff, is_active, date_joined) VALUES ('!',"
            " '2026-01-01 00:00:00', 1, 'robot', '', '', '', 0, 1, '2026-01-01 00:00:00')"
        )
        user_id = conn.execute("SELECT id FROM auth_user WHERE username='robot'").fetchone()[0]
        conn.execute(
            "INSERT INTO authtoken_token VALUES (?, '2026-01-02 03:04:05', ?)", (old_key, user_id)
        )
    # Only this app's migrations: no other app's touches the tokens, and the whole set is
    # applied from scratch by tests/mdm_server/test_migrations.py.
    _manage(db, "migrate", "--noinput", "core")
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT user_id, key_hash, prefix, created FROM core_apitoken"
        ).fetchall()
        left = conn.execute("SELECT count(*) FROM authtoken_token").fetchone()[0]
    assert rows == [
        (user_id, hashlib.sha256(old_key.encode()).hexdigest(), old_key[:8], "2026-01-02 03:04:05")
    ]
    assert left == 0  # no clear copy stays behind
