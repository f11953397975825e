"""Per-worker environment for parallel runs (pytest-xdist), loaded by ``tests/run`` with
``-p tests.worker_env`` before Django reads its settings.

Each worker already gets a database of its own (pytest-django appends ``_gw0``, ``_gw1``... to
the test database name). Redis is shared by the run, so each worker gets a database index of its
own here: throttle windows, counters, the configuration generation and Celery queues of one
worker never meet another's. The indexes follow the one ``REDIS_URL`` names (``/0``: workers get
1, 2...; ``/6``: 7, 8...), so runs side by side on one Redis, given indexes far enough apart,
never meet either. A run without workers keeps ``REDIS_URL`` as given.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit


def worker_redis_url(url: str, worker: str) -> str:
    """`url` with the database index of xdist worker `worker`: the index `url` names plus one
    for "gw0", plus two for "gw1"..."""
    number = re.fullmatch(r"gw(\d+)", worker)
    if number is None:
        raise ValueError(f"not an xdist worker id: {worker!r}")
    parts = urlsplit(url)
    named = parts.path.strip("/")
    base = int(named) if named.isdigit() else 0
    index = base + int(number.group(1)) + 1
    if index > 15:  # Redis has 16 databases unless configured otherwise
        raise ValueError(
            f"worker {worker} has no Redis database of its own above index {base} (Redis has 16)"
        )
    return urlunsplit(parts._replace(path=f"/{index}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REDIS_URL", "").startswith(("redis://", "rediss://")):
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], _worker)
