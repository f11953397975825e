"""A damaged SCEP PKCSReq gets a SCEP FAILURE reply or a 400 with the reason, never a 500."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from mdm_server.pki import certificates, services
from mdm_server.pki.models import IssuedCertificate
from tests.simulator import scep_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scep_urls")]

PKI = "application/x-pki-message"


def _assert_scep_answer(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 400, 413), (response.status_code, response.content)
    if response.status_code == 200:
        assert response["Content-Type"] == PKI
    else:
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.strip()


def test_one_changed_byte_anywhere_in_a_pkcs_req(
    server_pki: services.PkiStatus, rsa_key: rsa.RSAPrivateKey
) -> None:
    """Every other offset of a real PKCSReq, changed by one bit (low or high) or all eight in
    turn: the header, the signed attributes, the embedded certificate, the envelope and the
    signature (~1,500 requests)."""
    ca: certificates.Identity = server_pki.ca.identity()
    challenge = services.create_scep_challenge(reference="hostile")
    message, _tid, _cert = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="device-7", challenge=challenge, ca_cert=ca.certificate
    )
    client = Client()
    masks = (0x01, 0x80, 0xFF)
    for index, offset in enumerate(range(0, len(message), 2)):
        mask = masks[index % len(masks)]
        changed = message[:offset] + bytes([message[offset] ^ mask]) + message[offset + 1 :]
        response = client.post("/scep?operation=PKIOperation", data=changed, content_type=PKI)
        _assert_scep_answer(response)
    # A few bytes are covered by no signature (the self-signed certificate's own signature, the
    # outer digestAlgorithms set); such a request still gets its certificate, once: the
    # challenge is single-use.
    assert IssuedCertificate.objects.count() <= 1


@pytest.mark.parametrize("cut", [1, 2, 10, 100, 1000])
def test_a_truncated_pkcs_req(
    server_pki: services.PkiStatus, rsa_key: rsa.RSAPrivateKey, cut: int
) -> None:
    ca: certificates.Identity = server_pki.ca.identity()
    message, _tid, _cert = scep_client.build_pkcs_req(
        key=rsa_key, subject_cn="device-7", challenge="x", ca_cert=ca.certificate
    )
    response = Client().post("/scep?operation=PKIOperation", data=message[:-cut], content_type=PKI)
    assert response.status_code == 400
    assert response.content.strip()
