"""REST API: enrollment settings, configurations and sessions."""

from __future__ import annotations

from typing import Any

import pytest

from enrollment import services
from enrollment.models import EnrollmentConfiguration, EnrollmentSession, EnrollmentSettings
from tests.enrollment.conftest import DOMAIN, PASSWORD

pytestmark = pytest.mark.django_db


def test_settings_read_and_patch(
    org: dict[str, Any], admin_client: Any, helpdesk_client: Any
) -> None:
    data = helpdesk_client.get("/api/v1/enrollment/settings/").json()
    assert data["user_enrollment_enabled"] is True
    assert not any(key.startswith("abm_") for key in data)  # ABM has its own pages
    denied = helpdesk_client.patch(
        "/api/v1/enrollment/settings/", {"token_ttl_minutes": 5}, content_type="application/json"
    )
    assert denied.status_code == 403
    response = admin_client.patch(
        "/api/v1/enrollment/settings/",
        {"token_ttl_minutes": 5},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["token_ttl_minutes"] == 5
    assert EnrollmentSettings.load().token_ttl_minutes == 5
    bad = admin_client.patch(
        "/api/v1/enrollment/settings/", {"device_access_rights": 2}, content_type="application/json"
    )
    assert bad.status_code == 400 and "device_access_rights" in bad.json()["error"]["fields"]


def test_configurations(org: dict[str, Any], admin_client: Any) -> None:
    response = admin_client.post(
        "/api/v1/enrollment/configurations/",
        {"name": "Macs", "domains": ["Corp.example.org"], "family_versions": {"Mac": "mdm-adde"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["domains"] == ["corp.example.org"]
    assert body["well_known_url"].endswith(f"/enroll/discovery/{body['slug']}")
    bad = admin_client.post(
        "/api/v1/enrollment/configurations/",
        {"name": "X", "family_versions": {"Toaster": "mdm-byod"}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    default = services.default_configuration()
    assert (
        admin_client.delete(f"/api/v1/enrollment/configurations/{default.pk}/").status_code == 400
    )
    macs = EnrollmentConfiguration.objects.get(name="Macs")
    assert admin_client.delete(f"/api/v1/enrollment/configurations/{macs.pk}/").status_code == 204


def test_sessions_list_and_revoke(org: dict[str, Any], admin_client: Any) -> None:
    session, _token = services.sign_in_account_user(
        configuration=services.default_configuration(),
        version="mdm-byod",
        identifier=f"alice@{DOMAIN}",
        password=PASSWORD,
    )
    listing = admin_client.get("/api/v1/enrollment/sessions/").json()
    assert listing["results"][0]["public_id"] == session.public_id
    response = admin_client.post(f"/api/v1/enrollment/sessions/{session.public_id}/revoke/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert EnrollmentSession.objects.get().revoked_at is not None
