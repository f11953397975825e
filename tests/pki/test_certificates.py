"""Issued certificates: what each takes from its issuer (read once per issuing identity)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

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
