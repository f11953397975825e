"""Fuzzing `Mdm-Signature`: bit flips, byte edits and truncations of a valid device signature,
at the pure CMS verifier and through the connect view."""

from __future__ import annotations

import base64
import plistlib
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from devices import identity
from devices.simulator import issue_identity
from mdm_server.pki import certificates, cms
from mdm_server.pki import services as pki
from tests.fuzz import strategies as fz
from tests.fuzz.conftest import assert_refused_or_served

BODY = plistlib.dumps({"Status": "Idle", "UDID": "FUZZ-UDID"})


@pytest.fixture(scope="module")
def signatures() -> dict[str, tuple[bytes, x509.Certificate]]:
    """Device-style detached signatures (EC P-256, and RSA as older devices use) by a throwaway
    CA, for the pure verifier."""
    key = certificates.new_rsa_key()
    ca = certificates.Identity(certificate=certificates.build_ca("Fuzz CA", key=key), key=key)
    out = {}
    for name, use_rsa in (("ec", False), ("rsa", True)):
        cert, device_key = issue_identity(ca, rsa=use_rsa)
        digest = "sha1" if use_rsa else "sha256"
        signature = cms.sign_detached(BODY, certificate=cert, key=device_key, digest=digest)
        out[name] = (signature, cert)
    return out


@given(kind=st.sampled_from(["ec", "rsa"]), steps=fz.mutations())
def test_the_verifier_raises_only_cms_errors(
    signatures: dict[str, tuple[bytes, x509.Certificate]],
    mutate: Callable[[bytes, Any], bytes],
    kind: str,
    steps: list[tuple[str, int, int]],
) -> None:
    signature, cert = signatures[kind]
    tampered = mutate(signature, steps)
    try:
        signer = cms.verify_signed_data(tampered, detached_content=BODY).signer
    except cms.CMSError as exc:
        assert str(exc)
    else:
        # An edit the signature does not cover (e.g. in the certificate's own signature) may
        # verify; the signer's key is then still the device's.
        assert signer.public_key() == cert.public_key()


@pytest.fixture
def device_signature(server_pki: pki.PkiStatus) -> bytes:
    cert, key = issue_identity(pki.active_identity("ca"))
    return cms.sign_detached(BODY, certificate=cert, key=key, digest="sha256")


@pytest.mark.django_db
@given(steps=fz.mutations(), header_noise=st.sampled_from(["", " ", "\n", "=", "%"]))
def test_connect_with_a_tampered_signature(
    device_signature: bytes,
    fuzz_client: Client,
    mutate: Callable[[bytes, Any], bytes],
    steps: list[tuple[str, int, int]],
    header_noise: str,
) -> None:
    identity.forget_cached_state()
    header = base64.b64encode(mutate(device_signature, steps)).decode() + header_noise
    response = fuzz_client.put(
        "/mdm/connect",
        data=BODY,
        content_type="application/x-apple-aspen-mdm",
        HTTP_MDM_SIGNATURE=header,
    )
    assert_refused_or_served(response)
