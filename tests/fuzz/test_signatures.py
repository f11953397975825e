"""Fuzzing `Mdm-Signature`: bit flips, byte edits and truncations of a valid device signature,
at the pure CMS verifier and through the connect view."""

from __future__ import annotations

import base64
import plistlib
from collections.abc import Callable

import pytest
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


@pytest.fixture(scope="module")
def signatures() -> dict[str, tuple[bytes, x509.Certificate]]:
    """Device-style detached signatures (EC P-256, and RSA as older devices use, also with signed
    attributes) by a throwaway CA, for the pure verifier."""
    key = certificates.new_rsa_key()
    ca = certificates.Identity(certificate=certificates.build_ca("Fuzz CA", key=key), key=key)
    out = {}
    for name, use_rsa, attrs in (("ec", False, False), ("rsa", True, False), ("attrs", True, True)):
        cert, device_key = issue_identity(ca, rsa=use_rsa)
        digest = "sha1" if use_rsa else "sha256"
        signature = cms.sign_detached(
            BODY, certificate=cert, key=device_key, digest=digest, signed_attributes=attrs
        )
        out[name] = (signature, cert)
    return out


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
