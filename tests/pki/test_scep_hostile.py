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


def _pkcs_req_with_transaction_id(
    ca: certificates.Identity, key: rsa.RSAPrivateKey, challenge: str, transaction_id: str
) -> bytes:
    import os

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from mdm_server.pki import cms, scep

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MDM Device 0123456789ab")])
    csr = scep_client.build_csr(key=key, name=name, challenge=challenge)
    encrypted = scep.encrypt_envelope(csr, recipient=ca.certificate, cipher="aes128")
    return cms.build_signed_data(
        encrypted,
        certificate=scep_client._self_signed(key, name),
        key=key,
        digest="sha256",
        extra_attributes=scep.scep_attributes(
            message_type=scep.MessageType.PKCS_REQ,
            transaction_id=transaction_id,
            sender_nonce=os.urandom(16),
        ),
    )


@pytest.mark.parametrize(
    "transaction_id",
    ["abc\x00def", "t1\nSCEP request x: issued CN=admin", "\u202eevil", "A" * 256],
)
@pytest.mark.parametrize("challenge_ok", [True, False])
def test_a_transaction_id_that_is_not_printable_text_is_a_400(
    server_pki: services.PkiStatus,
    rsa_key: rsa.RSAPrivateKey,
    transaction_id: str,
    challenge_ok: bool,
) -> None:
    """The transactionID is the requester's text, stored and logged: NULs (which PostgreSQL
    refuses), line breaks (forged log lines), format characters and more than its column holds
    are refused before anything is signed or stored, the challenge left unused."""
    ca: certificates.Identity = server_pki.ca.identity()
    challenge = services.create_scep_challenge(reference="tid", subject="MDM Device 0123456789ab")
    message = _pkcs_req_with_transaction_id(
        ca, rsa_key, challenge if challenge_ok else "wrong", transaction_id
    )
    response = Client().post("/scep?operation=PKIOperation", data=message, content_type=PKI)
    assert response.status_code == 400, response.content
    assert b"transactionID" in response.content
    assert IssuedCertificate.objects.count() == 0
    # The challenge is still good for the honest request.
    honest = _pkcs_req_with_transaction_id(ca, rsa_key, challenge, "0123ABCD")
    assert (
        Client().post("/scep?operation=PKIOperation", data=honest, content_type=PKI).status_code
        == 200
    )
    assert IssuedCertificate.objects.count() == 1
