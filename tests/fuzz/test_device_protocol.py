"""Fuzzing the device protocol (check-in and connect) through the real views, signed like a
device: random plists shaped like real messages, and mutated bytes of recorded plists."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from devices import protocol, services
from devices.models import Enrollment
from mdm_server.pki import cms
from mdm_server.pki import services as pki
from tests.fuzz import strategies as fz
from tests.fuzz.conftest import assert_refused_or_served
from tests.simulator import DjangoTestTransport, SimulatedDevice, issue_identity

pytestmark = pytest.mark.django_db

PLISTS = Path(__file__).resolve().parents[1] / "fixtures" / "plists"
RECORDED = [p.read_bytes() for p in sorted(PLISTS.glob("*.plist"))]
CHECKIN = "application/x-apple-aspen-mdm-checkin"
CONNECT = "application/x-apple-aspen-mdm"


class Device:
    """An enrolled Device Enrollment Mac with commands waiting, and a way to sign anything."""

    def __init__(self, sim: SimulatedDevice, command_uuids: list[str]) -> None:
        self.sim = sim
        self.command_uuids = command_uuids

    def put(self, client: Client, path: str, body: bytes, content_type: str) -> Any:
        signature = cms.sign_detached(
            body, certificate=self.sim.certificate, key=self.sim.key, digest="sha256"
        )
        return client.put(
            path,
            data=body,
            content_type=content_type,
            HTTP_MDM_SIGNATURE=base64.b64encode(signature).decode(),
        )


@pytest.fixture
def device(server_pki: pki.PkiStatus) -> Device:
    cert, key = issue_identity(pki.active_identity("ca"))
    sim = SimulatedDevice(
        transport=DjangoTestTransport(Client()),
        certificate=cert,
        key=key,
        server_url="https://mdm.test/mdm/connect",
        checkin_url="https://mdm.test/mdm/checkin",
        platform="macOS",
        user_enrollment=False,
        os_version="15.2",
    )
    sim.enroll()
    enrollment = Enrollment.objects.get(channel_key=f"udid:{sim.udid}")
    uuids = []
    for request_type in (
        "DeviceInformation",
        "SecurityInfo",
        "InstalledApplicationList",
        "ProfileList",
        "CertificateList",
    ):
        result = services.enqueue_command(enrollments=[enrollment], request_type=request_type)
        assert result.command is not None
        uuids.append(result.command.uuid)
    return Device(sim, uuids)


@given(
    fields=fz.message_fields(),
    message_type=st.sampled_from(fz.MESSAGE_TYPES),
    own_ids=st.booleans(),
    binary=st.booleans(),
)
def test_check_in_messages(
    device: Device,
    fuzz_client: Client,
    fields: dict[str, Any],
    message_type: str,
    own_ids: bool,
    binary: bool,
) -> None:
    message = {**fields, "MessageType": message_type}
    if own_ids:
        message.update(UDID=device.sim.udid, Topic=device.sim.topic)
    body = fz.encode(message, binary)
    assert_refused_or_served(device.put(fuzz_client, "/mdm/checkin", body, CHECKIN))


@given(
    fields=fz.message_fields(),
    status=st.sampled_from(fz.STATUSES),
    command=st.integers(min_value=0, max_value=5),
    binary=st.booleans(),
)
def test_command_results(
    device: Device,
    fuzz_client: Client,
    fields: dict[str, Any],
    status: str,
    command: int,
    binary: bool,
) -> None:
    message: dict[str, Any] = {**fields, "Status": status, "UDID": device.sim.udid}
    if command < len(device.command_uuids):
        message["CommandUUID"] = device.command_uuids[command]
    body = fz.encode(message, binary)
    assert_refused_or_served(device.put(fuzz_client, "/mdm/connect", body, CONNECT))


@given(
    recorded=st.sampled_from(RECORDED),
    steps=fz.mutations(),
    path=st.sampled_from(["/mdm/checkin", "/mdm/connect"]),
)
def test_mutated_recorded_plists(
    device: Device,
    fuzz_client: Client,
    mutate: Callable[[bytes, Any], bytes],
    recorded: bytes,
    steps: list[tuple[str, int, int]],
    path: str,
) -> None:
    body = mutate(recorded, steps)
    content_type = CHECKIN if path.endswith("checkin") else CONNECT
    assert_refused_or_served(device.put(fuzz_client, path, body, content_type))


@given(
    depth=st.integers(min_value=1, max_value=3000),
    tag=st.sampled_from(["array", "dict"]),
    status=st.sampled_from(["Idle", "Acknowledged", "Authenticate"]),
    command=st.integers(min_value=0, max_value=4),
)
def test_deeply_nested_bodies(
    device: Device, fuzz_client: Client, depth: int, tag: str, status: str, command: int
) -> None:
    ids = b"<key>UDID</key><string>" + device.sim.udid.encode() + b"</string>"
    if status == "Authenticate":
        fields, path, content_type = (
            b"<key>MessageType</key><string>Authenticate</string>",
            "/mdm/checkin",
            CHECKIN,
        )
    else:
        fields = (
            b"<key>Status</key><string>" + status.encode() + b"</string>"
            b"<key>CommandUUID</key><string>"
            + device.command_uuids[command].encode()
            + b"</string>"
            b"<key>QueryResponses</key><dict><key>OSVersion</key><string>15.3</string></dict>"
        )
        path, content_type = "/mdm/connect", CONNECT
    body = fz.nested_xml(depth, tag, fields + ids)
    response = device.put(fuzz_client, path, body, content_type)
    assert_refused_or_served(response)
    if depth >= 64:
        assert response.status_code == 400


@given(
    body=st.binary(max_size=300)
    | st.builds(fz.encode, fz.message_fields(), st.booleans())
    | st.builds(fz.encode, fz.plist_values(), st.booleans())
)
def test_the_parser_raises_only_its_own_error(body: bytes) -> None:
    """The pure parser, without HTTP: arbitrary bytes give a message or a ProtocolError."""
    try:
        data = protocol.load_plist(body)
        if protocol.is_checkin(data):
            protocol.checkin_from_dict(data)
        else:
            protocol.report_from_dict(data)
    except protocol.ProtocolError as exc:
        assert str(exc)
