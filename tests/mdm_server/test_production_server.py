"""The production entry point under granian (docker-compose's web server), over real HTTP.

The Idle-poll shortcut and Django both answer through granian's WSGI interface: a device enrolls,
polls, gets a queued command, and a forged signature gets the view's 403.
"""

from __future__ import annotations

import base64
import http.client
import os
import plistlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.db import connection

from bench.stack import free_port, stop_process, wait_for_port
from devices import services
from devices.models import Enrollment, QueuedCommand
from enrollment.models import EnrollmentSettings
from mdm_server import api_tokens
from mdm_server.pki import services as pki
from tests.devices._rows import drain_inventory, later_deliveries
from tests.processes import database_url
from tests.simulator import HttpTransport, SimulatedDevice, issue_identity

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def granian_url(server_pki: pki.PkiStatus) -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("the server process needs a shared database (PostgreSQL)")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "MDM_ENCRYPTION_KEY": settings.ENCRYPTION_KEY,
        "MDM_DATA_DIR": tempfile.mkdtemp(prefix="mdm-granian-"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DEBUG": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1", "--blocking-threads", "1", "--no-ws",
         "--log-level", "warning", "mdm_server.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=30, proc=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc, timeout=15)


def test_a_device_enrolls_polls_and_gets_a_command_through_granian(granian_url: str) -> None:
    with urlopen(f"{granian_url}/healthz", timeout=10) as response:  # noqa: S310 - loopback
        assert response.status == 200
    cert, key = issue_identity(pki.active_identity("ca"), rsa=True)
    transport = HttpTransport(timeout=10.0)
    device = SimulatedDevice(
        transport=transport,
        certificate=cert,
        key=key,
        server_url=f"{granian_url}/mdm/connect",
        checkin_url=f"{granian_url}/mdm/checkin",
        user_enrollment=True,
    )
    try:
        device.enroll()
        drain_inventory(device)  # the inventory asked when the enrollment completed
        assert device.connect("Idle") == (200, b"")
        assert device.connect("Idle") == (200, b"")  # the signature is now cached

        enrollment = Enrollment.objects.get(channel_key=f"eid:{device.enrollment_id}")
        services.enqueue_command(enrollments=[enrollment], request_type="ProfileList")
        handled = device.run()
        assert [h.request_type for h in handled] == ["ProfileList"]
        assert (
            later_deliveries().get(enrollment=enrollment).status
            == QueuedCommand.Status.ACKNOWLEDGED
        )

        body = plistlib.dumps({"Status": "Idle", **device.ids()})
        status, _, reason = transport.request(
            "PUT",
            device.server_url,
            headers={
                "Content-Type": "application/x-apple-aspen-mdm",
                "Mdm-Signature": base64.b64encode(b"not a signature").decode(),
            },
            body=body,
        )
        assert status == 403 and reason.startswith(b"Mdm-Signature does not verify")
    finally:
        transport.close()


def test_a_chunked_body_is_refused_not_read_as_empty(granian_url: str, admin_user: Any) -> None:
    """granian passes a chunked body on without a Content-Length, and Django reads a body of
    CONTENT_LENGTH bytes (none): a chunked PATCH was answered 200 with nothing changed, a
    chunked check-in or command was refused for its empty body. Now a 411 that says why."""
    key = api_tokens.create_api_token(user=admin_user, actor=None).key
    before = EnrollmentSettings.load().organisation_name
    connection = http.client.HTTPConnection("127.0.0.1", int(granian_url.rsplit(":", 1)[1]))
    try:
        connection.request(
            "PATCH",
            "/api/v1/enrollment/settings/",
            body=iter([b'{"organisation_name": "Sent in chunks"}']),
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        assert response.status == 411
        assert b"Content-Length" in response.read()
    finally:
        connection.close()
    assert EnrollmentSettings.load().organisation_name == before
