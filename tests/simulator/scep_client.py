"""SCEP client side (RFC 8894): build a PKCSReq and read the CertRep, like a device does.

Pure: no Django imports. Used by the project's device simulator and by the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import csr as asn1_csr
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import AttributeOID, NameOID

from mdm_server.pki import cms, scep

# Encrypts a CSR (DER) for the CA certificate: returns a CMS EnvelopedData (ContentInfo).
Envelope = Callable[[bytes, x509.Certificate], bytes]


class ScepClientError(Exception):
    """The CertRep cannot be trusted or read (wrong signer, bad signature, undecryptable)."""


@dataclass(frozen=True)
class IssuedOrFailure:
    """A CertRep as the requester sees it: the issued certificate, or the failure reason."""

    status: scep.PkiStatus
    transaction_id: str
    recipient_nonce: bytes
    certificate: x509.Certificate | None = None
    fail_info: scep.FailInfo | None = None
    fail_info_text: str = ""

    @property
    def ok(self) -> bool:
        return self.status == scep.PkiStatus.SUCCESS and self.certificate is not None


def _same_key(a: object, b: rsa.RSAPublicKey) -> bool:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    if not isinstance(a, rsa.RSAPublicKey):
        return False
    der = serialization.Encoding.DER
    return a.public_bytes(der, spki) == b.public_bytes(der, spki)


def _hash(digest: str) -> hashes.HashAlgorithm:
    return cms.hash_algorithm(digest)


def _self_signed(key: rsa.RSAPrivateKey, name: x509.Name) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def build_csr(
    *, key: rsa.RSAPrivateKey, name: x509.Name, challenge: str, version: int = 0
) -> bytes:
    """A DER CSR with a challengePassword; version 2 mimics older Apple devices."""
    if version == 0:
        builder = x509.CertificateSigningRequestBuilder().subject_name(name)
        if challenge:
            builder = builder.add_attribute(AttributeOID.CHALLENGE_PASSWORD, challenge.encode())
        return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    # cryptography only writes version 0: build the structure by hand.
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    attributes = []
    if challenge:
        attributes.append(
            {
                "type": "challenge_password",
                "values": [asn1_x509.DirectoryString(name="utf8_string", value=challenge)],
            }
        )
    info = asn1_csr.CertificationRequestInfo(
        {
            "version": version,
            "subject": asn1_x509.Name.load(name.public_bytes()),
            "subject_pk_info": asn1_keys.PublicKeyInfo.load(spki),
            "attributes": attributes,
        }
    )
    signature = key.sign(info.dump(), padding.PKCS1v15(), hashes.SHA256())
    return asn1_csr.CertificationRequest(
        {
            "certification_request_info": info,
            "signature_algorithm": {"algorithm": "sha256_rsa"},
            "signature": signature,
        }
    ).dump()


def build_pkcs_req(
    *,
    key: rsa.RSAPrivateKey,
    subject_cn: str,
    challenge: str,
    ca_cert: x509.Certificate,
    cipher: str = "aes128",
    digest: str = "sha256",
    csr_version: int = 0,
    envelope: Envelope | None = None,
) -> tuple[bytes, str, x509.Certificate]:
    """A PKCSReq pkiMessage: returns (message DER, transactionID, self-signed certificate).

    `envelope(csr_der, ca_cert)` encrypts the CSR for the CA when given (another encoder, such
    as OpenSSL's BER or a cipher this module does not write); else `cipher` is used.
    """
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)])
    self_signed = _self_signed(key, name)
    message, transaction_id = _pki_message(
        message_type=scep.MessageType.PKCS_REQ,
        csr_der=build_csr(key=key, name=name, challenge=challenge, version=csr_version),
        new_key=key,
        signer=self_signed,
        signer_key=key,
        ca_cert=ca_cert,
        cipher=cipher,
        digest=digest,
        envelope=envelope,
    )
    return message, transaction_id, self_signed


def pkcs_req_for_csr(
    *, key: rsa.RSAPrivateKey, csr_der: bytes, ca_cert: x509.Certificate, signer_cn: str
) -> tuple[bytes, x509.Certificate]:
    """A PKCSReq (AES-128, SHA-256) carrying a CSR built by the caller, however odd, signed by a
    self-signed certificate of `signer_cn`: returns (message DER, that certificate)."""
    signer = _self_signed(key, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, signer_cn)]))
    message, _ = _pki_message(
        message_type=scep.MessageType.PKCS_REQ,
        csr_der=csr_der,
        new_key=key,
        signer=signer,
        signer_key=key,
        ca_cert=ca_cert,
        cipher="aes128",
        digest="sha256",
    )
    return message, signer


def build_renewal_req(
    *,
    key: rsa.RSAPrivateKey,
    subject_cn: str,
    current_cert: x509.Certificate,
    current_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    cipher: str = "aes128",
    digest: str = "sha256",
) -> tuple[bytes, str]:
    """A RenewalReq for a new `key`, signed with the current CA-issued identity.

    The CertRep is encrypted to `current_cert`: read it with
    `parse_cert_rep(..., key=current_key, self_signed_cert=current_cert, new_key=key)`.
    """
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)])
    return _pki_message(
        message_type=scep.MessageType.RENEWAL_REQ,
        csr_der=build_csr(key=key, name=name, challenge=""),
        new_key=key,
        signer=current_cert,
        signer_key=current_key,
        ca_cert=ca_cert,
        cipher=cipher,
        digest=digest,
    )


def _pki_message(
    *,
    message_type: scep.MessageType,
    csr_der: bytes,
    new_key: rsa.RSAPrivateKey,
    signer: x509.Certificate,
    signer_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    cipher: str,
    digest: str,
    envelope: Envelope | None = None,
) -> tuple[bytes, str]:
    if cipher not in scep.CIPHERS:
        raise ValueError(f"cipher must be one of {sorted(scep.CIPHERS)}")
    _hash(digest)
    if envelope is None:
        encrypted = scep.encrypt_envelope(csr_der, recipient=ca_cert, cipher=cipher)
    else:
        encrypted = envelope(csr_der, ca_cert)
    spki = new_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # RFC 8894 §3.2.1.1: the transactionID is a hash of the public key, as text.
    transaction_id = hashlib.sha256(spki).hexdigest().upper()
    message = cms.build_signed_data(
        encrypted,
        certificate=signer,
        key=signer_key,
        digest=digest,
        extra_attributes=scep.scep_attributes(
            message_type=message_type,
            transaction_id=transaction_id,
            sender_nonce=os.urandom(16),
        ),
    )
    return message, transaction_id


def parse_cert_rep(
    data: bytes,
    *,
    key: rsa.RSAPrivateKey,
    self_signed_cert: x509.Certificate,
    ca_cert: x509.Certificate,
    new_key: rsa.RSAPrivateKey | None = None,
) -> IssuedOrFailure:
    """Verify a CertRep's CA signature, decrypt it and return the certificate or the failure.

    `key` opens the envelope; the issued certificate must carry `new_key` (renewal with a new
    key) or else `key`.
    """
    if not _same_key(self_signed_cert.public_key(), key.public_key()):
        raise ScepClientError("the key does not belong to the self-signed request certificate")
    try:
        verified = cms.verify_signed_data(data)
    except cms.CMSError as exc:
        raise ScepClientError(f"CertRep: {exc}") from None
    if verified.signer != ca_cert:
        raise ScepClientError("CertRep is not signed by the CA certificate")
    attrs = scep.read_attributes(verified)
    if attrs.get("message_type") != scep.MessageType.CERT_REP:
        raise ScepClientError(f"not a CertRep (messageType {attrs.get('message_type')})")
    try:
        status = scep.PkiStatus(str(attrs.get("pki_status")))
    except ValueError:
        raise ScepClientError(f"unknown pkiStatus {attrs.get('pki_status')!r}") from None
    transaction_id = str(attrs.get("transaction_id") or "")
    recipient_nonce = attrs.get("recipient_nonce")
    nonce = recipient_nonce if isinstance(recipient_nonce, bytes) else b""
    if status != scep.PkiStatus.SUCCESS:
        fail_info = None
        raw_fail = attrs.get("fail_info")
        if raw_fail is not None:
            try:
                fail_info = scep.FailInfo(int(str(raw_fail)))
            except ValueError:
                raise ScepClientError(f"unknown failInfo {raw_fail!r}") from None
        return IssuedOrFailure(
            status=status,
            transaction_id=transaction_id,
            recipient_nonce=nonce,
            fail_info=fail_info,
            fail_info_text=str(attrs.get("fail_info_text") or ""),
        )
    try:
        # The reply uses the request's cipher: single DES only when this client sent it.
        degenerate, _cipher = scep.decrypt_envelope(verified.content, key=key, allow_des=True)
        certificates = pkcs7.load_der_pkcs7_certificates(degenerate)
    except (scep.ScepFailure, ValueError) as exc:
        raise ScepClientError(f"CertRep envelope cannot be read: {exc}") from None
    for cert in certificates:
        if _same_key(cert.public_key(), (new_key or key).public_key()):
            return IssuedOrFailure(
                status=status,
                transaction_id=transaction_id,
                recipient_nonce=nonce,
                certificate=cert,
            )
    raise ScepClientError("CertRep holds no certificate for our key")


__all__ = [
    "IssuedOrFailure",
    "ScepClientError",
    "build_csr",
    "build_pkcs_req",
    "build_renewal_req",
    "parse_cert_rep",
]
