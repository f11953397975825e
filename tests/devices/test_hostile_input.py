"""Hostile input to the device endpoints: every answer is a 4xx with a reason, never a 5xx."""

from __future__ import annotations

import base64
import plistlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import serialization
from django.test import Client

from devices import identity
from devices.models import Device, Enrollment
from mdm_server.pki import cms
from mdm_server.pki import services as pki
from tests.simulator import SimulatedDevice, issue_identity

pytestmark = pytest.mark.django_db

CHECKIN = "application/x-apple-aspen-mdm-checkin"
CONNECT = "application/x-apple-aspen-mdm"


def _put(client: Client, path: str, body: bytes, signature: bytes, content_type: str = CHECKIN):  # type: ignore[no-untyped-def]
    return client.put(
        path,
        data=body,
        content_type=content_type,
        HTTP_MDM_SIGNATURE=base64.b64encode(signature).decode(),
    )


def _assert_refused_with_reason(response, *, status: int | None = None) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:200])
    if status is not None:
        assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.strip(), "a refusal says why"
    if response.status_code == 401:
        assert response.has_header("WWW-Authenticate")


def _flip(data: bytes, offset: int, mask: int = 0x01) -> bytes:
    return data[:offset] + bytes([data[offset] ^ mask]) + data[offset + 1 :]


@pytest.fixture
def authenticate_body() -> bytes:
    return plistlib.dumps(
        {
            "MessageType": "Authenticate",
            "EnrollmentID": "E-HOSTILE",
            "Topic": "com.apple.mgmt.External.x",
            "OSVersion": "18.2",
        }
    )


@pytest.mark.parametrize("rsa", [False, True], ids=["ec", "rsa"])
def test_a_flipped_bit_in_the_signers_public_key_is_refused_not_a_500(
    server_pki: pki.PkiStatus, authenticate_body: bytes, rsa: bool
) -> None:
    """Every byte of the embedded certificate's SubjectPublicKeyInfo, one bit flipped: the
    signature parses, the certificate inside it does not (or no longer verifies)."""
    cert, key = issue_identity(pki.active_identity("ca"), rsa=rsa)
    signature = cms.sign_detached(authenticate_body, certificate=cert, key=key, digest="sha256")
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    start = signature.index(spki)
    client = Client()
    # RSA keys are long: sample the header, the start of the modulus and the exponent.
    offsets = range(len(spki)) if not rsa else [*range(40), *range(len(spki) - 8, len(spki))]
    statuses = set()
    for offset in offsets:
        identity.forget_cached_state()
        tampered = _flip(signature, start + offset)
        response = _put(client, "/mdm/checkin", authenticate_body, tampered)
        _assert_refused_with_reason(response)
        statuses.add(response.status_code)
    assert statuses <= {400, 403}
    assert not Enrollment.objects.exists()


def test_a_certificate_whose_issuer_name_cannot_be_parsed_is_refused(
    server_pki: pki.PkiStatus, authenticate_body: bytes
) -> None:
    cert, key = issue_identity(pki.active_identity("ca"))
    signature = cms.sign_detached(authenticate_body, certificate=cert, key=key, digest="sha256")
    issuer = cert.issuer.public_bytes()
    start = signature.index(issuer)
    client = Client()
    for offset in range(len(issuer)):
        identity.forget_cached_state()
        response = _put(client, "/mdm/checkin", authenticate_body, _flip(signature, start + offset))
        _assert_refused_with_reason(response)


def _mtls_get(client: Client, pem: bytes, body: bytes):  # type: ignore[no-untyped-def]
    from urllib.parse import quote

    return client.put(
        "/mdm/checkin",
        data=body,
        content_type=CHECKIN,
        HTTP_X_CLIENT_CERT=quote(pem.decode("latin-1")),
        REMOTE_ADDR="10.9.9.9",
    )


def test_a_forwarded_client_certificate_with_a_broken_key_is_refused(
    server_pki: pki.PkiStatus, authenticate_body: bytes, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MDM_TRUSTED_PROXIES = ["10.9.9.9"]
    cert, _key = issue_identity(pki.active_identity("ca"))
    der = cert.public_bytes(serialization.Encoding.DER)
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    issuer = cert.issuer.public_bytes()
    client = Client()
    for part in (spki, issuer):
        start = der.index(part)
        for offset in range(len(part)):
            identity.forget_cached_state()
            broken = _flip(der, start + offset)
            pem = (
                b"-----BEGIN CERTIFICATE-----\n"
                + base64.encodebytes(broken)
                + b"-----END CERTIFICATE-----\n"
            )
            _assert_refused_with_reason(_mtls_get(client, pem, authenticate_body))


@pytest.fixture
def enrolled(make_device: Callable[..., SimulatedDevice]) -> SimulatedDevice:
    device = make_device(platform="macOS", user_enrollment=False)
    device.enroll()
    return device


LONG = "9" * 5000


@pytest.mark.parametrize(
    "key", ["OSVersion", "BuildVersion", "ProductName", "Model", "ModelName", "SerialNumber"]
)
def test_a_long_string_in_authenticate_never_reaches_the_database_as_a_data_error(
    make_device: Callable[..., SimulatedDevice], key: str
) -> None:
    device = make_device(platform="macOS", user_enrollment=False)
    message = {
        "MessageType": "Authenticate",
        "Topic": device.topic,
        "OSVersion": "15.2",
        "BuildVersion": "24C101",
        "ProductName": "Mac15,3",
        "SerialNumber": "C02SIMULATED",
        **device.ids(),
        key: LONG[:200],
    }
    status, body = device.checkin(message)
    assert status < 500, body
    if status == 200:
        row = Enrollment.objects.get()
        stored = {
            "OSVersion": row.device.os_version,
            "BuildVersion": row.device.build_version,
            "ProductName": row.device.product_name,
            "Model": row.device.model,
            "ModelName": row.device.model_name,
            "SerialNumber": row.device.serial_number,
        }[key]
        assert stored and LONG.startswith(stored)
    else:
        assert 400 <= status < 500 and body.strip()


@pytest.mark.parametrize(
    "key", ["OSVersion", "BuildVersion", "ProductName", "Model", "ModelName", "SerialNumber"]
)
def test_a_long_string_in_device_information_is_stored_truncated(
    enrolled: SimulatedDevice, key: str
) -> None:
    from devices import services

    enrollment = Enrollment.objects.get(channel_key=f"udid:{enrolled.udid}")
    command = services.enqueue_command(
        enrollments=[enrollment], request_type="DeviceInformation", payload={"Queries": [key]}
    ).command
    assert command is not None
    status, body = enrolled.connect("Idle")
    assert status == 200
    status, body = enrolled.connect(
        "Acknowledged",
        command_uuid=command.uuid,
        extra={"QueryResponses": {key: LONG}},
    )
    assert status < 500, body
    enrollment.refresh_from_db()
    column = {
        "OSVersion": "os_version",
        "BuildVersion": "build_version",
        "ProductName": "product_name",
        "Model": "model",
        "ModelName": "model_name",
        "SerialNumber": "serial_number",
    }[key]
    stored = getattr(enrollment.device, column)
    limit = Device._meta.get_field(column).max_length
    assert stored == LONG[:limit]


def _nested(depth: int) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
        b"<key>Status</key><string>Idle</string><key>EnrollmentID</key><string>E-1</string>"
        b"<key>Deep</key>" + b"<array>" * depth + b"</array>" * depth + b"</dict></plist>"
    )


@pytest.mark.parametrize("path", ["/mdm/checkin", "/mdm/connect"])
def test_two_thousand_nested_arrays_in_a_plist_body_are_refused(
    server_pki: pki.PkiStatus, path: str
) -> None:
    cert, key = issue_identity(pki.active_identity("ca"))
    body = _nested(2000)
    signature = cms.sign_detached(body, certificate=cert, key=key, digest="sha256")
    content_type = CHECKIN if path.endswith("checkin") else CONNECT
    response = _put(Client(), path, body, signature, content_type)
    _assert_refused_with_reason(response, status=400)


def _delivered_device_information(device: SimulatedDevice) -> tuple[Enrollment, str]:
    """A DeviceInformation command queued to `device` and sent to it: its channel and UUID."""
    from devices import services

    key = f"eid:{device.enrollment_id}" if device.user_enrollment else f"udid:{device.udid}"
    enrollment = Enrollment.objects.get(channel_key=key)
    command = services.enqueue_command(
        enrollments=[enrollment],
        request_type="DeviceInformation",
        payload={"Queries": ["OSVersion"]},
    ).command
    assert command is not None
    device.connect("Idle")
    return enrollment, command.uuid


def _written_result(device: SimulatedDevice, command_uuid: str, inner: bytes) -> bytes:
    """An Acknowledged result written by hand (for what plistlib cannot write), `inner` the
    XML of its keys beside Status, the channel's ids and CommandUUID."""
    ids = b"".join(
        b"<key>%s</key><string>%s</string>" % (k.encode(), v.encode())
        for k, v in device.ids().items()
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
        b"<key>Status</key><string>Acknowledged</string>" + ids + b"<key>CommandUUID</key>"
        b"<string>" + command_uuid.encode() + b"</string>" + inner + b"</dict></plist>"
    )


def test_a_deep_result_from_an_enrolled_device_is_refused_and_loses_nothing(
    enrolled: SimulatedDevice,
) -> None:
    enrollment, command_uuid = _delivered_device_information(enrolled)
    # Written by hand: plistlib itself cannot write (or, in binary form, read) this depth.
    body = _written_result(
        enrolled,
        command_uuid,
        b"<key>QueryResponses</key><dict><key>OSVersion</key><string>15.3</string>"
        b"<key>Deep</key>" + b"<array>" * 2000 + b"</array>" * 2000 + b"</dict>",
    )
    status, _headers, reply = enrolled.transport.request(
        "PUT", enrolled.server_url, headers=enrolled._headers(body, CONNECT), body=body
    )
    assert status == 400 and b"nested" in reply, (status, reply)
    enrollment.refresh_from_db()
    assert enrollment.device.os_version == "15.2"  # nothing applied
    status, _ = enrolled.connect("Idle")
    assert status == 200  # the command is still there to answer properly


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00<\x00p\x00l\x00i\x00s\x00t",
        b'<?xml version="1.0" encoding="UTF-8"?><plist><dict><key>\xc3\x28</key></dict></plist>',
        b"bplist00\xd1\x01\x02\xff\xff\xff",
        b"\x80" * 64,
    ],
)
def test_bodies_that_are_not_utf8_or_not_plists_are_400(
    server_pki: pki.PkiStatus, body: bytes
) -> None:
    cert, key = issue_identity(pki.active_identity("ca"))
    signature = cms.sign_detached(body, certificate=cert, key=key, digest="sha256")
    response = _put(Client(), "/mdm/connect", body, signature, CONNECT)
    _assert_refused_with_reason(response, status=400)


def test_an_mdm_signature_that_is_not_ascii_is_refused() -> None:
    client = Client()
    response = client.put(
        "/mdm/checkin",
        data=b"<plist/>",
        content_type=CHECKIN,
        HTTP_MDM_SIGNATURE="\udcff\u00e9abc",
    )
    _assert_refused_with_reason(response, status=403)


def test_a_pem_that_is_not_a_certificate_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MDM_TRUSTED_PROXIES = ["10.9.9.9"]
    response = _mtls_get(Client(), b"%ff%00garbage", b"<plist/>")
    _assert_refused_with_reason(response)


_ODD = [5, True, 1.5, "text", {"PayloadType": "x"}, b"\x00", [{}, 5, [1]]]


@pytest.mark.parametrize(
    ("request_type", "answer"),
    [
        *[
            (
                "ProfileList",
                {"ProfileList": [{"PayloadIdentifier": "com.example.p", "PayloadContent": odd}]},
            )
            for odd in _ODD
        ],
        *[("ProfileList", {"ProfileList": [odd]}) for odd in _ODD],
        *[("ProfileList", {"ProfileList": odd}) for odd in _ODD],
        *[
            ("CertificateList", {"CertificateList": [{"Data": odd, "CommonName": odd}]})
            for odd in _ODD
        ],
        *[
            (
                "InstalledApplicationList",
                {"InstalledApplicationList": [{"Identifier": odd, "Name": odd, "Version": odd}]},
            )
            for odd in _ODD
        ],
    ],
)
def test_list_results_with_values_of_the_wrong_type_are_not_a_500(
    enrolled: SimulatedDevice, request_type: str, answer: dict[str, object]
) -> None:
    """A list result whose entries hold other types than Apple's (a number for PayloadContent, a
    string for a list) is stored as far as it can be read; the device gets its answer."""
    from devices import services

    enrollment = Enrollment.objects.get(channel_key=f"udid:{enrolled.udid}")
    command = services.enqueue_command(enrollments=[enrollment], request_type=request_type).command
    assert command is not None
    enrolled.connect("Idle")
    status, body = enrolled.connect("Acknowledged", command_uuid=command.uuid, extra=answer)
    assert status == 200, body


@pytest.mark.parametrize("length", ["\u00b2", "\u00b9\u00b2"])
def test_an_apps_and_books_notification_with_superscript_digits_as_its_length_is_refused(
    length: str,
) -> None:
    """ "\u00b2".isdigit() is true, yet int() refuses it (it was a ValueError: a 500): refused
    with the reason before the view reads the body (mdm_server/content_length.py)."""
    import uuid

    from devices.managed_apps import services as apps_books

    notify_id = str(uuid.uuid4())
    response = Client().generic(
        "POST",
        f"/apps-books/notifications/{notify_id}/",
        b'{"notificationType": "x"}',
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + apps_books.notify_secret(notify_id),
        CONTENT_LENGTH=length,
    )
    assert response.status_code == 400, response.content
    assert b"Content-Length must be a number of bytes" in response.content


@pytest.mark.parametrize(
    ("request_type", "item_key"),
    [("InstalledApplicationList", "Identifier"), ("ProfileList", "PayloadIdentifier")],
)
def test_two_identifiers_alike_in_their_first_255_characters_are_one_row(
    enrolled: SimulatedDevice, request_type: str, item_key: str
) -> None:
    """Stored cut to the column, they were two rows of one key (an IntegrityError: a 500)."""
    from devices import services
    from devices.models import InstalledApplication, InstalledProfile

    enrollment = Enrollment.objects.get(channel_key=f"udid:{enrolled.udid}")
    command = services.enqueue_command(enrollments=[enrollment], request_type=request_type).command
    assert command is not None
    enrolled.connect("Idle")
    prefix = "a" * 255
    answer = {request_type: [{item_key: prefix + "1"}, {item_key: prefix + "2"}]}
    status, body = enrolled.connect("Acknowledged", command_uuid=command.uuid, extra=answer)
    assert status == 200, body
    model = InstalledApplication if request_type == "InstalledApplicationList" else InstalledProfile
    assert list(
        model.objects.filter(enrollment=enrollment).values_list("identifier", flat=True)
    ) == [prefix]


@pytest.mark.parametrize(
    "report",
    [
        b'{"\\ud800": 1}',
        b'{"StatusItems": {"\\ud800": 1}}',
        b'{"StatusItems": {}, "Errors": [{"StatusItem": "\\ud800"}]}',
        b'{"StatusItems": {"management": {"declarations": {"configurations": '
        b'[{"identifier": "a", "reasons": [{"code": "\\ud800"}]}]}}}}',
        b'{"a": "\xed\xa0\x80"}',  # UTF-8 bytes of a lone surrogate
    ],
)
def test_a_lone_surrogate_in_a_status_report_is_refused(
    enrolled: SimulatedDevice, report: bytes
) -> None:
    """PostgreSQL's JSON refuses it (it was a DataError: a 500)."""
    status, body = enrolled.checkin(
        {"MessageType": "DeclarativeManagement", "Endpoint": "status", "Data": report,
         **enrolled.ids()}
    )  # fmt: skip
    assert status == 400, body


def test_a_user_enrollment_result_with_an_integer_beyond_64_bits_is_refused(
    make_device: Callable[..., SimulatedDevice],
) -> None:
    """Written again once the keys a User Enrollment may not report are taken out, it was an
    OverflowError (a 500)."""
    device = make_device(platform="iOS", user_enrollment=True)
    device.enroll()
    _, command_uuid = _delivered_device_information(device)
    # Written by hand: plistlib cannot write an integer beyond 64 bits.
    body = _written_result(
        device,
        command_uuid,
        b"<key>Big</key><integer>99999999999999999999999999999</integer>"
        b"<key>QueryResponses</key><dict><key>IsSupervised</key><true/>"
        b"<key>SerialNumber</key><string>X</string></dict>",
    )
    status, _headers, reply = device.transport.request(
        "PUT", device.server_url, headers=device._headers(body, CONNECT), body=body
    )
    assert status == 400 and b"64 bits" in reply, (status, reply)


def test_a_result_holding_a_keyed_archive_uid_is_refused_and_loses_nothing(
    enrolled: SimulatedDevice,
) -> None:
    """A binary property list may hold a UID (an NSKeyedArchiver reference); stored as JSON it
    was a TypeError (a 500)."""
    enrollment, command_uuid = _delivered_device_information(enrolled)
    message = {
        "Status": "Acknowledged",
        **enrolled.ids(),
        "CommandUUID": command_uuid,
        "QueryResponses": {"OSVersion": "15.3", "SerialNumber": plistlib.UID(1)},
    }
    body = plistlib.dumps(message, fmt=plistlib.FMT_BINARY)
    status, _headers, reply = enrolled.transport.request(
        "PUT", enrolled.server_url, headers=enrolled._headers(body, CONNECT), body=body
    )
    assert status == 400 and b"UID" in reply, (status, reply)
    enrollment.refresh_from_db()
    assert enrollment.device.os_version == "15.2"  # nothing applied
