"""The readers of encoded parts by their headers against asn1crypto's reading of the same bytes.

`cms._plain_signed_data` (a SignedData), `cms._plain_signer_id` (a SignerIdentifier) and
`scep._native` (an attribute value) read plain DER of the shapes clients send and leave anything
else to asn1crypto. Wherever they read, the outcome must be asn1crypto's: the same verification
result or the same refusal, the same values. Each test also counts that both ways were taken
on many of its inputs, so that it cannot pass by reading everything one way.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from asn1crypto import algos as asn1_algos
from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdm_server.pki import certificates, cms, scep
from tests.fuzz import strategies as fz
from tests.simulator import scep_client

BODY = b"<plist version='1.0'><dict><key>Status</key><string>Idle</string></dict></plist>"

# Bounded and reproducible, as the fuzz tests' `ci` profile.
_EXAMPLES = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _certificate(
    key: rsa.RSAPrivateKey, cn: str, *, key_id: bool = False, issuer: x509.Name | None = None
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
    )
    if key_id:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    return builder.sign(key, hashes.SHA256())


def _by_key_identifier(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> bytes:
    """A detached SHA-256 signature without attributes whose signer is named by its key
    identifier ([0], version 3), written from encoded parts."""
    key_id = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    digest = asn1_algos.DigestAlgorithm({"algorithm": "sha256"}).dump()
    signer = cms.der(
        0x30,
        cms.der_integer(3)
        + cms.der(0x80, key_id)
        + digest
        + asn1_algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}).dump()
        + cms.der(0x04, key.sign(BODY, padding.PKCS1v15(), hashes.SHA256())),
    )
    signed = cms.der(
        0x30,
        cms.der_integer(3)
        + cms.der(0x31, digest)
        + cms.der(0x30, asn1_cms.ContentType("data").dump())
        + cms.der(0xA0, cert.public_bytes(serialization.Encoding.DER))
        + cms.der(0x31, signer),
    )
    return cms.der(0x30, asn1_cms.ContentType("signed_data").dump() + cms.der(0xA0, signed))


@pytest.fixture(scope="module")
def messages(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> dict[str, tuple[bytes, bytes | None]]:
    """Messages of each shape the plain reader takes (and what a detached one covers)."""
    device = _certificate(rsa_key, "device")
    keyed = _certificate(rsa_key, "keyed", key_id=True)
    leaf = _certificate(rsa_key, "leaf", issuer=test_ca.certificate.subject)
    pkcs_req, _, _ = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="plain", challenge="pw", ca_cert=test_ca.certificate
    )
    sign = cms.sign_detached
    return {
        "scep pkcs_req": (pkcs_req, None),
        "mdm-signature": (sign(BODY, certificate=device, key=rsa_key), BODY),
        "mdm-signature with attributes": (
            sign(BODY, certificate=device, key=rsa_key, digest="sha256", signed_attributes=True),
            BODY,
        ),
        "attached with a chain": (
            cms.sign_attached(
                BODY, certificate=leaf, key=rsa_key, chain=[test_ca.certificate], digest="sha512"
            ),
            None,
        ),
        "key identifier": (_by_key_identifier(rsa_key, keyed), BODY),
    }


def _attributes(verified: cms.VerifiedCMS) -> object:
    """What the callers read of the signed attributes: asn1crypto's objects, and the set as
    `attributes_as_sent` gives it (SCEP's values)."""
    attrs = verified.signed_attributes
    if attrs is None:
        return None
    try:
        parsed: object = [(a["type"].dotted, [v.dump() for v in a["values"]]) for a in attrs]
    except cms.PARSE_ERRORS as exc:
        parsed = ("unreadable", type(exc).__name__)
    types = {a for a, _ in verified.attributes_as_sent().plain or ()}
    first = verified.attributes_as_sent().first_values(types)
    return parsed, {oid: cms.encoded(v) if v is not None else None for oid, v in first.items()}


def _outcome(data: bytes, detached: bytes | None) -> tuple[Any, ...]:
    """The verification's result or refusal, as `verify_signed_data` and `read_mdm_signature`
    see it."""
    try:
        verified, template = cms._verify_parsed(data, detached)
    except (cms.CMSError, *cms.PARSE_ERRORS) as exc:
        return ("refused", type(exc).__name__, str(exc))
    return (
        "verified",
        verified.content,
        verified.signer,
        verified.certificates,
        verified.digest_algorithm,
        verified.content_type,
        _attributes(verified),
        None
        if template is None
        else (template.holes, template.attrs_tag, template.digest_name, template.scheme),
    )


class _Tally:
    def __init__(self) -> None:
        self.plain = self.asn1 = 0


def _compare(data: bytes, detached: bytes | None, tally: _Tally) -> None:
    """The outcome with the plain reader is the outcome with asn1crypto alone."""
    if cms._plain_signed_data(data) is None:
        tally.asn1 += 1
        return
    tally.plain += 1
    with mock.patch.object(cms, "_plain_signed_data", return_value=None):
        expected = _outcome(data, detached)
    assert _outcome(data, detached) == expected


def test_the_plain_reader_reads_what_clients_send(
    messages: dict[str, tuple[bytes, bytes | None]],
) -> None:
    for name, (data, detached) in messages.items():
        assert cms._plain_signed_data(data) is not None, name
        assert _outcome(data, detached)[0] == "verified", name


def _changed(data: bytes) -> list[bytes]:
    """`data` with each byte of its structure changed three ways (the certificates' insides, the
    signature and the content left alone but for a sample), cut short and extended."""
    info = asn1_cms.ContentInfo.load(data)
    signed = info["content"]
    skip = [signed["signer_infos"][0]["signature"].contents]
    skip += [c.chosen.contents for c in signed["certificates"]]
    content = signed["encap_content_info"]["content"]
    if not isinstance(content, asn1_core.Void):
        skip.append(content.contents)
    inside = set()
    for part in skip:
        start = data.index(part)
        inside.update(range(start + 8, start + len(part) - 8))
    changed = [data[:-1], data + b"\x00", data[: len(data) // 2], data + data[-10:]]
    chance = random.Random(len(data))
    for offset in range(len(data)):
        if offset in inside and chance.random() > 0.02:
            continue
        for flip in (0x01, 0x20, 0x80):
            out = bytearray(data)
            out[offset] ^= flip
            changed.append(bytes(out))
    return changed


@pytest.mark.parametrize(
    "name",
    [
        "scep pkcs_req",
        "mdm-signature",
        "mdm-signature with attributes",
        "attached with a chain",
        "key identifier",
    ],
)
def test_a_changed_message_is_verified_as_asn1crypto_reads_it(
    messages: dict[str, tuple[bytes, bytes | None]], name: str
) -> None:
    data, detached = messages[name]
    tally = _Tally()
    for changed in _changed(data):
        _compare(changed, detached, tally)
    assert tally.plain > 100 and tally.asn1 > 100, (tally.plain, tally.asn1)


@_EXAMPLES
@given(
    name=st.sampled_from(["scep pkcs_req", "mdm-signature", "mdm-signature with attributes"]),
    steps=fz.mutations(),
)
def test_a_mutated_message_is_verified_as_asn1crypto_reads_it(
    messages: dict[str, tuple[bytes, bytes | None]], name: str, steps: list[tuple[str, int, int]]
) -> None:
    data, detached = messages[name]
    _compare(_mutated(data, steps), detached, _Tally())


def _mutated(data: bytes, steps: list[tuple[str, int, int]]) -> bytes:
    """The edits of `fz.mutations` (as the fuzz tests' `mutate` fixture applies them)."""
    out = bytearray(data)
    for kind, position, value in steps:
        if not out:
            break
        at = position % len(out)
        if kind == "flip":
            out[at] ^= 1 << (value % 8)
        elif kind == "set":
            out[at] = value
        elif kind == "insert":
            out[at:at] = bytes([value])
        elif kind == "delete":
            del out[at]
        elif kind == "truncate":
            del out[at:]
        elif kind == "duplicate":
            out[at:at] = out[at : min(len(out), at + 1 + value % 64)]
    return bytes(out)


def _headers(tag: int, contents: bytes) -> list[bytes]:
    """`contents` under `tag` with each length form asn1crypto reads: short (when it fits),
    long of one to four octets (minimal or not), and indefinite."""
    size = len(contents)
    forms = [bytes([tag, size])] if size < 0x80 else []
    forms += [
        bytes([tag, 0x80 | n]) + size.to_bytes(n, "big") for n in range(1, 5) if size < 1 << 8 * n
    ]
    out = [header + contents for header in forms]
    if tag & 0x20:
        out.append(bytes([tag, 0x80]) + contents + b"\x00\x00")
    return out


@pytest.fixture(scope="module")
def signer_ids(test_ca: certificates.Identity) -> list[bytes]:
    """Signer identifiers: issuer and serial (with names and serials of several sizes, one name
    of 128 octets whose header ends in 0x80), and key identifiers, in several encodings."""
    names = [
        test_ca.certificate.subject.public_bytes(),
        # Contents of 128 octets: the header 30 81 80.
        x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, "n" * 117, _validate=False)]
        ).public_bytes(),
        x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, "n" * 200, _validate=False)]
        ).public_bytes(),
    ]
    out = []
    for name in names:
        _, start, _ = cms.der_header(name, 0, len(name))
        for serial in (0, 1, 127, 128, -1, 1 << 159, -(1 << 100)):
            integer = cms.der_integer(serial)
            for encoded_name in _headers(0x30, name[start:]):
                out += _headers(0x30, encoded_name + integer)
    for key_id in (b"", b"\x01" * 20, b"\x02" * 130):
        out += _headers(0x80, key_id) + _headers(0xA0, cms.der(0x04, key_id))
    return out


def _signer_id_read(how: Callable[[bytes], object], encoded: bytes) -> object:
    try:
        return how(encoded)
    except cms.PARSE_ERRORS as exc:
        return ("refused", type(exc).__name__)


def test_a_signer_identifier_is_read_as_asn1crypto_reads_it(signer_ids: list[bytes]) -> None:
    changed = list(signer_ids)
    chance = random.Random(5652)
    for encoded in signer_ids:
        for _ in range(15):
            out = bytearray(encoded)
            out[chance.randrange(len(out))] ^= 1 << chance.randrange(8)
            changed.append(bytes(out))
        changed += [encoded[:-1], encoded + b"\x00"]
    plain = 0
    for encoded in changed:
        read = cms._plain_signer_id(encoded)
        if read is None:
            continue
        plain += 1
        assert read == _signer_id_read(cms._asn1_signer_id, encoded), encoded.hex()
    assert len(changed) // 10 < plain < len(changed) * 9 // 10


@_EXAMPLES
@given(
    tag=st.sampled_from([0x04, 0x13, 0x0C, 0x16, 0x24, 0x33, 0x2C, 0x02, 0x1E]),
    contents=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    form=st.integers(min_value=0, max_value=6),
    trailing=st.sampled_from([b"", b"\x00", b"\x00\x00"]),
)
def test_an_attribute_value_is_read_as_asn1crypto_reads_it(
    tag: int, contents: bytes, form: int, trailing: bytes
) -> None:
    encodings = _headers(tag, contents)
    encoded = encodings[form % len(encodings)] + trailing

    def asn1crypto(value: bytes) -> object:
        try:
            return asn1_core.load(value).native
        except cms.PARSE_ERRORS:
            return None

    assert scep._native(encoded) == asn1crypto(encoded)
    # A value of a set asn1crypto read: its encoding as asn1crypto dumps it.
    try:
        value = asn1_core.Any.load(encoded)
        dumped = value.dump()
    except cms.PARSE_ERRORS:
        return
    assert scep._native(value) == asn1crypto(dumped)


def _attribute(oid: str, value: bytes) -> bytes:
    return cms.der(0x30, asn1_core.ObjectIdentifier(oid).dump() + cms.der(0x31, value))


def test_signed_attributes_whose_header_ends_in_0x80_are_left_to_asn1crypto(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    """asn1crypto takes the header A0 82 01 80 for an indefinite length and checks a DER copy
    of the set (re-sorted): a signature over the set as sent, out of DER order, does not verify
    there. The plain reader leaves such a set to it, so that it is refused the same."""
    cert = _certificate(rsa_key, "device")
    digest = hashes.Hash(hashes.SHA256())
    digest.update(BODY)
    attrs = [
        _attribute("1.2.840.113549.1.9.4", cms.der(0x04, digest.finalize())),  # messageDigest
        _attribute("1.2.840.113549.1.9.3", asn1_cms.ContentType("data").dump()),  # contentType
    ]
    # An attribute of another type, first (out of DER order), of the size that makes 384.
    filler = next(
        f
        for size in range(300)
        if len(f := _attribute("1.2.3.4", cms.der(0x04, b"p" * size))) + len(b"".join(attrs)) == 384
    )
    attrs.insert(0, filler)
    sent = b"".join(attrs)
    assert len(sent) == 384 and sent != b"".join(sorted(attrs))
    digest_algorithm = asn1_algos.DigestAlgorithm({"algorithm": "sha256"}).dump()
    signer = cms.der(
        0x30,
        cms.der_integer(1)
        + cms.der(0x30, cert.issuer.public_bytes() + cms.der_integer(cert.serial_number))
        + digest_algorithm
        + b"\xa0\x82\x01\x80"
        + sent
        + asn1_algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}).dump()
        + cms.der(0x04, rsa_key.sign(cms.der(0x31, sent), padding.PKCS1v15(), hashes.SHA256())),
    )
    signed = cms.der(
        0x30,
        cms.der_integer(1)
        + cms.der(0x31, digest_algorithm)
        + cms.der(0x30, asn1_cms.ContentType("data").dump())
        + cms.der(0xA0, cert.public_bytes(serialization.Encoding.DER))
        + cms.der(0x31, signer),
    )
    message = cms.der(0x30, asn1_cms.ContentType("signed_data").dump() + cms.der(0xA0, signed))
    assert cms._plain_signed_data(message) is None
    with pytest.raises(cms.CMSError, match="signature does not verify"):
        cms.verify_signed_data(message, detached_content=BODY)
