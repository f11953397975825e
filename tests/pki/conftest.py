"""PKI test fixtures: keys made once per session, openssl helpers, a URLconf with /scep."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mdm_server.pki import certificates, services
from tests import openssl as openssl_cli


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return certificates.new_rsa_key(2048)


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return certificates.new_rsa_key(2048)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def test_ca() -> certificates.Identity:
    """A CA for the pure (database-free) tests."""
    key = certificates.new_rsa_key(2048)
    return certificates.Identity(certificate=certificates.build_ca("Unit CA", key=key), key=key)


@pytest.fixture(scope="session")
def openssl() -> Callable[..., subprocess.CompletedProcess[bytes]]:
    return openssl_cli.run


@pytest.fixture
def scep_urls(settings) -> None:  # type: ignore[no-untyped-def]
    """Serve /scep from the PKI URLconf whether or not the root URLconf mounts it yet."""
    settings.ROOT_URLCONF = "tests.pki.urls"


@pytest.fixture
def no_cached_identity() -> None:
    # active_identity is cached per process; a test that starts from an empty database must not
    # see a CA loaded by an earlier test.
    services.forget_identities()


@pytest.fixture
def openssl_envelope(
    tmp_path: Path, openssl: Callable[..., subprocess.CompletedProcess[bytes]]
) -> Callable[..., Callable[[bytes, x509.Certificate], bytes]]:
    """An envelope encoder for scep_client.build_pkcs_req made by `openssl cms -encrypt`: what
    OpenSSL-based SCEP clients send (`-stream -indef` for BER, `-des` for single DES)."""
    counter = itertools.count()

    def make(*options: str) -> Callable[[bytes, x509.Certificate], bytes]:
        def encrypt(content: bytes, recipient: x509.Certificate) -> bytes:
            n = next(counter)
            (tmp_path / f"in{n}.der").write_bytes(content)
            (tmp_path / f"recip{n}.pem").write_text(certificates.cert_to_pem(recipient))
            openssl(
                "cms", "-encrypt", "-binary", "-outform", "DER", *options,
                "-in", tmp_path / f"in{n}.der", "-out", tmp_path / f"out{n}.der",
                tmp_path / f"recip{n}.pem",
            )  # fmt: skip
            return (tmp_path / f"out{n}.der").read_bytes()

        return encrypt

    return make
