"""Hostile values on the OAuth 2 endpoints of account-driven enrollment: refused, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from enrollment import services
from enrollment.models import EnrollmentConfiguration

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("client_id", ["\u00e9", "\u202e", "\U0001f600"])
@pytest.mark.parametrize("endpoint", ["token", "authorize"])
def test_a_client_id_outside_ascii_is_refused_not_a_500(
    org: dict[str, Any], client: Any, client_id: str, endpoint: str
) -> None:
    """hmac.compare_digest refuses str with characters outside ASCII (it was a TypeError)."""
    config = services.default_configuration()
    config.sign_in_method = EnrollmentConfiguration.SignIn.OAUTH2
    config.save()
    if endpoint == "token":
        url = f"/enroll/oauth2/{config.slug}/token"
        form = {
            "grant_type": "authorization_code",
            "code": "abc",
            "client_id": client_id,
            "redirect_uri": services.OAUTH_REDIRECT_URL,
        }
    else:
        url = f"/enroll/oauth2/{config.slug}/byod/authorize"
        form = {
            "response_type": "code",
            "client_id": client_id,
            "state": "s",
            "redirect_uri": services.OAUTH_REDIRECT_URL,
        }
    response = client.post(url, form)
    assert 400 <= response.status_code < 500, response.content
    if endpoint == "authorize":
        assert 400 <= client.get(url, form).status_code < 500
