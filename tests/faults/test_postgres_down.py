"""PostgreSQL stops under a running server, then comes back.

A private cluster (tests/faults/services.py) holds a copy of the test database; granian serves
it as in production (persistent connections, DEBUG off). While the cluster is down every request
gets 503 with Retry-After, in its surface's format, never a 500; the first requests after the
restart succeed (stale connections are detected before use); nothing accepted before is lost.
"""

from __future__ import annotations

import json
import plistlib

import psycopg
import pytest

from devices import services
from devices.models import Enrollment
from mdm_server.pki import services as pki
from tests.devices._rows import drain_inventory
from tests.faults.conftest import StartServer
from tests.faults.services import copy_database, private_postgres, record_figures
from tests.processes import database_url
from tests.simulator import DjangoTestTransport, HttpTransport, SimulatedDevice, issue_identity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Answer = tuple[int, dict[str, str], bytes]


def _requests(device: SimulatedDevice, base: str, transport: HttpTransport) -> dict[str, Answer]:
    """One request of each surface that needs the database."""

    def call(method: str, path: str, headers: dict[str, str] | None = None) -> Answer:
        return transport.request(method, base + path, headers=headers or {})

    idle = plistlib.dumps({"Status": "Idle", **device.ids()})
    token_update = plistlib.dumps(
        {
            "MessageType": "TokenUpdate",
            "Topic": device.topic,
            "Token": device.push_token,
            "PushMagic": device.push_magic,
            **device.ids(),
        }
    )
    return {
        "device checkin": transport.request(
            "PUT", device.checkin_url or "", body=token_update,
            headers=device._headers(token_update, "application/x-apple-aspen-mdm-checkin"),
        ),
        "device connect": transport.request(
            "PUT", device.server_url, headers=device._headers(idle, "application/x-apple-aspen-mdm"),
            body=idle,
        ),
        "api": call("GET", "/api/v1/devices/", {"Authorization": "Token not-a-real-token"}),
        "console": call(
            "GET", "/console/",
            {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345", "Accept": "text/html"},
        ),
        "discovery": call(
            "GET", "/.well-known/com.apple.remotemanagement?user-identifier=al%40example.com"
        ),
        "enrollment": call("POST", "/enroll/account/default/byod"),
        "portal": call("GET", "/enroll/", {"Accept": "text/html"}),
        "scep": call("GET", "/scep?operation=GetCACert"),
    }  # fmt: skip


def test_postgres_stop_and_restart(server_pki: pki.PkiStatus, start_server: StartServer) -> None:
    cert, key = issue_identity(pki.active_identity("ca"), rsa=True)
    device = SimulatedDevice(
        transport=DjangoTestTransport(),
        certificate=cert,
        key=key,
        server_url="http://127.0.0.1/mdm/connect",
        checkin_url="http://127.0.0.1/mdm/checkin",
        user_enrollment=True,
    )
    device.enroll()
    drain_inventory(device)  # the inventory asked when the enrollment completed
    enrollment = Enrollment.objects.get(channel_key=f"eid:{device.enrollment_id}")
    first = services.enqueue_command(enrollments=[enrollment], request_type="ProfileList")
    second = services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    assert first.command is not None and second.command is not None

    with private_postgres() as cluster:
        target = cluster.create_database("mdm")
        copy_database(database_url(), target)
        base = start_server(target)
        transport = HttpTransport(timeout=15.0)
        device.transport = transport
        device.server_url, device.checkin_url = f"{base}/mdm/connect", f"{base}/mdm/checkin"
        try:
            # Before the outage: the device gets the first command and its answer is stored.
            status, body = device.connect("Idle")
            assert status == 200
            assert plistlib.loads(body)["CommandUUID"] == first.command.uuid
            status, body = device.connect("Acknowledged", command_uuid=first.command.uuid)
            assert status == 200
            assert plistlib.loads(body)["CommandUUID"] == second.command.uuid

            cluster.stop()
            down = _requests(device, base, transport)
            cluster.start()
            up = _requests(device, base, transport)
            # A restart between two requests: every pooled connection is stale, none has failed.
            cluster.stop()
            cluster.start()
            restarted = _requests(device, base, transport)
        finally:
            transport.close()

        with psycopg.connect(target) as conn:
            stored = dict(
                conn.execute(
                    "SELECT c.uuid, q.status FROM devices_queuedcommand q "
                    "JOIN devices_command c ON c.id = q.command_id"
                ).fetchall()
            )

    answers = {
        f"{phase}: {name}": answer
        for phase, requests in (("down", down), ("up", up), ("restarted", restarted))
        for name, answer in requests.items()
    }
    failures = {name: a[0] for name, a in answers.items() if a[0] >= 500 and a[0] != 503}
    assert failures == {}, f"5xx other than 503: {failures}"
    for name, (status, headers, body) in down.items():
        assert status == 503, (name, status, body[:200])
        assert int(headers["retry-after"]) > 0, name
        if name == "api":
            assert headers["content-type"] == "application/json"
            error = json.loads(body)["error"]
            assert error["code"] == "unavailable" and "database" in error["message"]
        elif name in ("console", "portal"):
            assert headers["content-type"].startswith("text/html")
            assert b"<html" in body and b"try again" in body.lower()
        else:
            assert headers["content-type"].startswith("text/plain"), name
            assert b"database" in body
    # The first requests after a restart are answered normally.
    for after in (up, restarted):
        assert after["device connect"][0] == 200
        assert plistlib.loads(after["device connect"][2])["CommandUUID"] == second.command.uuid
        assert after["device checkin"][0] == 200
        assert after["api"][0] == 401
        assert after["console"][0] == 302
    # What was accepted before the outage is still there.
    assert stored[first.command.uuid] == "acknowledged"
    assert stored[second.command.uuid] in ("pending", "sent")
    record_figures(
        "postgres",
        {
            "requests": len(answers),
            "answered_503": sum(a[0] == 503 for a in answers.values()),
            "other_5xx": len(failures),
            "statuses": {name: a[0] for name, a in answers.items()},
        },
    )
