"""Fuzzing `Mdm-Signature`: bit flips, byte edits and truncations of a valid device signature,
at the pure CMS verifier and through the connect view."""

from __future__ import annotations

import base64
import plistlib
from collections.abc import Callable
from typing import Any

import pytest
from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from devices import identity
from mdm_server.pki import certificates, cms
from mdm_server.pki import services as pki
from tests.fuzz import strategies as fz
from tests.fuzz.conftest import assert_refused_or_served
from tests.simulator import issue_identity

BODY = plistlib.dumps({"Status": "Idle", "UDID": "FUZZ-UDID"})


def regions(signature: bytes, cert: x509.Certificate) -> dict[str, tuple[int, int]]:
    """Where the parts that are parsed late sit in a signature: the embedded certificate, its
    issuer name and its public key."""
    out = {"anywhere": (0, len(signature))}
    for name, part in (
        ("certificate", cert.public_bytes(serialization.Encoding.DER)),
        ("issuer", cert.issuer.public_bytes()),
        (
            "public key",
            cert.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        ),
    ):
        start = signature.index(part)
        out[name] = (start, start + len(part))
    return out


REGIONS = st.sampled_from(["anywhere", "certificate", "issuer", "public key"])


# A device identity of each kind: EC P-256, and RSA as older devices use, also signing attributes.
Identity = tuple[x509.Certificate, Any, str, bool]  # certificate, key, digest, signed attributes


@pytest.fixture(scope="module")
def identities() -> dict[str, Identity]:
    """One identity of each kind, issued by a throwaway CA."""
    key = certificates.new_rsa_key()
    ca = certificates.Identity(certificate=certificates.build_ca("Fuzz CA", key=key), key=key)
    out = {}
    for name, use_rsa, attrs in (("ec", False, False), ("rsa", True, False), ("attrs", True, True)):
        cert, device_key = issue_identity(ca, rsa=use_rsa)
        out[name] = (cert, device_key, "sha1" if use_rsa else "sha256", attrs)
    return out


def _sign(device: Identity, body: bytes) -> bytes:
    cert, key, digest, attrs = device
    return cms.sign_detached(
        body, certificate=cert, key=key, digest=digest, signed_attributes=attrs
    )


@pytest.fixture(scope="module")
def signatures(identities: dict[str, Identity]) -> dict[str, tuple[bytes, x509.Certificate]]:
    """Device-style detached signatures over BODY, for the pure verifier."""
    return {name: (_sign(device, BODY), device[0]) for name, device in identities.items()}


@given(kind=st.sampled_from(["ec", "rsa", "attrs"]), steps=fz.mutations(), region=REGIONS)
def test_the_verifier_raises_only_cms_errors(
    signatures: dict[str, tuple[bytes, x509.Certificate]],
    mutate: Callable[..., bytes],
    kind: str,
    steps: list[tuple[str, int, int]],
    region: str,
) -> None:
    signature, cert = signatures[kind]
    tampered = mutate(signature, steps, regions(signature, cert)[region])
    try:
        signer = cms.verify_signed_data(tampered, detached_content=BODY).signer
    except cms.CMSError as exc:
        assert str(exc)
    else:
        # An edit the signature does not cover (e.g. in the certificate's own signature) may
        # verify; the signer's key is then still the device's.
        assert signer.public_key() == cert.public_key()


BODY_LATER = plistlib.dumps({"Status": "Acknowledged", "UDID": "FUZZ-UDID", "CommandUUID": "1"})


@pytest.fixture(scope="module")
def signer_pairs(
    identities: dict[str, Identity],
) -> dict[str, tuple[bytes, bytes, dict[str, tuple[int, int]]]]:
    """A device's first signature (over BODY) and a later one (over BODY_LATER), with the later
    one's parts that change between signatures: the signature value and the signed attributes."""
    out = {}
    for name, device in identities.items():
        cert, attrs = device[0], device[3]
        first = _sign(device, BODY)
        for _ in range(100):  # an ECDSA signature's length varies: one of the same layout
            later = _sign(device, BODY_LATER)
            if len(later) == len(first):
                break
        assert len(later) == len(first)
        info = asn1_cms.ContentInfo.load(later)["content"]["signer_infos"][0]
        where = regions(later, cert)
        signed_attrs = info["signed_attrs"].contents if attrs else None
        for part, found in (
            ("signature value", info["signature"].native),
            ("attributes", signed_attrs),
        ):
            start = later.index(found) if found else 0
            where[part] = (start, start + len(found or later))
        out[name] = (first, later, where)
    return out


@pytest.mark.parametrize("kind", ["ec", "rsa", "attrs"])
def test_a_later_signature_of_each_kind_is_read_by_template(
    signer_pairs: dict[str, tuple[bytes, bytes, dict[str, tuple[int, int]]]], kind: str
) -> None:
    first, later, _ = signer_pairs[kind]
    _remember(first, BODY)
    assert cms._verify_by_template(later, BODY_LATER) is not None


def _outcome(signature: bytes, body: bytes) -> tuple[str, bytes | str]:
    try:
        signer = cms.read_mdm_signature(base64.b64encode(signature).decode(), body).signer
    except cms.CMSError as exc:
        return "refused", str(exc)
    return "verified", signer.public_bytes(serialization.Encoding.DER)


# Edits that keep the length: in the parts the template leaves open, what it reads itself.
SAME_LENGTH = st.lists(
    st.tuples(
        st.sampled_from(["flip", "set"]),
        st.integers(min_value=0, max_value=1 << 20),
        st.integers(min_value=0, max_value=255),
    ),
    min_size=1,
    max_size=3,
)


@given(
    kind=st.sampled_from(["ec", "rsa", "attrs"]),
    steps=st.one_of(fz.mutations(), SAME_LENGTH),
    region=st.sampled_from(["anywhere", "certificate"] + ["signature value", "attributes"] * 2),
)
def test_a_remembered_signer_reads_any_signature_as_a_full_parse_does(
    signer_pairs: dict[str, tuple[bytes, bytes, dict[str, tuple[int, int]]]],
    mutate: Callable[..., bytes],
    kind: str,
    steps: list[tuple[str, int, int]],
    region: str,
) -> None:
    # Once a device's signature has verified, its later ones are read by template
    # (`cms._verify_by_template`): whatever a later one holds, the answer is the full parse's.
    first, later, where = signer_pairs[kind]
    tampered = mutate(later, steps, where[region])
    cms.forget_templates()
    parsed = _outcome(tampered, BODY_LATER)  # nothing remembered: a full parse
    _remember(first, BODY)
    assert _outcome(tampered, BODY_LATER) == parsed


def _remember(signature: bytes, body: bytes) -> None:
    """Verify `signature` in full and keep its template, as devices.identity does for a signer
    of ours."""
    cms.forget_templates()
    cms.remember_mdm_signature(cms.read_mdm_signature(base64.b64encode(signature).decode(), body))
    assert len(cms._templates) == 1


@pytest.fixture
def device_signature(server_pki: pki.PkiStatus) -> tuple[bytes, dict[str, tuple[int, int]]]:
    cert, key = issue_identity(pki.active_identity("ca"))
    signature = cms.sign_detached(BODY, certificate=cert, key=key, digest="sha256")
    return signature, regions(signature, cert)


@pytest.mark.django_db
@given(
    steps=fz.mutations(),
    region=REGIONS,
    header_noise=st.sampled_from(["", " ", "\n", "=", "%"]),
)
def test_connect_with_a_tampered_signature(
    device_signature: tuple[bytes, dict[str, tuple[int, int]]],
    fuzz_client: Client,
    mutate: Callable[..., bytes],
    steps: list[tuple[str, int, int]],
    region: str,
    header_noise: str,
) -> None:
    identity.forget_cached_state()
    signature, where = device_signature
    tampered = mutate(signature, steps, where[region])
    header = base64.b64encode(tampered).decode() + header_noise
    response = fuzz_client.put(
        "/mdm/connect",
        data=BODY,
        content_type="application/x-apple-aspen-mdm",
        HTTP_MDM_SIGNATURE=header,
    )
    assert_refused_or_served(response)
