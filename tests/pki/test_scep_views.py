"""The /scep endpoint end to end through the Django test client, with the real services."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.utils import timezone

from mdm_server.pki import certificates, cms, scep, services
from mdm_server.pki.models import IssuedCertificate, ScepChallenge
from tests.simulator import scep_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scep_urls")]

PKI = "application/x-pki-message"


@pytest.fixture
def ca(server_pki: services.PkiStatus) -> certificates.Identity:
    return server_pki.ca.identity()


def _spki(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _post(client: Client, message: bytes):  # type: ignore[no-untyped-def]
    return client.post("/scep?operation=PKIOperation", data=message, content_type=PKI)


def _enroll(
    client: Client,
    ca: certificates.Identity,
    key: rsa.RSAPrivateKey,
    challenge: str,
    **options: object,
) -> scep_client.IssuedOrFailure:
    message, transaction_id, self_signed = scep_client.build_pkcs_req(
        key=key, subject_cn="device-42", challenge=challenge, ca_cert=ca.certificate, **options
    )
    response = _post(client, message)
    assert response.status_code == 200
    assert response["Content-Type"] == PKI
    result = scep_client.parse_cert_rep(
        response.content, key=key, self_signed_cert=self_signed, ca_cert=ca.certificate
    )
    assert result.transaction_id == transaction_id
    return result


def test_get_ca_caps(client: Client) -> None:
    response = client.get("/scep?operation=GetCACaps")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    caps = response.content.decode().split("\n")
    assert {
        "AES",
        "POSTPKIOperation",
        "SHA-1",
        "SHA-256",
        "SHA-512",
        "SCEPStandard",
        "DES3",
    } <= set(caps)
    assert "Renewal" in caps
    assert "no-cache" in response["Cache-Control"]


def test_get_ca_cert(client: Client, ca: certificates.Identity) -> None:
    response = client.get("/scep?operation=GetCACert")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-x509-ca-cert"
    assert x509.load_der_x509_certificate(response.content) == ca.certificate


@pytest.mark.usefixtures("no_cached_identity")
def test_without_a_ca_the_endpoint_says_so(client: Client, rsa_key: rsa.RSAPrivateKey) -> None:
    response = client.get("/scep?operation=GetCACert")
    assert response.status_code == 503
    assert b"manage.py setup" in response.content
    other = certificates.build_ca("Elsewhere", key=rsa_key)
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="x", ca_cert=other
    )
    assert _post(client, message).status_code == 503


@pytest.mark.parametrize("digest", ["sha1", "sha256"])
@pytest.mark.parametrize("cipher", ["aes128", "aes256", "3des"])
def test_enrollment_issues_a_device_identity(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, cipher: str, digest: str
) -> None:
    # The subject the enrollment profile's SCEP payload asks for, and the device sends.
    challenge = services.create_scep_challenge(reference="session-7", subject="device-42")
    result = _enroll(client, ca, rsa_key, challenge, cipher=cipher, digest=digest)
    assert result.ok, result
    cert = result.certificate
    assert certificates.is_issued_by(cert, ca.certificate)
    assert _spki(cert.public_key()) == _spki(rsa_key.public_key())
    assert cert.subject.rfc4514_string() == "CN=device-42"
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH in eku

    row = services.find_issued_certificate(certificates.fingerprint(cert))
    assert row is not None
    assert row.reference == "session-7"
    assert row.source == IssuedCertificate.Source.SCEP
    assert row.serial == format(cert.serial_number, "x")
    assert row.certificate == cert
    assert row.not_after == cert.not_valid_after_utc
    assert ScepChallenge.objects.get(reference="session-7").used_at is not None


@pytest.mark.postgres  # one statement on PostgreSQL; elsewhere a transaction of two
def test_enrollment_claims_and_records_in_one_statement(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    challenge = services.create_scep_challenge(
        reference="one-statement", renews="ab" * 32, subject="d"
    )
    message, _, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge=challenge, ca_cert=ca.certificate
    )
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, message)
    result = scep_client.parse_cert_rep(
        response.content, key=rsa_key, self_signed_cert=self_signed, ca_cert=ca.certificate
    )
    assert result.ok
    # No savepoint either: the claim and the row are one statement (besides the read of which
    # CA is active, which the configuration cache keeps between a test's changes).
    statements = [q["sql"] for q in queries if "pki_servercertificate" not in q["sql"]]
    assert [s.split(" (")[0] for s in statements] == ["WITH claimed"], statements
    row = IssuedCertificate.objects.get()
    assert (row.reference, row.renews) == ("one-statement", "ab" * 32)
    assert result.certificate is not None
    assert row.fingerprint == certificates.fingerprint(result.certificate)
    assert ScepChallenge.objects.get().used_at is not None


def test_pki_operation_by_get(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    challenge = services.create_scep_challenge(reference="by-get")
    message, _, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge=challenge, ca_cert=ca.certificate
    )
    encoded = quote(base64.b64encode(message).decode(), safe="")
    response = client.get(f"/scep?operation=PKIOperation&message={encoded}")
    assert response.status_code == 200
    result = scep_client.parse_cert_rep(
        response.content, key=rsa_key, self_signed_cert=self_signed, ca_cert=ca.certificate
    )
    assert result.ok


def test_version_2_csr(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    challenge = services.create_scep_challenge(reference="old-device")
    result = _enroll(client, ca, rsa_key, challenge, cipher="3des", digest="sha1", csr_version=2)
    assert result.ok
    assert IssuedCertificate.objects.filter(reference="old-device").count() == 1


def _assert_refused(result: scep_client.IssuedOrFailure, fail_info: scep.FailInfo) -> None:
    assert result.status == scep.PkiStatus.FAILURE
    assert result.fail_info == fail_info
    assert result.certificate is None


def test_wrong_challenge(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    services.create_scep_challenge(reference="r")
    _assert_refused(_enroll(client, ca, rsa_key, "not-the-challenge"), scep.FailInfo.BAD_REQUEST)
    _assert_refused(_enroll(client, ca, rsa_key, ""), scep.FailInfo.BAD_REQUEST)
    assert not IssuedCertificate.objects.exists()
    assert ScepChallenge.objects.get().used_at is None


def test_challenge_is_single_use(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
) -> None:
    challenge = services.create_scep_challenge(reference="once")
    assert _enroll(client, ca, rsa_key, challenge).ok
    _assert_refused(_enroll(client, ca, other_rsa_key, challenge), scep.FailInfo.BAD_REQUEST)
    assert IssuedCertificate.objects.count() == 1


def test_challenge_claim_without_update_returning(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQLite before 3.35 has no UPDATE ... RETURNING: the challenge is claimed after a SELECT.
    # (The one-statement claim says so by answering None; the database's feature flag itself is
    # left alone, since the ORM's own INSERTs on PostgreSQL cannot do without RETURNING.)
    monkeypatch.setattr(services, "_claim_challenge", lambda digest, now: None)
    monkeypatch.setattr(services, "_issue_claimed", lambda opened, ca, days: (None, False))
    challenge = services.create_scep_challenge(reference="old-sqlite")
    assert _enroll(client, ca, rsa_key, challenge).ok
    assert ScepChallenge.objects.get().used_at is not None
    _assert_refused(_enroll(client, ca, other_rsa_key, challenge), scep.FailInfo.BAD_REQUEST)
    assert IssuedCertificate.objects.get().reference == "old-sqlite"


def test_resent_request_gets_the_same_certificate(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    # RFC 8894 §3.3.1: a client that lost the reply resends the same PKCSReq.
    challenge = services.create_scep_challenge(reference="resend")
    message, _, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge=challenge, ca_cert=ca.certificate
    )
    results = [
        scep_client.parse_cert_rep(
            _post(client, message).content,
            key=rsa_key,
            self_signed_cert=self_signed,
            ca_cert=ca.certificate,
        )
        for _ in range(2)
    ]
    assert results[0].ok and results[1].ok
    assert results[0].certificate == results[1].certificate
    assert IssuedCertificate.objects.count() == 1


def test_expired_challenge(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    challenge = services.create_scep_challenge(reference="late", ttl_seconds=60)
    ScepChallenge.objects.filter(reference="late").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    _assert_refused(_enroll(client, ca, rsa_key, challenge), scep.FailInfo.BAD_REQUEST)
    assert not IssuedCertificate.objects.exists()


def test_tampered_signature_is_bad_message_check(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    challenge = services.create_scep_challenge(reference="t")
    message, _, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge=challenge, ca_cert=ca.certificate
    )
    tampered = bytearray(message)
    tampered[-1] ^= 0x55
    response = _post(client, bytes(tampered))
    assert response.status_code == 200
    result = scep_client.parse_cert_rep(
        response.content, key=rsa_key, self_signed_cert=self_signed, ca_cert=ca.certificate
    )
    _assert_refused(result, scep.FailInfo.BAD_MESSAGE_CHECK)
    assert ScepChallenge.objects.get().used_at is None


def test_request_encrypted_for_another_ca(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
) -> None:
    challenge = services.create_scep_challenge(reference="x")
    other = certificates.build_ca("Other", key=other_rsa_key)
    message, _, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge=challenge, ca_cert=other
    )
    result = scep_client.parse_cert_rep(
        _post(client, message).content,
        key=rsa_key,
        self_signed_cert=self_signed,
        ca_cert=ca.certificate,
    )
    _assert_refused(result, scep.FailInfo.BAD_MESSAGE_CHECK)
    assert not IssuedCertificate.objects.exists()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/scep", b"missing `operation`"),
        ("/scep?operation=GetNextCACert", b"unknown SCEP operation"),
        ("/scep?operation=PKIOperation", b"base64 `message`"),
        ("/scep?operation=PKIOperation&message=%%%%", b"not valid base64"),
        ("/scep?operation=PKIOperation&message=QUJD", b"not a SCEP message"),
    ],
)
def test_bad_get_requests(
    client: Client, ca: certificates.Identity, url: str, reason: bytes
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert reason in response.content


@pytest.mark.parametrize(
    "body",
    [b"", b"garbage", b"\x30\x80\x00\x00", b"\x30\x82\xff\xff", b"\xa0" * 5000],
)
def test_garbage_posts_get_400_and_store_nothing(
    client: Client, ca: certificates.Identity, body: bytes
) -> None:
    response = _post(client, body)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert not IssuedCertificate.objects.exists()


def test_signed_data_that_is_not_scep(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = certificates.issue_certificate(
        issuer=ca,
        public_key=rsa_key.public_key(),
        subject=x509.Name([]),
        days=1,
        usage="client",
    )
    from mdm_server.pki import cms

    response = _post(client, cms.sign_attached(b"<plist/>", certificate=cert, key=rsa_key))
    assert response.status_code == 400
    assert b"no messageType" in response.content or b"not a SCEP message" in response.content


def test_other_methods_are_not_allowed(client: Client) -> None:
    assert client.put("/scep?operation=GetCACaps").status_code == 405


def test_openssl_accepts_the_cert_rep_from_the_endpoint(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl: Callable[..., object],
    tmp_path: Path,
) -> None:
    challenge = services.create_scep_challenge(reference="openssl")
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge=challenge, ca_cert=ca.certificate, cipher="aes256"
    )
    (tmp_path / "rep.der").write_bytes(_post(client, message).content)
    (tmp_path / "ca.pem").write_text(certificates.cert_to_pem(ca.certificate))
    (tmp_path / "req.key").write_bytes(certificates.key_to_pem(rsa_key))
    verify = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "rep.der",
        "-CAfile", tmp_path / "ca.pem", "-purpose", "any", "-out", tmp_path / "env.der",
        check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    decrypt = openssl(
        "cms", "-decrypt", "-binary", "-inform", "DER", "-in", tmp_path / "env.der",
        "-inkey", tmp_path / "req.key", "-out", tmp_path / "certs.p7", check=False,
    )  # fmt: skip
    assert decrypt.returncode == 0, decrypt.stderr
    pem = openssl("pkcs7", "-inform", "DER", "-in", tmp_path / "certs.p7", "-print_certs").stdout
    (issued,) = x509.load_pem_x509_certificates(pem)
    assert services.find_issued_certificate(certificates.fingerprint(issued)) is not None


def _renew(
    client: Client,
    ca: certificates.Identity,
    *,
    current: x509.Certificate,
    current_key: rsa.RSAPrivateKey,
    new_key: rsa.RSAPrivateKey,
) -> scep_client.IssuedOrFailure:
    message, _ = scep_client.build_renewal_req(
        key=new_key,
        subject_cn="device-42-renewed",
        current_cert=current,
        current_key=current_key,
        ca_cert=ca.certificate,
    )
    response = _post(client, message)
    assert response.status_code == 200
    return scep_client.parse_cert_rep(
        response.content,
        key=current_key,
        self_signed_cert=current,
        ca_cert=ca.certificate,
        new_key=new_key,
    )


def test_renewal_with_a_new_key(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
) -> None:
    first = _enroll(client, ca, rsa_key, services.create_scep_challenge(reference="renew-me"))
    assert first.ok
    renewed = _renew(
        client, ca, current=first.certificate, current_key=rsa_key, new_key=other_rsa_key
    )
    assert renewed.ok, renewed
    assert renewed.certificate != first.certificate
    assert _spki(renewed.certificate.public_key()) == _spki(other_rsa_key.public_key())
    assert certificates.is_issued_by(renewed.certificate, ca.certificate)
    row = services.find_issued_certificate(certificates.fingerprint(renewed.certificate))
    assert row is not None and row.reference == "renew-me"
    assert IssuedCertificate.objects.filter(reference="renew-me").count() == 2


def test_renewal_refused_for_revoked_or_unknown_certificates(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
) -> None:
    first = _enroll(client, ca, rsa_key, services.create_scep_challenge(reference="lost"))
    services.revoke_certificate(
        fingerprint=certificates.fingerprint(first.certificate), reason="device lost"
    )
    revoked = _renew(
        client, ca, current=first.certificate, current_key=rsa_key, new_key=other_rsa_key
    )
    _assert_refused(revoked, scep.FailInfo.BAD_REQUEST)
    # A certificate this CA never issued (here: the requester's own self-signed one).
    _message, _tid, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="", ca_cert=ca.certificate
    )
    unknown = _renew(client, ca, current=self_signed, current_key=rsa_key, new_key=other_rsa_key)
    _assert_refused(unknown, scep.FailInfo.BAD_CERT_ID)
    assert IssuedCertificate.objects.count() == 1


def test_renewal_refused_for_an_expired_certificate(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
) -> None:
    expired = certificates.issue_certificate(
        issuer=ca,
        public_key=rsa_key.public_key(),
        subject=x509.Name([]),
        days=0,
        usage="client",
    )
    services._record_issued(cert=expired, reference="old", source=IssuedCertificate.Source.SCEP)
    result = _renew(client, ca, current=expired, current_key=rsa_key, new_key=other_rsa_key)
    _assert_refused(result, scep.FailInfo.BAD_TIME)


def test_unreadable_ca_key_is_a_clear_503(
    client: Client, server_pki: services.PkiStatus, settings, no_cached_identity: None
) -> None:  # type: ignore[no-untyped-def]
    settings.ENCRYPTION_KEY = "a different key than the one the CA key was stored with"
    services.forget_identities()
    response = client.get("/scep?operation=GetCACert")
    assert response.status_code == 503
    assert b"MDM_ENCRYPTION_KEY" in response.content
    services.forget_identities()


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-pki-message; smime-type=pkcs7-request",
        "Application/X-PKI-Message",
        "application/octet-stream",
        "",  # no Content-Type
    ],
)
def test_pki_operation_media_types_clients_send(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    content_type: str,
) -> None:
    challenge = services.create_scep_challenge(reference="media-type")
    message, _, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge=challenge, ca_cert=ca.certificate
    )
    response = client.post("/scep?operation=PKIOperation", data=message, content_type=content_type)
    assert response.status_code == 200, response.content
    result = scep_client.parse_cert_rep(
        response.content, key=rsa_key, self_signed_cert=self_signed, ca_cert=ca.certificate
    )
    assert result.ok, result


def test_pki_operation_of_another_media_type_is_415(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    challenge = services.create_scep_challenge(reference="form")
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge=challenge, ca_cert=ca.certificate
    )
    response = client.post(
        "/scep?operation=PKIOperation", data=message, content_type="text/html; charset=utf-8"
    )
    assert response.status_code == 415
    assert b"application/x-pki-message, not text/html" in response.content
    assert ScepChallenge.objects.get(reference="form").used_at is None


def test_single_des_request_gets_a_bad_alg_cert_rep_by_default(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl_envelope: Callable[..., scep_client.Envelope],
) -> None:
    challenge = services.create_scep_challenge(reference="des-default")
    result = _enroll(
        client, ca, rsa_key, challenge,
        envelope=openssl_envelope("-des", "-provider", "legacy", "-provider", "default"),
    )  # fmt: skip
    assert result.status == scep.PkiStatus.FAILURE
    assert result.fail_info == scep.FailInfo.BAD_ALG
    assert "single DES" in result.fail_info_text
    # Nothing issued, and the challenge is still good for a request the CA can accept.
    assert not IssuedCertificate.objects.filter(reference="des-default").exists()
    assert ScepChallenge.objects.get(reference="des-default").used_at is None
    assert _enroll(client, ca, rsa_key, challenge).ok


def test_single_des_request_is_answered_when_the_legacy_setting_is_on(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl_envelope: Callable[..., scep_client.Envelope],
    settings: Any,
) -> None:
    settings.MDM_SCEP_ALLOW_DES = True
    challenge = services.create_scep_challenge(reference="des-legacy")
    result = _enroll(
        client, ca, rsa_key, challenge,
        envelope=openssl_envelope("-des", "-provider", "legacy", "-provider", "default"),
    )  # fmt: skip
    assert result.ok, result
    assert _spki(result.certificate.public_key()) == _spki(rsa_key.public_key())
    assert IssuedCertificate.objects.get(reference="des-legacy").fingerprint == (
        certificates.fingerprint(result.certificate)
    )


def test_openssl_streamed_ber_request_is_issued(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl_envelope: Callable[..., scep_client.Envelope],
) -> None:
    challenge = services.create_scep_challenge(reference="ber")
    result = _enroll(
        client, ca, rsa_key, challenge,
        envelope=openssl_envelope("-aes256", "-stream", "-indef"),
    )  # fmt: skip
    assert result.ok, result


@pytest.mark.parametrize("transaction_id", ["\u20ac-42", "\u8bbe\u5907", "ok_latin-1_\u00e9"])
def test_any_text_transaction_id_is_echoed_not_a_500(
    client: Client, ca: certificates.Identity, transaction_id: str
) -> None:
    """A client may write its transactionID as a UTF8String with any text (RFC 8894 says
    PrintableString): the CertRep echoes the same text, written as a PrintableString when
    latin-1 holds it, else as a UTF8String. It used to raise inside the CertRep: a 500."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = scep_client._self_signed(
        key, x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "device")])
    )
    message = cms.build_signed_data(
        scep.encrypt_envelope(b"not a CSR", recipient=ca.certificate, cipher="aes128"),
        certificate=signer,
        key=key,
        extra_attributes=[
            cms.attribute(scep.OID_MESSAGE_TYPE, core.PrintableString("19")),
            cms.attribute(scep.OID_TRANSACTION_ID, core.UTF8String(transaction_id)),
            cms.attribute(scep.OID_SENDER_NONCE, core.OctetString(b"n" * 16)),
        ],
    )
    response = _post(client, message)
    assert response.status_code == 200
    reply = scep.read_attributes(cms.verify_signed_data(response.content))
    assert reply["transaction_id"] == transaction_id
    assert reply["pki_status"] == scep.PkiStatus.FAILURE.value


def _signed_with_transaction_id(value: bytes) -> bytes:
    """A PKCSReq signed by a new self-signed device whose transactionID attribute holds the
    encoded `value`, written as it is (whatever its type)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = scep_client._self_signed(
        key, x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "device")])
    )
    return cms.build_signed_data(
        b"x",
        certificate=signer,
        key=key,
        extra_attributes=[
            cms.attribute(scep.OID_MESSAGE_TYPE, core.PrintableString("19")),
            cms.der(
                0x30, core.ObjectIdentifier(scep.OID_TRANSACTION_ID).dump() + cms.der(0x31, value)
            ),
            cms.attribute(scep.OID_SENDER_NONCE, core.OctetString(b"n" * 16)),
        ],
    )


@pytest.mark.parametrize("nested_tag", [0x30, 0x24], ids=["SEQUENCE", "constructed OCTET STRING"])
def test_a_deeply_nested_attribute_value_is_a_400_not_a_500(
    client: Client, ca: certificates.Identity, nested_tag: int
) -> None:
    """A transactionID of 1,200 nested values (4.6 kB, far below the size limit): asn1crypto
    reads it by recursion, one frame a level, and raised RecursionError, which no handler took:
    a 500, signed or not."""
    deep = cms.der(0x04 if nested_tag == 0x24 else 0x05, b"")
    for _ in range(1200):
        deep = cms.der(nested_tag, deep)
    response = _post(client, _signed_with_transaction_id(deep))
    assert response.status_code == 400
    assert b"transactionID" in response.content


@pytest.mark.parametrize("tag", [0x07, 0x08, 0x09], ids=["ObjectDescriptor", "EXTERNAL", "REAL"])
@pytest.mark.parametrize("signature", ["verified", "tampered"])
def test_an_attribute_value_asn1crypto_has_no_value_for_is_a_400_not_a_500(
    client: Client, ca: certificates.Identity, tag: int, signature: str
) -> None:
    """A transactionID written as an ObjectDescriptor, an EXTERNAL (INSTANCE OF) or a REAL:
    asn1crypto loads it as a class without `native`, and the AttributeError escaped every
    handler: a 500, signed or not (found comparing readings of changed SCEP requests)."""
    message = _signed_with_transaction_id(cms.der(tag, b"\x00"))
    if signature == "tampered":
        message = message[:-1] + bytes([message[-1] ^ 0xFF])
    response = _post(client, message)
    assert response.status_code == 400
    assert b"transactionID" in response.content


def test_a_version_2_csr_whose_subject_value_has_no_value_is_refused_not_a_500(
    client: Client, ca: certificates.Identity
) -> None:
    """A version-2 CSR (read by asn1crypto, as older Apple devices send it) whose subject holds
    an ObjectDescriptor: reading the subject raised AttributeError, which neither the CSR
    reader nor the request's handlers took: a 500. Now a CertRep FAILURE badRequest."""
    from asn1crypto import csr as asn1_csr
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    challenge = services.create_scep_challenge(reference="odd-subject")
    oid = core.ObjectIdentifier("1.2.3.4").dump()  # a type asn1crypto reads as Any
    value = cms.der(0x07, b"\x00")  # ObjectDescriptor
    subject = cms.der(0x30, cms.der(0x31, cms.der(0x30, oid + value)))
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    info = asn1_csr.CertificationRequestInfo(
        {
            "version": 2,
            "subject": asn1_x509.Name.load(subject),
            "subject_pk_info": asn1_keys.PublicKeyInfo.load(spki),
            "attributes": [
                {
                    "type": "challenge_password",
                    "values": [asn1_x509.DirectoryString(name="utf8_string", value=challenge)],
                }
            ],
        }
    )
    csr = asn1_csr.CertificationRequest(
        {
            "certification_request_info": info,
            "signature_algorithm": {"algorithm": "sha256_rsa"},
            "signature": key.sign(info.dump(), padding.PKCS1v15(), hashes.SHA256()),
        }
    ).dump()
    message, signer = scep_client.pkcs_req_for_csr(
        key=key, csr_der=csr, ca_cert=ca.certificate, signer_cn="device"
    )
    response = _post(client, message)
    assert response.status_code == 200
    result = scep_client.parse_cert_rep(
        response.content, key=key, self_signed_cert=signer, ca_cert=ca.certificate
    )
    assert result.status == scep.PkiStatus.FAILURE
    assert result.fail_info == scep.FailInfo.BAD_REQUEST
    assert not IssuedCertificate.objects.filter(reference="odd-subject").exists()
