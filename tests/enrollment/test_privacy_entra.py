"""The privacy page's Microsoft sign-in: an Entra ID account signs in at the (local, fake)
Microsoft with the authorization-code flow (state, nonce and PKCE checked, as at enrollment) and
sees only its own devices; every way of finishing someone else's or a forged sign-in is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from devices.models import Device, Enrollment
from directory.models import DirectoryUser
from tests.devices._rows import enrolled
from tests.devices.conftest import make_device  # noqa: F401 - pytest finds fixtures by name
from tests.directory.conftest import FakeEntra
from tests.simulator import SimulatedDevice

URL = "/enroll/privacy/"
CALLBACK = "/enroll/privacy/entra/callback"
ANN = "ann@contoso.example"

pytestmark = pytest.mark.django_db


def _directory_user(source: Any, fake: FakeEntra, login: str) -> DirectoryUser:
    """The directory user an Entra enrollment creates (keyed on the account's object id)."""
    from directory import services, sync

    entra = fake.user_by_login(login)
    record = sync.UserRecord(
        external_id=entra["id"], username=login, email=entra["mail"], upn=login
    )
    return services.upsert_signed_in_user(source=source, record=record)


@pytest.fixture
def people(
    org: dict[str, Any],
    entra_source: Any,
    fake_entra: FakeEntra,
    make_device: Callable[..., SimulatedDevice],  # noqa: F811
) -> dict[str, Enrollment]:
    """Ann and Ben enrolled with Entra ID, one personal iPhone each."""
    rows = {}
    for login in (ANN, "ben@contoso.example"):
        user = _directory_user(entra_source, fake_entra, login)
        _device, row = enrolled(make_device, platform="iOS", user_enrollment=True)
        Device.objects.filter(pk=row.device_id).update(directory_user=user)
        rows[login] = row
    return rows


def _start(client: Client, identifier: str, password: str = "") -> str:
    """Post the account on the sign-in form; the URL of Microsoft it sends the browser to."""
    response = client.post(URL, {"identifier": identifier, "password": password})
    assert response.status_code == 302, response.content[:400]
    return str(response["Location"])


def test_entra_account_signs_in_at_microsoft_and_sees_only_its_devices(
    people: dict[str, Enrollment], fake_entra: FakeEntra, settings: Any
) -> None:
    client = Client()
    form = client.get(URL).content.decode()
    assert "leave the password empty" in form  # an Entra source is enabled: said so

    # A password typed here for a Microsoft account is never used: off to Microsoft.
    location = _start(client, ANN, password="typed-by-mistake")
    assert location.startswith(f"{fake_entra.base}/")
    query = parse_qs(urlsplit(location).query)
    assert query["redirect_uri"] == [f"{settings.PUBLIC_URL}{CALLBACK}"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["login_hint"] == [ANN]

    response = client.get(CALLBACK, fake_entra.browser(location, ANN))
    assert response.status_code == 303 and response["Location"] == URL
    page = client.get(URL).content.decode()
    assert f'id="device-{people[ANN].public_id}"' in page
    assert f'id="device-{people["ben@contoso.example"].public_id}"' not in page
    assert ANN in page

    # The sign-in was used up: the same redirect again is refused.
    again = client.get(CALLBACK, fake_entra.browser(location, ANN))
    assert again.status_code == 400


def test_a_callback_with_another_state_signs_nobody_in(
    people: dict[str, Enrollment], fake_entra: FakeEntra
) -> None:
    client = Client()
    params = fake_entra.browser(_start(client, ANN), ANN)
    response = client.get(CALLBACK, {**params, "state": "not-the-state-we-sent"})
    assert response.status_code == 403
    assert "Microsoft sign-in did not succeed" in response.content.decode()
    assert 'id="privacy-sign-in"' in client.get(URL).content.decode()


def test_a_redirect_from_another_browser_signs_nobody_in(
    people: dict[str, Enrollment], fake_entra: FakeEntra
) -> None:
    """An attacker's own valid code, sent to a victim's browser (or the other way round),
    finds no sign-in under way in that session."""
    attacker, victim = Client(), Client()
    params = fake_entra.browser(_start(attacker, "ben@contoso.example"), "ben@contoso.example")
    response = victim.get(CALLBACK, params)
    assert response.status_code == 400
    assert "No Microsoft sign-in is under way" in response.content.decode()
    assert 'id="privacy-sign-in"' in victim.get(URL).content.decode()


def test_an_enrollment_sign_in_cannot_be_finished_on_the_privacy_page(
    people: dict[str, Enrollment], fake_entra: FakeEntra
) -> None:
    """The enrollment web sheet's pending Microsoft sign-in waits under its own key."""
    client = Client()
    session = client.session
    session["enrollment_entra"] = {"flow": {"state": "x"}, "source": 1, "identifier": ANN}
    session.save()
    response = client.get(CALLBACK, {"code": "x", "state": "x"})
    assert response.status_code == 400
    assert "enrollment_entra" in client.session  # left for the enrollment callback


def test_a_forged_id_token_signs_nobody_in(
    people: dict[str, Enrollment], fake_entra: FakeEntra
) -> None:
    client = Client()
    location = _start(client, ANN)
    fake_entra.forge_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    try:
        response = client.get(CALLBACK, fake_entra.browser(location, ANN))
    finally:
        fake_entra.forge_with = None
    assert response.status_code == 403
    assert "Microsoft sign-in did not succeed" in response.content.decode()
    assert 'id="privacy-sign-in"' in client.get(URL).content.decode()


def test_an_account_never_enrolled_is_told_so_and_not_added(
    people: dict[str, Enrollment], fake_entra: FakeEntra
) -> None:
    client = Client()
    users = DirectoryUser.objects.count()
    login = "cid@contoso.example"
    response = client.get(CALLBACK, fake_entra.browser(_start(client, login), login))
    assert response.status_code == 403
    assert "no devices enrolled with this server" in response.content.decode()
    assert DirectoryUser.objects.count() == users
    assert 'id="privacy-sign-in"' in client.get(URL).content.decode()


def test_without_an_entra_source_a_password_is_still_required(org: dict[str, Any]) -> None:
    client = Client()
    assert "leave the password empty" not in client.get(URL).content.decode()
    response = client.post(URL, {"identifier": "alice", "password": ""})
    assert response.status_code == 400
    assert "Enter your account and password." in response.content.decode()
