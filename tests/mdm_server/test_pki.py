import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import call_command

from mdm_server.pki import certificates, services
from mdm_server.pki.models import ServerCertificate

pytestmark = pytest.mark.django_db


def test_setup_command_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("setup", "--skip-migrate")
    first = capsys.readouterr().out
    assert "One-time password" in first
    call_command("setup", "--skip-migrate")
    second = capsys.readouterr().out
    assert "present" in second and "password unchanged" in second
    assert ServerCertificate.objects.count() == 2
    assert ServerCertificate.objects.filter(is_active=True).count() == 2


def test_private_keys_are_not_stored_in_clear(server_pki: services.PkiStatus) -> None:
    for row in ServerCertificate.objects.all():
        raw = bytes(row.encrypted_key)
        assert b"PRIVATE KEY" not in raw
        assert certificates.key_matches(row.certificate, row.identity().key)


def test_signing_certificate_is_issued_by_the_ca(server_pki: services.PkiStatus) -> None:
    ca = server_pki.ca.certificate
    signing = server_pki.signing.certificate
    assert certificates.is_issued_by(signing, ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_rotation_keeps_one_active_generation(server_pki: services.PkiStatus) -> None:
    new = services.rotate_signing_certificate()
    assert new.generation == 2
    active = ServerCertificate.objects.filter(kind="signing", is_active=True)
    assert list(active) == [new]
    assert services.active_identity("signing").certificate == new.certificate


def _self_signed(days: int = 30, start_days_ago: int = 1):  # type: ignore[no-untyped-def]
    key = certificates.new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Corp signing")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=start_days_ago))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert, key


def test_upload_pkcs12_with_password(server_pki: services.PkiStatus) -> None:
    cert, key = _self_signed()
    blob = pkcs12.serialize_key_and_certificates(
        b"corp", key, cert, None, serialization.BestAvailableEncryption(b"s3cret")
    )
    row = services.upload_signing_certificate(data=blob, password="s3cret")
    assert row.uploaded and row.is_active
    assert services.active_identity("signing").certificate == cert


def test_upload_pem_with_separate_key(server_pki: services.PkiStatus) -> None:
    cert, key = _self_signed()
    row = services.upload_signing_certificate(
        data=certificates.cert_to_pem(cert).encode(), key_pem=certificates.key_to_pem(key)
    )
    assert row.is_active


@pytest.mark.parametrize(
    "case,message",
    [
        ("wrong-password", "wrong password"),
        ("mismatched-key", "does not match"),
        ("expired", "expired"),
        ("garbage", "PKCS#12"),
        ("no-key", "no private key"),
    ],
)
def test_upload_errors_keep_the_current_certificate(
    server_pki: services.PkiStatus, case: str, message: str
) -> None:
    cert, key = _self_signed()
    password = None
    key_pem = None
    if case == "wrong-password":
        data = pkcs12.serialize_key_and_certificates(
            b"x", key, cert, None, serialization.BestAvailableEncryption(b"right")
        )
        password = "wrong"
    elif case == "mismatched-key":
        data = certificates.cert_to_pem(cert).encode()
        key_pem = certificates.key_to_pem(certificates.new_rsa_key())
    elif case == "expired":
        old, old_key = _self_signed(days=-1, start_days_ago=10)
        data = certificates.cert_to_pem(old).encode() + certificates.key_to_pem(old_key)
    elif case == "garbage":
        data = b"\x00\x01not a certificate"
    else:
        data = certificates.cert_to_pem(cert).encode()
    with pytest.raises(certificates.CertificateError, match=message):
        services.upload_signing_certificate(data=data, password=password, key_pem=key_pem)
    active = ServerCertificate.objects.get(kind="signing", is_active=True)
    assert active.pk == server_pki.signing.pk


def test_setup_never_prints_a_password_it_was_given(
    capsys: pytest.CaptureFixture[str], settings: object
) -> None:
    settings.MDM_ADMIN_PASSWORD = "given-admin-password-1234"  # type: ignore[attr-defined]
    call_command("setup", "--skip-migrate")
    out = capsys.readouterr().out
    assert "created from MDM_ADMIN_PASSWORD" in out
    assert "given-admin-password-1234" not in out
