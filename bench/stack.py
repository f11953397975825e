"""The server stack of a benchmark run, on 127.0.0.1 only: a throwaway PostgreSQL database,
a private redis-server, the web server (granian, or gunicorn if installed) and a Celery worker;
everything stops when the run ends.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, timeout: float, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of one process from /proc/<pid>/stat (0.0 once it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Stack:
    """What a running stack exposes to the scenarios."""

    base_url: str
    database_url: str
    redis_url: str
    data_dir: Path
    env: dict[str, str]
    server: subprocess.Popen[bytes]
    celery: subprocess.Popen[bytes] | None
    workers: int
    worker_class: str
    extra: dict[str, object] = field(default_factory=dict)

    def server_pids(self) -> list[int]:
        """The web server's main process and its workers (read each time: workers may restart)."""
        return [self.server.pid, *children_of(self.server.pid)]

    def server_cpu(self) -> float:
        return sum(proc_cpu_seconds(pid) for pid in self.server_pids())

    def postgres_cpu(self) -> dict[int, float]:
        """CPU seconds of each PostgreSQL backend serving this database, by pid (informative)."""
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            ]
        return {pid: proc_cpu_seconds(pid) for pid in pids}


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two snapshots by the processes alive at the second (new ones in full).

    A backend that exits in between (the server recycles connections) takes its CPU with it,
    so the figure can only be low, never negative.
    """
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


def _create_database(admin_url: str, name: str, *, synchronous_commit: bool = True) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if not synchronous_commit:
            # Only to show what the server does when the disk's fsync is not the limit.
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(
                    sql.Identifier(name)
                )
            )


def _drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def stop_process(proc: subprocess.Popen[bytes] | None, *, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def start_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A private redis-server on a free loopback port (nothing kept on disk), and its URL."""
    port = free_port()
    redis = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(tmp), "--logfile", str(tmp / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=10, proc=redis)
    except BaseException:
        stop_process(redis)
        raise
    return redis, f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def running_stack(
    *,
    admin_database_url: str,
    database: str = "mdm_bench",
    workers: int = 2,
    worker_class: str = "granian",
    threads: int = 1,
    celery: bool = True,
    keep_database: bool = False,
    synchronous_commit: bool = True,
    extra_env: dict[str, str] | None = None,
    log: bool = False,
) -> Iterator[Stack]:
    """Create the database, start redis, migrate, start the web server and Celery; tear all down."""
    if not database.startswith("mdm_bench"):
        # The database is dropped at the end: never let a typo point this at real data.
        raise ValueError("the benchmark database name must start with 'mdm_bench'")
    tmp = Path(tempfile.mkdtemp(prefix="mdm-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    database_url = with_database(admin_database_url, database)
    _create_database(admin_database_url, database, synchronous_commit=synchronous_commit)
    try:
        redis, redis_url = start_redis(tmp)
        procs.append(redis)
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mdm_server.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MDM_DATA_DIR": str(tmp / "data"),
            "DEBUG": "false",
            "MDM_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "SECRET_KEY": "bench-" + "x" * 40,
            "LOG_LEVEL": "WARNING",
            "MDM_ADMIN_PASSWORD": "bench-admin-password",
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
        subprocess.run(
            [PYTHON, "manage.py", "setup", "--organisation", "Bench"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        out = None if log else subprocess.DEVNULL
        if worker_class == "granian":
            # Granian: the HTTP/1.1 side in Rust, the WSGI application on Python threads.
            server_cmd = [
                PYTHON, "-m", "granian", "--interface", "wsgi",
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                "--blocking-threads", str(threads), "--log-level", "warning",
                "--no-ws", "mdm_server.wsgi:application",
            ]  # fmt: skip
            if log:
                server_cmd.insert(-1, "--access-log")
        else:
            if importlib.util.find_spec("gunicorn") is None:
                raise SystemExit(
                    "gunicorn is not a dependency of this project: `pip install gunicorn` to "
                    "compare it, or use --worker-class granian"
                )
            server_cmd = [
                PYTHON, "-m", "gunicorn", "mdm_server.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--worker-class", worker_class, "--log-level", "warning",
                "--keep-alive", "30", "--backlog", "2048",
            ]  # fmt: skip
            if log:  # otherwise no access log at all (gunicorn's default), as a busy server runs
                server_cmd += ["--access-logfile", "-"]
            if worker_class == "gthread":
                server_cmd += ["--threads", str(threads)]
        server = subprocess.Popen(server_cmd, cwd=ROOT, env=env, stdout=out, stderr=out)
        procs.append(server)
        worker = None
        if celery:
            worker = subprocess.Popen(
                [
                    PYTHON, "-m", "celery", "-A", "mdm_server", "worker", "-P", "prefork",
                    "-c", "1", "-Q", "mdm", "--without-gossip", "--without-mingle",
                    "--without-heartbeat", "--loglevel", "WARNING",
                ],
                cwd=ROOT, env=env, stdout=out, stderr=out,
            )  # fmt: skip
            procs.append(worker)
        wait_for_port(port, timeout=60, proc=server)
        base_url = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=10) as resp:  # noqa: S310
            resp.read()
        yield Stack(
            base_url=base_url,
            database_url=database_url,
            redis_url=redis_url,
            data_dir=tmp / "data",
            env=env,
            server=server,
            celery=worker,
            workers=workers,
            worker_class=worker_class,
        )
    finally:
        for proc in reversed(procs):
            stop_process(proc)
        if not keep_database:
            _drop_database(admin_database_url, database)
        shutil.rmtree(tmp, ignore_errors=True)
