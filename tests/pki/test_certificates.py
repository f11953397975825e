"""Issued certificates: what each takes from its issuer (read once per issuing identity)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from mdm_server import clock
from mdm_server.pki import certificates


def _leaf(ca: certificates.Identity, key: rsa.RSAPrivateKey, days: int) -> x509.Certificate:
    return certificates.issue_certificate(
        issuer=ca,
        public_key=key.public_key(),
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "device")]),
        days=days,
        usage="client",
    )


def test_each_certificate_names_and_identifies_its_own_issuer(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    # A second CA that expires in two days: a leaf asking for a year is capped at its expiry.
    key = certificates.new_rsa_key()
    short = certificates.Identity(
        certificate=certificates.build_ca("Short CA", key=key, days=2), key=key
    )
    for ca, other in [(test_ca, short), (short, test_ca), (test_ca, short)]:
        leaf = _leaf(ca, rsa_key, days=365)
        assert leaf.issuer == ca.certificate.subject
        assert certificates.is_issued_by(leaf, ca.certificate)
        assert not certificates.is_issued_by(leaf, other.certificate)
        identifier = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        expected = x509.SubjectKeyIdentifier.from_public_key(ca.key.public_key()).digest
        assert identifier.key_identifier == expected
        assert leaf.not_valid_after_utc <= ca.certificate.not_valid_after_utc
    capped = _leaf(short, rsa_key, days=365)
    assert capped.not_valid_after_utc == short.certificate.not_valid_after_utc
    assert _leaf(test_ca, rsa_key, days=365).not_valid_after_utc - dt.datetime.now(
        dt.UTC
    ) > dt.timedelta(days=364)


def test_what_is_kept_of_an_issuer_holds_no_private_key(rsa_key: rsa.RSAPrivateKey) -> None:
    """A rolled-over CA's key leaves memory with its identity: the parts kept per issuer are
    read from its certificate, which is public."""
    import gc
    import weakref

    def issue_with_a_new_ca() -> weakref.ref[certificates.Identity]:
        key = certificates.new_rsa_key()
        ca = certificates.Identity(certificate=certificates.build_ca("Old CA", key=key), key=key)
        _leaf(ca, rsa_key, days=1)
        return weakref.ref(ca)  # the identity, and with it its key

    gone = issue_with_a_new_ca()
    gc.collect()
    assert gone() is None


# --- certificates written from the builder's fixed parts -------------------------------------


@pytest.fixture(scope="module")
def ec_ca() -> certificates.Identity:
    key = ec.generate_private_key(ec.SECP256R1())
    return certificates.Identity(certificate=certificates.build_ca("EC CA", key=key), key=key)


_NAMES = [
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "device")]),
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "d\u00e9vice \u20ac " + "x" * 50)]),
    x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Org", _ASN1Type.PrintableString),
            x509.NameAttribute(NameOID.COMMON_NAME, "two"),
        ]
    ),
    x509.Name([]),
]


def _both(
    ca: certificates.Identity,
    *,
    usage: str,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    subject: x509.Name,
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> tuple[x509.Certificate, x509.Certificate | None]:
    """The builder's certificate, and the one written from its fixed parts."""
    parts = certificates._issuer_parts(ca.certificate)
    built = certificates._issue_by_builder(
        issuer=ca,
        parts=parts,
        eku=certificates._EKU[usage],
        serial=serial,
        not_before=not_before,
        not_after=not_after,
        subject=subject,
        public_key=public_key,
        usage=usage,
    )
    certificates._tbs_templates.clear()
    certificates._remember_template(ca.certificate, usage, built)
    template = certificates._tbs_templates[(ca.certificate, usage)]
    written = certificates._issue_from_template(
        template,
        key=ca.key,
        serial=serial,
        not_before=not_before,
        not_after=not_after,
        subject=subject,
        public_key=public_key,
    )
    return built, written


def _same(ca: certificates.Identity, built: x509.Certificate, written: x509.Certificate) -> None:
    if isinstance(ca.key, rsa.RSAPrivateKey):
        # PKCS#1 v1.5 signatures are deterministic: the same DER, byte for byte.
        assert written.public_bytes(Encoding.DER) == built.public_bytes(Encoding.DER)
    else:
        # ECDSA's are not: the same signed part and algorithm, and a signature by the CA.
        assert written.tbs_certificate_bytes == built.tbs_certificate_bytes
        assert written.signature_algorithm_oid == built.signature_algorithm_oid
        written.verify_directly_issued_by(ca.certificate)


@pytest.mark.parametrize("issuer", ["rsa", "ec"])
@pytest.mark.parametrize("usage", ["client", "signing"])
@pytest.mark.parametrize("subject", range(len(_NAMES)))
@pytest.mark.parametrize("leaf_key", ["rsa", "p256", "p384"])
def test_a_certificate_written_from_the_fixed_parts_is_the_builders(
    test_ca: certificates.Identity,
    ec_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    issuer: str,
    usage: str,
    subject: int,
    leaf_key: str,
) -> None:
    ca = test_ca if issuer == "rsa" else ec_ca
    public_key = {
        "rsa": lambda: rsa_key.public_key(),
        "p256": lambda: ec.generate_private_key(ec.SECP256R1()).public_key(),
        "p384": lambda: ec.generate_private_key(ec.SECP384R1()).public_key(),
    }[leaf_key]()
    now = dt.datetime.now(dt.UTC)
    built, written = _both(
        ca,
        usage=usage,
        public_key=public_key,
        subject=_NAMES[subject],
        serial=x509.random_serial_number(),
        not_before=now - dt.timedelta(minutes=5),
        not_after=now + dt.timedelta(days=365),
    )
    assert written is not None
    _same(ca, built, written)


_TIMES = st.datetimes(
    min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(9998, 12, 31)
) | st.sampled_from(
    [
        dt.datetime(2049, 12, 31, 23, 59, 59, 999999),
        dt.datetime(2050, 1, 1),
        dt.datetime(1950, 1, 1),
        dt.datetime(1999, 12, 31, 23, 59, 59),
    ]
)


@settings(max_examples=60, derandomize=True, deadline=None, database=None)
@given(
    first=_TIMES,
    length=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=40000)),
    offset=st.sampled_from([None, 0, 90, -330, 14 * 60]),
    serial=st.integers(min_value=1, max_value=(1 << 159) - 1)
    | st.sampled_from([1, 127, 128, 255, 256, 32767, 32768, (1 << 159) - 1]),
)
def test_validity_and_serial_are_written_as_the_builder_writes_them(
    test_ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    first: dt.datetime,
    length: dt.timedelta,
    offset: int | None,
    serial: int,
) -> None:
    last = min(first + length, dt.datetime(9999, 12, 31))
    if offset is not None:  # the same instants in another time zone
        zone = dt.timezone(dt.timedelta(minutes=offset))
        first = (first.replace(tzinfo=dt.UTC)).astimezone(zone)
        last = (last.replace(tzinfo=dt.UTC)).astimezone(zone)
    built, written = _both(
        test_ca,
        usage="client",
        public_key=rsa_key.public_key(),
        subject=_NAMES[0],
        serial=serial,
        not_before=first,
        not_after=last,
    )
    assert written is not None
    _same(test_ca, built, written)


def test_values_the_builder_refuses_are_left_to_it(
    test_ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    """An issuer that has expired (the capped end before the start): refused by the builder,
    as before, even once the issuer's fixed parts are known."""
    _leaf(test_ca, rsa_key, days=1)
    assert (test_ca.certificate, "client") in certificates._tbs_templates
    previous = clock.use(clock.ManualClock(test_ca.certificate.not_valid_after_utc + _DAY))
    try:
        with pytest.raises(ValueError, match="not valid after date must be after"):
            _leaf(test_ca, rsa_key, days=1)
    finally:
        clock.use(previous)


_DAY = dt.timedelta(days=1)


def test_the_builder_writes_an_issuers_first_certificate_only(
    rsa_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = certificates.new_rsa_key()
    ca = certificates.Identity(certificate=certificates.build_ca("Fresh CA", key=key), key=key)
    built: list[x509.Certificate] = []
    builder = certificates._issue_by_builder

    def counted(**kwargs: object) -> x509.Certificate:
        built.append(builder(**kwargs))  # type: ignore[arg-type]
        return built[-1]

    monkeypatch.setattr(certificates, "_issue_by_builder", counted)
    first = _leaf(ca, rsa_key, days=30)
    later = [_leaf(ca, rsa_key, days=30) for _ in range(3)]
    assert built == [first]
    for cert in later:
        assert certificates.is_issued_by(cert, ca.certificate)
        assert cert.serial_number != first.serial_number
        assert list(cert.extensions) == list(first.extensions)
        assert cert.subject == first.subject and cert.issuer == first.issuer
