"""Real services a fault test starts, breaks and restarts itself: a private PostgreSQL cluster.

The shared PostgreSQL and Redis of the test run are never stopped; a fault test gets its own
cluster (initdb into a temporary directory, a free loopback port) and its own redis-server
(`bench.stack.start_redis`).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg

from bench.stack import free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "artifacts" / "faults"


def _postgres_bin(name: str) -> str:
    """A PostgreSQL server program: the newest installed Debian cluster version first."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_version_key)
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (Debian: apt-get install postgresql)")
    return found


def _version_key(path: Path) -> tuple[int, ...]:
    version = path.parts[-3]
    return tuple(int(p) for p in version.split(".") if p.isdigit())


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1 that a test can stop and start again.

    As root the cluster runs as the `postgres` user (PostgreSQL refuses to run as root).
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="mdm-fault-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self._as: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self._as, *args], check=True, timeout=timeout,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def init(self) -> None:
        self._run(
            _postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8", "--locale", "C",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            _postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: every session is disconnected, as when the database host restarts."""
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


class PrivateRedis:
    """A redis-server of one test, which it may stop and start again on the same port (nothing
    kept on disk: a restart comes back empty, as after a crash)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="mdm-fault-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.dir),
             "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, timeout=10, proc=self.proc)

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

    def destroy(self) -> None:
        if self.proc is not None:
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def copy_database(source_url: str, target_url: str) -> None:
    """Schema and rows of one database into another (pg_dump | pg_restore)."""
    dump = subprocess.run(
        [_postgres_bin("pg_dump"), "-Fc", "--no-owner", "-d", source_url],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        [_postgres_bin("pg_restore"), "--no-owner", "-d", target_url],
        input=dump.stdout, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def record_figures(name: str, figures: dict[str, object]) -> None:
    """Keep what a fault test measured in artifacts/faults/<name>.json (gitignored), for
    the Faults section of bench/RESULTS.md."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    (FIGURES / f"{name}.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
