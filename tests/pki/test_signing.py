import plistlib
from pathlib import Path

import pytest

from mdm_server.pki import signing
from profiles import builder
from tests import openssl


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
    content = openssl.verify_signed(signed, server_pki.ca.certificate_pem, tmp_path)
    assert content == data  # byte-identical: no CRLF rewriting
    assert plistlib.loads(content)["PayloadDisplayName"] == "Ü\nline"


@pytest.mark.django_db
def test_sign_profile_without_pki_says_what_to_do() -> None:
    from mdm_server.pki.certificates import CertificateError
    from mdm_server.pki.services import forget_identities

    forget_identities()
    with pytest.raises(CertificateError, match="manage.py setup"):
        signing.sign_profile(b"x")
