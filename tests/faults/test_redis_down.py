"""Redis stops under a running server, then comes back (a private redis-server per test).

Enrollment sign-in keeps working without Redis (the failure counter falls back to this
process), and commands queued meanwhile still get their push once Redis is back.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from apns.models import PendingPush, PushCertificate
from devices.models import QueuedCommand
from enrollment import directory_access, services
from enrollment.models import EnrollmentSession
from tests.apns.conftest import (
    EnrollmentFactory,
    apns_pki,  # noqa: F401 - fixtures
)
from tests.apns.fake_apns import FakeAPNs
from tests.enrollment.conftest import DOMAIN, PASSWORD, org, push_topic  # noqa: F401 - fixtures
from tests.faults.conftest import ROOT, CeleryProcesses, seen_a_minute_ago
from tests.faults.services import PrivateRedis, record_figures, wait_until

SERVER = "http://127.0.0.1:8000"


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
        server.destroy()


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


QUEUE_COMMAND = """
from devices.models import Enrollment
from devices.services import enqueue_command
result = enqueue_command(enrollments=Enrollment.objects.filter(pk__in=[{ids}]),
                         request_type="ProfileList")
print("queued", len(result.queued))
"""


@pytest.mark.integration
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_commands_queued_while_redis_is_down_are_pushed_once_it_is_back(
    redis_server: PrivateRedis,
    celery_processes: CeleryProcesses,
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
) -> None:
    enrollments = [enrollment_factory(os_version="17.4") for _ in range(3)]
    seen_a_minute_ago([e.pk for e in enrollments])  # beat's own schedules push none of them
    celery_processes.worker(redis_server.url)
    celery_processes.beat(redis_server.url)
    redis_server.stop()

    # A server process with the production settings queues the command meanwhile.
    ids = ", ".join(str(e.pk) for e in enrollments)
    queued = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", QUEUE_COMMAND.format(ids=ids)],
        cwd=ROOT, env=celery_processes.env(redis_server.url), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert queued.returncode == 0, queued.stderr
    assert "queued 3" in queued.stdout
    assert QueuedCommand.objects.count() == 3
    assert PendingPush.objects.count() == 3  # the pushes wait in PostgreSQL
    assert fake_apns.tokens() == []

    redis_server.start()
    wait_until(lambda: len(fake_apns.tokens()) >= 3, 60, "the pushes once Redis is back")
    wait_until(lambda: not PendingPush.objects.exists(), 30, "the outbox to empty")
    assert sorted(fake_apns.tokens()) == sorted(e.push_token for e in enrollments)
    record_figures(
        "redis_push",
        {
            "commands_queued_while_down": 3,
            "pushes_received": len(fake_apns.tokens()),
            "lost": len({e.push_token for e in enrollments} - set(fake_apns.tokens())),
            "duplicated": len(fake_apns.tokens()) - len(set(fake_apns.tokens())),
        },
    )
