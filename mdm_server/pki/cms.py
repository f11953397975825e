"""CMS SignedData (RFC 5652): verify device signatures (`Mdm-Signature`) and sign content.

Pure: no Django imports. asn1crypto parses (it reads the BER indefinite-length encoding devices
send), `cryptography` does the math, because `cryptography` has no public CMS verify API. A
SignedData, its signer's identifier and its signed attributes in plain DER are read by their
headers (`der_header`: `_plain_signed_data`, `_plain_signer_id`, `SignedAttributes`), where
asn1crypto would read the same.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from mdm_server.pki.certificates import load_der_from_peer

# Re-exported: the SCEP module and the tests write and read encoded parts through `cms`.
from mdm_server.pki.der import der as der
from mdm_server.pki.der import der_header as der_header

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# Digests accepted on signatures; MD5 and friends are refused.
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

# Upper bound for a header or message we are willing to parse: device signatures are ~2 KB.
MAX_CMS_SIZE = 256 * 1024


class CMSError(Exception):
    """The CMS structure is malformed, unsupported, or its signature does not verify."""


@dataclass(frozen=True)
class VerifiedCMS:
    """A SignedData whose (single) signature verified over `content`."""

    content: bytes
    signer: x509.Certificate
    certificates: tuple[x509.Certificate, ...]
    digest_algorithm: str
    content_type: str = "data"
    signed_attributes: cms.CMSAttributes | None = None
    # The attributes as the check of contentType and messageDigest read them, when it read them
    # as sent (see `attributes_as_sent`).
    checked_attributes: SignedAttributes | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    def attribute(self, oid: str) -> core.Any | None:
        """The first value of a signed attribute (dotted OID), unparsed; None when absent."""
        return find_attribute(self.signed_attributes, oid)

    def attributes_as_sent(self) -> SignedAttributes:
        """`attributes_as_sent` of the signed attributes (none without them), read once: the
        set the verification checked is read again when it is the one sent."""
        if self.signed_attributes is None:
            return SignedAttributes(plain=())
        if self.checked_attributes is not None:
            return self.checked_attributes
        return attributes_as_sent(self.signed_attributes)


# What asn1crypto and `cryptography` raise on malformed input: asn1crypto parses lazily, so a
# damaged byte surfaces as any of these wherever the structure is first read. It reads nested
# values by recursion, a frame a level: a few kilobytes of nesting raise RecursionError. It
# loads an ObjectDescriptor, an EXTERNAL (INSTANCE OF) or a REAL as a class without `native`:
# reading such a value's `native` (an attribute value, a name's) raises AttributeError.
PARSE_ERRORS: tuple[type[Exception], ...] = (
    RecursionError,
    AttributeError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    UnsupportedAlgorithm,
    x509.InvalidVersion,
)


def find_attribute(attrs: cms.CMSAttributes | None, oid: str) -> core.Any | None:
    """First value of the attribute `oid` (dotted) in a signed-attributes set, or None;
    CMSError when the set cannot be read."""
    if attrs is None:
        return None
    try:
        for attr in attrs:
            if attr["type"].dotted == oid:
                values = attr["values"]
                return values[0] if len(values) else None
    except PARSE_ERRORS:
        raise CMSError("signed attributes are malformed") from None
    return None


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    """A `cryptography` hash for an asn1crypto digest name; CMSError when not allowed."""
    try:
        return _HASHES[name]()
    except KeyError:
        raise CMSError(f"unsupported digest algorithm {name!r}") from None


def _digest(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


def load_signed_data(data: bytes) -> cms.SignedData:
    """Parse DER/BER ContentInfo bytes and return its SignedData; CMSError otherwise."""
    if not data:
        raise CMSError("empty CMS message")
    if len(data) > MAX_CMS_SIZE:
        raise CMSError(f"CMS message too large ({len(data)} bytes)")
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            raise CMSError(f"not CMS SignedData (content type {info['content_type'].native})")
        signed = info["content"]
        # Touch the parts we need so that parse errors surface here, as CMSError.
        _ = len(signed["signer_infos"])
        _ = signed["encap_content_info"]["content_type"].dotted
    except CMSError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise CMSError("not CMS SignedData (cannot be parsed)") from None
    return signed


@dataclass(frozen=True, slots=True)
class _PlainSignedData:
    """The parts of a SignedData a verification reads, as their encodings (`_plain_signed_data`)."""

    content: bytes | None  # the embedded content's octets; None when detached
    certificates: tuple[bytes, ...]  # each embedded certificate, as sent
    sid: bytes  # the SignerIdentifier
    digest_algorithm: bytes
    signed_attrs: bytes | None  # the [0] IMPLICIT SET OF Attribute as sent; None without
    attrs_at: int  # where its contents start in `signed_attrs`
    signature_algorithm: bytes
    signature: bytes


# The OIDs of ContentInfo's types read here, as their contents octets (compared as bytes: an OID
# has one valid encoding, X.690 8.19.2; any other one is read by asn1crypto).
_SIGNED_DATA_OID = cms.ContentType("signed_data").contents
_DATA_OID = cms.ContentType("data").contents


def _plain_signed_data(data: bytes) -> _PlainSignedData | None:  # noqa: C901 - one check per field
    """A ContentInfo holding a SignedData with one signer, read by its headers (`der_header`)
    where it is plain DER of the shape every SCEP client and device writes: content of type
    data, embedded as a primitive OCTET STRING or detached; certificates only (no other
    choice, no CRLs); no unsigned attributes; every element of a low tag number and a definite
    length, every structure exactly filled, nothing after the message; and no header ending in
    0x80 on the parts the verification takes as encoded (asn1crypto re-encodes such an element
    when dumping it: `_dumped`). None for anything else, which asn1crypto reads as before
    (`load_signed_data`): where this reads, the verification reads the same parts from
    asn1crypto, with the same outcome (tests/pki/test_plain_der.py compares them on changed and
    mutated SCEP requests and device signatures). A SCEP request is read in 0.01 ms against 0.1
    ms through asn1crypto, in a loop on 7 December."""
    header = der_header
    try:
        tag, at, end = header(data, 0, len(data))  # ContentInfo
        if tag != 0x30 or end != len(data):
            return None
        tag, start, at = header(data, at, end)  # contentType
        if tag != 0x06 or data[start:at] != _SIGNED_DATA_OID:
            return None
        tag, at, stop = header(data, at, end)  # [0] EXPLICIT
        if tag != 0xA0 or stop != end:
            return None
        tag, at, end = header(data, at, end)  # SignedData
        if tag != 0x30 or end != stop:
            return None
        tag, _, at = header(data, at, end)  # version
        if tag != 0x02:
            return None
        tag, _, at = header(data, at, end)  # digestAlgorithms
        if tag != 0x31:
            return None
        tag, start, at = header(data, at, end)  # encapContentInfo
        if tag != 0x30:
            return None
        content = _plain_encapsulated(data, start, at)
        tag, start, stop = header(data, at, end)
        certificates = []
        if tag == 0xA0:  # [0] IMPLICIT CertificateSet
            while start < stop:
                tag, contents, cert_stop = header(data, start, stop)
                if tag != 0x30 or _dumped(data, contents):
                    return None
                certificates.append(data[start:cert_stop])
                start = cert_stop
            tag, start, stop = header(data, stop, end)
        if tag != 0x31 or stop != end:  # signerInfos (no CRLs)
            return None
        tag, at, end = header(data, start, stop)  # the one SignerInfo
        if tag != 0x30 or end != stop:
            return None
        tag, _, sid = header(data, at, end)  # version
        if tag != 0x02:
            return None
        tag, start, digest = header(data, sid, end)  # IssuerAndSerialNumber or [0] key id
        if tag not in (0x30, 0x80) or _dumped(data, start):
            return None
        tag, start, at = header(data, digest, end)  # digestAlgorithm
        if tag != 0x30 or _dumped(data, start):
            return None
        attrs_start = at
        tag, start, stop = header(data, at, end)
        signed_attrs, attrs_at = None, 0
        if tag == 0xA0:  # [0] IMPLICIT signedAttrs
            if _dumped(data, start):
                return None
            signed_attrs, attrs_at = data[at:stop], start - at
            at = stop
            tag, start, stop = header(data, at, end)
        if tag != 0x30 or _dumped(data, start):  # signatureAlgorithm
            return None
        signature_algorithm = data[at:stop]
        tag, start, at = header(data, stop, end)  # signature
        if tag != 0x04 or at != end:  # (no unsigned attributes)
            return None
    except ValueError:
        return None
    return _PlainSignedData(
        content=content,
        certificates=tuple(certificates),
        sid=data[sid:digest],
        digest_algorithm=data[digest:attrs_start],
        signed_attrs=signed_attrs,
        attrs_at=attrs_at,
        signature_algorithm=signature_algorithm,
        signature=data[start:at],
    )


def _dumped(data: bytes, contents: int) -> bool:
    """Whether the header ending where `contents` starts ends in 0x80: asn1crypto takes such a
    header for an indefinite length and re-encodes the element when it dumps it, so that its
    encoding is not the one sent. (A short form is below 0x80: `der_header` refuses 0x80.)"""
    return data[contents - 1] == 0x80


def _plain_encapsulated(data: bytes, at: int, end: int) -> bytes | None:
    """An EncapsulatedContentInfo's content, of type data, as `_plain_signed_data` reads it:
    its octets, None when detached; ValueError when it is not read here."""
    tag, start, at = der_header(data, at, end)  # eContentType
    if tag != 0x06 or data[start:at] != _DATA_OID:
        raise ValueError("not content of type data")
    if at == end:
        return None
    tag, at, stop = der_header(data, at, end)  # [0] EXPLICIT
    if tag != 0xA0 or stop != end:
        raise ValueError("not an explicit [0]")
    tag, start, at = der_header(data, at, end)  # OCTET STRING, primitive
    if tag != 0x04 or at != end:
        raise ValueError("not a primitive OCTET STRING")
    return data[start:at]


@dataclass(frozen=True, slots=True)
class _Embedded:
    """An embedded certificate, loaded, with what matching it to a SignerIdentifier reads."""

    certificate: x509.Certificate
    issuer: bytes  # DER of the issuer name
    serial: int
    key_identifier: bytes | None  # the SubjectKeyIdentifier, when the certificate has one


# A device sends its identity certificate with every signature, so loading it (and reading its
# issuer, serial and key identifier) is done once per certificate and process, not per request
# (0.02 ms of a 0.2 ms verification). Keyed by the certificate's exact DER bytes: a certificate
# that differs in any byte is loaded afresh; only what loaded cleanly is kept (lru_cache does not
# keep exceptions). What is cached is a pure function of those bytes; the signature over the
# body is checked with the certificate's key on every call. About 4 kB an entry (8 MB at
# the bound, per process).
EMBEDDED_CACHE_SIZE = 2048


@lru_cache(maxsize=EMBEDDED_CACHE_SIZE)
def _embedded(der: bytes) -> _Embedded:
    try:
        cert = load_der_from_peer(der)
        issuer = cert.issuer.public_bytes()
        try:
            ski: bytes | None = cert.extensions.get_extension_for_class(
                x509.SubjectKeyIdentifier
            ).value.digest
        except x509.ExtensionNotFound:
            ski = None
    except PARSE_ERRORS:
        raise CMSError("an embedded certificate cannot be read") from None
    return _Embedded(certificate=cert, issuer=issuer, serial=cert.serial_number, key_identifier=ski)


def _certificates(signed: cms.SignedData) -> tuple[_Embedded, ...]:
    certs = signed["certificates"]
    if isinstance(certs, core.Void):
        return ()
    return tuple(
        _embedded(choice.chosen.dump()) for choice in certs if choice.name == "certificate"
    )


# What a SignerInfo names by small encoded parts (the signer's identifier, the digest and
# signature algorithms) is read once per distinct encoding: a device repeats the same bytes in
# every signature, and asn1crypto decodes each part through several objects and spec lookups.
# Keyed by the exact bytes, holding plain values only (no asn1crypto object is shared), bounded.
@dataclass(frozen=True, slots=True)
class _SignerId:
    issuer: bytes | None  # DER of the issuer name, with `serial`; or else `key_identifier`
    serial: int | None
    key_identifier: bytes | None


@lru_cache(maxsize=EMBEDDED_CACHE_SIZE)
def _signer_id(encoded: bytes) -> _SignerId:
    plain = _plain_signer_id(encoded)
    return plain if plain is not None else _asn1_signer_id(encoded)


def _asn1_signer_id(encoded: bytes) -> _SignerId:
    sid = cms.SignerIdentifier.load(encoded)
    if sid.name == "issuer_and_serial_number":
        return _SignerId(
            issuer=sid.chosen["issuer"].dump(),
            serial=sid.chosen["serial_number"].native,
            key_identifier=None,
        )
    return _SignerId(issuer=None, serial=None, key_identifier=sid.chosen.native)


def _plain_signer_id(encoded: bytes) -> _SignerId | None:
    """A SignerIdentifier in plain DER read by its headers: an IssuerAndSerialNumber of exactly
    a SEQUENCE (the name, as sent) and a primitive INTEGER of at least one octet, or a primitive
    [0] key identifier; no header ending in 0x80 (see `_plain_signed_data`). None for anything
    else, which asn1crypto reads: where this reads, asn1crypto reads the same (tests/pki/
    test_plain_der.py). A device's identifier is new with each SCEP request (its self-signed
    certificate): 3 µs against 25 µs, in a loop."""
    try:
        tag, at, end = der_header(encoded, 0, len(encoded))
        if end != len(encoded) or encoded[at - 1] == 0x80:
            return None
        if tag == 0x80:
            return _SignerId(issuer=None, serial=None, key_identifier=encoded[at:end])
        if tag != 0x30:
            return None
        tag, start, stop = der_header(encoded, at, end)
        if tag != 0x30 or encoded[start - 1] == 0x80:
            return None
        issuer = encoded[at:stop]
        tag, start, at = der_header(encoded, stop, end)
        if tag != 0x02 or at != end or start == at or encoded[start - 1] == 0x80:
            return None
    except ValueError:
        return None
    serial = int.from_bytes(encoded[start:at], "big", signed=True)
    return _SignerId(issuer=issuer, serial=serial, key_identifier=None)


def _find_signer(encoded_sid: bytes, certs: Sequence[_Embedded]) -> x509.Certificate:
    sid = _signer_id(encoded_sid)
    if sid.issuer is not None:
        for cert in certs:
            if cert.serial == sid.serial and cert.issuer == sid.issuer:
                return cert.certificate
        # Re-encoded issuer names may differ in string types; fall back to the serial alone
        # when it is unambiguous.
        by_serial = [c for c in certs if c.serial == sid.serial]
        if len(by_serial) == 1:
            return by_serial[0].certificate
    else:
        for cert in certs:
            if cert.key_identifier is not None and cert.key_identifier == sid.key_identifier:
                return cert.certificate
    raise CMSError("the signer's certificate is not in the message")


@lru_cache(maxsize=64)
def _digest_name(encoded: bytes) -> str:
    """The digest an encoded DigestAlgorithm names (allowed or not: see `hash_algorithm`)."""
    name: str = algos.DigestAlgorithm.load(encoded)["algorithm"].native
    return name


@dataclass(frozen=True, slots=True)
class _Scheme:
    """A signature algorithm, read: its name and, for RSA-PSS, its parameters."""

    algorithm: str
    pss: tuple[str, str, int] | None = None  # hash, MGF1 hash, salt length


@lru_cache(maxsize=64)
def _scheme(encoded: bytes) -> _Scheme:
    return _scheme_of(algos.SignedDigestAlgorithm.load(encoded))


def _scheme_of(sig_alg: algos.SignedDigestAlgorithm) -> _Scheme:
    algo: str = sig_alg.signature_algo
    if algo != "rsassa_pss":
        return _Scheme(algo)
    try:
        params = sig_alg["parameters"]
        return _Scheme(
            algo,
            (
                params["hash_algorithm"]["algorithm"].native,
                params["mask_gen_algorithm"]["parameters"]["algorithm"].native,
                params["salt_length"].native,
            ),
        )
    except (ValueError, KeyError, TypeError):
        raise CMSError("signature parameters cannot be used") from None


def verify_signature(
    public_key: object,
    signature: bytes,
    data: bytes,
    *,
    digest: str,
    sig_alg: algos.SignedDigestAlgorithm,
) -> None:
    """Check one signature with RSA PKCS#1 v1.5, RSA-PSS or ECDSA; CMSError if it fails."""
    _verify_with(public_key, signature, data, digest=digest, scheme=_scheme_of(sig_alg))


def _verify_with(
    public_key: object, signature: bytes, data: bytes, *, digest: str, scheme: _Scheme
) -> None:
    algo = scheme.algorithm
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            if algo == "rsassa_pss" and scheme.pss is not None:
                pss_hash, mgf_hash, salt_length = scheme.pss
                pad: padding.AsymmetricPadding = padding.PSS(
                    mgf=padding.MGF1(hash_algorithm(mgf_hash)), salt_length=salt_length
                )
                public_key.verify(signature, data, pad, hash_algorithm(pss_hash))
            elif algo == "rsassa_pkcs1v15":
                public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm(digest))
            else:
                raise CMSError(f"signature algorithm {algo} does not fit an RSA key")
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            if algo != "ecdsa":
                raise CMSError(f"signature algorithm {algo} does not fit an EC key")
            public_key.verify(signature, data, ec.ECDSA(hash_algorithm(digest)))
        else:
            raise CMSError("the signer's key type is not supported (RSA or EC only)")
    except InvalidSignature:
        raise CMSError("signature does not verify") from None
    except (ValueError, KeyError, TypeError):
        raise CMSError("signature parameters cannot be used") from None


def verify_signed_data(data: bytes, *, detached_content: bytes | None = None) -> VerifiedCMS:
    """Verify a CMS SignedData with one signer; returns the content and the signer certificate.

    The signature is checked against the certificate embedded in the message only: whether that
    certificate is trusted (issued by our CA, enrolled) is the caller's decision. Anything
    malformed, wherever asn1crypto first reads it, is a CMSError.
    """
    try:
        return _verify_signed_data(data, detached_content)
    except CMSError:
        raise
    except PARSE_ERRORS as exc:
        raise CMSError(f"CMS SignedData is malformed ({exc.__class__.__name__})") from None


def _verify_signed_data(data: bytes, detached_content: bytes | None) -> VerifiedCMS:
    return _verify_parsed(data, detached_content)[0]


def _verify_parsed(
    data: bytes, detached_content: bytes | None
) -> tuple[VerifiedCMS, _Template | None]:
    """The verification, and what a signature of the same signer with other values in the same
    places would read the same (None when its encoding does not allow that: see `_template_of`)."""
    plain = _plain_signed_data(data) if data and len(data) <= MAX_CMS_SIZE else None
    if plain is not None:
        return _verify_plain(data, plain, detached_content)
    signed = load_signed_data(data)
    try:
        encap = signed["encap_content_info"]
        content_type = encap["content_type"].native
        embedded = encap["content"]
        embedded_bytes = None if isinstance(embedded, core.Void) else _octets(embedded)
        signer_infos = signed["signer_infos"]
        if len(signer_infos) != 1:
            raise CMSError(f"expected exactly one signer, found {len(signer_infos)}")
        signer_info = signer_infos[0]
        digest_name = _digest_name(signer_info["digest_algorithm"].dump())
        signature_value = signer_info["signature"]
        signature = signature_value.native
        sig_alg = signer_info["signature_algorithm"].dump()
        attrs = signer_info["signed_attrs"]
        has_attrs = not isinstance(attrs, core.Void)
    except CMSError:
        raise
    except (ValueError, TypeError, KeyError, IndexError):
        raise CMSError("CMS SignedData is malformed") from None

    content = _signed_content(embedded_bytes, detached_content)
    hash_algorithm(digest_name)  # refuse unknown digests before any work
    certs = _certificates(signed)
    signer = _find_signer(signer_info["sid"].dump(), certs)

    checked = None
    if has_attrs:
        # The signature covers the attributes re-tagged as a DER SET OF (RFC 5652 §5.4).
        signed_bytes = b"\x31" + attrs.dump()[1:]
        checked = _check_signed_attributes(signed_bytes, content_type, digest_name, content)
        if attrs.children is not None:
            # `dump()` re-encoded them (a header ending in 0x80): the checked set is in DER order.
            checked = None
    else:
        signed_bytes = content
    return _verified_signature(
        data,
        content=content,
        signer=signer,
        certs=certs,
        digest_name=digest_name,
        content_type=content_type,
        signature=signature,
        sig_alg=sig_alg,
        signed_bytes=signed_bytes,
        attributes=(attrs, attrs.contents, checked) if has_attrs else None,
        template=embedded_bytes is None and signature_value.method == 0,
    )


def _signed_content(embedded: bytes | None, detached_content: bytes | None) -> bytes:
    """What the signature covers: the embedded content, or the detached content given."""
    if detached_content is not None:
        if embedded is not None and embedded != detached_content:
            raise CMSError("the message embeds content that differs from the given content")
        return detached_content
    if embedded is not None:
        return embedded
    raise CMSError("detached signature: the signed content was not given")


def _verified_signature(
    data: bytes,
    *,
    content: bytes,
    signer: x509.Certificate,
    certs: tuple[_Embedded, ...],
    digest_name: str,
    content_type: str,
    signature: bytes,
    sig_alg: bytes,
    signed_bytes: bytes,
    attributes: tuple[cms.CMSAttributes, bytes, SignedAttributes | None] | None,
    template: bool,
    plain: bool = False,
) -> tuple[VerifiedCMS, _Template | None]:
    """The end of a verification, however the message was read: the signature checked with the
    signer's key; the verified message, and its template when `template` (see `_template_of`).
    `attributes`: the signed attributes, their contents octets and the set as checked. `plain`:
    the message was read by `_plain_signed_data`."""
    scheme = _scheme(sig_alg)
    public_key = signer.public_key()
    _verify_with(public_key, signature, signed_bytes, digest=digest_name, scheme=scheme)
    attrs, attrs_contents, checked = attributes if attributes is not None else (None, None, None)
    verified = VerifiedCMS(
        content=content,
        signer=signer,
        certificates=tuple(c.certificate for c in certs),
        digest_algorithm=digest_name,
        content_type=content_type,
        signed_attributes=attrs,
        checked_attributes=checked,
    )
    if not template:
        return verified, None
    return verified, _template_of(
        data,
        signature,
        attrs_contents,
        _Template(
            holes=(),
            signer=signer,
            public_key=public_key,
            digest_name=digest_name,
            scheme=scheme,
            content_type=content_type,
            attrs_tag=b"",
        ),
        plain=plain,
    )


def _verify_plain(
    data: bytes, plain: _PlainSignedData, detached_content: bytes | None
) -> tuple[VerifiedCMS, _Template | None]:
    """`_verify_parsed` of a message `_plain_signed_data` read: the same checks, in the same
    order, on the same encoded parts, with the same errors."""
    try:
        digest_name = _digest_name(plain.digest_algorithm)
    except (ValueError, TypeError, KeyError, IndexError):
        raise CMSError("CMS SignedData is malformed") from None
    content = _signed_content(plain.content, detached_content)
    hash_algorithm(digest_name)  # refuse unknown digests before any work
    certs = tuple(_embedded(der) for der in plain.certificates)
    signer = _find_signer(plain.sid, certs)
    attributes = None
    if plain.signed_attrs is not None:
        signed_bytes = b"\x31" + plain.signed_attrs[1:]
        checked = _check_signed_attributes(signed_bytes, "data", digest_name, content)
        # What asn1crypto's SignerInfo holds there, for the callers that read it (its own
        # reading of the same bytes: a header and nothing more until they do).
        attrs = cms.CMSAttributes.load(plain.signed_attrs, implicit=0)
        attributes = (attrs, plain.signed_attrs[plain.attrs_at :], checked)
    else:
        signed_bytes = content
    return _verified_signature(
        data,
        content=content,
        signer=signer,
        certs=certs,
        digest_name=digest_name,
        content_type="data",
        signature=plain.signature,
        sig_alg=plain.signature_algorithm,
        signed_bytes=signed_bytes,
        attributes=attributes,
        template=plain.content is None,
        plain=True,
    )


# --- a signer's later signatures ----------------------------------------------------------------
#
# A device signs every request with the same certificate, algorithms and structure: two of its
# `Mdm-Signature` headers differ only in the signature value and, when it signs attributes, in
# those attributes (the digest of the body, the signing time). Parsing the rest again costs most
# of a verification in a request (0.3 ms of 0.4 with cold caches, asn1crypto being pure Python).
# So once a detached signature has verified and its signer is trusted, its bytes are
# remembered with those varying parts cut out (the "holes"), together with what the rest was
# read as. A later signature whose bytes are identical outside the holes is then read as a
# full parse would read it: each hole is the contents of a definite-length element (the
# signature's primitive OCTET STRING, the attributes' SET), so other contents of the same
# length change nothing around them. That the holes are where the parser read those two
# values is not assumed from a search: the signature is parsed once more with the holes'
# bytes changed, and must read back the changed bytes as its signature and attributes. Its
# attributes are read and checked against the body, and its signature verified with the
# signer's key, on every call; only the parsing of identical bytes is skipped. Bounded per
# process: the 2,048 signatures used last, of at most 8 kB each (16 MB at most).


@dataclass(frozen=True, slots=True)
class _Template:
    """What the fixed bytes of a verified detached signature read as."""

    holes: tuple[tuple[int, int], ...]  # (offset, length): the attributes (if any), the signature
    signer: x509.Certificate
    public_key: object
    digest_name: str
    scheme: _Scheme
    content_type: str
    attrs_tag: bytes  # the attributes' header, re-tagged as a SET OF; b"" without attributes


TEMPLATE_CACHE_SIZE = 2048
# A device's signature is 1-3 kB (its certificate, perhaps an intermediate); larger ones are
# parsed in full every time.
TEMPLATE_MAX_BYTES = 8 * 1024
# The hole layouts seen for each signature length (a few: devices of one kind share them).
_LAYOUTS_PER_LENGTH = 8
_layouts: dict[int, tuple[tuple[tuple[int, int], ...], ...]] = {}
# Least recently used first: a fleet larger than the bound keeps the templates of the devices
# that are talking (a device's requests come in bursts: after a push, its poll and its results).
_templates: OrderedDict[tuple[tuple[tuple[int, int], ...], bytes], _Template] = OrderedDict()
_templates_lock = threading.Lock()


def _unique(data: bytes, part: bytes) -> int:
    """The offset of `part` in `data` if it occurs there exactly once, else -1."""
    at = data.find(part)
    if at < 0 or data.find(part, at + 1) >= 0:
        return -1
    return at


def _definite_header_before(data: bytes, at: int, length: int, tag: int) -> bytes | None:
    """The header (`tag`, definite length `length`, in any of its valid length forms) that
    ends at `at` in `data`, or None when there is none."""
    candidates = [bytes([tag, length])] if length < 0x80 else []
    for size in range(1, 5):
        if length < 1 << (8 * size):
            candidates.append(bytes([tag, 0x80 | size]) + length.to_bytes(size, "big"))
    for header in candidates:
        if at >= len(header) and data[at - len(header) : at] == header:
            return header
    return None


def _fixed(data: bytes, holes: tuple[tuple[int, int], ...]) -> bytes:
    """`data` without its holes."""
    parts, start = [], 0
    for offset, length in holes:
        parts.append(data[start:offset])
        start = offset + length
    parts.append(data[start:])
    return b"".join(parts)


def _template_of(
    data: bytes,
    signature: bytes,
    attrs_contents: bytes | None,
    facts: _Template,
    *,
    plain: bool = False,
) -> _Template | None:
    """`facts` with the holes of `data`, or None when they cannot be placed for certain.
    `plain`: `data` was read by `_plain_signed_data` (see `_read_from`)."""
    if len(data) > TEMPLATE_MAX_BYTES or not signature:
        return None
    at = _unique(data, signature)
    if at < 0 or _definite_header_before(data, at, len(signature), 0x04) is None:
        return None
    holes: tuple[tuple[int, int], ...] = ((at, len(signature)),)
    attrs_tag = b""
    if attrs_contents is not None:
        # [0] IMPLICIT SET OF, of definite length (an indefinite one ends where parsing its
        # contents finds its end), before the signature.
        start = _unique(data, attrs_contents) if attrs_contents else -1
        header = _definite_header_before(data, start, len(attrs_contents), 0xA0)
        if start < 0 or header is None or start + len(attrs_contents) > at:
            return None
        if header[-1] == 0x80:
            # asn1crypto takes a header ending in 0x80 for an indefinite one and re-encodes the
            # element when dumping it: the full parse then checks a DER copy of the attributes
            # (re-sorted, re-read by type), not the bytes as sent. Such lengths (128, 384, ...
            # bytes) are parsed in full every time.
            return None
        holes = ((start, len(attrs_contents)), *holes)
        attrs_tag = b"\x31" + header[1:]
    if not _read_from(data, holes, attrs=attrs_contents is not None, plain=plain):
        return None
    return dataclasses.replace(facts, holes=holes, attrs_tag=attrs_tag)


# Each byte XORed with 0x5A, as a translation table (`bytes.translate` changes every byte of
# a hole at C speed: a generator over them took 25-40 µs for a 2048-bit signature).
_CHANGED = bytes(b ^ 0x5A for b in range(256))


def _read_from(
    data: bytes, holes: tuple[tuple[int, int], ...], *, attrs: bool, plain: bool = False
) -> bool:
    """Whether the parser reads the signature (the last hole) and the attributes (the first,
    with `attrs`) from the holes: `data` with every byte of the holes changed, parsed (nothing
    may follow the message), must read back the changed bytes as those two values.

    With `plain` (`data` was read by `_plain_signed_data`), that parser reads the probe: it
    reads no byte inside either hole (the signature's contents and the attributes' contents
    are taken as they are), so a later signature identical outside the holes is plain DER of
    the same shape too, and its full verification reads it the same way, by `_verify_plain`.
    A device's first signature (every first Authenticate) is probed so in 26-28 µs instead
    of 104-132 µs through asn1crypto (RSA-2048, with and without signed attributes, in a loop
    on 7 December). Anything else is probed by asn1crypto, which reads it in full."""
    probe = bytearray(data)
    for offset, length in holes:
        probe[offset : offset + length] = data[offset : offset + length].translate(_CHANGED)
    changed = bytes(probe)
    (sig_at, sig_length), (attrs_at, attrs_length) = holes[-1], holes[0]
    if plain:
        probed = _plain_signed_data(changed)
        if probed is None or probed.content is not None:
            return False
        if probed.signature != changed[sig_at : sig_at + sig_length]:
            return False
        if attrs:
            return (
                probed.signed_attrs is not None
                and probed.signed_attrs[probed.attrs_at :]
                == changed[attrs_at : attrs_at + attrs_length]
            )
        return probed.signed_attrs is None
    try:
        info = cms.ContentInfo.load(changed, strict=True)
        signer_info = info["content"]["signer_infos"][0]
        read = signer_info["signature"].native == changed[sig_at : sig_at + sig_length]
        signed_attrs = signer_info["signed_attrs"]
        if attrs:
            return read and signed_attrs.contents == changed[attrs_at : attrs_at + attrs_length]
        return read and isinstance(signed_attrs, core.Void)
    except PARSE_ERRORS:
        return False


def _remember(data: bytes, template: _Template) -> None:
    layouts = _layouts.get(len(data), ())
    if template.holes not in layouts:
        if len(layouts) >= _LAYOUTS_PER_LENGTH:
            return
        if len(_layouts) >= TEMPLATE_CACHE_SIZE:
            _layouts.clear()
        _layouts[len(data)] = (*layouts, template.holes)
    with _templates_lock:
        _templates[(template.holes, _fixed(data, template.holes))] = template
        while len(_templates) > TEMPLATE_CACHE_SIZE:
            _templates.popitem(last=False)


def _verify_by_template(data: bytes, content: bytes) -> x509.Certificate | None:
    """The signer of a detached signature whose fixed bytes were verified before; None when
    they were not (CMSError when the signature does not verify)."""
    for holes in _layouts.get(len(data), ()):
        key = (holes, _fixed(data, holes))
        with _templates_lock:
            template = _templates.get(key)
            if template is not None:
                _templates.move_to_end(key)
                break
    else:
        return None
    offset, length = template.holes[-1]
    signature = data[offset : offset + length]
    if template.attrs_tag:
        start, size = template.holes[0]
        signed_bytes = template.attrs_tag + data[start : start + size]
        _check_signed_attributes(signed_bytes, template.content_type, template.digest_name, content)
    else:
        signed_bytes = content
    _verify_with(
        template.public_key,
        signature,
        signed_bytes,
        digest=template.digest_name,
        scheme=template.scheme,
    )
    return template.signer


def forget_templates() -> None:
    """Drop the remembered signatures (tests)."""
    _layouts.clear()
    with _templates_lock:
        _templates.clear()


class _AttributeValues(core.SetOf):  # type: ignore[misc]  # asn1crypto is untyped
    _child_spec = core.Any


class _SignedAttribute(core.Sequence):  # type: ignore[misc]
    """A signed attribute as the check below reads it: the type, the values left unparsed (the
    full `cms.CMSAttribute` parses each value by its type's spec, signingTime included)."""

    _fields = [("type", core.ObjectIdentifier), ("values", _AttributeValues)]


class _SignedAttributes(core.SetOf):  # type: ignore[misc]
    _child_spec = _SignedAttribute


AttributeValue: TypeAlias = bytes | core.Asn1Value


@dataclass(frozen=True, slots=True)
class SignedAttributes:
    """A set of signed attributes as sent: each attribute's type (the contents octets of its
    OID) and its values, in the order sent. `plain`: read from plain DER by
    `_plain_attributes`, each value as its encoding; else `parsed`, asn1crypto's reading."""

    plain: tuple[tuple[bytes, tuple[bytes, ...]], ...] | None = None
    parsed: Iterable[core.Sequence] = ()

    def first_values(self, types: Collection[bytes]) -> dict[bytes, AttributeValue | None]:
        """The first value of the first attribute of each of `types` (encoded OID contents)
        that the set holds, None for one without values (as `find_attribute` reads them); its
        encoding, or asn1crypto's object of it. CMSError when the set cannot be read."""
        found: dict[bytes, AttributeValue | None] = {}
        if self.plain is not None:
            for oid, values in self.plain:
                if oid in types and oid not in found:
                    found[oid] = values[0] if values else None
            return found
        try:
            for attr in self.parsed:
                oid = attr["type"].contents
                if oid in types and oid not in found:
                    values = attr["values"]
                    found[oid] = values[0] if len(values) else None
        except PARSE_ERRORS:
            raise CMSError("signed attributes are malformed") from None
        return found


def encoded(value: AttributeValue) -> bytes:
    """The encoding of an attribute value as `SignedAttributes.first_values` gives it."""
    return value if isinstance(value, bytes) else value.dump()


def _read_attributes(encoded_set: bytes) -> SignedAttributes:
    """A SET OF Attribute, by `_plain_attributes` when it is plain DER, else by asn1crypto
    with the lighter spec below (which, parsing lazily, raises where each part is read)."""
    plain = _plain_attributes(encoded_set)
    if plain is not None:
        return SignedAttributes(plain=plain)
    return SignedAttributes(parsed=_SignedAttributes.load(encoded_set))


def _plain_attributes(data: bytes) -> tuple[tuple[bytes, tuple[bytes, ...]], ...] | None:
    """The attributes of `data`, a SET OF Attribute in plain DER, read by their headers: every
    element with a low tag number and a definite length (the long form of at most four octets,
    minimal or not, as asn1crypto reads it), the set exactly `data`, each attribute a SEQUENCE
    of an OBJECT IDENTIFIER (primitive) and a SET, no value of a tag number asn1crypto does not
    read. None for any other encoding (BER's indefinite lengths, a high tag number, other
    members, trailing bytes), which asn1crypto then reads as before: where this reads,
    asn1crypto reads the same types and values (tests/pki/test_cms.py compares them on changed
    bytes of SCEP attribute sets). A SCEP request's six attributes are read in 5 µs, and its
    contentType and messageDigest found and its three SCEP values decoded in 14 µs against 70
    µs through asn1crypto (several objects built per attribute and value), in a loop on 7
    December."""
    try:
        tag, at, end = der_header(data, 0, len(data))
        if tag != 0x31 or end != len(data):
            return None
        attributes = []
        while at < end:
            tag, start, stop = der_header(data, at, end)
            if tag != 0x30:
                return None
            tag, oid_start, oid_stop = der_header(data, start, stop)
            if tag != 0x06:
                return None
            tag, value, values_stop = der_header(data, oid_stop, stop)
            if tag != 0x31 or values_stop != stop:
                return None
            values = []
            while value < values_stop:
                tag, _, value_stop = der_header(data, value, values_stop)
                if tag & 0x1F in _UNREAD_TAG_NUMBERS:
                    return None
                values.append(data[value:value_stop])
                value = value_stop
            attributes.append((data[oid_start:oid_stop], tuple(values)))
            at = stop
    except ValueError:
        return None
    return tuple(attributes)


# Tag numbers asn1crypto refuses to read a value of, in any class ("Unknown element"): it does
# so where a value is first read, which the set's asn1crypto reading keeps.
_UNREAD_TAG_NUMBERS = frozenset((0, 14, 15))


def attributes_as_sent(attrs: cms.CMSAttributes) -> SignedAttributes:
    """The attributes of a parsed set, in the order they were sent, each read as its type and
    values (what `find_attribute` reads, without `cms.CMSAttribute` decoding every type to pick
    its values' spec).

    The set's own children once asn1crypto has parsed them: it does so when it re-encodes a set
    whose header ends in 0x80 on `dump()`, and its encoding is then the DER-sorted copy. Else
    its encoding is as sent, read again (`_read_attributes`)."""
    if attrs.children is not None:
        return SignedAttributes(parsed=attrs)
    return _read_attributes(der(0x31, attrs.contents))


# The two attribute types as encoded (their contents octets): compared as bytes, which is exact
# because an OID has one valid encoding (X.690 8.19.2), and cheaper than decoding each type.
_CONTENT_TYPE = cms.CMSAttributeType("content_type").contents
_MESSAGE_DIGEST = cms.CMSAttributeType("message_digest").contents


def _check_signed_attributes(
    signed_bytes: bytes, content_type: str, digest_name: str, content: bytes
) -> SignedAttributes:
    """The contentType and messageDigest attributes (the first of each, as `find_attribute`
    reads them), checked against the content; read in one pass from the exact bytes the
    signature covers. Returns the set as read."""
    try:
        attributes = _read_attributes(signed_bytes)
        first = attributes.first_values((_CONTENT_TYPE, _MESSAGE_DIGEST))
        attr_type = first.get(_CONTENT_TYPE)
        attr_digest = first.get(_MESSAGE_DIGEST)
        if attr_type is None or attr_digest is None:
            raise CMSError("signed attributes lack contentType or messageDigest")
        if encoded(attr_type) != _content_type(content_type):
            raise CMSError("the contentType attribute does not match the content")
        expected = octet_string(encoded(attr_digest))
    except CMSError:
        raise
    except PARSE_ERRORS:
        raise CMSError("signed attributes are malformed") from None
    if not hmac.compare_digest(expected, _digest(digest_name, content)):
        raise CMSError("messageDigest does not match the content (content was altered)")
    return attributes


def octet_string(value: bytes) -> Any:
    """`core.OctetString.load(value).native`: the contents of a primitive OCTET STRING of
    definite length read by its header, where asn1crypto reads the same; any other encoding (a
    constructed one, an indefinite length, trailing bytes, another tag) by asn1crypto. A device's
    messageDigest is the former: 1 µs, against 20-25 µs for asn1crypto's code inside a request,
    where it has left the CPU's caches since the last one (7 December)."""
    try:
        tag, start, stop = der_header(value, 0, len(value))
    except ValueError:
        tag = stop = -1
    if tag == 0x04 and stop == len(value):
        return value[start:stop]
    return core.OctetString.load(value).native


def _octets(value: core.Asn1Value) -> bytes:
    """Bytes of an encapsulated content, whether a plain or BER-chunked OCTET STRING."""
    native = value.native
    if isinstance(native, bytes):
        return native
    # Non-"data" content types parse into structures; hash their original encoding.
    return value.contents if hasattr(value, "contents") else value.dump()


@dataclass(frozen=True, slots=True)
class MdmSignature:
    """A verified `Mdm-Signature`: its signer, and what `remember_mdm_signature` keeps."""

    signer: x509.Certificate
    raw: bytes = b""
    template: _Template | None = None


def read_mdm_signature(header_value: str, body: bytes) -> MdmSignature:
    """Verify an `Mdm-Signature` header (base64 detached CMS) over the exact request body: by
    its signer's template when one is remembered, in full otherwise. Whether the signer is
    trusted is the caller's check; `remember_mdm_signature` once it is."""
    compact = "".join((header_value or "").split())
    if not compact:
        raise CMSError("empty Mdm-Signature header")
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise CMSError("Mdm-Signature is not valid base64") from None
    signer = _verify_by_template(raw, body)
    if signer is not None:
        return MdmSignature(signer=signer)
    try:
        verified, template = _verify_parsed(raw, body)
    except CMSError:
        raise
    except PARSE_ERRORS as exc:
        raise CMSError(f"CMS SignedData is malformed ({exc.__class__.__name__})") from None
    return MdmSignature(signer=verified.signer, raw=raw, template=template)


def remember_mdm_signature(signature: MdmSignature) -> None:
    """Keep the template of a signature whose signer the caller trusts (only then: a sender
    of untrusted signatures fills no cache)."""
    if signature.template is not None:
        _remember(signature.raw, signature.template)


# --- signing -------------------------------------------------------------------------------


def _sign(key: PrivateKey, data: bytes, digest: str) -> bytes:
    algorithm = hash_algorithm(digest)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), algorithm)
    return key.sign(data, ec.ECDSA(algorithm))


def attribute(oid_or_name: str, value: core.Asn1Value) -> cms.CMSAttribute:
    """One signed attribute with a single value (OIDs unknown to asn1crypto pass as dotted)."""
    attr_type = cms.CMSAttributeType(oid_or_name)
    if attr_type.native in cms.CMSAttribute._oid_specs:
        return cms.CMSAttribute({"type": attr_type, "values": [value]})
    return cms.CMSAttribute({"type": attr_type, "values": [core.Any.load(value.dump())]})


def build_signed_data(
    content: bytes,
    *,
    certificate: x509.Certificate,
    key: PrivateKey,
    digest: str = "sha256",
    detached: bool = False,
    signed_attributes: bool = True,
    extra_attributes: Iterable[cms.CMSAttribute | bytes] = (),
    chain: Iterable[x509.Certificate] = (),
    content_type: str = "data",
) -> bytes:
    """Build a DER ContentInfo(SignedData) with one signer; attributes are DER-sorted.
    `extra_attributes`: asn1crypto attributes, or their encodings (`scep.scep_attributes`)."""
    hash_algorithm(digest)
    # The structure is written from encoded parts: tag-length-value by hand for the SEQUENCEs
    # and SETs, asn1crypto only for leaf values and the caller's extra attributes. Handing
    # asn1crypto the whole tree as nested dicts gives the same DER (tests/pki/test_cms.py
    # compares byte for byte), but it re-checks, re-tags and re-encodes every level on the way:
    # ~0.6 ms of CPU per signature, more than the RSA operation (every SCEP request and reply,
    # and the device simulator signs four messages per enrollment). cryptography's
    # PKCS7SignatureBuilder costs the same as this (0.34 against 0.38 ms, 6 December) but
    # cannot sign what this is for: SCEP's own signed attributes (messageType, transactionID,
    # nonces, pkiStatus), SHA-1 (what devices sign Mdm-Signature with), or without attributes
    # on an attached signature; profile signing (mdm_server/pki/signing.py) uses it.
    sid, certificate_der = _signer_certificate(certificate)
    digest_algorithm = _digest_algorithm(digest)
    signer_parts = [_DER_INTEGER_1, sid, digest_algorithm]  # version v1
    if signed_attributes:
        attrs = [
            der(0x30, _ATTRIBUTE_TYPE["content_type"] + der(0x31, _content_type(content_type))),
            der(
                0x30,
                _ATTRIBUTE_TYPE["message_digest"] + der(0x31, der(0x04, _digest(digest, content))),
            ),
            der(0x30, _ATTRIBUTE_TYPE["signing_time"] + der(0x31, _utc_time(_now()))),
            *(a if isinstance(a, bytes) else a.dump() for a in extra_attributes),
        ]
        # DER requires SET OF members in ascending order of their encodings; OpenSSL re-encodes
        # (and so re-sorts) the set when verifying, so an unsorted set would not verify there.
        encoded = b"".join(sorted(attrs))
        to_sign = der(0x31, encoded)
        # signedAttrs is [0] IMPLICIT in SignerInfo; the signature covers the SET OF encoding.
        signer_parts.append(der(0xA0, encoded))
    else:
        if extra_attributes:
            raise CMSError("extra attributes need signed attributes")
        to_sign = content
    signer_parts += [
        _signature_algorithm_der(key, digest),
        der(0x04, _sign(key, to_sign, digest)),
    ]
    encap = _content_type(content_type)
    if not detached:
        encap += der(0xA0, der(0x04, content))  # [0] EXPLICIT OCTET STRING
    # SET OF: sorted.
    certs = sorted([certificate_der, *(c.public_bytes(Encoding.DER) for c in chain)])
    signed = der(
        0x30,
        _DER_INTEGER_1  # version v1
        + der(0x31, digest_algorithm)
        + der(0x30, encap)
        + der(0xA0, b"".join(certs))  # [0] IMPLICIT CertificateSet
        + der(0x31, der(0x30, b"".join(signer_parts))),
    )
    return der(0x30, _content_type("signed_data") + der(0xA0, signed))


def der_integer(value: int) -> bytes:
    return core.Integer(value).dump()


@lru_cache(maxsize=16)
def _signer_certificate(certificate: x509.Certificate) -> tuple[bytes, bytes]:
    """The IssuerAndSerialNumber naming `certificate` (a signer's `sid`) and the certificate's
    DER, encoded once per certificate: the server signs with a few (the CA signs every SCEP
    reply). 7.7 µs a signature (the issuer read as a `Name` of Python objects and encoded again,
    the serial through asn1crypto, the DER) against 1.1-1.4 µs for the look-up, in a loop on 7
    December. Keyed by the certificate, whose equality is that of its DER."""
    sid = der(0x30, certificate.issuer.public_bytes() + der_integer(certificate.serial_number))
    return sid, certificate.public_bytes(Encoding.DER)


_DER_INTEGER_1 = core.Integer(1).dump()


@lru_cache(maxsize=16)
def _content_type(name: str) -> bytes:
    return cms.ContentType(name).dump()


_ATTRIBUTE_TYPE = {
    name: cms.CMSAttributeType(name).dump()
    for name in ("content_type", "message_digest", "signing_time")
}


@lru_cache(maxsize=16)
def _digest_algorithm(digest: str) -> bytes:
    return algos.DigestAlgorithm({"algorithm": digest}).dump()


def _signature_algorithm_der(key: PrivateKey, digest: str) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return _signed_digest_algorithm("rsassa_pkcs1v15")
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _signed_digest_algorithm(f"{digest}_ecdsa")
    raise CMSError("only RSA and EC keys can sign")


@lru_cache(maxsize=16)
def _signed_digest_algorithm(name: str) -> bytes:
    return algos.SignedDigestAlgorithm({"algorithm": name}).dump()


def _utc_time(when: dt.datetime) -> bytes:
    """A UTCTime (YYMMDDHHMMSSZ, X.690 11.8), as asn1crypto's `cms.Time` writes it (a test
    compares them) without its objects (a Choice, a UTCTime, asn1crypto's own UTC): 5.9 ->
    1.9 µs in a loop, 7 December. The same refusals: no time zone, a year outside 1950-2049."""
    if when.tzinfo is None:
        raise ValueError("a signing time needs a time zone")
    utc = when.astimezone(dt.UTC)
    if not 1950 <= utc.year <= 2049:
        raise ValueError("a UTCTime holds the years 1950 to 2049")
    return der(0x17, utc.strftime("%y%m%d%H%M%SZ").encode("ascii"))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def sign_detached(
    content: bytes,
    *,
    certificate: x509.Certificate,
    key: PrivateKey,
    digest: str = "sha1",
    signed_attributes: bool = False,
) -> bytes:
    """A detached signature like a device's `Mdm-Signature` (default SHA-1, no attributes)."""
    return build_signed_data(
        content,
        certificate=certificate,
        key=key,
        digest=digest,
        detached=True,
        signed_attributes=signed_attributes,
    )


def sign_attached(
    content: bytes,
    *,
    certificate: x509.Certificate,
    key: PrivateKey,
    chain: Iterable[x509.Certificate] = (),
    digest: str = "sha256",
) -> bytes:
    """An attached signature with signed attributes (signed plists such as MachineInfo)."""
    return build_signed_data(content, certificate=certificate, key=key, digest=digest, chain=chain)


__all__ = [
    "CMSError",
    "MdmSignature",
    "VerifiedCMS",
    "attribute",
    "build_signed_data",
    "find_attribute",
    "load_signed_data",
    "read_mdm_signature",
    "remember_mdm_signature",
    "sign_attached",
    "sign_detached",
    "verify_signed_data",
]
