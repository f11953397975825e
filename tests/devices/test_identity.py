"""Device identity from Mdm-Signature: repeated polls reuse a verification, never the checks."""

from __future__ import annotations

import base64
import datetime as dt
import plistlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from devices import identity
from mdm_server.pki import certificates, cms
from mdm_server.pki import services as pki

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_poll(server_pki: pki.PkiStatus) -> tuple[dict[str, object], bytes, str]:
    """An Idle poll signed with an identity the server issued and recorded (so it can be
    revoked for real)."""
    bundle, _ = pki.issue_identity_pkcs12(reference="E-1", common_name="device", password="pw")
    key, cert, _ = pkcs12.load_key_and_certificates(bundle, b"pw")
    assert isinstance(key, rsa.RSAPrivateKey) and cert is not None
    body = plistlib.dumps({"Status": "Idle", "EnrollmentID": "E-1"})
    signature = cms.sign_detached(body, certificate=cert, key=key, digest="sha1")
    meta: dict[str, object] = {"HTTP_MDM_SIGNATURE": base64.b64encode(signature).decode()}
    identity.forget_cached_state()
    return meta, body, certificates.fingerprint(cert)


def test_a_repeated_poll_is_verified_once(
    signed_poll: tuple[dict[str, object], bytes, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    meta, body, fingerprint = signed_poll
    calls: list[int] = []
    real = cms.read_mdm_signature

    def counting(header: str, content: bytes) -> cms.MdmSignature:
        calls.append(1)
        return real(header, content)

    monkeypatch.setattr(cms, "read_mdm_signature", counting)
    first = identity.identify_meta(meta, body)
    second = identity.identify_meta(meta, body)
    assert first.fingerprint == second.fingerprint == fingerprint
    assert len(calls) == 1

    # The same signature over other bytes is a different pair: verified, and refused.
    with pytest.raises(identity.IdentityError, match="does not verify"):
        identity.identify_meta(meta, body.replace(b"E-1", b"E-2"))
    assert len(calls) == 2


def test_results_that_never_come_again_do_not_push_the_idle_polls_out(
    server_pki: pki.PkiStatus,
    signed_poll: tuple[dict[str, object], bytes, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The remembered pairs are bounded; when full, the one used longest ago goes, not all of
    them: a device's Idle poll, seen again and again, stays remembered while the results of a
    fleet (each body new) pass through."""
    meta, body, _fingerprint = signed_poll
    monkeypatch.setattr(identity, "_VERIFIED_CACHE_MAX", 8)
    bundle, _ = pki.issue_identity_pkcs12(reference="E-2", common_name="other", password="pw")
    key, cert, _ = pkcs12.load_key_and_certificates(bundle, b"pw")
    assert isinstance(key, rsa.RSAPrivateKey) and cert is not None
    identity.identify_meta(meta, body)
    idle_checks: list[int] = []
    real = cms.read_mdm_signature

    def counting(header: str, content: bytes) -> cms.MdmSignature:
        if content == body:
            idle_checks.append(1)
        return real(header, content)

    monkeypatch.setattr(cms, "read_mdm_signature", counting)
    for n in range(20):
        result = plistlib.dumps({"Status": "Acknowledged", "CommandUUID": f"C-{n}"})
        signature = cms.sign_detached(result, certificate=cert, key=key, digest="sha1")
        identity.identify_meta({"HTTP_MDM_SIGNATURE": base64.b64encode(signature).decode()}, result)
        identity.identify_meta(meta, body)  # the device polls between the results
    assert len(identity._verified) <= 8
    assert idle_checks == []  # the Idle poll was never verified again


def test_a_cached_verification_still_meets_revocation_and_expiry(
    signed_poll: tuple[dict[str, object], bytes, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    meta, body, fingerprint = signed_poll
    identity.identify_meta(meta, body)  # now cached

    # Revoked as `manage.py revoke_certificate` does it; a minute later the process has reloaded
    # its revocation list (the cache's load time is moved back, nothing else is touched).
    pki.revoke_certificate(fingerprint=fingerprint, reason="device lost")
    monkeypatch.setattr(identity, "_revoked_cache", (0.0, identity._revoked_cache[1]))
    with pytest.raises(identity.IdentityError, match="revoked"):
        identity.identify_meta(meta, body)
    monkeypatch.undo()

    real_now = dt.datetime.now(dt.UTC)

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            return real_now + dt.timedelta(days=400)

    monkeypatch.setattr(identity.dt, "datetime", Later)
    with pytest.raises(identity.IdentityError, match="expired"):
        identity.identify_meta(meta, body)


def test_a_cached_verification_is_rechecked_against_a_reloaded_ca_list(
    signed_poll: tuple[dict[str, object], bytes, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    meta, body, fingerprint = signed_poll
    assert identity.identify_meta(meta, body).fingerprint == fingerprint  # cached now

    # The server's CA is replaced by another one (every generation of ours gone), and a minute
    # later the process reloads its CA list (the cache's load time is moved back).
    from mdm_server.pki.models import ServerCertificate

    ServerCertificate.objects.all().delete()
    pki.ensure_server_pki(organisation="Another")
    monkeypatch.setattr(identity, "_ca_cache", (0.0, identity._ca_cache[1]))
    with pytest.raises(identity.IdentityError, match="not issued by this server's CA"):
        identity.identify_meta(meta, body)


def test_a_certificate_from_another_ca_is_refused_on_every_request(
    server_pki: pki.PkiStatus,
) -> None:
    # The CMS layer keeps the certificates it loaded; that never makes one trusted.
    key = certificates.new_rsa_key()
    other_ca = certificates.Identity(certificate=certificates.build_ca("Other", key=key), key=key)
    cert = certificates.issue_certificate(
        issuer=other_ca,
        public_key=key.public_key(),
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stranger")]),
        days=2,
        usage="client",
    )
    identity.forget_cached_state()
    cms.forget_templates()
    for n in range(3):
        body = plistlib.dumps({"Status": "Idle", "EnrollmentID": f"E-{n}"})
        signature = cms.sign_detached(body, certificate=cert, key=key)
        meta: dict[str, object] = {"HTTP_MDM_SIGNATURE": base64.b64encode(signature).decode()}
        with pytest.raises(identity.IdentityError, match="not issued by this server's CA"):
            identity.identify_meta(meta, body)
    # Nor does a stranger's signature leave a template behind (cms.remember_mdm_signature).
    assert cms._templates == {}


def test_a_trusted_signers_later_signatures_are_read_by_template(
    server_pki: pki.PkiStatus, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, _ = pki.issue_identity_pkcs12(reference="E-9", common_name="device", password="pw")
    key, cert, _ = pkcs12.load_key_and_certificates(bundle, b"pw")
    assert isinstance(key, rsa.RSAPrivateKey) and cert is not None
    identity.forget_cached_state()
    cms.forget_templates()

    def poll(status: str) -> identity.DeviceIdentity:
        body = plistlib.dumps({"Status": status, "EnrollmentID": "E-9"})
        signature = cms.sign_detached(body, certificate=cert, key=key, digest="sha1")
        meta = {"HTTP_MDM_SIGNATURE": base64.b64encode(signature).decode()}
        return identity.identify_meta(meta, body)

    fingerprint = certificates.fingerprint(cert)
    assert poll("Idle").fingerprint == fingerprint
    assert len(cms._templates) == 1

    def parse(data: bytes, detached_content: bytes | None) -> object:
        raise AssertionError("parsed in full")

    monkeypatch.setattr(cms, "_verify_parsed", parse)
    assert poll("Acknowledged").fingerprint == fingerprint


def test_a_certificate_is_read_once_and_a_changed_one_is_read_again(
    server_pki: pki.PkiStatus, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.simulator import issue_identity

    ca = pki.active_identity("ca")
    first, key = issue_identity(ca, rsa=True)
    # The same key and name, issued again: another certificate, another fingerprint.
    second = certificates.issue_certificate(
        issuer=ca, public_key=first.public_key(), subject=first.subject, days=30, usage="client"
    )
    fingerprints: list[str] = []
    real = certificates.fingerprint

    def counting(cert: x509.Certificate) -> str:
        fingerprints.append(real(cert))
        return fingerprints[-1]

    monkeypatch.setattr(certificates, "fingerprint", counting)
    identity.forget_cached_state()
    assert identity._identity_of.cache_info().maxsize == cms.EMBEDDED_CACHE_SIZE
    seen = []
    for n, cert in enumerate([first, first, first, second, second, first]):
        body = plistlib.dumps({"Status": "Idle", "EnrollmentID": f"E-{n}"})
        signature = cms.sign_detached(body, certificate=cert, key=key)
        meta: dict[str, object] = {"HTTP_MDM_SIGNATURE": base64.b64encode(signature).decode()}
        found = identity.identify_meta(meta, body)
        assert found.fingerprint == real(cert)
        assert found.not_valid_after == cert.not_valid_after_utc
        seen.append(found.fingerprint)
    assert fingerprints == [real(first), real(second)]  # each worked out once
    assert seen[0] != seen[3]
