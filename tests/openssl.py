"""The openssl command line, the suite's independent check of our CMS, SCEP and certificates."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ``openssl <args>``; a missing openssl fails the test (it is the oracle)."""
    binary = shutil.which("openssl")
    assert binary, "the openssl command line tool is required"
    return subprocess.run([binary, *map(str, args)], capture_output=True, check=check, timeout=30)


def verify_signed(signed_der: bytes, ca_pem: str | bytes, directory: Path) -> bytes:
    """``openssl cms -verify`` of attached SignedData against one CA; returns the content."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "signed.der").write_bytes(signed_der)
    (directory / "ca.pem").write_bytes(ca_pem.encode() if isinstance(ca_pem, str) else ca_pem)
    out = directory / "content"
    # -binary: the content is compared byte for byte (no CRLF rewriting).
    result = run(
        "cms", "-verify", "-binary", "-inform", "DER", "-in", directory / "signed.der",
        "-CAfile", directory / "ca.pem", "-purpose", "any", "-out", out,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out.read_bytes()
