"""One Redis client per process for the small keys the server keeps there (the configuration
generation, the push-drain request), built on first use from `REDIS_URL`; None without it (the
embedded mode). Celery keeps its own connections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    import redis

_clients: list[redis.Redis | None] = []


def client() -> redis.Redis | None:
    if not _clients:
        url = getattr(settings, "REDIS_URL", None)
        if url:
            import redis

            _clients.append(
                redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
            )
        else:
            _clients.append(None)
    return _clients[0]
