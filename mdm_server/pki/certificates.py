"""X.509 building blocks: the MDM CA, issued certificates, and reading uploaded identities.

Pure: no Django imports. Errors are `CertificateError` with a message an admin can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mdm_server import clock

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class CertificateError(Exception):
    """An uploaded or generated certificate cannot be used; the message says why."""


@dataclass(frozen=True)
class Identity:
    """A certificate with its private key and any chain certificates that came with it."""

    certificate: x509.Certificate
    key: PrivateKey
    chain: tuple[x509.Certificate, ...] = ()


def _now() -> dt.datetime:
    return clock.now()


def new_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, hex: the value pinned to an enrollment."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def load_der_from_peer(data: bytes) -> x509.Certificate:
    """A certificate sent by a device or client, every part this server reads already parsed.

    `cryptography` loads the outer structure only and parses the issuer, subject, public key and
    extensions when first asked: a certificate with one damaged byte loads, then raises (and not
    always ValueError) deep inside a signature check. Raises ValueError, with what is wrong.
    """
    try:
        return readable(x509.load_der_x509_certificate(data))
    except (TypeError, UnsupportedAlgorithm, x509.InvalidVersion) as exc:  # not ValueErrors
        raise ValueError(f"the certificate cannot be read: {exc}") from None


def load_pem_from_peer(data: bytes) -> x509.Certificate:
    """`load_der_from_peer` for one PEM certificate."""
    try:
        return readable(x509.load_pem_x509_certificate(data))
    except (TypeError, UnsupportedAlgorithm, x509.InvalidVersion) as exc:
        raise ValueError(f"the certificate cannot be read: {exc}") from None


def readable(cert: x509.Certificate) -> x509.Certificate:
    """`cert`, after parsing the parts that are parsed lazily; ValueError when one is broken."""
    try:
        _ = cert.issuer, cert.subject, cert.serial_number, cert.extensions
        _ = cert.not_valid_before_utc, cert.not_valid_after_utc
        cert.public_key()
    except (
        ValueError,
        TypeError,
        UnsupportedAlgorithm,
        x509.DuplicateExtension,
        x509.UnsupportedGeneralNameType,
    ) as exc:
        # TypeError: e.g. a name attribute whose OID and string type do not fit together;
        # DuplicateExtension (no ValueError): an extension that occurs twice;
        # UnsupportedGeneralNameType (no ValueError): an x400Address or ediPartyName.
        raise ValueError(f"the certificate cannot be read: {exc}") from None
    return cert


def build_ca(common_name: str, *, key: PrivateKey, days: int = 3650) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, uuid.uuid4().hex[:12]),
        ]
    )
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def issue_certificate(
    *,
    issuer: Identity,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    subject: x509.Name,
    days: int,
    usage: str,
) -> x509.Certificate:
    """Issue a leaf certificate; usage is "client" (device identity) or "signing" (profiles)."""
    now = _now()
    eku = {
        "client": [ExtendedKeyUsageOID.CLIENT_AUTH],
        "signing": [ExtendedKeyUsageOID.CODE_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION],
    }[usage]
    parts = _issuer_parts(issuer.certificate)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(parts.name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=days), parts.not_after))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=usage == "client",
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        .add_extension(parts.key_identifier, critical=False)
        .sign(issuer.key, hashes.SHA256())
    )


@dataclass(frozen=True, slots=True)
class _IssuerParts:
    name: x509.Name
    not_after: dt.datetime
    key_identifier: x509.AuthorityKeyIdentifier


@lru_cache(maxsize=16)
def _issuer_parts(issuer: x509.Certificate) -> _IssuerParts:
    """What a certificate takes from its issuer, read once per issuing certificate (the CA
    issues every SCEP identity): the key identifier is a SHA-1 of the encoded public key. 6.6
    µs (name, expiry, key identifier) against 1.2 µs for the look-up, in a loop on 7 December.
    Keyed by the certificate (compared by DER), never by the identity: a rolled-over CA's
    private key is not kept here."""
    return _IssuerParts(
        name=issuer.subject,
        not_after=issuer.not_valid_after_utc,
        key_identifier=x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer.public_key()  # type: ignore[arg-type]  # a CA's key is one that signs
        ),
    )


def key_to_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def cert_to_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def load_cert_pem(pem: str | bytes) -> x509.Certificate:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        raise CertificateError("not a PEM certificate") from None


def load_key_pem(pem: bytes, password: bytes | None = None) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except TypeError:
        raise CertificateError("the private key is encrypted: give its password") from None
    except ValueError:
        raise CertificateError(
            "the private key cannot be read (wrong password or not a PEM key)"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CertificateError("only RSA and EC private keys are supported")
    return key


def key_matches(cert: x509.Certificate, key: PrivateKey) -> bool:
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return cert.public_key().public_bytes(enc, pub) == key.public_key().public_bytes(enc, pub)


def load_identity(
    data: bytes, *, password: str | None = None, key_pem: bytes | None = None
) -> Identity:
    """Read an uploaded identity: PKCS#12 (with password), or PEM certificate plus PEM key.

    The PEM key may be in `data` itself (one file with both) or given separately as `key_pem`.
    """
    pw = password.encode() if password else None
    if b"-----BEGIN" in data:
        try:
            certs = x509.load_pem_x509_certificates(data)
        except ValueError:
            raise CertificateError("the file holds no readable PEM certificate") from None
        key_source = key_pem if key_pem is not None else data
        if b"PRIVATE KEY-----" not in key_source:
            raise CertificateError("no private key given: upload the key with the certificate")
        key = load_key_pem(key_source, pw)
        cert, chain = certs[0], tuple(certs[1:])
    else:
        try:
            p12 = pkcs12.load_pkcs12(data, pw)
        except ValueError:
            raise CertificateError(
                "the PKCS#12 file cannot be opened: wrong password, or not a PKCS#12 file"
            ) from None
        if p12.cert is None or p12.key is None:
            raise CertificateError("the PKCS#12 file must hold a certificate and its private key")
        key_obj = p12.key
        if not isinstance(key_obj, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise CertificateError("only RSA and EC private keys are supported")
        key = key_obj
        cert = p12.cert.certificate
        chain = tuple(c.certificate for c in p12.additional_certs)
    if not key_matches(cert, key):
        raise CertificateError("the private key does not match the certificate")
    return Identity(certificate=cert, key=key, chain=chain)


def check_validity(cert: x509.Certificate, *, now: dt.datetime | None = None) -> None:
    moment = now or _now()
    if cert.not_valid_after_utc <= moment:
        raise CertificateError(
            f"the certificate expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
        )
    if cert.not_valid_before_utc > moment + dt.timedelta(minutes=5):
        raise CertificateError(
            f"the certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d} UTC"
        )


def is_issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when `issuer` signed `cert` (name match and signature check)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


# RFC 5280 ub-common-name: the longest common name a certificate may carry.
MAX_COMMON_NAME = 64


def check_common_name(text: str) -> str:
    """`text` when it can be a device identity's common name (the server's choice, put in the
    enrollment profile's SCEP payload and signed): 1 to 64 characters, none of them a control
    or format character (they would reach logs and the console as they are); else ValueError."""
    if not 1 <= len(text) <= MAX_COMMON_NAME:
        raise ValueError(
            f"a certificate's common name has 1 to {MAX_COMMON_NAME} characters, not {len(text)}"
        )
    if not text.isprintable():
        raise ValueError("a certificate's common name holds no control or format characters")
    return text


def common_name_subject(text: str) -> x509.Name:
    """The subject `CN=<text>` as this CA writes it (a UTF8String)."""
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def single_common_name(name: x509.Name) -> str | None:
    """The text of a name made of exactly one common name that `check_common_name` accepts,
    else None: what a requester asked for, compared (never signed) with the server's choice."""
    attributes = list(name)
    if len(attributes) != 1 or attributes[0].oid != NameOID.COMMON_NAME:
        return None
    text = attributes[0].value
    if not isinstance(text, str):
        return None
    try:
        return check_common_name(text)
    except ValueError:
        return None


def subject_common_name(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else ""


__all__ = [
    "CertificateError",
    "Identity",
    "PrivateKey",
    "build_ca",
    "cert_to_pem",
    "check_common_name",
    "check_validity",
    "common_name_subject",
    "fingerprint",
    "is_issued_by",
    "issue_certificate",
    "key_matches",
    "key_to_pem",
    "load_cert_pem",
    "load_der_from_peer",
    "load_identity",
    "load_key_pem",
    "load_pem_from_peer",
    "new_rsa_key",
    "readable",
    "single_common_name",
    "subject_common_name",
]
