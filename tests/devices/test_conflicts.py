"""A transaction PostgreSQL refused for another's (a deadlock, a serialization failure) is not an
outage: a 503 that asks for a retry in a second, logged as what it is (mdm_server/unavailable.py)."""

from __future__ import annotations

import logging
import plistlib
from collections.abc import Callable
from typing import Any

import psycopg.errors
import pytest
from django.db import OperationalError

from devices import services
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db


def _raising(cause: Exception) -> Callable[..., Any]:
    def serve_report(**kwargs: Any) -> Any:
        error = OperationalError(str(cause))
        raise error from cause

    return serve_report


@pytest.mark.parametrize(
    ("cause", "retry_after", "says"),
    [
        (psycopg.errors.DeadlockDetected("deadlock detected"), "1", b"concurrent change"),
        (psycopg.errors.SerializationFailure("could not serialize"), "1", b"concurrent change"),
        (psycopg.errors.AdminShutdown("terminating connection"), "30", b"unavailable"),
    ],
    ids=["deadlock", "serialization", "outage"],
)
def test_a_refused_transaction_is_a_retry_not_an_outage(
    make_device: Callable[..., SimulatedDevice],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    cause: Exception,
    retry_after: str,
    says: bytes,
) -> None:
    device = make_device(platform="iOS", user_enrollment=False)
    device.enroll()
    monkeypatch.setattr(services, "serve_report", _raising(cause))
    idle = plistlib.dumps({"Status": "Idle", **device.ids()})
    with caplog.at_level(logging.WARNING, logger="mdm_server.unavailable"):
        status, headers, body = device.transport.request(
            "PUT",
            device.server_url,
            headers=device._headers(idle, "application/x-apple-aspen-mdm"),
            body=idle,
        )
    assert status == 503
    assert {k.lower(): v for k, v in headers.items()}["retry-after"] == retry_after
    assert says in body
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert ("unavailable" in logged) == (retry_after == "30")
