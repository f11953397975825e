import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits 1 on changes
    assert out.getvalue().strip() == "No changes detected"


def _migrate(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "MDM_DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_migrations_apply_from_scratch_on_sqlite(tmp_path: Path) -> None:
    result = _migrate(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Applying pki.0001_initial... OK" in result.stdout


@pytest.mark.postgres
def test_migrations_apply_from_scratch_on_postgres(tmp_path: Path) -> None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "mdm_server.postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL")
    import psycopg

    name = f"mdm_migrate_{uuid.uuid4().hex[:8]}"
    admin_dsn = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    if db.get("PASSWORD"):
        admin_dsn += f" password={db['PASSWORD']}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
        result = _migrate(url, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Applying pki.0001_initial... OK" in result.stdout
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
