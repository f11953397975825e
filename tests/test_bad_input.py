"""Garbage to every endpoint: answers are 4xx (or a handled 2xx/3xx), never a server error."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.url_walk import routes

pytestmark = pytest.mark.django_db

BODIES = [
    (b"\x00\xff\xfe garbage \x01", "application/octet-stream"),
    (b"{not json", "application/json"),
    (b"<plist><dict><key>a</key></dict>", "application/x-apple-aspen-mdm-checkin"),
    (b"a=%ZZ&b=" + b"x" * 5000, "application/x-www-form-urlencoded"),
]


def _static_paths() -> list[str]:
    """Every URL of the site; path arguments get sample values that match no object (404)."""
    return sorted({r.url() for r in routes() if not r.pattern.startswith(("admin/", "static"))})


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_garbage_never_causes_a_server_error(who: str, admin_client: Client, server_pki) -> None:  # type: ignore[no-untyped-def]
    client = admin_client if who == "admin" else Client()
    failures = []
    for path in _static_paths():
        for method in ("post", "put"):
            for body, content_type in BODIES:
                response = getattr(client, method)(path, data=body, content_type=content_type)
                if response.status_code >= 500:
                    failures.append(
                        f"{method.upper()} {path} [{content_type}] -> {response.status_code}"
                    )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/mdm/checkin", "application/x-apple-aspen-mdm-checkin"),
        ("/mdm/connect", "application/x-apple-aspen-mdm"),
        ("/scep?operation=PKIOperation", "application/x-pki-message"),
        ("/enroll/account/no-such-thing/byod", "application/pkcs7-signature"),
        ("/api/v1/commands/", "application/json"),
    ],
)
def test_a_body_over_the_limit_is_refused(
    path: str, content_type: str, admin_client: Client, server_pki, settings
) -> None:  # type: ignore[no-untyped-def]
    body = b"0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    method = admin_client.put if path.startswith("/mdm/") else admin_client.post
    response = method(path, data=body, content_type=content_type)
    assert response.status_code in (400, 404, 413), (path, response.status_code)
    assert response.content.strip()


# A body on every surface that reads one: the device protocol, SCEP, the API, the portal.
BODY_SURFACES = [
    ("put", "/mdm/checkin", "application/x-apple-aspen-mdm-checkin"),
    ("put", "/mdm/connect", "application/x-apple-aspen-mdm"),
    ("post", "/scep?operation=PKIOperation", "application/x-pki-message"),
    ("post", "/api/v1/commands/", "application/json"),
    ("patch", "/api/v1/enrollment/settings/", "application/json"),
    ("post", "/enroll/", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("method", "path", "content_type"), BODY_SURFACES)
@pytest.mark.parametrize("length", ["abc", "\u00b2", "-1", "1e3", " 8", "9" * 5000])
def test_a_content_length_that_is_not_a_number_of_bytes_is_a_400(
    admin_client: Client, server_pki, method: str, path: str, content_type: str, length: str
) -> None:  # type: ignore[no-untyped-def]
    """Django reads it with int() before the body (a ValueError: a 500); '²'.isdigit() is true,
    yet int() refuses it."""
    response = getattr(admin_client, method)(
        path, data=b"<plist/>", content_type=content_type, CONTENT_LENGTH=length
    )
    assert response.status_code == 400, response.content[:200]
    assert b"Content-Length" in response.content


@pytest.mark.parametrize(("method", "path", "content_type"), BODY_SURFACES)
@pytest.mark.parametrize(
    ("length", "status", "says"),
    [
        # What granian hands on for `Transfer-Encoding: chunked`: no CONTENT_LENGTH, so Django
        # would read an empty body (tests/mdm_server/test_production_server.py sends one).
        ("", 411, b"Content-Length"),
        # RFC 9112 6.1: both framings, which may disagree (how request smuggling starts); a
        # sender must not send both, so neither is believed.
        (None, 400, b"Transfer-Encoding"),
    ],
)
def test_a_body_framed_by_a_transfer_encoding_is_refused(
    admin_client: Client,
    server_pki,
    method: str,
    path: str,
    content_type: str,
    length: str | None,
    status: int,
    says: bytes,
) -> None:  # type: ignore[no-untyped-def]
    framing = {"HTTP_TRANSFER_ENCODING": "chunked"}
    if length is not None:
        framing["CONTENT_LENGTH"] = length
    response = getattr(admin_client, method)(
        path, data=b'{"organisation_name": "x"}', content_type=content_type, **framing
    )
    assert response.status_code == status, response.content[:200]
    assert says in response.content


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("put", "/mdm/checkin", "application/x-apple-aspen-mdm-checkin"),
        ("put", "/mdm/connect", "application/x-apple-aspen-mdm"),
        ("post", "/scep?operation=PKIOperation", "application/x-pki-message"),
        ("post", "/api/v1/commands/", "application/json"),
        ("post", "/console/login/", "application/x-www-form-urlencoded"),
        ("post", "/enroll/", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_just_over_the_limit_is_a_413_that_says_so(
    client: Client,
    admin_client: Client,
    server_pki,
    settings,
    method: str,
    path: str,
    content_type: str,
) -> None:  # type: ignore[no-untyped-def]
    """Exactly the limit is read; one byte more was Django's bare "Bad Request (400)" page
    (RequestDataTooBig) everywhere but the MDM views, an HTML page even on the API."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    who = admin_client if path.startswith("/api/") else client
    send = getattr(who, method)
    if not path.startswith("/scep"):  # a PKIOperation has a smaller limit of its own
        at_limit = send(path, data=b"a=" + b"0" * (limit - 2), content_type=content_type)
        assert at_limit.status_code != 413
    over = send(path, data=b"a=" + b"0" * (limit - 1), content_type=content_type)
    assert over.status_code == 413, over.content[:300]
    reason = f"larger than {limit:,} bytes"
    if path.startswith("/api/"):
        assert over.json()["error"]["code"] == "too_large"
        assert reason in over.json()["error"]["message"]
    else:
        assert reason in over.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/console/login/", "/enroll/", "/api/v1/profiles/upload/", "/mdm/connect"],
)
def test_a_multipart_body_over_the_upload_limit_is_a_413_before_anything_reads_it(
    client: Client, settings, path: str
) -> None:  # type: ignore[no-untyped-def]
    """Multipart bodies were left out of every limit: their files went to temporary files on
    disk, on any path and before any sign-in, however large. Now one over MDM_MAX_UPLOAD_BYTES
    is a 413 that names the limit; one within it goes on to the view."""
    from django.test.client import encode_multipart

    settings.MDM_MAX_UPLOAD_BYTES = 200_000
    boundary = "bOuNdArY"

    def body(size: int) -> bytes:
        return encode_multipart(boundary, {"file": _named_file(b"x" * size)})

    content_type = f"multipart/form-data; boundary={boundary}"
    over = client.generic("POST", path, body(210_000), content_type=content_type)
    assert over.status_code == 413, over.content[:300]
    assert "larger than 200,000 bytes" in over.content.decode()
    within = client.generic("POST", path, body(150_000), content_type=content_type)
    assert within.status_code != 413


def _named_file(data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("big.bin", data, content_type="application/octet-stream")
