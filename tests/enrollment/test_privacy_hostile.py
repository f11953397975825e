"""The privacy page and enrollment sign-in given what no browser sends: control characters in the
account or password. A clear 4xx with the sign-in form again, never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests.enrollment.conftest import PASSWORD

URL = "/enroll/privacy/"
CALLBACK = "/enroll/privacy/entra/callback"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("identifier", "password"),
    [("ali\x00ce", PASSWORD), ("alice", "pass\x00word"), ("\x00", "\x00")],
    ids=["nul-account", "nul-password", "nul-both"],
)
def test_nul_characters_in_the_sign_in_form_are_a_clear_refusal(
    org: dict[str, Any], identifier: str, password: str
) -> None:
    client = Client()
    response = client.post(URL, {"identifier": identifier, "password": password})
    assert response.status_code in (400, 401)
    assert 'id="privacy-error"' in response.content.decode()
    # The real account still signs in afterwards (nothing was counted against it by mistake).
    assert client.post(URL, {"identifier": "alice", "password": PASSWORD}).status_code == 303


def test_a_nul_account_with_a_microsoft_source_enabled_is_a_clear_refusal(
    org: dict[str, Any], entra_source: Any
) -> None:
    response = Client().post(URL, {"identifier": "ann\x00@contoso.example", "password": ""})
    assert response.status_code == 400
    assert 'id="privacy-error"' in response.content.decode()


def test_the_enrollment_portal_refuses_a_nul_account_clearly(org: dict[str, Any]) -> None:
    fields = {
        "identifier": "ali\x00ce",
        "password": PASSWORD,
        "platform": "iOS",
        "os_version": "17.5",
        "ownership": "personal",
        "accept_terms": "1",
    }
    response = Client().post("/enroll/", fields)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "tamper",
    [
        {"code": "x\x00y"},
        {"state": "\x00"},
        {"error": "access_denied", "error_description": "The user said no\x00."},
        {"code": "A" * 20000},
    ],
    ids=["nul-code", "nul-state", "microsoft-error", "huge-code"],
)
def test_a_tampered_microsoft_redirect_is_a_clear_refusal(
    org: dict[str, Any], entra_source: Any, fake_entra: Any, tamper: dict[str, str]
) -> None:
    client = Client()
    start = client.post(URL, {"identifier": "ann@contoso.example", "password": ""})
    assert start.status_code == 302
    state = parse_qs(urlsplit(str(start["Location"])).query)["state"][0]
    response = client.get(CALLBACK, {"code": "not-issued", "state": state, **tamper})
    assert response.status_code in (400, 403)
    assert 'id="privacy-error"' in response.content.decode()
    # The pending sign-in was used up: the same redirect again finds none.
    again = client.get(CALLBACK, {"code": "not-issued", "state": state})
    assert again.status_code == 400
