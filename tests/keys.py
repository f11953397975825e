"""RSA keys for tests: made once per session, but never the same key twice within one test.

Generating a 2048-bit key costs up to half a second, so the suite reuses keys across tests.
Within one test, though, every call of ``certificates.new_rsa_key`` (the MDM CA, the profile
signer, a simulated device, a push CSR, an attacker's identity...) gets a key no earlier call in
that test got: a server that verified with the wrong role's key would fail, not pass by accident.
The root conftest installs ``POOL.new_rsa_key`` for every test and calls ``POOL.start_test()``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa


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
