"""Fuzzing SCEP PKIOperation: mutated PKCSReqs, and requests whose signature is valid over a
mutated envelope or CSR (what a client that signs its own junk sends), through /scep."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from mdm_server.pki import certificates, cms, scep, services
from tests.fuzz import strategies as fz
from tests.fuzz.conftest import assert_refused_or_served
from tests.simulator import scep_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scep_urls")]

PKI = "application/x-pki-message"


@pytest.fixture
def scep_urls(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "tests.pki.urls"


@pytest.fixture(scope="module")
def requester() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = certificates.new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz-device")])
    return key, scep_client._self_signed(key, name)


@pytest.fixture
def ca(server_pki: services.PkiStatus) -> certificates.Identity:
    return server_pki.ca.identity()


def _answer(client: Client, message: bytes) -> Any:
    response = client.post("/scep?operation=PKIOperation", data=message, content_type=PKI)
    assert_refused_or_served(response)
    if response.status_code == 200:
        assert response["Content-Type"] == PKI
    return response


def _regions(message: bytes) -> dict[str, tuple[int, int]]:
    """The embedded certificate and the SignerInfo (SCEP's signed attributes) of a message."""
    signed = asn1_cms.ContentInfo.load(message)["content"]
    out = {"anywhere": (0, len(message))}
    for name, part in (
        ("certificate", signed["certificates"][0].dump()),
        ("signer info", signed["signer_infos"][0].dump()),
    ):
        start = message.index(part)
        out[name] = (start, start + len(part))
    return out


@given(
    steps=fz.mutations(),
    region=st.sampled_from(["anywhere", "certificate", "signer info"]),
    challenge_ok=st.booleans(),
)
def test_mutated_pkcs_req(
    ca: certificates.Identity,
    requester: tuple[rsa.RSAPrivateKey, x509.Certificate],
    fuzz_client: Client,
    mutate: Callable[..., bytes],
    steps: list[tuple[str, int, int]],
    region: str,
    challenge_ok: bool,
) -> None:
    key, _cert = requester
    challenge = services.create_scep_challenge(reference="fuzz") if challenge_ok else "wrong"
    message, _tid, _ = scep_client.build_pkcs_req(
        key=key, subject_cn="fuzz", challenge=challenge, ca_cert=ca.certificate
    )
    _answer(fuzz_client, mutate(message, steps, _regions(message)[region]))


@given(
    target=st.sampled_from(["envelope", "csr"]),
    steps=fz.mutations(),
    cipher=st.sampled_from(sorted(scep.CIPHERS)),
    message_type=st.sampled_from([t.value for t in scep.MessageType] + ["99", ""]),
)
def test_signed_junk(
    ca: certificates.Identity,
    requester: tuple[rsa.RSAPrivateKey, x509.Certificate],
    fuzz_client: Client,
    mutate: Callable[[bytes, Any], bytes],
    target: str,
    steps: list[tuple[str, int, int]],
    cipher: str,
    message_type: str,
) -> None:
    """The signature verifies, so the server goes on to decrypt and read what was signed."""
    key, cert = requester
    csr = scep_client.build_csr(
        key=key,
        name=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz")]),
        challenge=services.create_scep_challenge(reference="fuzz"),
    )
    if target == "csr":
        csr = mutate(csr, steps)
    envelope = scep.encrypt_envelope(csr, recipient=ca.certificate, cipher=cipher)
    if target == "envelope":
        envelope = mutate(envelope, steps)
    attributes = [
        cms.attribute(scep.OID_MESSAGE_TYPE, core.PrintableString(message_type or " ")),
        cms.attribute(scep.OID_TRANSACTION_ID, core.PrintableString("FUZZ")),
        cms.attribute(scep.OID_SENDER_NONCE, core.OctetString(os.urandom(16))),
    ]
    message = cms.build_signed_data(
        envelope, certificate=cert, key=key, digest="sha256", extra_attributes=attributes
    )
    _answer(fuzz_client, message)
