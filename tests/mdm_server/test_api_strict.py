"""A strict REST API: a schema the validators accept, errors documented as one component, unknown
query parameters and body fields refused, JSON 404s, UUIDs in either case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from devices.models import Command, Enrollment
from mdm_server import api_tokens
from tests.devices._rows import bulk_devices

pytestmark = pytest.mark.django_db

# Any operation may answer these; one with an object in its path also 404.
ERROR_STATUSES = {"400", "401", "403", "503"}


def _client(user: User) -> APIClient:
    token = api_tokens.create_api_token(user=user, actor=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def admin_api(admin_user: User) -> APIClient:
    return _client(admin_user)


def _error(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


def _device(kind: str) -> Enrollment:
    bulk_devices(1, enrollment_type=kind)
    return Enrollment.objects.get(enrollment_type=kind)


def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


# --- the schema ----------------------------------------------------------------------------------


def test_spectacular_validate_fails_on_no_warning(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    # --fail-on-warn raises on any warning or error the generator met; --validate checks the
    # result against the OpenAPI 3 JSON schema.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/devices/" in schema["paths"]


def test_openapi_spec_validator_accepts_the_schema() -> None:
    schema = json.loads(json.dumps(_schema(), default=str))
    validate(schema)  # raises OpenAPIValidationError with the path of the first problem
    operation_ids = [
        op["operationId"]
        for item in schema["paths"].values()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids)) > 50


def test_no_enum_component_has_a_hash_suffix() -> None:
    names = list(_schema()["components"]["schemas"])
    hashed = [n for n in names if n.endswith("Enum") and any(c.isdigit() for c in n[-7:-4])]
    assert not hashed, hashed


def test_the_error_envelope_is_a_component_every_operation_documents() -> None:
    schema = _schema()
    envelope = schema["components"]["schemas"]["Error"]
    assert envelope["required"] == ["error"]
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) >= {"code", "message", "fields"}
    ref = "#/components/schemas/Error"
    missing = []
    for path, item in schema["paths"].items():
        if path in ("/api/v1/schema/",):
            continue
        for method, op in item.items():
            for code in ERROR_STATUSES | ({"404"} if "{" in path else set()):
                response = op["responses"].get(code)
                body = (response or {}).get("content", {}).get("application/json", {})
                if body.get("schema", {}).get("$ref") != ref:
                    missing.append(f"{method.upper()} {path} {code}")
    assert not missing, missing[:20]


# --- query parameters ----------------------------------------------------------------------------


def test_an_unknown_filter_is_a_400_naming_it(admin_api: APIClient) -> None:
    _device("user")
    _device("device")
    # Before: every device came back, and a script would have sent its commands to all of them.
    response = admin_api.get("/api/v1/devices/", {"managed_apple_id": "x"})
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "unknown_parameter"
    assert "managed_apple_id" in error["message"]
    assert "managed_apple_id" in error["fields"]
    # Declared filters and the page parameters still work.
    ok = admin_api.get("/api/v1/devices/", {"enrollment_type": "user", "page_size": 5})
    assert ok.status_code == 200 and len(ok.json()["results"]) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/audit/",
        "/api/v1/commands/",
        "/api/v1/enrollment/sessions/",
        "/api/v1/enrollment/configurations/",
        "/api/v1/directory/users/",
        "/api/v1/directory/groups/",
        "/api/v1/directory/runs/",
        "/api/v1/profiles/",
    ],
)
def test_every_list_refuses_an_unknown_parameter(admin_api: APIClient, path: str) -> None:
    assert admin_api.get(path).status_code == 200
    response = admin_api.get(path, {"no_such_filter": "1"})
    assert response.status_code == 400
    assert "no_such_filter" in _error(response)["message"]


def test_ordering_is_refused_not_ignored(admin_api: APIClient) -> None:
    response = admin_api.get("/api/v1/devices/", {"ordering": "device_name"})
    assert response.status_code == 400
    assert "ordering" in _error(response)["fields"]


def test_documented_search_parameters_are_accepted(admin_api: APIClient) -> None:
    # Parameters a view reads itself are declared, so they are not refused as unknown.
    assert admin_api.get("/api/v1/directory/users/", {"q": "alice"}).status_code == 200
    schema = _schema()
    users = schema["paths"]["/api/v1/directory/users/"]["get"]["parameters"]
    assert "q" in {p["name"] for p in users}


# --- bodies --------------------------------------------------------------------------------------


def test_an_unknown_field_in_a_command_body_is_refused(admin_api: APIClient) -> None:
    device = _device("device")
    body = {
        "command": "DeviceInformation",
        "devices": [str(device.public_id)],
        "strip_forbiden": True,  # misspelt: must not be silently ignored
    }
    response = admin_api.post("/api/v1/commands/", body, format="json")
    assert response.status_code == 400
    error = _error(response)
    assert "strip_forbiden" in error["fields"]
    assert not Command.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "misspelt"),
    [
        ("/api/v1/tokens/", {"username": "admin", "expire": 5}, "expire"),
        ("/api/v1/push-batches/", {"enrollment_ids": [1], "al": True}, "al"),
        ("/api/v1/push-certificate/csr/", {"common_name": "MDM", "emial": "a@b.c"}, "emial"),
        (
            "/api/v1/directory/users/",
            {"username": "pat", "password": "long enough", "group": [1]},
            "group",
        ),
        ("/api/v1/profiles/", {"identifier": "com.example.p", "payload": []}, "payload"),
    ],
)
def test_every_json_body_refuses_an_unknown_field(
    admin_api: APIClient, path: str, body: dict[str, Any], misspelt: str
) -> None:
    response = admin_api.post(path, body, format="json")
    assert response.status_code == 400
    error = _error(response)
    assert misspelt in error["fields"], error
    assert "Unknown field" in error["fields"][misspelt][0]


# --- 404s and UUIDs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-endpoint/",
        "/api/v1/devices/not-a-uuid/",
        # Fixed ids no row has: parallel workers must collect the same test names.
        "/api/v1/devices/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f/",
        "/api/v1/devices/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e50/commands/",
        "/api/v1/devices/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e51/capabilities/",
        "/api/v1/commands/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e52/",
        "/api/v1/profiles/987654/",
    ],
)
def test_every_404_is_the_json_envelope(admin_api: APIClient, path: str) -> None:
    response = admin_api.get(path)
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_device_ids_are_accepted_in_either_case(admin_api: APIClient) -> None:
    device = _device("device")
    for public_id in (str(device.public_id).upper(), str(device.public_id).lower()):
        response = admin_api.get(f"/api/v1/devices/{public_id}/")
        assert response.status_code == 200, public_id
        assert response.json()["id"] == str(device.public_id)
        assert admin_api.get(f"/api/v1/devices/{public_id}/commands/").status_code == 200


def test_command_uuids_are_accepted_in_either_case(admin_api: APIClient) -> None:
    device = _device("device")
    queued = admin_api.post(
        "/api/v1/commands/",
        {"command": "DeviceInformation", "devices": [str(device.public_id)]},
        format="json",
    )
    assert queued.status_code == 201
    command_uuid = queued.json()["commands"][0]["uuid"]
    for value in (command_uuid.lower(), command_uuid.upper()):
        response = admin_api.get(f"/api/v1/commands/{value}/")
        assert response.status_code == 200, value
        assert response.json()["uuid"] == command_uuid
