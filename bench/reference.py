"""A machine-speed reference, measured in the same run as the figures it stands beside.

The two cores this benchmark runs on are shared (other jobs, a hypervisor's neighbours), and
their speed moves by a quarter within minutes: a figure from one day cannot be compared with a
figure from another unless each comes with how fast the machine was at the time. Before each
measurement the orchestrating process (a client, not the server) times two fixed workloads:

- `rsa2048_sign_ms`: CPU per RSA-2048 PKCS#1 v1.5 SHA-256 signature with `cryptography`
  (OpenSSL's big-number code: what a device identity costs a client);
- `python_loop_ms`: CPU of a fixed pure-Python loop (dict, str and int work, like the server's
  own request handling).

A server figure divided by the reference taken beside it is a machine-independent ratio;
RESULTS.md prints both.
"""

from __future__ import annotations

import statistics
import time
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_MESSAGE = bytes(range(256)) * 4  # 1 kB, about a signed check-in


@cache
def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rsa2048_sign_ms(signatures: int = 100) -> float:
    key = _key()
    t0 = time.process_time()
    for _ in range(signatures):
        key.sign(_MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    return (time.process_time() - t0) * 1000 / signatures


def python_loop_ms(rounds: int = 20_000) -> float:
    t0 = time.process_time()
    table: dict[str, int] = {}
    for i in range(rounds):
        key = f"k{i % 97}"
        table[key] = table.get(key, 0) + len(key) * (i & 7)
    return (time.process_time() - t0) * 1000


def measure(samples: int = 3) -> dict[str, float]:
    """The median of a few samples of each workload (ms of this process's CPU)."""
    _key()  # key generation is not part of the figure
    return {
        "rsa2048_sign_ms": round(statistics.median(rsa2048_sign_ms() for _ in range(samples)), 3),
        "python_loop_ms": round(statistics.median(python_loop_ms() for _ in range(samples)), 2),
    }


def describe(ref: dict[str, float] | None) -> str:
    if not ref:
        return "not measured"
    return f"RSA sign {ref['rsa2048_sign_ms']} ms, Python loop {ref['python_loop_ms']} ms"


__all__ = ["describe", "measure", "python_loop_ms", "rsa2048_sign_ms"]
