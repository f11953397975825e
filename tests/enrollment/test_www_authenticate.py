"""Every 401 of the enrollment endpoints says how to authenticate (RFC 9110 §15.5.2)."""

from __future__ import annotations

from typing import Any

import pytest

from enrollment import services
from enrollment.models import EnrollmentConfiguration
from tests.enrollment.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_token_endpoint_challenges_an_unknown_client(org: dict[str, Any], client: Any) -> None:
    config = services.default_configuration()
    config.sign_in_method = EnrollmentConfiguration.SignIn.OAUTH2
    config.save()
    for path, form in (
        (f"/enroll/oauth2/{config.slug}/token", {"grant_type": "password", "client_id": "x"}),
        (f"/enroll/oauth2/{config.slug}/token", {}),
        ("/enroll/oauth2/nope/token", {}),
    ):
        response = client.post(path, form)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert response["WWW-Authenticate"].startswith("Basic realm=")


def test_a_wrong_portal_password_is_a_401_with_a_challenge(
    org: dict[str, Any], client: Any
) -> None:
    response = client.post(
        "/enroll/",
        {
            "identifier": "alice",
            "password": PASSWORD + "-wrong",
            "platform": "iOS",
            "os_version": "17.5",
            "ownership": "personal",
            "accept_terms": "1",
        },
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("FormBased realm=")
    assert "not correct" in response.content.decode()
