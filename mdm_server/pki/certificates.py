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
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mdm_server import clock
from mdm_server.pki.der import der, der_header

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
    eku = _EKU[usage]
    parts = _issuer_parts(issuer.certificate)
    not_before = now - dt.timedelta(minutes=5)
    not_after = min(now + dt.timedelta(days=days), parts.not_after)
    serial = x509.random_serial_number()
    template = _tbs_templates.get((issuer.certificate, usage))
    if template is not None:
        issued = _issue_from_template(
            template,
            key=issuer.key,
            serial=serial,
            not_before=not_before,
            not_after=not_after,
            subject=subject,
            public_key=public_key,
        )
        if issued is not None:
            return issued
    cert = _issue_by_builder(
        issuer=issuer,
        parts=parts,
        eku=eku,
        serial=serial,
        not_before=not_before,
        not_after=not_after,
        subject=subject,
        public_key=public_key,
        usage=usage,
    )
    if template is None:
        _remember_template(issuer.certificate, usage, cert)
    return cert


_EKU = {
    "client": [ExtendedKeyUsageOID.CLIENT_AUTH],
    "signing": [ExtendedKeyUsageOID.CODE_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION],
}


def _issue_by_builder(
    *,
    issuer: Identity,
    parts: _IssuerParts,
    eku: list[x509.ObjectIdentifier],
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
    subject: x509.Name,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    usage: str,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(parts.name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
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


# --- the same certificate from encoded parts -----------------------------------------------
#
# The certificates `_issue_by_builder` writes for one issuing certificate and usage differ only
# in the serial number, the validity, the subject and the public key: the version, the
# signature algorithm, the issuer's name and the extensions are the same bytes every time. So
# those are taken from the first certificate the builder wrote for that issuer and usage, and
# the later ones are written around them: the TBSCertificate from encoded parts, signed as the
# builder signs (SHA-256; PKCS#1 v1.5 for RSA, ECDSA for EC), the same DER (tests/pki/
# test_certificates.py compares byte for byte with the builder's). The builder makes and checks
# a dozen Python objects per certificate: its work besides the signature took 0.04 ms against
# 0.01 ms in a loop, about three times that inside a request (every SCEP enrollment), on 7
# December.


@dataclass(frozen=True, slots=True)
class _TbsTemplate:
    """The fixed encoded parts of the certificates an issuing certificate signs for a usage."""

    version: bytes  # [0] EXPLICIT Version
    signature_algorithm: bytes  # AlgorithmIdentifier, in the TBSCertificate and after it
    issuer: bytes  # Name
    extensions: bytes  # [3] EXPLICIT Extensions


# By (issuing certificate, usage): a few (the CA, a rolled-over one). No private key is kept.
_tbs_templates: dict[tuple[x509.Certificate, str], _TbsTemplate] = {}
_TBS_TEMPLATES_MAX = 16
# The fields of a TBSCertificate as the builder writes them here, by tag: version, serial,
# signature algorithm, issuer, validity, subject, public key, extensions.
_TBS_TAGS = [0xA0, 0x02, 0x30, 0x30, 0x30, 0x30, 0x30, 0xA3]


def _remember_template(issuer: x509.Certificate, usage: str, cert: x509.Certificate) -> None:
    """Keep the fixed parts of `cert`, the builder's, when its TBSCertificate has exactly the
    fields `_issue_from_template` writes, in their order."""
    tbs = cert.tbs_certificate_bytes
    fields = []
    try:
        _, at, end = der_header(tbs, 0, len(tbs))
        while at < end:
            tag, _, stop = der_header(tbs, at, end)
            fields.append((tag, tbs[at:stop]))
            at = stop
    except ValueError:
        return
    if end != len(tbs) or [tag for tag, _ in fields] != _TBS_TAGS:
        return
    if len(_tbs_templates) >= _TBS_TEMPLATES_MAX:
        _tbs_templates.clear()
    _tbs_templates[(issuer, usage)] = _TbsTemplate(
        version=fields[0][1],
        signature_algorithm=fields[2][1],
        issuer=fields[3][1],
        extensions=fields[7][1],
    )


def _issue_from_template(
    template: _TbsTemplate,
    *,
    key: PrivateKey,
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
    subject: x509.Name,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
) -> x509.Certificate | None:
    """The certificate `_issue_by_builder` writes, from `template`; None for values it does not
    write (a validity the builder refuses, another key type, a serial that is not positive):
    the builder then writes or refuses them."""
    first = _naive_utc(not_before)
    last = _naive_utc(not_after)
    if (
        not _EARLIEST_TIME <= first <= last
        or serial <= 0
        or not isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)
        or not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    ):
        return None
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    tbs = der(
        0x30,
        template.version
        + der(0x02, serial.to_bytes(serial.bit_length() // 8 + 1, "big"))
        + template.signature_algorithm
        + template.issuer
        + der(0x30, _x509_time(first) + _x509_time(last))
        + subject.public_bytes()
        + spki
        + template.extensions,
    )
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(tbs, asym_padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    return x509.load_der_x509_certificate(
        der(0x30, tbs + template.signature_algorithm + der(0x03, b"\x00" + signature))
    )


_EARLIEST_TIME = dt.datetime(1950, 1, 1)


def _naive_utc(when: dt.datetime) -> dt.datetime:
    """`when` in UTC without a time zone, as the builder takes it (a naive one is UTC)."""
    offset = when.utcoffset()
    return when.replace(tzinfo=None) - offset if offset else when.replace(tzinfo=None)


def _x509_time(when: dt.datetime) -> bytes:
    """A validity time as RFC 5280 has it, and the builder writes it: UTCTime through 2049,
    GeneralizedTime from 2050, in whole seconds."""
    if when.year < 2050:
        return der(0x17, when.strftime("%y%m%d%H%M%SZ").encode("ascii"))
    return der(0x18, f"{when.year:04d}{when.strftime('%m%d%H%M%S')}Z".encode("ascii"))


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
