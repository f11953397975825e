"""Entra ID sign-in (authorization code via msal) and Graph import against a local fake authority."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from directory import auth, entra, services
from directory.models import DirectoryGroup, DirectoryUser
from tests.directory.conftest import TENANT, FakeEntra, make_entra_source

pytestmark = pytest.mark.django_db

REDIRECT = "https://mdm.example.test/directory/entra/callback/"


def _sign_in(fake: FakeEntra, source: Any, login: str) -> DirectoryUser:
    url, flow = auth.begin_entra_sign_in(source=source, redirect_uri=REDIRECT, login_hint=login)
    assert url.startswith(f"{fake.base}/{TENANT}/oauth2/v2.0/authorize")
    params = fake.browser(url, login)
    return auth.finish_entra_sign_in(source=source, flow=flow, params=params)


def test_sign_in_creates_user_keyed_on_oid(fake_entra: FakeEntra, entra_source: Any) -> None:
    user = _sign_in(fake_entra, entra_source, "ann@contoso.example")
    assert user.external_id == "00000000-0000-0000-0000-000000000001"
    assert user.upn == "ann@contoso.example"
    assert user.email == "ann@contoso.example"
    assert user.display_name == "Ann"
    assert user.managed_apple_id == "ann@contoso.example"
    again = _sign_in(fake_entra, entra_source, "ann@contoso.example")
    assert again.pk == user.pk


def test_state_mismatch_is_refused(fake_entra: FakeEntra, entra_source: Any) -> None:
    url, flow = auth.begin_entra_sign_in(source=entra_source, redirect_uri=REDIRECT)
    params = fake_entra.browser(url, "ann@contoso.example")
    params["state"] = "forged"
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.finish_entra_sign_in(source=entra_source, flow=flow, params=params)
    assert info.value.code == "wrong_password"
    assert not DirectoryUser.objects.exists()


def test_nonce_mismatch_is_refused(fake_entra: FakeEntra, entra_source: Any) -> None:
    url, flow = auth.begin_entra_sign_in(source=entra_source, redirect_uri=REDIRECT)
    params = fake_entra.browser(url, "ann@contoso.example")
    flow = dict(flow, nonce="another-nonce")  # the id_token carries the original one
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.finish_entra_sign_in(source=entra_source, flow=flow, params=params)
    assert info.value.code == "wrong_password"
    assert not DirectoryUser.objects.exists()


@pytest.fixture
def tampered_tokens(fake_entra: FakeEntra) -> Iterator[FakeEntra]:
    yield fake_entra
    fake_entra.id_token_overrides = {}
    fake_entra.forge_with = None


def _forged(fake: FakeEntra) -> None:
    fake.forge_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _expired(fake: FakeEntra) -> None:
    now = int(time.time())
    fake.id_token_overrides = {"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}


def _wrong_audience(fake: FakeEntra) -> None:
    fake.id_token_overrides = {"aud": "bbbbbbbb-0000-0000-0000-000000000000"}


def _wrong_issuer(fake: FakeEntra) -> None:
    fake.id_token_overrides = {"iss": f"https://login.attacker.example/{TENANT}/v2.0"}


@pytest.mark.parametrize("tamper", [_forged, _expired, _wrong_audience, _wrong_issuer])
def test_an_id_token_that_does_not_validate_is_refused(
    tampered_tokens: FakeEntra, entra_source: Any, tamper: Callable[[FakeEntra], None]
) -> None:
    """The id_token comes from the token endpoint over TLS, but its claims decide who signs in:
    it must be signed by the tenant's published key, for us, by our authority, and current."""
    tamper(tampered_tokens)
    with pytest.raises(auth.AuthenticationFailed) as info:
        _sign_in(tampered_tokens, entra_source, "ann@contoso.example")
    assert info.value.code == "wrong_password"
    assert not DirectoryUser.objects.exists()


def test_the_fake_authority_signs_with_the_key_it_publishes(fake_entra: FakeEntra) -> None:
    """The oracle itself: the fake's id_tokens verify against its own JWKS (and only those)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    discovery = session.get(
        f"{fake_entra.base}/{TENANT}/v2.0/.well-known/openid-configuration",
        verify=str(fake_entra.ca_path),
        timeout=5,
    ).json()
    keys = session.get(discovery["jwks_uri"], verify=str(fake_entra.ca_path), timeout=5).json()
    (published,) = keys["keys"]
    assert published["kid"] == fake_entra.kid and published["kty"] == "RSA"
    token = jwt.encode({"sub": "x"}, fake_entra.signing_key, algorithm="RS256")
    key = jwt.PyJWK(published).key
    assert jwt.decode(token, key=key, algorithms=["RS256"]) == {"sub": "x"}


def test_error_from_authority_is_a_clear_failure(entra_source: Any) -> None:
    _url, flow = auth.begin_entra_sign_in(source=entra_source, redirect_uri=REDIRECT)
    params = {
        "error": "access_denied",
        "error_description": "User cancelled",
        "state": flow["state"],
    }
    with pytest.raises(auth.AuthenticationFailed, match="did not succeed"):
        auth.finish_entra_sign_in(source=entra_source, flow=flow, params=params)


def test_other_tenant_is_not_allowed(fake_entra: FakeEntra, entra_source: Any) -> None:
    fake_entra.tid_override = "99999999-2222-3333-4444-555555555555"
    try:
        with pytest.raises(auth.AuthenticationFailed) as info:
            _sign_in(fake_entra, entra_source, "ann@contoso.example")
    finally:
        fake_entra.tid_override = None
    assert info.value.code == "not_allowed"


def test_allowed_groups_checked_through_graph(fake_entra: FakeEntra, entra_source: Any) -> None:
    services.save_source(source=entra_source, data={"allowed_groups": ["Mobile users"]}, actor=None)
    assert _sign_in(fake_entra, entra_source, "ben@contoso.example").username == (
        "ben@contoso.example"
    )
    with pytest.raises(auth.AuthenticationFailed) as info:
        _sign_in(fake_entra, entra_source, "cid@contoso.example")
    assert info.value.code == "not_allowed"


def test_disabled_here_is_refused(fake_entra: FakeEntra, entra_source: Any) -> None:
    user = _sign_in(fake_entra, entra_source, "ann@contoso.example")
    services.update_user(user=user, data={"enabled": False}, actor=None)
    with pytest.raises(auth.AuthenticationFailed) as info:
        _sign_in(fake_entra, entra_source, "ann@contoso.example")
    assert info.value.code == "disabled"


def test_password_sign_in_points_to_microsoft(entra_source: Any) -> None:
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.authenticate_password(identifier="ann@contoso.example", password="x")
    assert info.value.code == "not_configured"


def test_unreachable_authority(fake_entra: FakeEntra, db: None) -> None:
    source = make_entra_source(fake_entra, authority_host="https://127.0.0.1:1")
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.begin_entra_sign_in(source=source, redirect_uri=REDIRECT)
    assert info.value.code == "unreachable"


def test_untrusted_certificate_is_unreachable(fake_entra: FakeEntra, db: None) -> None:
    source = make_entra_source(fake_entra, authority_ca_pem="")
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.begin_entra_sign_in(source=source, redirect_uri=REDIRECT)
    assert info.value.code == "unreachable"


def test_graph_paging(fake_entra: FakeEntra, entra_source: Any) -> None:
    client = entra.GraphClient(services.entra_config(entra_source))
    pages: list[int] = []
    users = client.users(on_page=pages.append)
    assert len(users) == 5
    assert pages == [2, 4, 5]


def test_import_all_users(fake_entra: FakeEntra, entra_source: Any) -> None:
    run = services.start_import(source=entra_source, selection=[{"type": "all"}], actor=None)
    run = services.execute_import_run(run_id=run.pk)
    assert run.status == "succeeded", run.error
    assert (run.found, run.created) == (5, 5)
    users = {u.username: u for u in DirectoryUser.objects.all()}
    assert users["dee@contoso.example"].enabled is False
    assert users["eli@contoso.example"].managed_apple_id == "eli@contoso.example"  # UPN mapping


def test_import_group_with_non_user_members(fake_entra: FakeEntra, entra_source: Any) -> None:
    run = services.start_import(
        source=entra_source,
        selection=[{"type": "group", "id": "g-0001", "name": "Mobile users"}],
        actor=None,
    )
    run = services.execute_import_run(run_id=run.pk)
    assert run.status == "succeeded", run.error
    group = DirectoryGroup.objects.get(kind="synced")
    assert group.name == "Mobile users"
    assert set(group.members.values_list("username", flat=True)) == {
        "ann@contoso.example",
        "ben@contoso.example",
    }


def test_search(fake_entra: FakeEntra, entra_source: Any) -> None:
    hits = services.search_directory(source=entra_source, query="Mob")
    assert [(h.type, h.id) for h in hits] == [("group", "g-0001")]
    hits = services.search_directory(source=entra_source, query="an")
    assert [(h.type, h.name) for h in hits] == [("user", "Ann")]


def test_sync_disables_users_gone_upstream(fake_entra: FakeEntra, entra_source: Any) -> None:
    services.execute_import_run(
        run_id=services.start_import(
            source=entra_source, selection=[{"type": "all"}], actor=None
        ).pk
    )
    removed = fake_entra.users.pop(2)
    try:
        run = services.execute_import_run(run_id=services.start_sync(source=entra_source).pk)
    finally:
        fake_entra.users.insert(2, removed)
    assert run.status == "succeeded", run.error
    assert run.disabled == 1
    assert DirectoryUser.objects.get(username="cid@contoso.example").enabled is False


def test_bad_client_secret_fails_the_run(fake_entra: FakeEntra, db: None) -> None:
    source = make_entra_source(fake_entra, client_secret="wrong")
    run = services.execute_import_run(
        run_id=services.start_import(source=source, selection=[{"type": "all"}], actor=None).pk
    )
    assert run.status == "failed"
    assert "refused the app credentials" in run.error
    assert not DirectoryUser.objects.exists()


def test_graph_down_mid_import_leaves_nothing(
    fake_entra: FakeEntra, entra_source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = entra.GraphClient.get_all
    calls: list[str] = []

    def flaky(self: entra.GraphClient, path: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(path)
        if len(calls) == 2:
            self.config = entra.EntraConfig(  # the second request goes to a dead port
                **{**self.config.__dict__, "graph_url": "https://127.0.0.1:1"}
            )
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(entra.GraphClient, "get_all", flaky)
    run = services.start_import(
        source=entra_source,
        selection=[{"type": "user", "id": "00000000-0000-0000-0000-000000000001"}, {"type": "all"}],
        actor=None,
    )
    run = services.execute_import_run(run_id=run.pk)
    assert run.status == "failed"
    assert "cannot be reached" in run.error
    assert not DirectoryUser.objects.exists()


def test_source_validation(fake_entra: FakeEntra, db: None) -> None:
    with pytest.raises(services.SourceInvalid) as info:
        make_entra_source(fake_entra, tenant_id="contoso", authority_host="http://login.example")
    assert set(info.value.errors) >= {"tenant_id", "authority_host"}


def _rsa_certificate() -> tuple[Any, str, str]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mdm app")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return cert, cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem


def test_certificate_credential(fake_entra: FakeEntra, db: None) -> None:
    cert, cert_pem, key_pem = _rsa_certificate()
    source = make_entra_source(
        fake_entra, client_secret="", client_certificate_pem=cert_pem, client_key=key_pem
    )
    assert not source.has_client_secret
    assert "BEGIN PRIVATE KEY" not in str(bytes(source.client_key_encrypted))
    fake_entra.client_certificate = cert
    try:
        assert services.test_source(source=source) == "Connected to Microsoft Graph."
    finally:
        fake_entra.client_certificate = None
    with pytest.raises(services.DirectoryError, match="refused the app credentials"):
        services.test_source(source=source)  # the authority no longer trusts the certificate


def test_certificate_must_match_its_key(fake_entra: FakeEntra, db: None) -> None:
    _cert, cert_pem, _key = _rsa_certificate()
    _other, _pem, other_key = _rsa_certificate()
    with pytest.raises(services.SourceInvalid) as info:
        make_entra_source(
            fake_entra, client_secret="", client_certificate_pem=cert_pem, client_key=other_key
        )
    assert "does not belong" in info.value.errors["client_certificate_pem"]
