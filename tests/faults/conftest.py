"""Fixtures of the fault tests: a production-shaped server process (granian) on any database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.stack import free_port, stop_process, wait_for_port
from devices.models import Device, Enrollment, LifecycleSettings
from devices.services import lifecycle
from mdm_server.celery import app as celery_app
from tests.apns.conftest import (  # noqa: F401 - the APNs tests' fixtures, found by name
    apns_pki,
    enrollment_factory,
    fake_apns,
    push_certificate,
    push_key,
)
from tests.apns.fake_apns import FakeAPNs
from tests.directory.conftest import (  # noqa: F401 - the directory tests' (slapd), by name
    domains,
    ldap_source,
    slapd,
)
from tests.faults.broken_redis import (  # noqa: F401 - a broken private Redis, found by name
    broken,
    clock,
)
from tests.processes import database_url

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


def seen_a_minute_ago(enrollment_ids: Sequence[int]) -> None:
    """Devices that checked in a minute ago with a fresh inventory, as most of a fleet is.

    Beat runs the production schedule in these tests: at every quarter hour its inventory
    refresh pushes the devices whose slot comes up (one or two of 200 never inventoried), and
    once a day its sweep pushes every device never seen. Those are pushes of their own, not
    the ones a test watches; with these devices, none is due while a test runs."""
    a_minute_ago = timezone.now() - dt.timedelta(minutes=1)
    Enrollment.objects.filter(pk__in=enrollment_ids).update(last_seen_at=a_minute_ago)
    Device.objects.filter(channels__pk__in=enrollment_ids).update(inventory_at=a_minute_ago)
    period = dt.timedelta(hours=LifecycleSettings.load().inventory_refresh_hours)
    now = timezone.now()
    due = lifecycle.refresh_due(start=now - period, end=now, period=period)
    assert not due.filter(pk__in=enrollment_ids).exists()


class CeleryProcesses:
    """Real Celery workers and beat on a Redis URL, against the test database."""

    def __init__(self, fake: FakeAPNs) -> None:
        self.fake = fake
        self.started: list[subprocess.Popen[bytes]] = []
        self.dir = Path(tempfile.mkdtemp(prefix="mdm-fault-celery-"))

    def env(self, redis_url: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "APNS_HOST": "127.0.0.1",
            "APNS_PORT": str(self.fake.port),
            "APNS_CA_FILE": str(settings.APNS_CA_FILE),
            "SECRET_KEY": settings.SECRET_KEY,
            "MDM_ENCRYPTION_KEY": settings.ENCRYPTION_KEY,
            "MDM_DATA_DIR": str(self.dir),
            **extra,
        }

    def _start(self, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.dir / f"celery-{len(self.started)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mdm_server", *args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.started.append(proc)
        return proc

    def worker(self, redis_url: str, **extra: str) -> subprocess.Popen[bytes]:
        """A worker as production runs it (production Celery settings), one process."""
        return self._start(
            ["worker", "-P", "solo", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "INFO"],
            self.env(redis_url, **extra),
        )  # fmt: skip

    def beat(self, redis_url: str) -> subprocess.Popen[bytes]:
        """Celery beat with the production schedule (the outbox sweep among it)."""
        schedule = self.dir / f"beat-{len(self.started)}"
        return self._start(["beat", "-s", str(schedule), "-l", "INFO"], self.env(redis_url))

    def stop(self) -> None:
        for proc in self.started:
            stop_process(proc, timeout=15)


@pytest.fixture
def celery_processes(fake_apns: FakeAPNs) -> Iterator[CeleryProcesses]:  # noqa: F811
    """Start real Celery processes; this process publishes to the broker instead of running
    tasks itself while the test runs."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a shared database (PostgreSQL)")
    processes = CeleryProcesses(fake_apns)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield processes
    finally:
        celery_app.conf.task_always_eager = eager
        processes.stop()
