"""Account-driven sign-in through LDAP and Entra ID identity sources (real slapd, fake Entra)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from enrollment import services
from enrollment.models import EnrollmentConfiguration, EnrollmentSession
from tests.directory.conftest import PASSWORDS, FakeEntra
from tests.simulator import enrollment_flow as flow

pytestmark = pytest.mark.django_db
PASSWORD_OF_ALICE = PASSWORDS["alice"]
SERVER = "http://127.0.0.1:8000"


@pytest.fixture
def ready(db: None, server_pki: Any, push_topic: str) -> None:
    """Server PKI and push topic; the source fixtures add their Managed Apple ID domains."""


def test_ldap_user_enrolls(ready: None, ldap_source: Any, transport: Any) -> None:
    config = services.default_configuration()
    config.identity_source = ldap_source.name
    config.save()
    result = flow.enroll_account_driven(
        transport,
        SERVER,
        user_identifier="alice@example.com",
        password=PASSWORDS["alice"],
        install=False,
    )
    assert result.mdm_payload["AssignedManagedAppleID"] == "alice@appleid.example.com"
    session = EnrollmentSession.objects.get()
    assert session.user_identifier == "alice@example.com"
    # On the device people type their Managed Apple ID: it signs in as its directory user.
    again = flow.enroll_account_driven(
        transport,
        SERVER,
        user_identifier="alice@appleid.example.com",
        password=PASSWORD_OF_ALICE,
        install=False,
    )
    assert again.mdm_payload["AssignedManagedAppleID"] == "alice@appleid.example.com"
    # A disabled directory account is refused with a clear message.
    url = services.sign_in_url(config, "mdm-byod")
    with pytest.raises(flow.EnrollmentFlowError) as err:
        flow.web_sign_in(
            transport, url, user_identifier="carol@example.com", password=PASSWORDS["carol"]
        )
    assert err.value.status == 403 and b"disabled" in err.value.body


def _entra_idp(fake: FakeEntra, login: str) -> Any:
    def sign_in(url: str) -> str:
        params = fake.browser(url, login)
        return f"{SERVER}/enroll/entra/callback?{urlencode(params)}"

    return sign_in


@pytest.mark.parametrize("method", ["apple-as-web", "apple-oauth2"])
def test_entra_user_enrolls(
    ready: None, entra_source: Any, fake_entra: FakeEntra, transport: Any, method: str
) -> None:
    config = services.default_configuration()
    config.sign_in_method = method
    config.save()
    result = flow.enroll_account_driven(
        transport,
        SERVER,
        user_identifier="ann@contoso.example",
        password="",
        install=False,
        idp=_entra_idp(fake_entra, "ann@contoso.example"),
    )
    assert result.challenge["method"] == method
    assert result.mdm_payload["AssignedManagedAppleID"] == "ann@contoso.example"
    assert EnrollmentSession.objects.get().managed_apple_id == "ann@contoso.example"


def test_entra_callback_without_a_pending_sign_in(ready: None, client: Any) -> None:
    response = client.get("/enroll/entra/callback", {"code": "x", "state": "y"})
    assert response.status_code == 400
    assert not EnrollmentSession.objects.exists()
    assert EnrollmentConfiguration.objects.count() <= 1


def test_a_forged_entra_id_token_enrolls_nobody(
    ready: None, entra_source: Any, fake_entra: FakeEntra, transport: Any
) -> None:
    """The enrollment callback relies on the id_token: one signed by another key is refused."""
    fake_entra.forge_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    try:
        with pytest.raises(flow.EnrollmentFlowError) as err:
            flow.enroll_account_driven(
                transport,
                SERVER,
                user_identifier="ann@contoso.example",
                password="",
                install=False,
                idp=_entra_idp(fake_entra, "ann@contoso.example"),
            )
    finally:
        fake_entra.forge_with = None
    assert 400 <= err.value.status < 500
    assert b"Microsoft sign-in did not succeed" in err.value.body
    assert (
        not EnrollmentSession.objects.filter(managed_apple_id__isnull=False)
        .exclude(managed_apple_id="")
        .exists()
    )
