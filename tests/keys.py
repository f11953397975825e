"""RSA keys for tests: made once per session, but never the same key twice within one test.

Generating a 2048-bit key costs up to half a second, so the suite reuses keys across tests.
Within one test, though, every call of ``certificates.new_rsa_key`` (the MDM CA, the profile
signer, a simulated device, a push CSR, an attacker's identity...) gets a key no earlier call in
that test got: a server that verified with the wrong role's key would fail, not pass by accident.
The root conftest installs ``POOL.new_rsa_key`` for every test and calls ``POOL.start_test()``.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import rsa

from mdm_server.pki import certificates
from mdm_server.pki.certificates import PrivateKey


def _generate(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


class KeyPool:
    """Keys by size, handed out in order; the order restarts with each test."""

    def __init__(self) -> None:
        self._made: dict[int, list[rsa.RSAPrivateKey]] = {}
        self._used: dict[int, int] = {}

    def start_test(self) -> None:
        self._used.clear()

    def new_rsa_key(self, bits: int = 2048) -> rsa.RSAPrivateKey:
        index = self._used.get(bits, 0)
        self._used[bits] = index + 1
        made = self._made.setdefault(bits, [])
        while len(made) <= index:
            made.append(_generate(bits))
        return made[index]


POOL = KeyPool()


class ParsedKeys:
    """``certificates.load_key_pem``, remembering what it returned for each PEM and password.

    The server decrypts and parses its CA and signing keys once per row, and every test makes
    new rows from the same pool keys: parsing a 2048-bit RSA key (with OpenSSL's check of its
    primes) costs about 60 ms on the CI machine, twice or more per test that enrolls a device.
    The same bytes always give the same key, so handing back the first result changes nothing
    a test can see. Only successes are remembered: a PEM that is refused is refused every time.
    """

    def __init__(self, load: Callable[[bytes, bytes | None], PrivateKey]) -> None:
        self._load = load
        self._parsed: dict[tuple[bytes, bytes | None], PrivateKey] = {}

    def load_key_pem(self, pem: bytes, password: bytes | None = None) -> PrivateKey:
        key = self._parsed.get((pem, password))
        if key is None:
            key = self._parsed[(pem, password)] = self._load(pem, password)
        return key


PARSED_KEYS = ParsedKeys(certificates.load_key_pem)
