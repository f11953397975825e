"""Fixtures of the fault tests: a production-shaped server process (granian) on any database."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bench.stack import free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parents[2]

StartServer = Callable[..., str]


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """Start granian (`mdm_server.wsgi`, DEBUG off) against a database URL; stop it at the end."""
    if connection.vendor != "postgresql":
        pytest.skip("the server process needs a shared database (PostgreSQL)")
    started: list[subprocess.Popen[bytes]] = []

    def start(database_url: str, **extra: str) -> str:
        port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")
        }
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY=settings.SECRET_KEY,
            MDM_ENCRYPTION_KEY=settings.ENCRYPTION_KEY,
            MDM_DATA_DIR=tempfile.mkdtemp(prefix="mdm-fault-"),
            ALLOWED_HOSTS="127.0.0.1",
            DEBUG="false",
            **extra,
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "1", "--blocking-threads", "1", "--no-ws",
             "--log-level", "warning", "mdm_server.wsgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(proc)
        wait_for_port(port, timeout=30, proc=proc)
        return f"http://127.0.0.1:{port}"

    try:
        yield start
    finally:
        for proc in started:
            stop_process(proc, timeout=15)
