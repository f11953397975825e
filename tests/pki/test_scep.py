"""SCEP messages without a database: PKCSReq in, CertRep out, cross-checked with openssl."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import AttributeOID, NameOID

from mdm_server.pki import certificates, cms, scep
from tests.simulator import scep_client

CIPHERS = ["aes128", "aes256", "3des"]
DIGESTS = ["sha1", "sha256"]


def _spki(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _answer(message: bytes, ca: certificates.Identity) -> tuple[bytes, x509.Certificate | None]:
    """What the server does, minus the database: verify, decrypt, issue, reply."""
    request = scep.parse_pki_message(message)
    try:
        opened = scep.open_pkcs_req(request, ca=ca)
    except scep.ScepFailure as failure:
        return scep.build_cert_rep_failure(
            request, ca=ca, fail_info=failure.fail_info, reason=failure.reason
        ), None
    issued = certificates.issue_certificate(
        issuer=ca,
        public_key=opened.csr.public_key,
        subject=opened.csr.subject,
        days=30,
        usage="client",
    )
    return scep.build_cert_rep_success(opened, ca=ca, issued=issued), issued


@pytest.mark.parametrize("digest", DIGESTS)
@pytest.mark.parametrize("cipher", CIPHERS)
def test_round_trip(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, cipher: str, digest: str
) -> None:
    message, transaction_id, self_signed = scep_client.build_pkcs_req(
        key=rsa_key,
        subject_cn="device-1",
        challenge="open sesame",
        ca_cert=test_ca.certificate,
        cipher=cipher,
        digest=digest,
    )
    request = scep.parse_pki_message(message)
    assert request.message_type == scep.MessageType.PKCS_REQ
    assert request.transaction_id == transaction_id
    assert request.signer == self_signed
    opened = scep.open_pkcs_req(request, ca=test_ca)
    assert opened.cipher == cipher
    assert opened.csr.challenge_password == "open sesame"
    assert _spki(opened.csr.public_key) == _spki(rsa_key.public_key())

    reply, issued = _answer(message, test_ca)
    verified = cms.verify_signed_data(reply)
    assert verified.digest_algorithm == digest  # the CA answers with the requester's digest
    result = scep_client.parse_cert_rep(
        reply, key=rsa_key, self_signed_cert=self_signed, ca_cert=test_ca.certificate
    )
    assert result.ok
    assert result.certificate == issued
    assert result.transaction_id == transaction_id
    assert result.recipient_nonce == request.sender_nonce
    assert certificates.is_issued_by(result.certificate, test_ca.certificate)
    assert result.certificate.subject.rfc4514_string() == "CN=device-1"


def test_version_2_csr_goes_through_the_fallback(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old-iphone")])
    csr_der = scep_client.build_csr(key=rsa_key, name=name, challenge="pw", version=2)
    with pytest.raises(x509.InvalidVersion):
        x509.load_der_x509_csr(csr_der)  # why the fallback exists
    info = scep.parse_csr(csr_der)
    assert info.challenge_password == "pw"
    assert info.subject == name
    assert _spki(info.public_key) == _spki(rsa_key.public_key())

    message, _, self_signed = scep_client.build_pkcs_req(
        key=rsa_key,
        subject_cn="old-iphone",
        challenge="pw",
        ca_cert=test_ca.certificate,
        cipher="3des",
        digest="sha1",
        csr_version=2,
    )
    reply, _issued = _answer(message, test_ca)
    result = scep_client.parse_cert_rep(
        reply, key=rsa_key, self_signed_cert=self_signed, ca_cert=test_ca.certificate
    )
    assert result.ok
    assert _spki(result.certificate.public_key()) == _spki(rsa_key.public_key())


@pytest.mark.parametrize("version", [0, 2])
def test_csr_with_a_broken_signature(rsa_key: rsa.RSAPrivateKey, version: int) -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    csr_der = bytearray(
        scep_client.build_csr(key=rsa_key, name=name, challenge="pw", version=version)
    )
    csr_der[-1] ^= 0x01
    with pytest.raises(scep.ScepFailure) as failure:
        scep.parse_csr(bytes(csr_der))
    assert failure.value.fail_info == scep.FailInfo.BAD_MESSAGE_CHECK


def test_csr_garbage_and_missing_challenge(rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(scep.ScepFailure) as failure:
        scep.parse_csr(b"\x30\x03\x02\x01\x00")
    assert failure.value.fail_info == scep.FailInfo.BAD_REQUEST
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    assert (
        scep.parse_csr(
            scep_client.build_csr(key=rsa_key, name=name, challenge="")
        ).challenge_password
        is None
    )


@pytest.mark.parametrize(
    "make_key",
    [
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505
        lambda: ec.generate_private_key(ec.SECP192R1()),
        lambda: ec.generate_private_key(ec.SECP256K1()),
    ],
    ids=["rsa-1024", "ec-p192", "ec-secp256k1"],
)
def test_a_csr_key_weaker_than_the_profiles_ask_is_bad_alg(make_key: Any) -> None:
    """The CA signs no identity for a key its enrollment profiles never ask for (RSA 2048):
    RSA under 2048 bits, or an EC curve other than P-256, P-384 and P-521."""
    key = make_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    csr_der = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(name)
        .add_attribute(AttributeOID.CHALLENGE_PASSWORD, b"pw")
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    with pytest.raises(scep.ScepFailure) as failure:
        scep.parse_csr(csr_der)
    assert failure.value.fail_info == scep.FailInfo.BAD_ALG


@pytest.mark.parametrize(
    "make_key",
    [
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        lambda: ec.generate_private_key(ec.SECP256R1()),
        lambda: ec.generate_private_key(ec.SECP384R1()),
    ],
    ids=["rsa-2048", "ec-p256", "ec-p384"],
)
def test_a_csr_key_the_profiles_ask_for_is_read(make_key: Any) -> None:
    key = make_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    csr_der = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(name)
        .add_attribute(AttributeOID.CHALLENGE_PASSWORD, b"pw")
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    assert scep.parse_csr(csr_der).challenge_password == "pw"


def test_failure_reply(test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey) -> None:
    message, transaction_id, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=test_ca.certificate
    )
    request = scep.parse_pki_message(message)
    reply = scep.build_cert_rep_failure(
        request, ca=test_ca, fail_info=scep.FailInfo.BAD_REQUEST, reason="wrong challenge"
    )
    result = scep_client.parse_cert_rep(
        reply, key=rsa_key, self_signed_cert=self_signed, ca_cert=test_ca.certificate
    )
    assert not result.ok
    assert result.status == scep.PkiStatus.FAILURE
    assert result.fail_info == scep.FailInfo.BAD_REQUEST
    assert result.fail_info_text == "wrong challenge"
    assert result.transaction_id == transaction_id
    assert result.recipient_nonce == request.sender_nonce


def test_cert_rep_attributes_are_der_sorted(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=test_ca.certificate
    )
    reply, _ = _answer(message, test_ca)
    attrs = cms.verify_signed_data(reply).signed_attributes
    encoded = [a.dump() for a in attrs]
    assert encoded == sorted(encoded)
    types = {a["type"].dotted for a in attrs}
    assert {
        scep.OID_MESSAGE_TYPE,
        scep.OID_PKI_STATUS,
        scep.OID_TRANSACTION_ID,
        scep.OID_SENDER_NONCE,
        scep.OID_RECIPIENT_NONCE,
    } <= types


def _asn1crypto_attributes(**values: Any) -> list[bytes]:
    """The SCEP attributes as asn1crypto writes them from `cms.attribute` (what
    `scep_attributes` wrote before it assembled them from encoded parts)."""
    attrs = [
        cms.attribute(scep.OID_MESSAGE_TYPE, core.PrintableString(values["message_type"].value)),
        cms.attribute(scep.OID_TRANSACTION_ID, core.PrintableString(values["transaction_id"])),
        cms.attribute(scep.OID_SENDER_NONCE, core.OctetString(values["sender_nonce"])),
    ]
    if values.get("recipient_nonce") is not None:
        nonce = core.OctetString(values["recipient_nonce"])
        attrs.append(cms.attribute(scep.OID_RECIPIENT_NONCE, nonce))
    if values.get("status") is not None:
        status = core.PrintableString(values["status"].value)
        attrs.append(cms.attribute(scep.OID_PKI_STATUS, status))
    if values.get("fail_info") is not None:
        fail_info = core.PrintableString(str(int(values["fail_info"])))
        attrs.append(cms.attribute(scep.OID_FAIL_INFO, fail_info))
    if values.get("fail_info_text"):
        text = core.UTF8String(values["fail_info_text"][:200])
        attrs.append(cms.attribute(scep.OID_FAIL_INFO_TEXT, text))
    return [a.dump() for a in attrs]


@pytest.mark.parametrize(
    "values",
    [
        {"transaction_id": "A1B2", "sender_nonce": b"n" * 16},
        {  # a success reply
            "transaction_id": "F" * 64,
            "sender_nonce": b"\x00" * 16,
            "recipient_nonce": b"\xff" * 16,
            "status": scep.PkiStatus.SUCCESS,
        },
        {  # long values: two- and three-byte DER lengths; the text is cut at 200 characters
            "transaction_id": "t" * 200,
            "sender_nonce": b"s" * 300,
            "recipient_nonce": b"",
            "status": scep.PkiStatus.FAILURE,
            "fail_info": scep.FailInfo.BAD_CERT_ID,
            "fail_info_text": "d\u00e9j\u00e0 \u20ac " * 60,
        },
        {  # latin-1 beyond ASCII, as asn1crypto writes a PrintableString
            "transaction_id": "caf\u00e9 \u00ff",
            "sender_nonce": b"n",
            "status": scep.PkiStatus.PENDING,
            "fail_info": scep.FailInfo.BAD_ALG,
            "fail_info_text": "x",
        },
    ],
)
@pytest.mark.parametrize("message_type", list(scep.MessageType))
def test_scep_attributes_are_the_der_asn1crypto_writes(
    values: dict[str, Any], message_type: scep.MessageType
) -> None:
    values = {**values, "message_type": message_type}
    assert scep.scep_attributes(**values) == _asn1crypto_attributes(**values)


def test_a_transaction_id_outside_latin_1_is_written_as_a_utf8_string() -> None:
    """asn1crypto cannot write it as a PrintableString (latin-1 raises); the CertRep echoes
    it as a UTF8String of the same text, as asn1crypto writes one."""
    values: dict[str, Any] = {
        "message_type": scep.MessageType.CERT_REP,
        "transaction_id": "\u20ac",
        "sender_nonce": b"n",
    }
    with pytest.raises(UnicodeEncodeError):
        _asn1crypto_attributes(**values)
    written = scep.scep_attributes(**values)
    expected = cms.attribute(scep.OID_TRANSACTION_ID, core.UTF8String("\u20ac")).dump()
    assert written[1] == expected


@pytest.mark.parametrize("cipher", ["3des", "aes192", "des"])
def test_envelope_is_the_der_asn1crypto_writes(test_ca: certificates.Identity, cipher: str) -> None:
    """The envelopes cryptography's builder does not write (3DES, AES-192, legacy single DES)
    are assembled from encoded parts; asn1crypto, given the same values, must write the very
    same bytes (the 256-byte key and a 4 kB body take long DER lengths)."""
    key, recipient = test_ca.key, test_ca.certificate
    body = b"content " * 500
    enveloped = scep.encrypt_envelope(body, recipient=recipient, cipher=cipher)
    parsed = asn1_cms.ContentInfo.load(enveloped)["content"]
    ktri = parsed["recipient_infos"][0].chosen
    eci = parsed["encrypted_content_info"]
    rebuilt = asn1_cms.ContentInfo(
        {
            "content_type": "enveloped_data",
            "content": asn1_cms.EnvelopedData(
                {
                    "version": "v0",
                    "recipient_infos": [
                        asn1_cms.RecipientInfo(
                            name="ktri",
                            value={
                                "version": "v0",
                                "rid": asn1_cms.RecipientIdentifier(
                                    name="issuer_and_serial_number",
                                    value={
                                        "issuer": asn1_x509.Name.load(
                                            recipient.issuer.public_bytes()
                                        ),
                                        "serial_number": recipient.serial_number,
                                    },
                                ),
                                "key_encryption_algorithm": {"algorithm": "rsaes_pkcs1v15"},
                                "encrypted_key": ktri["encrypted_key"].native,
                            },
                        )
                    ],
                    "encrypted_content_info": {
                        "content_type": "data",
                        "content_encryption_algorithm": {
                            "algorithm": scep.CIPHERS[cipher][0],
                            "parameters": core.OctetString(
                                eci["content_encryption_algorithm"]["parameters"].native
                            ),
                        },
                        "encrypted_content": eci["encrypted_content"].native,
                    },
                }
            ),
        }
    ).dump()
    assert enveloped == rebuilt
    assert scep.decrypt_envelope(enveloped, key=key, allow_des=True) == (body, cipher)


@pytest.mark.parametrize("cipher", ["aes128", "aes256"])
def test_aes_envelopes_are_the_librarys_and_carry_the_bytes_unchanged(
    test_ca: certificates.Identity, cipher: str
) -> None:
    """AES-128 and AES-256 envelopes come from cryptography's builder: the content is the
    bytes given (no MIME header or line-ending translation), for the CA's certificate."""
    body = bytes(range(256)) * 3 + b"\r\n\n"
    enveloped = scep.encrypt_envelope(body, recipient=test_ca.certificate, cipher=cipher)
    assert scep.decrypt_envelope(enveloped, key=test_ca.key) == (body, cipher)
    # The library's own reader agrees (it checks the recipient is this certificate).
    assert pkcs7.pkcs7_decrypt_der(enveloped, test_ca.certificate, test_ca.key, []) == body


def _failure_of(message: bytes, ca: certificates.Identity) -> scep.FailInfo:
    with pytest.raises(scep.ScepFailure) as failure:
        scep.open_pkcs_req(scep.parse_pki_message(message), ca=ca)
    return failure.value.fail_info


def test_bad_signature_is_bad_message_check(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=test_ca.certificate
    )
    tampered = bytearray(message)
    tampered[-1] ^= 0xFF  # the last bytes are the signature value
    request = scep.parse_pki_message(bytes(tampered))
    assert request.signature_error
    assert _failure_of(bytes(tampered), test_ca) == scep.FailInfo.BAD_MESSAGE_CHECK


def test_request_for_another_ca_is_bad_message_check(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    other_ca = certificates.build_ca("Other CA", key=other_rsa_key)
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=other_ca
    )
    assert _failure_of(message, test_ca) == scep.FailInfo.BAD_MESSAGE_CHECK


def _signed_request(
    envelope: bytes,
    *,
    cert: x509.Certificate,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    message_type: scep.MessageType = scep.MessageType.PKCS_REQ,
    digest: str = "sha256",
) -> bytes:
    return cms.build_signed_data(
        envelope,
        certificate=cert,
        key=key,
        digest=digest,
        extra_attributes=scep.scep_attributes(
            message_type=message_type, transaction_id="T-1", sender_nonce=b"n" * 16
        ),
    )


def _self_signed(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "requester")])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def test_other_message_types_are_bad_request(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    envelope = scep.encrypt_envelope(b"x", recipient=test_ca.certificate, cipher="aes128")
    for message_type in (scep.MessageType.CERT_POLL, scep.MessageType.GET_CERT):
        message = _signed_request(
            envelope, cert=_self_signed(rsa_key), key=rsa_key, message_type=message_type
        )
        assert _failure_of(message, test_ca) == scep.FailInfo.BAD_REQUEST


def test_ec_requester_is_bad_alg(
    test_ca: certificates.Identity, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    envelope = scep.encrypt_envelope(b"x", recipient=test_ca.certificate, cipher="aes128")
    message = _signed_request(envelope, cert=_self_signed(ec_key), key=ec_key)
    assert _failure_of(message, test_ca) == scep.FailInfo.BAD_ALG


def test_unsupported_cipher_is_bad_alg(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    envelope = asn1_cms.ContentInfo.load(
        scep.encrypt_envelope(b"x" * 20, recipient=test_ca.certificate, cipher="aes128")
    )
    # Single DES, which RFC 8894 deprecates and we refuse.
    envelope["content"]["encrypted_content_info"]["content_encryption_algorithm"] = {
        "algorithm": "des",
        "parameters": core.OctetString(b"\x00" * 8),
    }
    message = _signed_request(envelope.dump(), cert=_self_signed(rsa_key), key=rsa_key)
    assert _failure_of(message, test_ca) == scep.FailInfo.BAD_ALG


def test_signed_content_that_is_not_an_envelope(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    message = _signed_request(b"plain bytes", cert=_self_signed(rsa_key), key=rsa_key)
    assert _failure_of(message, test_ca) == scep.FailInfo.BAD_REQUEST


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty CMS message"),
        (b"garbage", "not CMS SignedData"),
        (b"\x30\x80\x00\x00", "not CMS SignedData"),
        (b"\x30\x03\x02\x01\x01", "not CMS SignedData"),
    ],
)
def test_not_scep_at_all(data: bytes, reason: str) -> None:
    with pytest.raises(scep.ScepMessageError, match=reason):
        scep.parse_pki_message(data)


def test_signed_data_without_scep_attributes_is_not_scep(rsa_key: rsa.RSAPrivateKey) -> None:
    cert = _self_signed(rsa_key)
    for message in (
        cms.sign_attached(b"hello", certificate=cert, key=rsa_key),
        cms.sign_detached(b"hello", certificate=cert, key=rsa_key),
    ):
        with pytest.raises(scep.ScepMessageError, match="not a SCEP message"):
            scep.parse_pki_message(message)


def test_client_refuses_a_reply_not_signed_by_the_ca(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    message, _, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=test_ca.certificate
    )
    impostor = certificates.Identity(
        certificate=certificates.build_ca("Impostor", key=other_rsa_key), key=other_rsa_key
    )
    reply = scep.build_cert_rep_failure(
        scep.parse_pki_message(message), ca=impostor, fail_info=scep.FailInfo.BAD_REQUEST
    )
    with pytest.raises(scep_client.ScepClientError, match="not signed by the CA"):
        scep_client.parse_cert_rep(
            reply, key=rsa_key, self_signed_cert=self_signed, ca_cert=test_ca.certificate
        )


@pytest.fixture
def pem_files(tmp_path: Path, test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey) -> Path:
    (tmp_path / "ca.pem").write_text(certificates.cert_to_pem(test_ca.certificate))
    (tmp_path / "ca.key").write_bytes(certificates.key_to_pem(test_ca.key))
    (tmp_path / "req.key").write_bytes(certificates.key_to_pem(rsa_key))
    return tmp_path


@pytest.mark.parametrize(("cipher", "digest"), [("aes128", "sha256"), ("3des", "sha1")])
def test_openssl_verifies_and_decrypts_our_cert_rep(
    pem_files: Path,
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl: Callable[..., object],
    cipher: str,
    digest: str,
) -> None:
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key,
        subject_cn="d",
        challenge="pw",
        ca_cert=test_ca.certificate,
        cipher=cipher,
        digest=digest,
    )
    reply, issued = _answer(message, test_ca)
    d = pem_files
    (d / "rep.der").write_bytes(reply)
    verify = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", d / "rep.der",
        "-CAfile", d / "ca.pem", "-purpose", "any", "-out", d / "envelope.der", check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    assert b"Verification successful" in verify.stderr
    decrypt = openssl(
        "cms", "-decrypt", "-binary", "-inform", "DER", "-in", d / "envelope.der",
        "-inkey", d / "req.key", "-out", d / "certs.p7", check=False,
    )  # fmt: skip
    assert decrypt.returncode == 0, decrypt.stderr
    certs = openssl("pkcs7", "-inform", "DER", "-in", d / "certs.p7", "-print_certs").stdout
    assert x509.load_pem_x509_certificates(certs) == [issued]


@pytest.mark.parametrize("cipher", CIPHERS)
def test_openssl_reads_our_request_envelope(
    pem_files: Path,
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl: Callable[..., object],
    cipher: str,
) -> None:
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=test_ca.certificate, cipher=cipher
    )
    d = pem_files
    (d / "req.der").write_bytes(message)
    steps = [
        ["cms", "-verify", "-binary", "-inform", "DER", "-in", d / "req.der", "-noverify",
         "-out", d / "env.der"],
        ["cms", "-decrypt", "-binary", "-inform", "DER", "-in", d / "env.der",
         "-inkey", d / "ca.key", "-out", d / "csr.der"],
        ["req", "-inform", "DER", "-in", d / "csr.der", "-verify", "-noout"],
    ]  # fmt: skip
    for step in steps:
        result = openssl(*step, check=False)
        assert result.returncode == 0, (step[0], result.stderr)


@pytest.mark.parametrize(
    ("flag", "cipher"), [("-aes128", "aes128"), ("-aes256", "aes256"), ("-des3", "3des")]
)
def test_we_decrypt_openssl_envelopes(
    pem_files: Path,
    test_ca: certificates.Identity,
    openssl: Callable[..., object],
    flag: str,
    cipher: str,
) -> None:
    d = pem_files
    payload = b"certificate request bytes" * 7
    (d / "plain").write_bytes(payload)
    openssl(
        "cms", "-encrypt", "-binary", flag, "-outform", "DER", "-in", d / "plain",
        "-out", d / "enc.der", d / "ca.pem",
    )  # fmt: skip
    plaintext, used = scep.decrypt_envelope((d / "enc.der").read_bytes(), key=test_ca.key)
    assert plaintext == payload
    assert used == cipher


# --- envelopes as other clients encode them ------------------------------------------------------

LEGACY_DES = ("-des", "-provider", "legacy", "-provider", "default")


def _reencoded(enveloped: bytes, encrypted_content: Callable[[bytes], bytes]) -> bytes:
    """Our DER envelope with its encryptedContent written by `encrypted_content` (a BER form)."""
    der = cms.der
    parsed = asn1_cms.ContentInfo.load(enveloped)["content"]
    eci = parsed["encrypted_content_info"]
    new_eci = der(
        0x30,
        eci["content_type"].dump()
        + eci["content_encryption_algorithm"].dump()
        + encrypted_content(eci["encrypted_content"].native),
    )
    inner = parsed["version"].dump() + parsed["recipient_infos"].dump() + new_eci
    return der(0x30, asn1_cms.ContentType("enveloped_data").dump() + der(0xA0, der(0x30, inner)))


BER_FORMS: dict[str, Callable[[bytes], bytes]] = {
    # Go's pkcs7 package: [0] constructed, definite length, one OCTET STRING segment.
    "one segment": lambda data: cms.der(0xA0, cms.der(0x04, data)),
    "segments": lambda data: cms.der(
        0xA0, cms.der(0x04, data[:16]) + cms.der(0x04, data[16:48]) + cms.der(0x04, data[48:])
    ),
    "nested segments": lambda data: cms.der(
        0xA0, cms.der(0x24, cms.der(0x04, data[:8]) + cms.der(0x04, data[8:]))
    ),
    "indefinite length": lambda data: (
        b"\xa0\x80" + cms.der(0x04, data[:32]) + cms.der(0x04, data[32:]) + b"\x00\x00"
    ),
}


@pytest.mark.parametrize("form", BER_FORMS)
def test_constructed_encrypted_content_is_read(test_ca: certificates.Identity, form: str) -> None:
    body = b"a CSR " * 40
    der_form = scep.encrypt_envelope(body, recipient=test_ca.certificate, cipher="aes128")
    ber_form = _reencoded(der_form, BER_FORMS[form])
    assert ber_form != der_form
    assert scep.decrypt_envelope(ber_form, key=test_ca.key) == (body, "aes128")


@pytest.mark.parametrize(
    "content",
    [
        lambda data: cms.der(0xA0, cms.der(0x02, data)),  # a segment that is not an OCTET STRING
        lambda data: b"\xa0\x80" + cms.der(0x04, data),  # no end-of-contents
        lambda data: cms.der(0x81, data),  # no [0] at all
    ],
)
def test_malformed_constructed_content_is_bad_request(
    test_ca: certificates.Identity, content: Callable[[bytes], bytes]
) -> None:
    der_form = scep.encrypt_envelope(b"x" * 64, recipient=test_ca.certificate, cipher="aes128")
    with pytest.raises(scep.ScepFailure) as failure:
        scep.decrypt_envelope(_reencoded(der_form, content), key=test_ca.key)
    assert failure.value.fail_info == scep.FailInfo.BAD_REQUEST


def test_openssl_streamed_ber_request_is_answered(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl_envelope: Callable[..., scep_client.Envelope],
    openssl: Callable[..., Any],
    tmp_path: Path,
) -> None:
    envelope = openssl_envelope("-aes128", "-stream", "-indef")
    message, transaction_id, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="ber", challenge="pw", ca_cert=test_ca.certificate,
        envelope=envelope,
    )  # fmt: skip
    request = scep.parse_pki_message(message)
    (tmp_path / "env.der").write_bytes(request.envelope)
    dump = openssl("asn1parse", "-inform", "DER", "-in", tmp_path / "env.der").stdout
    assert b"l=inf  cons: cont [ 0 ]" in dump  # constructed, indefinite length: BER
    reply, issued = _answer(message, test_ca)
    result = scep_client.parse_cert_rep(
        reply, key=rsa_key, self_signed_cert=self_signed, ca_cert=test_ca.certificate
    )
    assert result.ok and result.certificate == issued
    assert result.transaction_id == transaction_id


def test_single_des_is_refused_with_bad_alg_unless_allowed(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl_envelope: Callable[..., scep_client.Envelope],
) -> None:
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="des", challenge="pw", ca_cert=test_ca.certificate,
        envelope=openssl_envelope(*LEGACY_DES),
    )  # fmt: skip
    request = scep.parse_pki_message(message)
    with pytest.raises(scep.ScepFailure) as failure:
        scep.open_pkcs_req(request, ca=test_ca)
    assert failure.value.fail_info == scep.FailInfo.BAD_ALG
    assert "MDM_SCEP_ALLOW_DES" in failure.value.reason

    opened = scep.open_pkcs_req(request, ca=test_ca, allow_des=True)
    assert opened.cipher == "des"
    assert opened.csr.challenge_password == "pw"


def test_a_des_reply_is_read_by_openssl(
    pem_files: Path,
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl: Callable[..., Any],
) -> None:
    """Allowed, a DES request gets a DES reply, and OpenSSL (legacy provider) decrypts it."""
    message, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=test_ca.certificate, cipher="des"
    )
    opened = scep.open_pkcs_req(scep.parse_pki_message(message), ca=test_ca, allow_des=True)
    issued = certificates.issue_certificate(
        issuer=test_ca, public_key=opened.csr.public_key, subject=opened.csr.subject,
        days=30, usage="client",
    )  # fmt: skip
    reply = scep.build_cert_rep_success(opened, ca=test_ca, issued=issued)
    envelope = cms.verify_signed_data(reply).content
    d = pem_files
    (d / "envelope.der").write_bytes(envelope)
    decrypt = openssl(
        "cms", "-decrypt", "-binary", "-inform", "DER", "-in", d / "envelope.der",
        "-inkey", d / "req.key", "-out", d / "certs.p7", *LEGACY_DES[1:], check=False,
    )  # fmt: skip
    assert decrypt.returncode == 0, decrypt.stderr
    certs = openssl("pkcs7", "-inform", "DER", "-in", d / "certs.p7", "-print_certs").stdout
    assert x509.load_pem_x509_certificates(certs) == [issued]


def test_a_transaction_id_outside_printable_string_is_echoed(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    """A client may send its transactionID as a UTF8String with any characters; the CertRep
    echoes it (written as a PrintableString of the same text), it does not fail."""
    message = cms.build_signed_data(
        scep.encrypt_envelope(b"csr", recipient=test_ca.certificate, cipher="aes128"),
        certificate=_self_signed(rsa_key),
        key=rsa_key,
        extra_attributes=[
            cms.attribute(scep.OID_MESSAGE_TYPE, core.PrintableString("19")),
            cms.attribute(scep.OID_TRANSACTION_ID, core.UTF8String("id_with_underscore")),
            cms.attribute(scep.OID_SENDER_NONCE, core.OctetString(b"n" * 16)),
        ],
    )
    request = scep.parse_pki_message(message)
    assert request.transaction_id == "id_with_underscore" and request.signature_error is None
    reply = scep.build_cert_rep_failure(request, ca=test_ca, fail_info=scep.FailInfo.BAD_REQUEST)
    attributes = scep.read_attributes(cms.verify_signed_data(reply))
    assert attributes["transaction_id"] == "id_with_underscore"
    assert attributes["recipient_nonce"] == b"n" * 16


def test_a_request_reads_the_same_whether_its_signature_verifies_or_not(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    """The attributes of a verified request come from the structure the verification parsed;
    those of one that does not verify from the message itself: the same values."""
    message, transaction_id, self_signed = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=test_ca.certificate, digest="sha1"
    )
    tampered = bytearray(message)
    tampered[-1] ^= 0xFF  # the signature value
    verified = scep.parse_pki_message(message)
    unverified = scep.parse_pki_message(bytes(tampered))
    assert verified.signature_error is None and verified.signer == self_signed
    assert unverified.signature_error == "signature does not verify"
    assert unverified.signer is None and unverified.envelope == b""
    for request in (verified, unverified):
        assert request.message_type == scep.MessageType.PKCS_REQ
        assert request.transaction_id == transaction_id
        assert request.digest_algorithm == "sha1"
    assert verified.sender_nonce == unverified.sender_nonce and len(verified.sender_nonce) == 16


def test_a_verified_requests_attributes_are_not_parsed_again(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SCEP attributes of a verified request are read from the set its signature check
    parsed; an unverified one's from the message, with the same spec."""
    message, transaction_id, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="d", challenge="pw", ca_cert=test_ca.certificate
    )
    loads: list[bytes] = []
    real_read = cms._read_attributes
    monkeypatch.setattr(
        cms, "_read_attributes", lambda encoded: loads.append(encoded) or real_read(encoded)
    )
    # asn1crypto's own attribute spec decodes each attribute's type to choose its values' spec.
    full_reads: list[object] = []
    real_spec = asn1_cms.CMSAttribute._spec_callbacks["values"]
    monkeypatch.setitem(
        asn1_cms.CMSAttribute._spec_callbacks,
        "values",
        lambda attribute: full_reads.append(attribute) or real_spec(attribute),
    )
    verified = scep.parse_pki_message(message)
    assert verified.signature_error is None and verified.transaction_id == transaction_id
    assert len(loads) == 1 and full_reads == []
    tampered = bytearray(message)
    tampered[-1] ^= 0xFF  # the signature value
    unverified = scep.parse_pki_message(bytes(tampered))
    assert unverified.signature_error is not None
    assert unverified.transaction_id == transaction_id
    assert unverified.sender_nonce == verified.sender_nonce


# --- the library first, for AES envelopes in DER ----------------------------------------------


def _outcome(call: Callable[[], tuple[bytes, str]]) -> object:
    try:
        return call()
    except scep.ScepFailure as failure:
        return (failure.fail_info, failure.reason)
    except cms.PARSE_ERRORS as exc:  # open_pkcs_req answers these with badRequest
        return exc.__class__


def _envelope_forms(
    ca: certificates.Identity, other: certificates.Identity, openssl_envelope: Callable[..., Any]
) -> dict[str, bytes]:
    body = b"a CSR " * 40
    forms = {
        cipher: scep.encrypt_envelope(body, recipient=ca.certificate, cipher=cipher)
        for cipher in scep.CIPHERS
    }
    forms["aes128 to another CA"] = scep.encrypt_envelope(
        body, recipient=other.certificate, cipher="aes128"
    )
    for name, options in {
        "openssl aes128": ("-aes128",),
        "openssl aes256": ("-aes256",),
        "openssl aes128 streamed": ("-aes128", "-stream", "-indef"),
    }.items():
        forms[name] = openssl_envelope(*options)(body, ca.certificate)
    for name, form in BER_FORMS.items():
        forms[f"aes128 {name}"] = _reencoded(forms["aes128"], form)
    return forms


def test_aes_envelopes_in_der_go_to_the_library_without_asn1crypto(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl_envelope: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the library decrypts is not read by asn1crypto first; every other form is, and the
    library is given an envelope once at most (never a 3DES, AES-192 or DES one)."""
    other = certificates.Identity(
        certificate=certificates.build_ca("Other CA", key=rsa_key), key=rsa_key
    )
    forms = _envelope_forms(test_ca, other, openssl_envelope)
    library_calls: list[bytes] = []
    readings: list[bytes] = []
    real_decrypt, real_load = pkcs7.pkcs7_decrypt_der, asn1_cms.ContentInfo.load

    def decrypt(data: bytes, *args: Any) -> bytes:
        library_calls.append(data)
        return real_decrypt(data, *args)

    def load(data: bytes, *args: Any, **kwargs: Any) -> object:
        readings.append(data)
        return real_load(data, *args, **kwargs)

    monkeypatch.setattr(pkcs7, "pkcs7_decrypt_der", decrypt)
    monkeypatch.setattr(asn1_cms.ContentInfo, "load", load)
    for name, data in forms.items():
        library_calls.clear()
        readings.clear()
        result = _outcome(
            lambda data=data: scep.decrypt_envelope(
                data, key=test_ca.key, allow_des=True, certificate=test_ca.certificate
            )
        )
        by_library = name in ("aes128", "aes256", "openssl aes128", "openssl aes256")
        if name == "aes128 to another CA":
            assert result == (scep.FailInfo.BAD_MESSAGE_CHECK, _UNDECRYPTABLE)
        else:
            words = name.split()
            cipher = words[1] if words[0] == "openssl" else words[0]
            assert result == (b"a CSR " * 40, cipher), name
        assert len(library_calls) == (1 if "aes128" in name or "aes256" in name else 0), name
        assert bool(readings) == (not by_library), name


_UNDECRYPTABLE = "the request cannot be decrypted with the CA key"


def test_the_library_first_answers_as_the_full_reading(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl_envelope: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every form, and every byte of an AES-128 envelope changed (but those of the encrypted
    key: the library answers a key that does not decrypt with a random one, by design, so that
    an undecryptable key is not told apart), is answered as when the full reading decides
    first, as before (the same plaintext and cipher, or the same failInfo and reason)."""
    other = certificates.Identity(
        certificate=certificates.build_ca("Other CA", key=rsa_key), key=rsa_key
    )
    forms = _envelope_forms(test_ca, other, openssl_envelope)
    der_form = forms["aes128"]
    encrypted_key = asn1_cms.ContentInfo.load(der_form)["content"]["recipient_infos"][0].chosen[
        "encrypted_key"
    ]
    start = der_form.index(encrypted_key.contents)
    key_bytes = range(start, start + len(encrypted_key.contents))
    inputs = list(forms.values())
    for offset in range(len(der_form)):
        if offset not in key_bytes:
            changed = bytearray(der_form)
            changed[offset] ^= 0x01 if offset % 2 else 0x80
            inputs.append(bytes(changed))
    inputs += [der_form[:-1], der_form + b"\x00", der_form[: len(der_form) // 2]]

    def answers() -> list[object]:
        return [
            _outcome(
                lambda data=data, allow=allow: scep.decrypt_envelope(
                    data, key=test_ca.key, allow_des=allow, certificate=test_ca.certificate
                )
            )
            for data in inputs
            for allow in (False, True)
        ]

    first = answers()
    monkeypatch.setattr(scep, "_content_encryption_oid", lambda data: b"")
    assert answers() == first
    decrypted = [a for a in first if isinstance(a, tuple) and isinstance(a[0], bytes)]
    assert len(decrypted) >= 2 * (len(forms) - 1) - 1  # all but the other CA's (and DES once)
