"""No two roles share an RSA key within a test (tests/keys.py), so a server that verified with
the wrong role's key could not pass by accident."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from apns import services as apns
from mdm_server.pki import certificates
from mdm_server.pki import services as pki
from tests.keys import KeyPool
from tests.simulator import issue_identity


def _public(key: object) -> bytes:
    return key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_pool_hands_out_distinct_keys_within_a_test_and_reuses_them_after() -> None:
    pool = KeyPool()
    first = [pool.new_rsa_key() for _ in range(4)]
    assert len({_public(k) for k in first}) == 4
    pool.start_test()
    again = [pool.new_rsa_key() for _ in range(4)]
    assert [_public(k) for k in again] == [_public(k) for k in first]  # made once per session
    other_size = pool.new_rsa_key(1024)
    assert other_size.key_size == 1024


@pytest.mark.django_db
def test_every_role_has_its_own_key(server_pki: pki.PkiStatus) -> None:
    ca = pki.active_identity("ca")
    signer = pki.active_identity("signing")
    device_cert, device_key = issue_identity(ca, rsa=True)
    attacker_cert, attacker_key = issue_identity(ca, rsa=True, common_name="attacker")
    csr_row = apns.create_push_csr(common_name="Example Org")
    csr = x509.load_pem_x509_csr(csr_row.csr_pem.encode())
    keys = {
        "MDM CA": _public(ca.key),
        "profile signer": _public(signer.key),
        "device": _public(device_key),
        "attacker": _public(attacker_key),
        "push CSR": csr.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "standalone": _public(certificates.new_rsa_key()),
    }
    assert len(set(keys.values())) == len(keys), keys.keys()
    # Each certificate carries its own key, not its issuer's.
    assert _public(ca.key) != device_cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert device_cert.public_key().public_numbers() != attacker_cert.public_key().public_numbers()
