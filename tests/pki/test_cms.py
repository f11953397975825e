"""CMS SignedData: openssl-made device signatures verify, tampering and garbage are refused."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from mdm_server.pki import certificates, cms, scep

BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>'
    b"<key>MessageType</key><string>Authenticate</string>"
    b"<key>UDID</key><string>0000-\xc3\xa9</string></dict></plist>\n"
)


def _self_signed(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, cn: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def _to_indefinite(der: bytes, depth: int = 0, max_depth: int = 3) -> bytes:
    """Re-encode the outer constructed layers with BER indefinite lengths, like a device does."""
    out = bytearray()
    pos = 0
    while pos < len(der):
        tag = der[pos]
        length = der[pos + 1]
        header = 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(der[pos + 2 : pos + 2 + count], "big")
            header += count
        value = der[pos + header : pos + header + length]
        if tag & 0x20 and depth <= max_depth:
            inner = _to_indefinite(value, depth + 1, max_depth) if depth < max_depth else value
            out += bytes([tag, 0x80]) + inner + b"\x00\x00"
        else:
            out += der[pos : pos + header + length]
        pos += header + length
    return bytes(out)


@pytest.fixture(scope="module")
def vectors(
    tmp_path_factory: pytest.TempPathFactory,
    rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
    openssl: Callable[..., object],
) -> dict[str, bytes | x509.Certificate | Path]:
    """Signatures made by `openssl cms -sign` with the options that mimic devices and more."""
    d = tmp_path_factory.mktemp("cms")
    rsa_cert = _self_signed(rsa_key, "device-rsa")
    ec_cert = _self_signed(ec_key, "device-ec")
    (d / "rsa.key").write_bytes(certificates.key_to_pem(rsa_key))
    (d / "rsa.crt").write_text(certificates.cert_to_pem(rsa_cert))
    (d / "ec.key").write_bytes(certificates.key_to_pem(ec_key))
    (d / "ec.crt").write_text(certificates.cert_to_pem(ec_cert))
    (d / "body").write_bytes(BODY)
    common = ["cms", "-sign", "-binary", "-outform", "DER", "-in", d / "body"]
    rsa_signer = ["-signer", d / "rsa.crt", "-inkey", d / "rsa.key"]
    ec_signer = ["-signer", d / "ec.crt", "-inkey", d / "ec.key"]
    recipes: dict[str, list[str | Path]] = {
        # What Apple devices send: SHA-1, no signed attributes, BER indefinite length.
        "apple_stream": [*common, "-noattr", "-md", "sha1", "-stream", *rsa_signer],
        "rsa_noattr_sha1": [*common, "-noattr", "-md", "sha1", *rsa_signer],
        "rsa_attrs_sha256": [*common, "-md", "sha256", *rsa_signer],
        "rsa_attrs_sha384": [*common, "-md", "sha384", *rsa_signer],
        "rsa_attrs_sha512": [*common, "-md", "sha512", *rsa_signer],
        "ec_noattr_sha256": [*common, "-noattr", "-md", "sha256", *ec_signer],
        "ec_attrs_sha256": [*common, "-md", "sha256", *ec_signer],
        "pss_attrs_sha256": [
            *common,
            "-md",
            "sha256",
            *rsa_signer,
            "-keyopt",
            "rsa_padding_mode:pss",
        ],
        "nocerts": [*common, "-noattr", "-md", "sha1", "-nocerts", *rsa_signer],
        "md5": [*common, "-md", "md5", *rsa_signer],
        "attached": [*common, "-nodetach", "-md", "sha256", *rsa_signer],
    }
    out: dict[str, bytes | x509.Certificate | Path] = {
        "rsa_cert": rsa_cert,
        "ec_cert": ec_cert,
        "dir": d,
    }
    for name, args in recipes.items():
        target = d / f"{name}.der"
        openssl(*args, "-out", target)
        out[name] = target.read_bytes()
    out["apple_detached_ber"] = _to_indefinite(out["rsa_noattr_sha1"])  # type: ignore[arg-type]
    return out


DETACHED = [
    ("rsa_noattr_sha1", "sha1", "rsa_cert"),
    ("apple_detached_ber", "sha1", "rsa_cert"),
    ("rsa_attrs_sha256", "sha256", "rsa_cert"),
    ("rsa_attrs_sha384", "sha384", "rsa_cert"),
    ("rsa_attrs_sha512", "sha512", "rsa_cert"),
    ("ec_noattr_sha256", "sha256", "ec_cert"),
    ("ec_attrs_sha256", "sha256", "ec_cert"),
    ("pss_attrs_sha256", "sha256", "rsa_cert"),
]


@pytest.mark.parametrize(("name", "digest", "cert"), DETACHED)
def test_openssl_detached_signature_verifies(
    vectors: dict, name: str, digest: str, cert: str
) -> None:
    verified = cms.verify_signed_data(vectors[name], detached_content=BODY)
    assert verified.signer == vectors[cert]
    assert verified.digest_algorithm == digest
    assert verified.content == BODY


@pytest.mark.parametrize(("name", "digest", "cert"), DETACHED)
def test_tampered_body_is_rejected(vectors: dict, name: str, digest: str, cert: str) -> None:
    # With signed attributes the digest gives it away, without them the signature itself.
    with pytest.raises(cms.CMSError, match="content was altered|signature does not verify"):
        cms.verify_signed_data(vectors[name], detached_content=BODY.replace(b"Auth", b"auth"))


def test_detached_vector_is_ber_indefinite_length(vectors: dict) -> None:
    assert vectors["apple_detached_ber"][:2] == b"\x30\x80"
    assert vectors["apple_stream"][:2] == b"\x30\x80"


def test_streamed_ber_with_embedded_content(vectors: dict) -> None:
    verified = cms.verify_signed_data(vectors["apple_stream"])
    assert verified.content == BODY
    assert verified.digest_algorithm == "sha1"
    # The same message with the body given separately: it must match the embedded content.
    assert cms.verify_signed_data(vectors["apple_stream"], detached_content=BODY).signer
    with pytest.raises(cms.CMSError, match="differs"):
        cms.verify_signed_data(vectors["apple_stream"], detached_content=BODY + b" ")


def test_mdm_signature_header(vectors: dict) -> None:
    header = base64.b64encode(vectors["apple_detached_ber"]).decode()
    assert cms.read_mdm_signature(header, BODY).signer == vectors["rsa_cert"]
    # Line-wrapped base64 (as some proxies forward long headers) is accepted too.
    wrapped = "\n".join(header[i : i + 64] for i in range(0, len(header), 64))
    assert cms.read_mdm_signature(wrapped, BODY).signer == vectors["rsa_cert"]
    with pytest.raises(cms.CMSError, match="signature does not verify"):
        cms.read_mdm_signature(header, BODY[:-1])


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("!!!not base64!!!", "base64"),
        ("QUJD", "not CMS SignedData"),
        (base64.b64encode(b"\x30\x80\x00\x00").decode(), "not CMS SignedData"),
        (base64.b64encode(b"\x30\x03\x02\x01\x01").decode(), "not CMS SignedData"),
    ],
)
def test_garbage_headers_raise_cms_error(header: str, message: str) -> None:
    with pytest.raises(cms.CMSError, match=message):
        cms.read_mdm_signature(header, BODY)


def test_garbage_bytes_raise_cms_error(vectors: dict) -> None:
    for data in [b"", b"\x00" * 40, vectors["rsa_attrs_sha256"][:100], BODY]:
        with pytest.raises(cms.CMSError, match="empty CMS message|not CMS SignedData"):
            cms.verify_signed_data(data, detached_content=BODY)


def test_other_cms_types_are_not_signed_data(test_ca: certificates.Identity) -> None:
    enveloped = scep.encrypt_envelope(b"x", recipient=test_ca.certificate, cipher="aes128")
    with pytest.raises(cms.CMSError, match="not CMS SignedData"):
        cms.verify_signed_data(enveloped)


def test_detached_signature_needs_the_content(vectors: dict) -> None:
    with pytest.raises(cms.CMSError, match="content was not given"):
        cms.verify_signed_data(vectors["rsa_noattr_sha1"])


def test_missing_signer_certificate(vectors: dict) -> None:
    with pytest.raises(cms.CMSError, match="signer's certificate is not in the message"):
        cms.verify_signed_data(vectors["nocerts"], detached_content=BODY)


def test_md5_is_refused(vectors: dict) -> None:
    with pytest.raises(cms.CMSError, match="unsupported digest"):
        cms.verify_signed_data(vectors["md5"], detached_content=BODY)


def test_openssl_attached_signature(vectors: dict) -> None:
    verified = cms.verify_signed_data(vectors["attached"])
    assert verified.content == BODY
    assert verified.signer == vectors["rsa_cert"]


def test_signature_by_another_key_is_rejected(
    vectors: dict, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    # The embedded certificate claims to be the signer, but another key made the signature.
    forged = cms.sign_detached(BODY, certificate=vectors["rsa_cert"], key=other_rsa_key)
    with pytest.raises(cms.CMSError, match="signature does not verify"):
        cms.verify_signed_data(forged, detached_content=BODY)


@pytest.mark.parametrize(
    ("key_name", "digest", "attrs"),
    [
        ("rsa", "sha1", False),
        ("rsa", "sha256", True),
        ("ec", "sha256", False),
        ("ec", "sha512", True),
    ],
)
def test_sign_detached_is_accepted_by_openssl_and_us(
    vectors: dict,
    rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
    openssl: Callable[..., object],
    key_name: str,
    digest: str,
    attrs: bool,
) -> None:
    key = rsa_key if key_name == "rsa" else ec_key
    cert = vectors[f"{key_name}_cert"]
    signature = cms.sign_detached(
        BODY, certificate=cert, key=key, digest=digest, signed_attributes=attrs
    )
    verified = cms.verify_signed_data(signature, detached_content=BODY)
    assert verified.signer == cert
    assert verified.digest_algorithm == digest
    assert (verified.signed_attributes is not None) is attrs
    d: Path = vectors["dir"]
    sig = d / f"ours_{key_name}_{digest}.der"
    sig.write_bytes(signature)
    result = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", d / "body",
        "-noverify", "-out", d / "out", check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (d / "out").read_bytes() == BODY


def test_sign_detached_defaults_like_a_device(vectors: dict, rsa_key: rsa.RSAPrivateKey) -> None:
    signature = cms.sign_detached(BODY, certificate=vectors["rsa_cert"], key=rsa_key)
    verified = cms.verify_signed_data(signature, detached_content=BODY)
    assert verified.digest_algorithm == "sha1"
    assert verified.signed_attributes is None


def _signing_leaf(
    ca: certificates.Identity, key: rsa.RSAPrivateKey, common_name: str
) -> x509.Certificate:
    return certificates.issue_certificate(
        issuer=ca,
        public_key=key.public_key(),
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]),
        days=2,
        usage="signing",
    )


def test_sign_attached_with_chain_verifies_in_openssl(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, openssl: Callable[..., object],
    tmp_path: Path,
) -> None:  # fmt: skip
    leaf = _signing_leaf(test_ca, rsa_key, "machine-info")
    signed = cms.sign_attached(BODY, certificate=leaf, key=rsa_key, chain=[test_ca.certificate])
    verified = cms.verify_signed_data(signed)
    assert verified.content == BODY
    assert verified.signer == leaf
    assert test_ca.certificate in verified.certificates
    (tmp_path / "signed.der").write_bytes(signed)
    (tmp_path / "ca.pem").write_text(certificates.cert_to_pem(test_ca.certificate))
    result = openssl(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "signed.der",
        "-CAfile", tmp_path / "ca.pem", "-purpose", "any", "-out", tmp_path / "out", check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out").read_bytes() == BODY


def _issuer_and_serial(certificate: x509.Certificate) -> asn1_cms.SignerIdentifier:
    """The SignerIdentifier naming `certificate` by its issuer and serial number."""
    from asn1crypto import x509 as asn1_x509

    return asn1_cms.SignerIdentifier(
        name="issuer_and_serial_number",
        value={
            "issuer": asn1_x509.Name.load(certificate.issuer.public_bytes()),
            "serial_number": certificate.serial_number,
        },
    )


def _signed_data_from_nested_dicts(
    content: bytes,
    *,
    certificate: x509.Certificate,
    key: rsa.RSAPrivateKey,
    digest: str,
    detached: bool,
    signed_attributes: bool,
    extra_attributes: list[asn1_cms.CMSAttribute],
    chain: list[x509.Certificate],
) -> bytes:
    """The same SignedData built the plain way: asn1crypto given the whole tree as dicts."""
    from asn1crypto import x509 as asn1_x509

    signer: dict[str, object] = {
        "version": "v1",
        "sid": _issuer_and_serial(certificate),
        "digest_algorithm": {"algorithm": digest},
        "signature_algorithm": {"algorithm": "rsassa_pkcs1v15"},
    }
    to_sign = content
    if signed_attributes:
        attrs = [
            cms.attribute("content_type", asn1_cms.ContentType("data")),
            cms.attribute("message_digest", asn1_core.OctetString(_hash(digest, content))),
            cms.attribute("signing_time", asn1_cms.Time(name="utc_time", value=SIGNING_TIME)),
            *extra_attributes,
        ]
        attrs.sort(key=lambda a: a.dump())
        signer["signed_attrs"] = asn1_cms.CMSAttributes(attrs)
        to_sign = b"\x31" + signer["signed_attrs"].dump()[1:]
    signer["signature"] = key.sign(to_sign, padding.PKCS1v15(), cms.hash_algorithm(digest))
    encap: dict[str, object] = {"content_type": "data"}
    if not detached:
        encap["content"] = content
    signed = asn1_cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": digest}],
            "encap_content_info": encap,
            "certificates": [
                asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                for c in [certificate, *chain]
            ],
            "signer_infos": [signer],
        }
    )
    return asn1_cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def _hash(digest: str, content: bytes) -> bytes:
    h = hashes.Hash(cms.hash_algorithm(digest))
    h.update(content)
    return h.finalize()


SIGNING_TIME = dt.datetime(2026, 11, 22, 4, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"detached": True},
        {"signed_attributes": False},
        {"detached": True, "signed_attributes": False, "digest": "sha1"},
        {"chain": "ca"},
        {"extra_attributes": True},
    ],
    ids=["attached", "detached", "no-attributes", "device-style", "chain", "extra-attribute"],
)
def test_signing_writes_the_der_asn1crypto_writes_from_the_whole_tree(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
    options: dict,
) -> None:
    # build_signed_data assembles encoded parts for speed; the bytes must not change.
    monkeypatch.setattr(cms, "_now", lambda: SIGNING_TIME)
    leaf = _signing_leaf(test_ca, rsa_key, "signer")
    kwargs = {
        "digest": options.get("digest", "sha256"),
        "detached": options.get("detached", False),
        "signed_attributes": options.get("signed_attributes", True),
        "extra_attributes": [
            cms.attribute("2.16.840.1.113733.1.9.2", asn1_core.PrintableString("3"))
        ]
        if options.get("extra_attributes")
        else [],
        "chain": [test_ca.certificate] if options.get("chain") else [],
    }
    ours = cms.build_signed_data(BODY, certificate=leaf, key=rsa_key, **kwargs)
    assert ours == _signed_data_from_nested_dicts(BODY, certificate=leaf, key=rsa_key, **kwargs)
    verified = cms.verify_signed_data(ours, detached_content=BODY if kwargs["detached"] else None)
    assert verified.signer == leaf and verified.content == BODY


def _with_a_duplicated_extension(cert: x509.Certificate) -> x509.Certificate:
    """`cert` with its first extension twice (the CA signature no longer matches, which loading
    does not check): `cryptography` loads it and raises DuplicateExtension, no ValueError, when
    the extensions are first read."""
    from asn1crypto import x509 as asn1_x509

    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_certificate"]
    extensions = list(tbs["extensions"])
    tbs["extensions"] = asn1_x509.Extensions([*extensions, extensions[0]])
    parsed["tbs_certificate"] = tbs
    return x509.load_der_x509_certificate(parsed.dump(force=True))


def _with_an_x400_alternative_name(cert: x509.Certificate) -> x509.Certificate:
    """`cert` with a subjectAltName holding an empty x400Address (RFC 5280 allows the form;
    `cryptography` does not read it and raises UnsupportedGeneralNameType, no ValueError)."""
    from asn1crypto import x509 as asn1_x509

    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_certificate"]
    # SEQUENCE { OID, OCTET STRING { GeneralNames { [3] x400Address {} } } }, under an OID of
    # the same length that asn1crypto keeps opaque, then renamed subjectAltName (2.5.29.17).
    opaque, alternative_name = bytes.fromhex("0603551d63"), bytes.fromhex("0603551d11")
    extension = asn1_x509.Extension.load(
        bytes.fromhex("300b") + opaque + bytes.fromhex("04043002a300")
    )
    tbs["extensions"] = asn1_x509.Extensions([*tbs["extensions"], extension])
    parsed["tbs_certificate"] = tbs
    der = parsed.dump(force=True)
    assert der.count(opaque) == 1
    return x509.load_der_x509_certificate(der.replace(opaque, alternative_name))


@pytest.mark.parametrize(
    "damage",
    [_with_a_duplicated_extension, _with_an_x400_alternative_name],
    ids=["duplicated extension", "x400Address"],
)
def test_an_embedded_certificate_that_cryptography_cannot_read_is_refused(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    damage: Callable[[x509.Certificate], x509.Certificate],
) -> None:
    broken = damage(_signing_leaf(test_ca, rsa_key, "unreadable"))
    signature = cms.sign_detached(BODY, certificate=broken, key=rsa_key)
    with pytest.raises(cms.CMSError, match="embedded certificate cannot be read"):
        cms.read_mdm_signature(base64.b64encode(signature).decode(), BODY)
    with pytest.raises(ValueError, match="cannot be read"):
        certificates.load_pem_from_peer(certificates.cert_to_pem(broken).encode())


# --- the cache of embedded certificates ----------------------------------------------------


def _leaf(
    ca: certificates.Identity,
    key: rsa.RSAPrivateKey,
    *,
    serial: int,
    days: int,
    key_id: bytes | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cached")]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=days))
    )
    if key_id is not None:
        builder = builder.add_extension(x509.SubjectKeyIdentifier(key_id), critical=False)
    return builder.sign(ca.key, hashes.SHA256())


def _verifies_only_with(
    signature: bytes, *, signer: x509.Certificate, other: x509.Certificate
) -> None:
    """`signature` verifies with `signer` (loaded, then from the cache), and is refused once
    `other` (same key and size, another identifier) is carried in its place."""
    for _ in range(2):
        assert cms.verify_signed_data(signature, detached_content=BODY).signer == signer
    swapped = signature.replace(
        signer.public_bytes(serialization.Encoding.DER),
        other.public_bytes(serialization.Encoding.DER),
    )
    assert swapped != signature
    with pytest.raises(cms.CMSError, match="not in the message"):
        cms.verify_signed_data(swapped, detached_content=BODY)


def _header(signature: bytes) -> str:
    return base64.b64encode(signature).decode()


def test_the_certificate_cache_is_bounded_and_filled_once_per_certificate(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    assert cms._embedded.cache_info().maxsize == cms.EMBEDDED_CACHE_SIZE <= 10_000
    cms._embedded.cache_clear()
    cert = _leaf(test_ca, rsa_key, serial=1001, days=2)
    for body in (BODY, BODY + b" ", BODY + b"  "):
        signature = cms.sign_detached(body, certificate=cert, key=rsa_key)
        assert cms.verify_signed_data(signature, detached_content=body).signer == cert
    info = cms._embedded.cache_info()
    assert (info.currsize, info.misses, info.hits) == (1, 1, 2)


def test_a_changed_certificate_is_not_taken_from_the_cache(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    # Same issuer, serial and key (so the signer matches either), other bytes: each signature
    # yields the certificate it carries, never the one cached before it.
    first = _leaf(test_ca, rsa_key, serial=1002, days=2)
    second = _leaf(test_ca, rsa_key, serial=1002, days=3)
    assert first != second
    for cert in (first, second, first):
        signature = cms.sign_detached(BODY, certificate=cert, key=rsa_key)
        signer = cms.read_mdm_signature(_header(signature), BODY).signer
        assert signer == cert
        assert signer.not_valid_after_utc == cert.not_valid_after_utc


@pytest.mark.parametrize("attrs", [False, True])
def test_a_cached_certificate_does_not_vouch_for_a_body_or_a_signature(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
    attrs: bool,
) -> None:
    cert = _leaf(test_ca, rsa_key, serial=1003, days=2)
    signature = cms.sign_detached(BODY, certificate=cert, key=rsa_key, signed_attributes=attrs)
    assert cms.read_mdm_signature(_header(signature), BODY).signer == cert  # cached now
    with pytest.raises(cms.CMSError, match="does not (verify|match)"):
        cms.read_mdm_signature(_header(signature), BODY + b"\n")
    # The cached certificate, carried by a signature another key made.
    forged = cms.sign_detached(BODY, certificate=cert, key=other_rsa_key, signed_attributes=attrs)
    with pytest.raises(cms.CMSError, match="signature does not verify"):
        cms.read_mdm_signature(_header(forged), BODY)
    assert cms.read_mdm_signature(_header(signature), BODY).signer == cert


def test_a_signer_named_by_its_key_identifier(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    openssl: Callable[..., object],
    tmp_path: Path,
) -> None:
    # `openssl cms -keyid` names the signer by its SubjectKeyIdentifier, not issuer and serial.
    key_id = x509.SubjectKeyIdentifier.from_public_key(rsa_key.public_key()).digest
    with_id = _leaf(test_ca, rsa_key, serial=1004, days=2, key_id=key_id)
    other_id = _leaf(test_ca, rsa_key, serial=1005, days=2, key_id=bytes(len(key_id)))
    (tmp_path / "key").write_bytes(certificates.key_to_pem(rsa_key))
    (tmp_path / "body").write_bytes(BODY)
    (tmp_path / "signer.crt").write_text(certificates.cert_to_pem(with_id))
    openssl(
        "cms", "-sign", "-binary", "-noattr", "-md", "sha256", "-keyid", "-outform", "DER",
        "-in", tmp_path / "body", "-signer", tmp_path / "signer.crt",
        "-inkey", tmp_path / "key", "-out", tmp_path / "with.der",
    )  # fmt: skip
    # The same signer identifier with a certificate of the same key and size, whose own
    # identifier differs.
    _verifies_only_with((tmp_path / "with.der").read_bytes(), signer=with_id, other=other_id)


# --- signed attributes ---------------------------------------------------------------------


def _with_attributes(
    attributes: list[bytes], *, certificate: x509.Certificate, key: rsa.RSAPrivateKey
) -> bytes:
    """A detached SHA-256 signature whose signed attributes are exactly `attributes` (each one
    DER-encoded Attribute), validly signed: only the attribute checks can refuse it."""
    encoded = b"".join(sorted(attributes))
    return _signed_with_attributes(encoded, encoded, certificate=certificate, key=key)


def _signed_with_attributes(
    sent: bytes,
    signed: bytes,
    *,
    certificate: x509.Certificate,
    key: rsa.RSAPrivateKey,
    content: bytes | None = None,
) -> bytes:
    """A SHA-256 signature whose signed attributes are `sent` (their SET contents), signed as
    `signed`; attached when `content` is given, else detached."""
    from asn1crypto import x509 as asn1_x509

    signer = {
        "version": "v1",
        "sid": _issuer_and_serial(certificate),
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": asn1_cms.CMSAttributes.load(cms.der(0x31, sent)),
        "signature_algorithm": {"algorithm": "rsassa_pkcs1v15"},
        "signature": key.sign(cms.der(0x31, signed), padding.PKCS1v15(), hashes.SHA256()),
    }
    content_info: dict[str, object] = {"content_type": "data"}
    if content is not None:
        content_info["content"] = content
    signed_data = asn1_cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": content_info,
            "certificates": [
                asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
            ],
            "signer_infos": [signer],
        }
    )
    return asn1_cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def _attr(name: str, *values: bytes) -> bytes:
    return cms.der(0x30, asn1_cms.CMSAttributeType(name).dump() + cms.der(0x31, b"".join(values)))


def _sha256(data: bytes) -> bytes:
    return _hash("sha256", data)


DATA = asn1_cms.ContentType("data").dump()
SIGNING = _attr("signing_time", asn1_cms.Time(name="utc_time", value=SIGNING_TIME).dump())


@pytest.mark.parametrize(
    ("attributes", "refusal"),
    [
        ([_attr("content_type", DATA), _attr("message_digest", cms.der(0x04, _sha256(BODY)))], None),
        ([_attr("content_type", DATA), SIGNING], "lack contentType or messageDigest"),
        ([_attr("message_digest", cms.der(0x04, _sha256(BODY)))], "lack contentType"),
        (
            [_attr("content_type"), _attr("message_digest", cms.der(0x04, _sha256(BODY)))],
            "lack contentType",
        ),
        (
            [
                _attr("content_type", asn1_cms.ContentType("signed_data").dump()),
                _attr("message_digest", cms.der(0x04, _sha256(BODY))),
            ],
            "contentType attribute does not match",
        ),
        (
            [_attr("content_type", DATA), _attr("message_digest", cms.der(0x04, _sha256(b"x")))],
            "messageDigest does not match",
        ),
        (
            [_attr("content_type", DATA), _attr("message_digest", cms.der(0x02, b"\x05"))],
            "signed attributes are malformed",
        ),
        (
            [_attr("content_type", DATA), _attr("message_digest", b"\x04\x05ab")],
            "malformed",
        ),
    ],
    ids=["valid", "no-digest", "no-type", "empty-type", "other-type", "other-digest",
         "digest-not-octets", "truncated-digest"],
)  # fmt: skip
def test_signed_attributes_are_checked(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    attributes: list[bytes],
    refusal: str | None,
) -> None:
    cert = _leaf(test_ca, rsa_key, serial=1006, days=2)
    signature = _with_attributes(attributes, certificate=cert, key=rsa_key)
    if refusal is None:
        verified = cms.verify_signed_data(signature, detached_content=BODY)
        assert verified.signer == cert and verified.signed_attributes is not None
    else:
        with pytest.raises(cms.CMSError, match=refusal):
            cms.verify_signed_data(signature, detached_content=BODY)


def test_a_known_signer_identifier_does_not_match_another_certificate(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    # The signer identifier (issuer and serial of `named`) is read once and kept; a message that
    # carries it with another certificate of the same key and size is still refused.
    named = _leaf(test_ca, rsa_key, serial=1007, days=2)
    carried = _leaf(test_ca, rsa_key, serial=1008, days=2)
    signature = cms.sign_detached(BODY, certificate=named, key=rsa_key)
    _verifies_only_with(signature, signer=named, other=carried)
    # And the other certificate's own signature names it, not the identifier read before.
    own = cms.sign_detached(BODY, certificate=carried, key=rsa_key)
    assert cms.verify_signed_data(own, detached_content=BODY).signer == carried


# --- a signer's later signatures, read by the template of its first -------------------------


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to make any full parse of a CMS message fail the test."""

    def forbid() -> None:
        def parse(data: bytes, detached_content: bytes | None) -> object:
            raise AssertionError("parsed in full")

        # The full verification, whichever way it reads the message (by its headers or by
        # asn1crypto).
        monkeypatch.setattr(cms, "_verify_parsed", parse)

    return forbid


def _signed(
    body: bytes, cert: x509.Certificate, key: rsa.RSAPrivateKey, *, attrs: bool, ber: bool
) -> bytes:
    signature = cms.sign_detached(
        body,
        certificate=cert,
        key=key,
        digest="sha256" if attrs else "sha1",
        signed_attributes=attrs,
    )
    return _to_indefinite(signature) if ber else signature


def _remembered(signature: bytes, body: bytes) -> x509.Certificate:
    """Verified in full, its signer trusted: its template is kept (as devices.identity does)."""
    read = cms.read_mdm_signature(_header(signature), body)
    cms.remember_mdm_signature(read)
    return read.signer


def _signature_value(signature: bytes) -> bytes:
    info = asn1_cms.ContentInfo.load(signature)
    value: bytes = info["content"]["signer_infos"][0]["signature"].native
    return value


@pytest.mark.parametrize("ber", [False, True], ids=["der", "ber-indefinite"])
@pytest.mark.parametrize("attrs", [False, True], ids=["no-attributes", "signed-attributes"])
def test_a_signers_later_signatures_are_not_parsed_again(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    no_parsing: Callable[[], None],
    attrs: bool,
    ber: bool,
) -> None:
    cms.forget_templates()
    cert = _leaf(test_ca, rsa_key, serial=1101, days=2)
    first = _signed(BODY, cert, rsa_key, attrs=attrs, ber=ber)
    assert _remembered(first, BODY) == cert
    assert len(cms._templates) == 1
    no_parsing()
    for body in (BODY + b"\n", b"<plist>another body</plist>"):
        later = _signed(body, cert, rsa_key, attrs=attrs, ber=ber)
        assert later != first
        assert cms.read_mdm_signature(_header(later), body).signer == cert
        # What the template reads is still checked: the body, and the signature over it.
        with pytest.raises(cms.CMSError, match="does not (verify|match)"):
            cms.read_mdm_signature(_header(later), body + b" ")
        damaged = bytearray(later)
        damaged[later.index(_signature_value(later)) + 100] ^= 1
        with pytest.raises(cms.CMSError, match="signature does not verify"):
            cms.read_mdm_signature(_header(bytes(damaged)), body)


def test_only_a_signature_its_caller_trusts_is_remembered(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    cms.forget_templates()
    cert = _leaf(test_ca, rsa_key, serial=1105, days=2)
    signature = _signed(BODY, cert, rsa_key, attrs=False, ber=False)
    assert cms.read_mdm_signature(_header(signature), BODY).signer == cert
    assert cms._templates == {}
    assert _remembered(signature, BODY) == cert
    assert len(cms._templates) == 1


def test_a_template_does_not_vouch_for_another_key(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
    no_parsing: Callable[[], None],
) -> None:
    # Same certificate, same layout, a signature another key made: read by the template, and
    # refused by the certificate's key.
    cms.forget_templates()
    cert = _leaf(test_ca, rsa_key, serial=1102, days=2)
    assert _remembered(_signed(BODY, cert, rsa_key, attrs=True, ber=False), BODY) == cert
    no_parsing()
    forged = _signed(BODY, cert, other_rsa_key, attrs=True, ber=False)
    with pytest.raises(cms.CMSError, match="signature does not verify"):
        cms.read_mdm_signature(_header(forged), BODY)


def test_a_changed_byte_outside_the_varying_parts_is_parsed_in_full(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    cms.forget_templates()
    cert = _leaf(test_ca, rsa_key, serial=1103, days=2)
    assert _remembered(_signed(BODY, cert, rsa_key, attrs=False, ber=False), BODY) == cert
    parsed: list[bytes] = []
    full = cms._verify_parsed

    def counted(data: bytes, detached_content: bytes | None) -> object:
        parsed.append(data)
        return full(data, detached_content)

    monkeypatch.setattr(cms, "_verify_parsed", counted)
    later = _signed(BODY + b" ", cert, rsa_key, attrs=False, ber=False)
    # A byte of the embedded certificate.
    at = later.index(cert.public_bytes(serialization.Encoding.DER))
    changed = later[: at + 200] + bytes([later[at + 200] ^ 0x01]) + later[at + 201 :]
    with pytest.raises(cms.CMSError):
        cms.read_mdm_signature(_header(changed), BODY + b" ")
    assert parsed == [changed]
    assert cms.read_mdm_signature(_header(later), BODY + b" ").signer == cert
    assert parsed == [changed]  # the template again


def _attributes(body: bytes) -> bytes:
    """The contents of signed attributes over `body` (contentType, messageDigest)."""
    return b"".join(
        sorted(
            [
                _attr("content_type", DATA),
                _attr("message_digest", cms.der(0x04, _sha256(body))),
            ]
        )
    )


def _with_a_copy_of_the_attributes(
    real: bytes, copy: bytes, cert: x509.Certificate, key: rsa.RSAPrivateKey, signed: bytes
) -> bytes:
    """A detached signature whose signed attributes (contents `real`) have an indefinite
    length, with a definite-length copy (contents `copy`) planted earlier, in `crls`; signed
    over `signed`'s attributes."""
    sid = _issuer_and_serial(cert).dump()
    digest = asn1_cms.DigestAlgorithm({"algorithm": "sha256"}).dump()
    signature = key.sign(cms.der(0x31, signed), padding.PKCS1v15(), hashes.SHA256())
    signer = cms.der(
        0x30,
        cms.der_integer(1)
        + sid
        + digest
        + b"\xa0\x80"
        + real
        + b"\x00\x00"
        + asn1_cms.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}).dump()
        + cms.der(0x04, signature),
    )
    crls = cms.der(0xA1, cms.der(0xA1, b"\x06\x03\x2a\x03\x04" + cms.der(0xA0, copy)))
    content = cms.der(
        0x30,
        cms.der_integer(1)
        + cms.der(0x31, digest)
        + cms.der(0x30, asn1_cms.ContentType("data").dump())
        + cms.der(0xA0, cert.public_bytes(serialization.Encoding.DER))
        + crls
        + cms.der(0x31, signer),
    )
    return cms.der(0x30, asn1_cms.ContentType("signed_data").dump() + cms.der(0xA0, content))


def test_a_copy_of_the_attributes_elsewhere_is_no_template(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    # The attributes are where the parser reads them, not where a search finds their bytes:
    # a message whose real attributes have an indefinite length, with a copy of them in
    # definite form planted in `crls`, is parsed in full every time.
    cms.forget_templates()
    cert = _leaf(test_ca, rsa_key, serial=1106, days=2)
    first, other = _attributes(BODY), _attributes(b"<plist>never signed</plist>")
    assert len(first) == len(other)
    planted = _with_a_copy_of_the_attributes(first, first, cert, rsa_key, first)
    assert _remembered(planted, BODY) == cert
    assert cms._templates == {}
    # A later one with the copy and the signature changed: the real attributes, which the
    # signature does not cover, still name BODY.
    later = _with_a_copy_of_the_attributes(first, other, cert, rsa_key, other)
    with pytest.raises(cms.CMSError, match="messageDigest does not match"):
        cms.read_mdm_signature(_header(later), b"<plist>never signed</plist>")


def test_attributes_whose_header_ends_in_0x80_are_parsed_in_full(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    # 128 bytes of attributes: the header A0 81 80, which asn1crypto re-encodes when dumping it
    # (it takes the 0x80 for an indefinite length): the full parse checks a DER copy, so no
    # template, which would check the bytes as sent.
    cms.forget_templates()
    cert = _leaf(test_ca, rsa_key, serial=1107, days=2)
    needed = [_attr("content_type", DATA), _attr("message_digest", cms.der(0x04, _sha256(BODY)))]
    room = 128 - sum(map(len, needed)) - 11
    padding_attr = cms.der(
        0x30, b"\x06\x03\x2a\x03\x04" + cms.der(0x31, cms.der(0x04, b"P" * room))
    )
    signature = _with_attributes([*needed, padding_attr], certificate=cert, key=rsa_key)
    assert b"\xa0\x81\x80" in signature
    assert _remembered(signature, BODY) == cert
    assert cms._templates == {}


@pytest.mark.parametrize("plain", [False, True], ids=["asn1crypto-probe", "plain-probe"])
def test_varying_parts_that_cannot_be_placed_for_certain_make_no_template(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, plain: bool
) -> None:
    cert = _leaf(test_ca, rsa_key, serial=1104, days=2)
    signature = cms.sign_detached(BODY, certificate=cert, key=rsa_key)
    value = _signature_value(signature)
    facts = cms._Template(
        holes=(),
        signer=cert,
        public_key=cert.public_key(),
        digest_name="sha1",
        scheme=cms._Scheme("rsassa_pkcs1v15"),
        content_type="data",
        attrs_tag=b"",
    )
    placed = cms._template_of(signature, value, None, facts, plain=plain)
    assert placed is not None and placed.holes == ((signature.index(value), len(value)),)
    # The same bytes twice (here appended): which one a parser read cannot be told apart.
    assert cms._template_of(signature + value, value, None, facts, plain=plain) is None
    # Anything after the message (asn1crypto reads past it): no template.
    assert cms._template_of(signature + b"\x00" * 4, value, None, facts, plain=plain) is None
    assert cms._template_of(signature, b"", None, facts, plain=plain) is None
    # Attributes said to be there that the parser does not read.
    assert cms._template_of(signature, value, value[:40], facts, plain=plain) is None
    # Too large to keep.
    big = cms.build_signed_data(
        BODY,
        certificate=cert,
        key=rsa_key,
        detached=True,
        signed_attributes=False,
        chain=[_leaf(test_ca, rsa_key, serial=n, days=2) for n in range(1120, 1132)],
    )
    assert len(big) > cms.TEMPLATE_MAX_BYTES
    assert cms._template_of(big, _signature_value(big), None, facts, plain=plain) is None


@pytest.mark.parametrize("attrs", [False, True], ids=["no-attributes", "signed-attributes"])
def test_a_plain_signatures_template_is_probed_by_the_reader_that_read_it(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    monkeypatch: pytest.MonkeyPatch,
    no_parsing: Callable[[], None],
    attrs: bool,
) -> None:
    # A device's signature is plain DER: its template's probe is read by `_plain_signed_data`
    # (what reads its later signatures in full, too), not by asn1crypto; a BER one still is.
    cms.forget_templates()
    loads: list[bytes] = []
    load = asn1_cms.ContentInfo.load

    def counted(data: bytes, *args: object, **kwargs: object) -> object:
        loads.append(data)
        return load(data, *args, **kwargs)

    monkeypatch.setattr(asn1_cms.ContentInfo, "load", counted)
    cert = _leaf(test_ca, rsa_key, serial=1108, days=2)
    first = _signed(BODY, cert, rsa_key, attrs=attrs, ber=False)
    assert _remembered(first, BODY) == cert
    assert len(cms._templates) == 1
    assert loads == []
    ber = _signed(BODY, cert, rsa_key, attrs=attrs, ber=True)
    assert _remembered(ber, BODY) == cert
    assert len(cms._templates) == 2
    assert len(loads) >= 1  # the BER message and its probe
    no_parsing()
    later = _signed(BODY + b"\n", cert, rsa_key, attrs=attrs, ber=False)
    assert cms.read_mdm_signature(_header(later), BODY + b"\n").signer == cert


@pytest.mark.parametrize("attrs", [False, True], ids=["no-attributes", "signed-attributes"])
def test_the_plain_probe_places_the_holes_no_more_readily_than_asn1crypto(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, attrs: bool
) -> None:
    # Holes around the signature and attributes, moved and resized byte by byte: the plain
    # probe takes only the exact ones, and asn1crypto takes every one the plain probe takes.
    cert = _leaf(test_ca, rsa_key, serial=1109, days=2)
    signature = _signed(BODY, cert, rsa_key, attrs=attrs, ber=False)
    read = cms._plain_signed_data(signature)
    assert read is not None
    value = (signature.index(read.signature), len(read.signature))
    exact: tuple[tuple[int, int], ...] = (value,)
    if attrs:
        assert read.signed_attrs is not None
        contents = read.signed_attrs[read.attrs_at :]
        exact = ((signature.index(contents), len(contents)), value)
    taken = []
    for moved in range(len(exact)):
        for shift in range(-4, 5):
            for grow in range(-4, 5):
                holes = list(exact)
                offset, length = holes[moved]
                if offset + shift + length + grow > len(signature):
                    continue  # a hole past the end: never made (`_template_of` finds them)
                holes[moved] = (offset + shift, length + grow)
                placed = tuple(holes)
                if cms._read_from(signature, placed, attrs=attrs, plain=True):
                    taken.append(placed)
                    assert cms._read_from(signature, placed, attrs=attrs, plain=False)
    assert set(taken) == {exact}


def test_the_templates_are_bounded(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    cms.forget_templates()
    monkeypatch.setattr(cms, "TEMPLATE_CACHE_SIZE", 3)
    for serial in range(1110, 1117):
        cert = _leaf(test_ca, rsa_key, serial=serial, days=2)
        signature = cms.sign_detached(BODY, certificate=cert, key=rsa_key)
        assert _remembered(signature, BODY) == cert
        assert 1 <= len(cms._templates) <= 3
    assert max(len(layouts) for layouts in cms._layouts.values()) <= cms._LAYOUTS_PER_LENGTH


def test_the_templates_used_last_are_kept(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    cms.forget_templates()
    monkeypatch.setattr(cms, "TEMPLATE_CACHE_SIZE", 3)
    signers = [_leaf(test_ca, rsa_key, serial=serial, days=2) for serial in range(1140, 1144)]

    def later(cert: x509.Certificate) -> bool:
        """Whether a later signature of `cert` is read by template."""
        signature = cms.sign_detached(BODY + b" ", certificate=cert, key=rsa_key)
        return cms._verify_by_template(signature, BODY + b" ") == cert

    for cert in signers[:3]:
        assert _remembered(cms.sign_detached(BODY, certificate=cert, key=rsa_key), BODY) == cert
    assert later(signers[0])  # used: now the most recent
    assert _remembered(cms.sign_detached(BODY, certificate=signers[3], key=rsa_key), BODY)
    assert len(cms._templates) == 3
    assert [later(cert) for cert in signers] == [True, False, True, True]


def _read(attributes: object) -> list[tuple[bytes, list[bytes]]]:
    """Every attribute's type and values' encodings, of a `cms.SignedAttributes` or of an
    asn1crypto set (which this reads in full)."""
    if isinstance(attributes, cms.SignedAttributes):
        if attributes.plain is not None:
            return [(oid, list(values)) for oid, values in attributes.plain]
        attributes = attributes.parsed
    return [
        (a["type"].contents, [v.dump() for v in a["values"]])
        for a in attributes  # type: ignore[attr-defined]
    ]


# Duplicate types in an order DER would change (the second message type sorts first); a
# padding attribute brings the set to the size a test asks for.
_SENT = [
    _attr(scep.OID_MESSAGE_TYPE, cms.der(0x13, b"19")),
    _attr("content_type", DATA),
    _attr(scep.OID_MESSAGE_TYPE, cms.der(0x13, b"17")),
    _attr(scep.OID_TRANSACTION_ID, cms.der(0x0C, b"\xc3\xa9")),
]


def _attribute_set(size: int, header: str) -> bytes:
    def padded(room: int) -> bytes:
        value = cms.der(0x04, b"P" * room)
        return b"".join(_SENT) + cms.der(0x30, b"\x06\x03\x2a\x03\x04" + cms.der(0x31, value))

    contents = padded(size - sum(map(len, _SENT)) - 11)
    contents = padded(size - sum(map(len, _SENT)) - 11 - (len(contents) - size))
    assert len(contents) == size
    if header == "indefinite":
        return b"\x31\x80" + contents + b"\x00\x00"
    return cms.der(0x31, contents)


@pytest.mark.parametrize("header", ["definite", "indefinite"])
@pytest.mark.parametrize("size", [100, 128, 300, 384])  # 128 and 384: the header ends in 0x80
@pytest.mark.parametrize("dumped", [False, True])
def test_attributes_are_read_as_sent_with_the_lighter_spec(
    header: str, size: int, dumped: bool
) -> None:
    """`attributes_as_sent` reads what iterating the `CMSAttributes` reads, in the same order,
    whether the set was dumped (and so, with a header ending in 0x80 or an indefinite length,
    re-encoded in DER order) or not."""
    encoded = _attribute_set(size, header)
    full = asn1_cms.CMSAttributes.load(encoded)
    light = asn1_cms.CMSAttributes.load(encoded)
    if dumped:
        light.dump()
    assert _read(cms.attributes_as_sent(light)) == _read(full)
    assert [values for _, values in _read(full)][:3] == [
        [cms.der(0x13, b"19")],
        [DATA],
        [cms.der(0x13, b"17")],
    ]
    if dumped and (header == "indefinite" or size in (128, 384)):
        # The set's encoding is now the DER-sorted copy: read again, it is in another order.
        again = cms._SignedAttributes.load(cms.der(0x31, light.contents))
        assert _read(again) != _read(full)


def _attached_with_attributes(
    sent: bytes, signed: bytes, *, certificate: x509.Certificate, key: rsa.RSAPrivateKey
) -> bytes:
    """An attached SHA-256 signature whose signed attributes are `sent` (their SET contents),
    signed as `signed`."""
    return _signed_with_attributes(sent, signed, certificate=certificate, key=key, content=BODY)


@pytest.mark.parametrize("size", [200, 384])  # 384: the header A0 82 01 80
def test_a_verified_messages_attributes_are_read_as_sent(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    size: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What `attributes_as_sent` reads of a verified message: the set the verification checked
    (not parsed again), or, when asn1crypto re-encoded the set to check it, the set as sent."""
    cert = _leaf(test_ca, rsa_key, serial=1120 + size, days=2)
    needed = [_attr("message_digest", cms.der(0x04, _sha256(BODY))), *_SENT]
    room = size - sum(map(len, needed)) - 11
    for _ in range(2):
        padding_attr = _attr("1.2.3.4", cms.der(0x04, b"P" * room))
        contents = b"".join(needed) + padding_attr
        room -= len(contents) - size
    assert len(contents) == size
    # As sent, unsorted; signed as DER sorts it, which only the re-encoded (0x80) set verifies.
    sent, signed = contents, b"".join(sorted([*needed, padding_attr]))
    if size == 200:
        sent = signed
    # asn1crypto re-encodes a 0x80 header on writing too: the attributes as sent are put in.
    message = _attached_with_attributes(signed, signed, certificate=cert, key=rsa_key)
    assert message.count(signed) == 1
    message = message.replace(signed, sent)
    loads = []
    real_read = cms._read_attributes

    def counted(encoded: bytes) -> cms.SignedAttributes:
        loads.append(encoded)
        return real_read(encoded)

    monkeypatch.setattr(cms, "_read_attributes", counted)
    verified = cms.verify_signed_data(message)
    read = _read(verified.attributes_as_sent())
    assert read == _read(asn1_cms.CMSAttributes.load(cms.der(0x31, sent)))
    if size == 200:
        assert verified.checked_attributes is not None and len(loads) == 1
    else:
        assert verified.checked_attributes is None and len(loads) == 1
        assert next(v for t, v in read if t == _SENT_TYPE) == [cms.der(0x13, b"19")]
        assert sent != signed


_SENT_TYPE = asn1_core.ObjectIdentifier(scep.OID_MESSAGE_TYPE).contents


def test_a_message_without_attributes_has_none_to_read(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    cert = _leaf(test_ca, rsa_key, serial=1130, days=2)
    signature = cms.sign_detached(BODY, certificate=cert, key=rsa_key)
    verified = cms.verify_signed_data(signature, detached_content=BODY)
    assert _read(verified.attributes_as_sent()) == []


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 12, 7, 11, 5, 9, tzinfo=dt.UTC),
        dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(1950, 1, 1, 4, 0, tzinfo=dt.timezone(dt.timedelta(hours=4))),
        dt.datetime(2030, 1, 1, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
    ],
    ids=["utc", "last", "first-east", "year-before-in-utc"],
)
def test_the_signing_time_is_the_utc_time_asn1crypto_writes(when: dt.datetime) -> None:
    assert cms._utc_time(when) == asn1_cms.Time(name="utc_time", value=when).dump()


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2050, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1949, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2049, 12, 31, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(2026, 12, 7, 12, 0),  # no time zone
    ],
    ids=["after", "before", "after-in-utc", "naive"],
)
def test_a_signing_time_outside_utc_time_is_refused_as_by_asn1crypto(when: dt.datetime) -> None:
    with pytest.raises(ValueError):
        asn1_cms.Time(name="utc_time", value=when).dump()
    with pytest.raises(ValueError):
        cms._utc_time(when)


def test_each_signer_certificate_is_named_in_its_own_signatures(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    """The signer's identifier and certificate are encoded once per certificate: signing in
    turn with certificates of the same issuer names each in its own signatures."""
    first = _leaf(test_ca, rsa_key, serial=1201, days=2)
    second = _leaf(test_ca, other_rsa_key, serial=1202, days=2)
    for cert, key in [(first, rsa_key), (second, other_rsa_key), (first, rsa_key)]:
        signed = cms.sign_attached(BODY, certificate=cert, key=key)
        verified = cms.verify_signed_data(signed)
        assert verified.signer == cert and verified.certificates == (cert,)
        sid = asn1_cms.ContentInfo.load(signed)["content"]["signer_infos"][0]["sid"].chosen
        assert sid["serial_number"].native == cert.serial_number
        assert sid["issuer"].dump() == cert.issuer.public_bytes()


def _scep_request_attributes(test_ca: certificates.Identity, key: rsa.RSAPrivateKey) -> bytes:
    """The signed attributes of a SCEP PKCSReq, as the SET OF its signature covers."""
    from tests.simulator import scep_client

    message, _, _ = scep_client.build_pkcs_req(
        key=key, subject_cn="attributes", challenge="pw", ca_cert=test_ca.certificate
    )
    attrs = asn1_cms.ContentInfo.load(message)["content"]["signer_infos"][0]["signed_attrs"]
    return b"\x31" + attrs.dump()[1:]


def test_plain_der_attributes_are_read_as_asn1crypto_reads_them(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    """Wherever `_plain_attributes` reads a set (a SCEP request's, every byte changed three
    ways, cut short or extended), asn1crypto reads every type and value the same, without an
    error; where it does not, `_read_attributes` reads by asn1crypto, as before."""
    import random

    sent = _scep_request_attributes(test_ca, rsa_key)
    changed = [sent, sent[:-1], sent + b"\x00", sent[: len(sent) // 2]]
    for offset in range(len(sent)):
        for flip in (0x01, 0x20, 0x80):
            data = bytearray(sent)
            data[offset] ^= flip
            changed.append(bytes(data))
    chance = random.Random(8894)
    for _ in range(1500):
        data = bytearray(sent)
        for offset in chance.sample(range(len(sent)), 2):
            data[offset] = chance.randrange(256)
        changed.append(bytes(data))
    plain_reads = 0
    for data in changed:
        plain = cms._plain_attributes(data)
        if plain is None:
            try:
                read = cms._read_attributes(data)
            except cms.PARSE_ERRORS:
                continue  # as before: the set's own header cannot be read
            assert read.plain is None
            continue
        plain_reads += 1
        assert _read(cms._SignedAttributes.load(data)) == _read(cms.SignedAttributes(plain=plain))
    assert plain_reads > len(changed) // 4  # the test reads many changed sets, not a few
    assert len(changed) - plain_reads > len(changed) // 4


@pytest.mark.parametrize(
    "encoding",
    [
        "indefinite set",
        "indefinite attribute",
        "indefinite value",
        "high tag number value",
        "five length octets",
        "trailing bytes",
        "three members",
        "constructed type",
        "a value asn1crypto does not read",
    ],
)
def test_attributes_not_in_plain_der_are_read_by_asn1crypto(encoding: str) -> None:
    oid = asn1_core.ObjectIdentifier(scep.OID_MESSAGE_TYPE).dump()
    value = cms.der(0x13, b"19")
    attribute = cms.der(0x30, oid + cms.der(0x31, value))
    data = {
        "indefinite set": b"\x31\x80" + attribute + b"\x00\x00",
        "indefinite attribute": cms.der(0x31, b"\x30\x80" + oid + cms.der(0x31, value) + b"\0\0"),
        "indefinite value": cms.der(
            0x31, cms.der(0x30, oid + cms.der(0x31, b"\x33\x80" + value + b"\x00\x00"))
        ),
        "high tag number value": cms.der(
            0x31, cms.der(0x30, oid + cms.der(0x31, b"\x1f\x81\x00\x00"))
        ),
        "five length octets": cms.der(
            0x31, cms.der(0x30, oid + cms.der(0x31, b"\x13\x85\x00\x00\x00\x00\x02" + b"19"))
        ),
        "trailing bytes": cms.der(0x31, attribute) + b"\x00",
        "three members": cms.der(0x31, cms.der(0x30, oid + cms.der(0x31, value) + value)),
        "constructed type": cms.der(0x31, cms.der(0x30, b"\x26" + oid[1:] + cms.der(0x31, value))),
        # Tag number 14, private class: asn1crypto raises where the value is read, if it is.
        "a value asn1crypto does not read": cms.der(
            0x31, cms.der(0x30, oid + cms.der(0x31, value + b"\xce\x00"))
        ),
    }[encoding]
    assert cms._plain_attributes(data) is None
    read = cms._read_attributes(data)
    assert read.plain is None and isinstance(read.parsed, cms._SignedAttributes)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(cms.der(0x04, b"\x5a" * 32), id="sha256"),
        pytest.param(cms.der(0x04, b""), id="empty"),
        pytest.param(cms.der(0x04, b"\x01" * 200), id="long-form"),
        pytest.param(b"\x04\x81\x03abc", id="non-minimal-length"),
        pytest.param(b"\x04\x84\x00\x00\x00\x03abc", id="four-length-octets"),
        pytest.param(b"\x24\x80" + cms.der(0x04, b"ab") + cms.der(0x04, b"c") + b"\0\0", id="ber"),
        pytest.param(
            b"\x24" + bytes([8]) + cms.der(0x04, b"ab") + cms.der(0x04, b"cd"), id="parts"
        ),
        pytest.param(cms.der(0x04, b"abc") + b"\x00", id="trailing-byte"),
        pytest.param(b"\x04\x05abc", id="cut-short"),
        pytest.param(b"\x04", id="no-length"),
        pytest.param(cms.der(0x0C, b"abc"), id="utf8-string"),
        pytest.param(b"\x9f\x81\x00\x01a", id="high-tag-number"),
    ],
)
def test_an_octet_string_is_read_as_asn1crypto_reads_it(value: bytes) -> None:
    """A messageDigest value: read by its header where that is plain, the same as asn1crypto
    (or refused as asn1crypto refuses it)."""

    def read(how: Callable[[bytes], object]) -> tuple[str, object]:
        try:
            return ("read", how(value))
        except cms.PARSE_ERRORS as exc:
            return ("refused", type(exc).__name__)

    assert read(cms.octet_string) == read(lambda v: asn1_core.OctetString.load(v).native)
