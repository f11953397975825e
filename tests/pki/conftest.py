"""PKI test fixtures: keys made once per session, openssl helpers, a URLconf with /scep."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mdm_server.pki import certificates, services


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
    binary = shutil.which("openssl")
    assert binary, "the openssl command line tool is required for the PKI tests"

    def run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [binary, *map(str, args)], capture_output=True, check=check, timeout=30
        )

    return run


@pytest.fixture
def scep_urls(settings) -> None:  # type: ignore[no-untyped-def]
    """Serve /scep from the PKI URLconf whether or not the root URLconf mounts it yet."""
    settings.ROOT_URLCONF = "tests.pki.urls"


@pytest.fixture
def no_cached_identity() -> None:
    # active_identity is cached per process; a test that starts from an empty database must not
    # see a CA loaded by an earlier test.
    services.active_identity.cache_clear()


@pytest.fixture(scope="session")
def _key_pool() -> list[rsa.RSAPrivateKey]:
    return [certificates.new_rsa_key(2048) for _ in range(4)]


@pytest.fixture
def server_pki(db: None, monkeypatch: pytest.MonkeyPatch, _key_pool: list[rsa.RSAPrivateKey]):  # type: ignore[no-untyped-def]
    """The shared fixture, but with RSA keys generated once per session instead of per test
    (key generation dominated these tests). Keys still differ between CA, signer and leaves."""
    pool = itertools.cycle(_key_pool)
    monkeypatch.setattr(certificates, "new_rsa_key", lambda bits=2048: next(pool))
    return services.ensure_server_pki(organisation="Test")


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
