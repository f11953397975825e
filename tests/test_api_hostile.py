"""Hostile JSON to every REST endpoint: a 400 in the API's error format, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from mdm_server import api_tokens
from tests.url_walk import routes

pytestmark = pytest.mark.django_db

DEEP = "[" * 2000 + "]" * 2000


def _api_paths() -> list[str]:
    return sorted({r.url() for r in routes() if r.pattern.startswith("api/v1/")})


@pytest.fixture
def api_client(admin_user: User) -> Client:
    token = api_tokens.create_api_token(user=admin_user, actor=None)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DEEP, "nested more than 64 levels"),
        ('{"a": ' * 2000 + "1" + "}" * 2000, "nested more than 64 levels"),
        ('{"command": "DeviceInformation", "devices": [NaN]}', "NaN"),
        ('{"command": "Device\\u0000Information", "devices": []}', "NUL character"),
    ],
    ids=["arrays", "objects", "nan", "nul"],
)
def test_hostile_json_to_every_api_endpoint_is_a_400(
    api_client: Client, server_pki: object, body: str, reason: str
) -> None:
    failures = []
    parsed = 0
    for path in _api_paths():
        for method in ("post", "put", "patch"):
            response = getattr(api_client, method)(path, data=body, content_type="application/json")
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path} -> {response.status_code}")
                continue
            if response.status_code == 400 and response["Content-Type"] == "application/json":
                error = json.loads(response.content)["error"]
                if reason in error["message"]:
                    parsed += 1
    assert not failures, "\n".join(failures)
    # Endpoints that read a JSON body reached the parser and said why they refused it.
    assert parsed >= 5


def test_the_commands_endpoint_explains_a_deep_body(api_client: Client) -> None:
    response = api_client.post("/api/v1/commands/", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    error = json.loads(response.content)["error"]
    assert error["code"] == "parse_error"
    assert "nested more than 64 levels deep" in error["message"]


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "uu"])
def test_a_charset_that_is_no_text_encoding_is_a_400(api_client: Client, charset: str) -> None:
    """Django takes any codec Python knows as the request's encoding; these turn bytes into
    bytes, and decoding the body with them raised LookupError: a 500."""
    response = api_client.post(
        "/api/v1/commands/",
        data=b'{"command": "DeviceInformation", "devices": []}',
        content_type="application/json",
        CONTENT_TYPE=f"application/json; charset={charset}",  # the bytes as they are
    )
    assert response.status_code == 400
    error = json.loads(response.content)["error"]
    assert error["code"] == "parse_error" and charset in error["message"]


def test_a_deeply_nested_profile_upload_is_refused(api_client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    deep = (
        b'<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>'
        b"<key>PayloadType</key><string>Configuration</string>"
        b"<key>PayloadIdentifier</key><string>x</string>"
        b"<key>PayloadContent</key>" + b"<array>" * 5000 + b"</array>" * 5000 + b"</dict></plist>"
    )
    response = api_client.post(
        "/api/v1/profiles/upload/",
        {"file": SimpleUploadedFile("deep.mobileconfig", deep)},
    )
    assert response.status_code == 400
    assert "nested more than 64 levels" in json.loads(response.content)["error"]["message"]


def test_a_push_csr_name_over_64_bytes_is_a_400(api_client: Client) -> None:
    # 64 characters (what the serializer counts) but 256 UTF-8 bytes (what X.509 counts).
    response = api_client.post(
        "/api/v1/push-certificate/csr/",
        {"common_name": "\U0001f600" * 64},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "at most 64 bytes" in json.loads(response.content)["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/devices/", "/api/v1/commands/", "/api/v1/audit/"])
@pytest.mark.parametrize("position", ["abc", "\x00", "1.5", ""])
def test_a_cursor_whose_position_is_not_an_id_is_refused(
    api_client: Client, path: str, position: str
) -> None:
    # A cursor is base64 of a query string; its position `p` is compared with the id column.
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    response = api_client.get(path, {"cursor": cursor})
    assert response.status_code == 404
    assert json.loads(response.content)["error"]["message"] == "Invalid cursor"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/commands/{}/"),
        ("delete", "/api/v1/tokens/{}/"),
        ("get", "/api/v1/enrollment/sessions/{}/"),
        ("post", "/api/v1/enrollment/sessions/{}/revoke/"),
    ],
)
@pytest.mark.parametrize("value", ["%00", "a%00b"])
def test_a_nul_character_in_a_path_is_a_404(
    api_client: Client, method: str, path: str, value: str
) -> None:
    # Looked up as text, PostgreSQL refused it (a DataError, a 500).
    response = getattr(api_client, method)(path.format(value))
    assert response.status_code == 404
    assert json.loads(response.content)["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["options", "head", "delete", "put", "patch"])
def test_every_method_on_every_api_path_is_answered_without_a_server_error(
    api_client: Client, method: str
) -> None:
    """OPTIONS on the Swagger page (HTML only) asked its template renderer to render DRF's
    metadata with no template: a 500."""
    failures = []
    for path in _api_paths():
        response = getattr(api_client, method)(path)
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not failures, "\n".join(failures)
