"""Redis stops under a running server, then comes back (a private redis-server per test).

Enrollment sign-in keeps working without Redis (the failure counter falls back to this
process), and commands queued meanwhile still get their push once Redis is back.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.stack import start_redis, stop_process
from enrollment import directory_access, services
from enrollment.models import EnrollmentSession
from tests.apns.conftest import apns_pki  # noqa: F401 - fixtures
from tests.enrollment.conftest import DOMAIN, PASSWORD, org, push_topic  # noqa: F401 - fixtures

SERVER = "http://127.0.0.1:8000"


class PrivateRedis:
    """A redis-server of this test alone, which the test may stop and start again."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mdm-fault-redis-"))
        self.proc, self.url = start_redis(self.dir)

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture
def redis_server(settings: Any) -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
        }
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        yield server
    finally:
        server.stop()


def _sign_in(client: Any, who: str, password: str) -> Any:
    url = services.sign_in_url(services.default_configuration(), "mdm-byod").removeprefix(SERVER)
    page = client.get(url, {"user-identifier": f"{who}@{DOMAIN}"})
    assert page.status_code == 200
    return client.post(url, {"identifier": f"{who}@{DOMAIN}", "password": password})


@pytest.mark.django_db
def test_enrollment_sign_in_while_redis_is_down(
    redis_server: PrivateRedis,
    org: dict[str, Any],  # noqa: F811 - the enrollment fixture
    client: Any,
) -> None:
    assert _sign_in(client, "alice", PASSWORD).status_code == 308
    redis_server.stop()

    wrong = _sign_in(client, "alice", "wrong-password")
    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()
    right = _sign_in(client, "alice", PASSWORD)
    assert right.status_code == 308
    assert right["Location"].startswith("apple-remotemanagement-user-login://")
    assert EnrollmentSession.objects.count() == 2


@pytest.mark.django_db
def test_sign_in_throttle_still_counts_while_redis_is_down(
    redis_server: PrivateRedis,
    org: dict[str, Any],  # noqa: F811 - the enrollment fixture
    client: Any,
) -> None:
    redis_server.stop()
    for _ in range(directory_access.MAX_FAILURES):
        assert "not correct" in _sign_in(client, "carol", "wrong").content.decode()
    refused = _sign_in(client, "carol", PASSWORD)
    assert refused.status_code == 403
    assert "Too many failed sign-ins for this account. Try again after" in refused.content.decode()
