"""SCEP messages (RFC 8894): read a PKCSReq, decrypt its CSR, and answer with a CertRep.

Pure: no Django imports. Also holds the envelope (CMS EnvelopedData) helpers that the client side
(`scep_client`) shares: AES-CBC through `cryptography`, 3DES built by hand on asn1crypto.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from asn1crypto import cms as asn1_cms
from asn1crypto import core
from asn1crypto import csr as asn1_csr
from asn1crypto import parser as asn1_parser
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import AttributeOID

from mdm_server.pki import cms
from mdm_server.pki.certificates import Identity

# SCEP signed attributes (RFC 8894 §3.2.1).
OID_MESSAGE_TYPE = "2.16.840.1.113733.1.9.2"
OID_PKI_STATUS = "2.16.840.1.113733.1.9.3"
OID_FAIL_INFO = "2.16.840.1.113733.1.9.4"
OID_SENDER_NONCE = "2.16.840.1.113733.1.9.5"
OID_RECIPIENT_NONCE = "2.16.840.1.113733.1.9.6"
OID_TRANSACTION_ID = "2.16.840.1.113733.1.9.7"
OID_FAIL_INFO_TEXT = "1.3.6.1.5.5.7.24.1"

# What GET ?operation=GetCACaps advertises. "AES" means AES-128-CBC (RFC 8894 §3.5.2); iOS
# refuses a CA that lists none of the SHA-* capabilities. "Renewal": a RenewalReq signed by a
# certificate we issued (and did not revoke) gets a new certificate without a challenge.
CA_CAPABILITIES = (
    "AES",
    "DES3",
    "POSTPKIOperation",
    "Renewal",
    "SCEPStandard",
    "SHA-1",
    "SHA-256",
    "SHA-512",
)

# The media type of a pkiMessage (RFC 8894 §4.3). Clients also POST it as a plain byte stream or
# with no Content-Type at all; parameters are ignored (mdm_server.media_types).
PKI_MESSAGE_TYPE = "application/x-pki-message"
REQUEST_MEDIA_TYPES = ("", PKI_MESSAGE_TYPE, "application/octet-stream")

# Envelope ciphers we read and write: our name -> (asn1crypto algorithm name, key bytes).
# Single DES ("des", DES-CBC, 56-bit key) is read only when the caller allows it (`allow_des`):
# a 56-bit key is found by exhaustive search in hours, and the envelope carries the CSR with its
# one-time challenge. It is what some SCEP clients still send by default; never advertised.
CIPHERS: dict[str, tuple[str, int]] = {
    "aes128": ("aes128_cbc", 16),
    "aes192": ("aes192_cbc", 24),
    "aes256": ("aes256_cbc", 32),
    "3des": ("tripledes_3key", 24),
    "des": ("des", 8),
}
_CIPHER_BY_ALGORITHM = {algo: name for name, (algo, _) in CIPHERS.items()}
_BLOCK_BYTES = {"aes128": 16, "aes192": 16, "aes256": 16, "3des": 8, "des": 8}

# Digests a CertRep may be signed with: the requester's choice when we support it.
_REPLY_DIGESTS = {"sha1", "sha256", "sha384", "sha512"}


class MessageType(StrEnum):
    CERT_REP = "3"
    RENEWAL_REQ = "17"
    PKCS_REQ = "19"
    CERT_POLL = "20"
    GET_CERT = "21"
    GET_CRL = "22"


class PkiStatus(StrEnum):
    SUCCESS = "0"
    FAILURE = "2"
    PENDING = "3"


class FailInfo(IntEnum):
    BAD_ALG = 0
    BAD_MESSAGE_CHECK = 1
    BAD_REQUEST = 2
    BAD_TIME = 3
    BAD_CERT_ID = 4


class ScepMessageError(Exception):
    """The input is not a SCEP message at all (answered with HTTP 400, not a CertRep)."""


class ScepFailure(Exception):
    """A SCEP request we understood but refuse; answered with a CertRep FAILURE."""

    def __init__(self, fail_info: FailInfo, reason: str) -> None:
        super().__init__(reason)
        self.fail_info = fail_info
        self.reason = reason


@dataclass(frozen=True)
class PkiRequest:
    """The outer layer of a pkiMessage: SCEP attributes, signer and (still encrypted) envelope."""

    message_type: str
    transaction_id: str
    sender_nonce: bytes
    digest_algorithm: str
    signer: x509.Certificate | None
    envelope: bytes
    # Why the signature did not verify; the request then gets FAILURE badMessageCheck.
    signature_error: str | None = None


@dataclass(frozen=True)
class CsrInfo:
    """What we take from a CSR: key, subject and challengePassword."""

    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey
    subject: x509.Name
    challenge_password: str | None


@dataclass(frozen=True)
class OpenedRequest:
    """A PKCSReq whose signature verified and whose CSR was decrypted and checked."""

    request: PkiRequest
    csr: CsrInfo
    cipher: str


# --- attributes ----------------------------------------------------------------------------


def _attr_native(attrs: asn1_cms.CMSAttributes, oid: str) -> object:
    return _native(cms.find_attribute(attrs, oid))


def _native(value: cms.AttributeValue | None) -> object:
    """An attribute value (its encoding, or asn1crypto's object of it) as a Python value; None
    when absent or unreadable."""
    if value is None:
        return None
    encoding = cms.encoded(value)
    try:
        tag, start, stop = cms.der_header(encoding, 0, len(encoding))
    except ValueError:
        tag = stop = -1
    if tag in _PLAIN_STRINGS and stop == len(encoding):
        # A primitive string of definite length, exactly the value: its contents decoded as
        # asn1crypto decodes them (tests/pki/test_plain_der.py compares), without its objects:
        # 4 µs of each of a request's three values, in a loop on 7 December.
        text_encoding = _PLAIN_STRINGS[tag]
        contents = encoding[start:stop]
        if text_encoding is None:
            return contents
        try:
            return contents.decode(text_encoding)
        except UnicodeDecodeError:
            return None
    try:
        return core.load(encoding).native
    except cms.PARSE_ERRORS:
        return None


# The values SCEP attributes hold, by tag: OCTET STRING (nonces) as bytes; PrintableString and
# UTF8String (messageType, pkiStatus, failInfo, transactionID) decoded as asn1crypto decodes
# them (latin-1 and UTF-8).
_PLAIN_STRINGS: dict[int, str | None] = {0x04: None, 0x13: "latin-1", 0x0C: "utf-8"}


def scep_attributes(
    *,
    message_type: MessageType,
    transaction_id: str,
    sender_nonce: bytes,
    recipient_nonce: bytes | None = None,
    status: PkiStatus | None = None,
    fail_info: FailInfo | None = None,
    fail_info_text: str = "",
) -> list[bytes]:
    """The SCEP signed attributes of a pkiMessage, encoded (build_signed_data sorts them).

    Written from encoded parts, as asn1crypto writes them from `cms.attribute` (the strings'
    encodings are its own: latin-1 for a PrintableString; tests/pki/test_scep.py compares byte
    for byte). A transactionID is echoed as the text the client sent: a PrintableString as RFC
    8894 has it when latin-1 holds the text (as before), else a UTF8String (a client may send
    any text as a UTF8String; latin-1 would raise, and the request end in a 500). asn1crypto builds and checks several objects
    per attribute, 0.15 ms of CPU for the five of a CertRep, more than the rest of the
    signature's structure."""
    attrs = [
        _attribute(OID_MESSAGE_TYPE, cms.der(0x13, message_type.value.encode("latin-1"))),
        _attribute(OID_TRANSACTION_ID, _text(transaction_id)),
        _attribute(OID_SENDER_NONCE, cms.der(0x04, sender_nonce)),
    ]
    if recipient_nonce is not None:
        attrs.append(_attribute(OID_RECIPIENT_NONCE, cms.der(0x04, recipient_nonce)))
    if status is not None:
        attrs.append(_attribute(OID_PKI_STATUS, cms.der(0x13, status.value.encode("latin-1"))))
    if fail_info is not None:
        attrs.append(
            _attribute(OID_FAIL_INFO, cms.der(0x13, str(int(fail_info)).encode("latin-1")))
        )
    if fail_info_text:
        text = fail_info_text[:200].encode("utf-8")
        attrs.append(_attribute(OID_FAIL_INFO_TEXT, cms.der(0x0C, text)))
    return attrs


def _text(value: str) -> bytes:
    """A PrintableString of `value` when latin-1 holds it, else a UTF8String (a lone surrogate,
    which no string read from DER decodes to, replaced rather than raised)."""
    try:
        return cms.der(0x13, value.encode("latin-1"))
    except UnicodeEncodeError:
        return cms.der(0x0C, value.encode("utf-8", "replace"))


def _attribute(oid: str, value: bytes) -> bytes:
    """Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF ANY } with one value."""
    return cms.der(0x30, _DER_OIDS[oid] + cms.der(0x31, value))


_DER_OIDS = {
    oid: core.ObjectIdentifier(oid).dump()
    for oid in (
        OID_MESSAGE_TYPE,
        OID_PKI_STATUS,
        OID_FAIL_INFO,
        OID_SENDER_NONCE,
        OID_RECIPIENT_NONCE,
        OID_TRANSACTION_ID,
        OID_FAIL_INFO_TEXT,
    )
}


# --- reading a request ---------------------------------------------------------------------


def parse_pki_message(data: bytes) -> PkiRequest:
    """Read a pkiMessage; ScepMessageError when it is not SCEP at all.

    A bad signature does not raise: it is recorded in `signature_error` so that the caller can
    still answer with a CertRep FAILURE bound to the request's transactionID and nonce.
    """
    try:
        verified = cms.verify_signed_data(data)
    except cms.CMSError as exc:
        # Not verified: read what a FAILURE reply needs from the structure itself.
        return _unverified_request(data, str(exc))
    # Verified: the SCEP attributes are read from the structure the verification parsed (the
    # message and its signed attributes are parsed once), and checked as below.
    if verified.signed_attributes is None:
        raise ScepMessageError("not a SCEP message: no signed attributes")
    try:
        values = _scep_values(verified.attributes_as_sent())
    except cms.CMSError as exc:
        raise ScepMessageError(str(exc)) from None
    return _request(
        values,
        digest=verified.digest_algorithm,
        signer=verified.signer,
        envelope=verified.content,
        signature_error=None,
    )


def _unverified_request(data: bytes, signature_error: str) -> PkiRequest:
    try:
        signed = cms.load_signed_data(data)
        signer_infos = signed["signer_infos"]
        if len(signer_infos) != 1:
            raise ScepMessageError("a SCEP message has exactly one signer")
        signer_info = signer_infos[0]
        attrs = signer_info["signed_attrs"]
        if isinstance(attrs, core.Void):
            raise ScepMessageError("not a SCEP message: no signed attributes")
        digest = signer_info["digest_algorithm"]["algorithm"].native
        values = _scep_values(cms.attributes_as_sent(attrs))
    except cms.CMSError as exc:
        raise ScepMessageError(str(exc)) from None
    except cms.PARSE_ERRORS:
        raise ScepMessageError("not a SCEP message: malformed SignedData") from None
    return _request(
        values, digest=str(digest), signer=None, envelope=b"", signature_error=signature_error
    )


# The attributes a request is read by, as their types' encoded contents: compared as bytes
# (an OID has one valid encoding, X.690 8.19.2) instead of decoding every attribute's type.
_REQUEST_ATTRIBUTES = {
    core.ObjectIdentifier(oid).contents: oid
    for oid in (OID_MESSAGE_TYPE, OID_TRANSACTION_ID, OID_SENDER_NONCE)
}


def _scep_values(attrs: cms.SignedAttributes) -> dict[str, object]:
    """messageType, transactionID and senderNonce (dotted OID -> value, the first of each
    attribute, as `cms.find_attribute` reads it; None when unreadable) in one pass over the set;
    CMSError when the set cannot be read."""
    found = attrs.first_values(_REQUEST_ATTRIBUTES)
    return {_REQUEST_ATTRIBUTES[oid]: _native(value) for oid, value in found.items()}


# The longest transactionID kept (the column of IssuedCertificate.transaction_id).
MAX_TRANSACTION_ID = 255


def _request(
    values: dict[str, object],
    *,
    digest: str,
    signer: x509.Certificate | None,
    envelope: bytes,
    signature_error: str | None,
) -> PkiRequest:
    message_type = values.get(OID_MESSAGE_TYPE)
    transaction_id = values.get(OID_TRANSACTION_ID)
    sender_nonce = values.get(OID_SENDER_NONCE)
    if not isinstance(message_type, str) or not message_type:
        raise ScepMessageError("not a SCEP message: no messageType attribute")
    if not isinstance(transaction_id, str) or not transaction_id:
        raise ScepMessageError("not a SCEP message: no transactionID attribute")
    if len(transaction_id) > MAX_TRANSACTION_ID or not transaction_id.isprintable():
        # RFC 8894: a PrintableString (clients write a hash of the key, in hex); it is stored
        # and logged, so NULs, line breaks and format characters never get that far.
        raise ScepMessageError(
            f"the transactionID must be printable text of at most {MAX_TRANSACTION_ID} characters"
        )
    if not isinstance(sender_nonce, bytes) or not sender_nonce:
        raise ScepMessageError("not a SCEP message: no senderNonce attribute")
    return PkiRequest(
        message_type=message_type,
        transaction_id=transaction_id,
        sender_nonce=sender_nonce,
        digest_algorithm=digest,
        signer=signer,
        envelope=envelope,
        signature_error=signature_error,
    )


def open_pkcs_req(request: PkiRequest, *, ca: Identity, allow_des: bool = False) -> OpenedRequest:
    """Check a PKCSReq or RenewalReq and decrypt its CSR; ScepFailure with the RFC 8894 failInfo
    otherwise. Whether a RenewalReq's signer may renew is the caller's decision; single-DES
    envelopes are refused with badAlg unless `allow_des`."""
    if request.digest_algorithm not in _REPLY_DIGESTS:
        raise ScepFailure(
            FailInfo.BAD_ALG, f"digest algorithm {request.digest_algorithm} is not supported"
        )
    if request.signature_error is not None or request.signer is None:
        raise ScepFailure(
            FailInfo.BAD_MESSAGE_CHECK, f"message signature: {request.signature_error}"
        )
    if request.message_type not in (MessageType.PKCS_REQ, MessageType.RENEWAL_REQ):
        raise ScepFailure(
            FailInfo.BAD_REQUEST,
            f"message type {request.message_type} is not supported (PKCSReq and RenewalReq only)",
        )
    if not isinstance(request.signer.public_key(), rsa.RSAPublicKey):
        # The reply envelope uses RSA key transport to the requester's certificate.
        raise ScepFailure(FailInfo.BAD_ALG, "the requester certificate must have an RSA key")
    try:
        plaintext, cipher = decrypt_envelope(
            request.envelope, key=ca.key, allow_des=allow_des, certificate=ca.certificate
        )
        csr = parse_csr(plaintext)
    except cms.PARSE_ERRORS as exc:
        # The envelope and CSR are signed by the requester, who may still have signed junk.
        raise ScepFailure(
            FailInfo.BAD_REQUEST, f"the request cannot be read ({exc.__class__.__name__})"
        ) from None
    return OpenedRequest(request=request, csr=csr, cipher=cipher)


# --- CSR -----------------------------------------------------------------------------------


def parse_csr(der: bytes) -> CsrInfo:
    """Read a PKCS#10 CSR, including version-2 CSRs sent by older Apple devices."""
    try:
        csr = x509.load_der_x509_csr(der)
    except x509.InvalidVersion:
        # cryptography refuses version != 0; Apple devices have sent version 2.
        return _parse_csr_fallback(der)
    except ValueError:
        raise ScepFailure(FailInfo.BAD_REQUEST, "the CSR cannot be parsed") from None
    if not csr.is_signature_valid:
        raise ScepFailure(FailInfo.BAD_MESSAGE_CHECK, "the CSR signature does not verify")
    public_key = _identity_key(csr.public_key())
    try:
        raw = csr.attributes.get_attribute_for_oid(AttributeOID.CHALLENGE_PASSWORD).value
        challenge: str | None = raw.decode() if isinstance(raw, bytes) else str(raw)
    except x509.AttributeNotFound:
        challenge = None
    except UnicodeDecodeError:
        raise ScepFailure(FailInfo.BAD_REQUEST, "the challengePassword is not text") from None
    return CsrInfo(public_key=public_key, subject=csr.subject, challenge_password=challenge)


# What an identity's key may be: what our enrollment profiles ask (RSA 2048) or stronger. The
# CA signs no certificate for a key anyone could factor or a curve nobody uses on Apple devices.
MIN_RSA_BITS = 2048
_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)


def _identity_key(key: object) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
    """The CSR's public key if the CA may certify it; ScepFailure (badAlg) otherwise."""
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ScepFailure(
                FailInfo.BAD_ALG,
                f"the CSR's RSA key has {key.key_size} bits: at least {MIN_RSA_BITS} are needed",
            )
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, _CURVES):
            raise ScepFailure(
                FailInfo.BAD_ALG,
                f"the CSR's EC key is on {key.curve.name}: P-256, P-384 or P-521 are accepted",
            )
        return key
    raise ScepFailure(FailInfo.BAD_ALG, "the CSR key must be RSA or EC")


def _parse_csr_fallback(der: bytes) -> CsrInfo:
    try:
        req = asn1_csr.CertificationRequest.load(der)
        info = req["certification_request_info"]
        public_key = serialization.load_der_public_key(info["subject_pk_info"].dump())
        sig_alg = req["signature_algorithm"]
        signature = req["signature"].native
        hash_name = sig_alg.hash_algo
        subject = _name_from_asn1(info["subject"])
        challenge = None
        for attr in info["attributes"]:
            if attr["type"].native == "challenge_password":
                challenge = str(attr["values"][0].native)
    except (ValueError, TypeError, KeyError, IndexError):
        raise ScepFailure(FailInfo.BAD_REQUEST, "the CSR cannot be parsed") from None
    public_key = _identity_key(public_key)
    try:
        cms.verify_signature(public_key, signature, info.dump(), digest=hash_name, sig_alg=sig_alg)
    except cms.CMSError:
        raise ScepFailure(FailInfo.BAD_MESSAGE_CHECK, "the CSR signature does not verify") from None
    return CsrInfo(public_key=public_key, subject=subject, challenge_password=challenge)


def _name_from_asn1(name: asn1_x509.Name) -> x509.Name:
    rdns = []
    for rdn in name.chosen:
        attrs = []
        for atv in rdn:
            value = atv["value"].native
            if not isinstance(value, str):
                raise ValueError("non-text subject attribute")
            attrs.append(x509.NameAttribute(x509.ObjectIdentifier(atv["type"].dotted), value))
        rdns.append(x509.RelativeDistinguishedName(attrs))
    return x509.Name(rdns)


# --- envelopes -----------------------------------------------------------------------------


def _symmetric(cipher: str, key: bytes, iv: bytes) -> Cipher[modes.CBC]:
    if cipher == "des":
        # EDE with three equal keys is single DES (cryptography has no DES of its own).
        algorithm: TripleDES | algorithms.AES = TripleDES(key * 3)
    elif cipher == "3des":
        algorithm = TripleDES(key)
    else:
        algorithm = algorithms.AES(key)
    return Cipher(algorithm, modes.CBC(iv))


def encrypt_envelope(content: bytes, *, recipient: x509.Certificate, cipher: str) -> bytes:
    """EnvelopedData (as ContentInfo) of `content` for `recipient`'s RSA key, CBC mode."""
    if cipher not in CIPHERS:
        raise ValueError(f"unknown cipher {cipher!r}")
    public_key = recipient.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValueError("the recipient certificate must have an RSA key")
    if cipher in _LIBRARY_CIPHERS:
        # cryptography's envelope builder: AES-128 and AES-256 only (about the cost of the
        # encoded parts below: 0.046-0.053 ms against 0.042 ms per 1.2 kB envelope, measured
        # 6 December). Binary: the content as it is, no MIME canonicalisation.
        return (
            pkcs7.PKCS7EnvelopeBuilder()
            .set_data(content)
            .add_recipient(recipient)
            .set_content_encryption_algorithm(_LIBRARY_CIPHERS[cipher])
            .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
        )
    # 3DES, AES-192 and single DES (legacy setting), which the builder does not write (3DES is
    # what older clients ask for, RFC 8894's "DES3"): assembled from encoded parts, the same DER as asn1crypto writes
    # (tests/pki/test_scep.py compares byte for byte) at a sixth of its cost (asn1crypto
    # re-checks and re-encodes each level, ~0.25 ms per envelope).
    key_size = CIPHERS[cipher][1]
    block = _BLOCK_BYTES[cipher]
    cek = os.urandom(key_size)
    padder = sym_padding.PKCS7(block * 8).padder()
    padded = padder.update(content) + padder.finalize()
    encryptor = _symmetric(cipher, cek, iv := os.urandom(block)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    issuer_and_serial = cms.der(
        0x30, recipient.issuer.public_bytes() + cms.der_integer(recipient.serial_number)
    )
    recipient_info = cms.der(
        0x30,
        _DER_VERSION_0
        + issuer_and_serial
        + _DER_RSA_ENCRYPTION
        + cms.der(0x04, public_key.encrypt(cek, padding.PKCS1v15())),
    )
    encrypted_content_info = cms.der(
        0x30,
        _DER_OID_DATA
        + cms.der(0x30, _DER_CIPHER_OIDS[cipher] + cms.der(0x04, iv))
        + cms.der(0x80, encrypted),  # [0] IMPLICIT OCTET STRING
    )
    enveloped = cms.der(
        0x30, _DER_VERSION_0 + cms.der(0x31, recipient_info) + encrypted_content_info
    )
    return cms.der(0x30, _DER_OID_ENVELOPED_DATA + cms.der(0xA0, enveloped))


_LIBRARY_CIPHERS: dict[str, type[algorithms.AES128] | type[algorithms.AES256]] = {
    "aes128": algorithms.AES128,
    "aes256": algorithms.AES256,
}
_DER_VERSION_0 = core.Integer(0).dump()
_DER_RSA_ENCRYPTION = asn1_cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_pkcs1v15"}).dump()
_DER_OID_DATA = asn1_cms.ContentType("data").dump()
_DER_OID_ENVELOPED_DATA = asn1_cms.ContentType("enveloped_data").dump()
_DER_CIPHER_OIDS = {
    name: asn1_cms.EncryptionAlgorithmId(algorithm).dump()
    for name, (algorithm, _) in CIPHERS.items()
}


# The content-encryption OIDs the library reads, as their encoded contents.
_LIBRARY_CIPHER_OIDS = {
    asn1_cms.EncryptionAlgorithmId(CIPHERS[name][0]).contents: name for name in _LIBRARY_CIPHERS
}


def _content_encryption_oid(data: bytes) -> bytes:
    """The encoded contents of the content-encryption algorithm's OID in a ContentInfo holding
    an EnvelopedData, read by headers (`cms.der_header`) where DER puts it; b"" when it is not
    there (malformed, BER, another structure). Only decides whether the library is tried: the
    library reads the whole envelope itself, as DER, where the OID read here is exact."""
    try:
        tag, at, end = cms.der_header(data, 0, len(data))  # ContentInfo
        if tag != 0x30:
            return b""
        tag, start, at = cms.der_header(data, at, end)  # contentType
        if tag != 0x06 or data[start:at] != _ENVELOPED_DATA_OID:
            return b""
        tag, at, end = cms.der_header(data, at, end)  # [0] EXPLICIT
        if tag != 0xA0:
            return b""
        tag, at, end = cms.der_header(data, at, end)  # EnvelopedData
        if tag != 0x30:
            return b""
        # version, [0] originatorInfo, recipientInfos (a SET), then the one SEQUENCE.
        tag, start, stop = cms.der_header(data, at, end)
        while tag != 0x30:
            tag, start, stop = cms.der_header(data, stop, end)
        _, _, at = cms.der_header(data, start, stop)  # contentType of the encrypted content
        tag, at, end = cms.der_header(data, at, stop)  # contentEncryptionAlgorithm
        if tag != 0x30:
            return b""
        tag, start, stop = cms.der_header(data, at, end)
    except ValueError:
        return b""
    return data[start:stop] if tag == 0x06 else b""


_ENVELOPED_DATA_OID = asn1_cms.ContentType("enveloped_data").contents


def _encrypted_content(eci: asn1_cms.EncryptedContentInfo) -> bytes | None:
    """The encryptedContent octets, [0] IMPLICIT OCTET STRING, in any encoding BER allows.

    DER writes it primitive; BER encoders may write it constructed, as segments (OpenSSL's
    streaming output, with an indefinite length; Go's pkcs7 package, one segment with a
    definite length). asn1crypto reads only some of the constructed forms, so the field is read
    from its encoding here. None when it is absent.
    """
    contents = eci.contents or b""
    pointer = 0
    while pointer < len(contents):
        class_, method, tag, header, body, trailer = asn1_parser.parse(contents[pointer:])
        pointer += len(header) + len(body) + len(trailer)
        if class_ == 2 and tag == 0:  # context-specific [0]
            return body if method == 0 else _octet_segments(body)
    return None


def _octet_segments(data: bytes, depth: int = 0) -> bytes:
    """The bytes of the segments of a constructed OCTET STRING (each primitive or constructed)."""
    if depth > 8:
        raise ValueError("OCTET STRING segments nested too deeply")
    out = []
    pointer = 0
    while pointer < len(data):
        class_, method, tag, header, body, trailer = asn1_parser.parse(data[pointer:])
        pointer += len(header) + len(body) + len(trailer)
        if (class_, tag) == (0, 0) and not body:
            continue  # end-of-contents of an indefinite length
        if (class_, tag) != (0, 4):
            raise ValueError("a constructed OCTET STRING holds only OCTET STRING segments")
        out.append(body if method == 0 else _octet_segments(body, depth + 1))
    return b"".join(out)


def decrypt_envelope(  # noqa: C901 - one branch per envelope form and cipher Apple's and other clients send
    data: bytes,
    *,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    allow_des: bool = False,
    certificate: x509.Certificate | None = None,
) -> tuple[bytes, str]:
    """Decrypt an EnvelopedData addressed to `key`; returns (plaintext, cipher name).

    DER or BER (indefinite lengths, constructed strings). Single DES is refused with badAlg
    unless `allow_des`. With the key's `certificate`, AES-128 and AES-256 envelopes are
    decrypted by cryptography's PKCS#7 reader."""
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ScepFailure(FailInfo.BAD_ALG, "the CA key must be RSA to decrypt SCEP requests")
    library_tried = False
    if certificate is not None:
        # What every Apple device sends (AES-128 in DER) goes to the library first, without
        # asn1crypto's reading below (50-60 µs in a loop on 7 December, most of this function's
        # own work): what the library decrypts is DER that the reading below takes as the same
        # AES envelope (one to this certificate, its encrypted content primitive, a 16-byte IV)
        # and then hands to the library in turn. Anything it refuses is read below, and not
        # given to it again, so that each refusal keeps its own answer.
        cipher = _LIBRARY_CIPHER_OIDS.get(_content_encryption_oid(data))
        if cipher is not None:
            library_tried = True
            try:
                return pkcs7.pkcs7_decrypt_der(data, certificate, key, []), cipher
            except (ValueError, UnsupportedAlgorithm):
                pass
    try:
        info = asn1_cms.ContentInfo.load(data)
        if info["content_type"].native != "enveloped_data":
            raise ScepFailure(FailInfo.BAD_REQUEST, "the signed content is not EnvelopedData")
        enveloped = info["content"]
        eci = enveloped["encrypted_content_info"]
        algorithm = eci["content_encryption_algorithm"]
        algorithm_name = algorithm["algorithm"].native
        encrypted = _encrypted_content(eci)
        recipients = [r.chosen for r in enveloped["recipient_infos"] if r.name == "ktri"]
    except ScepFailure:
        raise
    except (ValueError, TypeError, KeyError, IndexError):
        raise ScepFailure(FailInfo.BAD_REQUEST, "the EnvelopedData cannot be parsed") from None
    cipher = _CIPHER_BY_ALGORITHM.get(algorithm_name)
    if cipher is None:
        raise ScepFailure(FailInfo.BAD_ALG, f"content encryption {algorithm_name} is not supported")
    if cipher == "des" and not allow_des:
        raise ScepFailure(
            FailInfo.BAD_ALG,
            "single DES (56-bit) envelopes are refused: use AES or 3DES "
            "(the server administrator can allow DES with MDM_SCEP_ALLOW_DES)",
        )
    if not recipients:
        raise ScepFailure(FailInfo.BAD_REQUEST, "the EnvelopedData has no key-transport recipient")
    if encrypted is None:
        raise ScepFailure(FailInfo.BAD_REQUEST, "the EnvelopedData has no encrypted content")
    key_size = CIPHERS[cipher][1]
    block = _BLOCK_BYTES[cipher]
    try:
        iv = algorithm["parameters"].native
    except (ValueError, TypeError):
        iv = None
    if not isinstance(iv, bytes) or len(iv) != block:
        raise ScepFailure(FailInfo.BAD_REQUEST, "the content encryption IV is missing or malformed")
    if certificate is not None and cipher in _LIBRARY_CIPHERS and not library_tried:
        # cryptography reads AES-128 and AES-256 envelopes in DER to this certificate (0.28 ms
        # against 0.35 ms for the steps below, 6 December), not which cipher it found (asn1crypto
        # tells, above), 3DES, AES-192, DES or BER's constructed forms: anything it refuses goes
        # the way below, which gives each refusal its own answer.
        try:
            return pkcs7.pkcs7_decrypt_der(data, certificate, key, []), cipher
        except (ValueError, UnsupportedAlgorithm):
            pass
    cek = None
    for recipient in recipients:
        # RSA PKCS#1 v1.5 key transport is what SCEP clients (Apple's included) use.
        if recipient["key_encryption_algorithm"]["algorithm"].native != "rsaes_pkcs1v15":
            continue
        try:
            candidate = key.decrypt(recipient["encrypted_key"].native, padding.PKCS1v15())
        except ValueError:
            continue
        if len(candidate) == key_size:
            cek = candidate
            break
    # One message for every key or padding problem below, so that the answer does not tell an
    # attacker which step failed (a padding oracle on the CA key).
    undecryptable = ScepFailure(
        FailInfo.BAD_MESSAGE_CHECK, "the request cannot be decrypted with the CA key"
    )
    if cek is None or len(encrypted) % block:
        raise undecryptable
    decryptor = _symmetric(cipher, cek, iv).decryptor()
    padded = decryptor.update(encrypted) + decryptor.finalize()
    unpadder = sym_padding.PKCS7(block * 8).unpadder()
    try:
        plaintext = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise undecryptable from None
    return plaintext, cipher


# --- replies -------------------------------------------------------------------------------


def _reply_digest(request: PkiRequest) -> str:
    return request.digest_algorithm if request.digest_algorithm in _REPLY_DIGESTS else "sha256"


def build_cert_rep_success(
    opened: OpenedRequest, *, ca: Identity, issued: x509.Certificate
) -> bytes:
    """CertRep SUCCESS: a certs-only SignedData with the new certificate, enveloped to the
    requester with the cipher it used, signed by the CA."""
    request = opened.request
    assert request.signer is not None  # noqa: S101 (open_pkcs_req guarantees it)
    degenerate = pkcs7.serialize_certificates([issued], serialization.Encoding.DER)
    envelope = encrypt_envelope(degenerate, recipient=request.signer, cipher=opened.cipher)
    return cms.build_signed_data(
        envelope,
        certificate=ca.certificate,
        key=ca.key,
        digest=_reply_digest(request),
        extra_attributes=scep_attributes(
            message_type=MessageType.CERT_REP,
            transaction_id=request.transaction_id,
            sender_nonce=os.urandom(16),
            recipient_nonce=request.sender_nonce,
            status=PkiStatus.SUCCESS,
        ),
    )


def build_cert_rep_failure(
    request: PkiRequest, *, ca: Identity, fail_info: FailInfo, reason: str = ""
) -> bytes:
    """CertRep FAILURE with `fail_info`; the pkcsPKIEnvelope is omitted (empty content)."""
    return cms.build_signed_data(
        b"",
        certificate=ca.certificate,
        key=ca.key,
        digest=_reply_digest(request),
        extra_attributes=scep_attributes(
            message_type=MessageType.CERT_REP,
            transaction_id=request.transaction_id,
            sender_nonce=os.urandom(16),
            recipient_nonce=request.sender_nonce,
            status=PkiStatus.FAILURE,
            fail_info=fail_info,
            fail_info_text=reason,
        ),
    )


def read_attributes(verified: cms.VerifiedCMS) -> dict[str, object]:
    """The SCEP attributes of a verified pkiMessage, by name (absent ones are None)."""
    attrs = verified.signed_attributes
    if attrs is None:
        return {}
    names = {
        "message_type": OID_MESSAGE_TYPE,
        "pki_status": OID_PKI_STATUS,
        "fail_info": OID_FAIL_INFO,
        "fail_info_text": OID_FAIL_INFO_TEXT,
        "sender_nonce": OID_SENDER_NONCE,
        "recipient_nonce": OID_RECIPIENT_NONCE,
        "transaction_id": OID_TRANSACTION_ID,
    }
    return {name: _attr_native(attrs, oid) for name, oid in names.items()}


__all__ = [
    "CA_CAPABILITIES",
    "CIPHERS",
    "PKI_MESSAGE_TYPE",
    "REQUEST_MEDIA_TYPES",
    "CsrInfo",
    "FailInfo",
    "MessageType",
    "OpenedRequest",
    "PkiRequest",
    "PkiStatus",
    "ScepFailure",
    "ScepMessageError",
    "build_cert_rep_failure",
    "build_cert_rep_success",
    "decrypt_envelope",
    "encrypt_envelope",
    "open_pkcs_req",
    "parse_csr",
    "parse_pki_message",
    "read_attributes",
    "scep_attributes",
]
