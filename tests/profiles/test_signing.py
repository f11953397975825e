import plistlib
import subprocess
from pathlib import Path

import pytest

from profiles import builder, signing


def _openssl_verify(tmp_path: Path, signed: bytes, ca_pem: str) -> bytes:
    (tmp_path / "signed.der").write_bytes(signed)
    (tmp_path / "ca.pem").write_text(ca_pem)
    out = tmp_path / "content"
    result = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "signed.der"),
            "-CAfile",
            str(tmp_path / "ca.pem"),
            "-purpose",
            "any",
            "-out",
            str(out),
        ],
        capture_output=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


@pytest.mark.django_db
def test_sign_profile_uses_active_signing_identity_and_openssl_verifies(
    server_pki, tmp_path: Path
) -> None:
    profile = builder.build_configuration_profile(
        identifier="com.example.p", display_name="Ü\nline", payloads=[]
    )
    data = builder.to_mobileconfig(profile)
    signed = signing.sign_profile(data)
    assert signed[:1] == b"\x30"  # DER SEQUENCE
    content = _openssl_verify(tmp_path, signed, server_pki.ca.certificate_pem)
    assert content == data  # byte-identical: no CRLF rewriting
    assert plistlib.loads(content)["PayloadDisplayName"] == "Ü\nline"


@pytest.mark.django_db
def test_sign_profile_without_pki_says_what_to_do() -> None:
    from mdm_server.pki.certificates import CertificateError
    from mdm_server.pki.services import active_identity

    active_identity.cache_clear()
    with pytest.raises(CertificateError, match="manage.py setup"):
        signing.sign_profile(b"x")
