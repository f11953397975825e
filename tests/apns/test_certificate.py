"""The MDM push certificate: upload (PEM, PKCS#12, via CSR), topic rules, bad input, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone

from apns import services
from apns.models import PushCertificate, PushCertificateRequest
from mdm_server import encryption
from mdm_server.models import AuditEvent
from tests.apns.conftest import OTHER_TOPIC, TOPIC, make_push_pem
from tests.apns.fake_apns import FakePKI, issue_push_certificate

pytestmark = pytest.mark.django_db


def _p12(pki: FakePKI, key: rsa.RSAPrivateKey, password: bytes) -> bytes:
    cert, key = issue_push_certificate(pki, key=key)
    return pkcs12.serialize_key_and_certificates(
        b"push", key, cert, None, serialization.BestAvailableEncryption(password)
    )


def test_upload_pem_activates_with_topic_and_encrypted_key(
    apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    cert, key = make_push_pem(apns_pki, push_key)
    row = services.upload_push_certificate(data=cert, key_pem=key)
    assert row.is_active and row.topic == TOPIC
    assert services.active_topic() == TOPIC
    assert b"PRIVATE KEY" not in bytes(row.encrypted_key)
    assert encryption.decrypt(row.encrypted_key).startswith(b"-----BEGIN PRIVATE KEY")
    assert AuditEvent.objects.filter(action="apns.certificate_uploaded").count() == 1


def test_upload_single_pem_file_with_key(apns_pki: FakePKI, push_key: rsa.RSAPrivateKey) -> None:
    cert, key = make_push_pem(apns_pki, push_key)
    assert services.upload_push_certificate(data=cert + key).topic == TOPIC


def test_upload_pkcs12_with_password(apns_pki: FakePKI, push_key: rsa.RSAPrivateKey) -> None:
    row = services.upload_push_certificate(
        data=_p12(apns_pki, push_key, b"s3cret"), password="s3cret"
    )
    assert row.topic == TOPIC


def test_renewal_with_same_topic_replaces_and_keeps_history(
    apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    first = services.upload_push_certificate(data=b"".join(make_push_pem(apns_pki, push_key)))
    second = services.upload_push_certificate(
        data=b"".join(make_push_pem(apns_pki, push_key, days=400))
    )
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert PushCertificate.objects.count() == 2


def test_other_topic_is_refused_unless_forced(
    apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    current = services.upload_push_certificate(data=b"".join(make_push_pem(apns_pki, push_key)))
    other = b"".join(make_push_pem(apns_pki, push_key, topic=OTHER_TOPIC))
    with pytest.raises(services.TopicChangeRefused, match="orphaned"):
        services.upload_push_certificate(data=other)
    assert services.active_topic() == TOPIC
    assert PushCertificate.objects.get(is_active=True).pk == current.pk

    row = services.upload_push_certificate(data=other, force=True)
    assert row.topic == OTHER_TOPIC == services.active_topic()
    event = AuditEvent.objects.filter(action="apns.certificate_uploaded").latest("id")
    assert event.details["forced_topic_change"] is True
    assert event.details["replaced_topic"] == TOPIC


@pytest.mark.parametrize(
    "case,message",
    [
        ("no_uid", "no UID"),
        ("not_mdm_topic", "not an MDM topic"),
        ("wrong_password", "wrong password"),
        ("key_mismatch", "does not match"),
        ("expired", "expired"),
        ("garbage", "not a certificate or PKCS#12 file"),
        ("text_with_password", "not a certificate or PKCS#12 file"),
        ("empty", "empty"),
        ("no_key", "no private key"),
    ],
)
def test_bad_uploads_give_clear_errors_and_keep_the_current_certificate(
    case: str, message: str, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    current = services.upload_push_certificate(data=b"".join(make_push_pem(apns_pki, push_key)))
    kwargs: dict[str, object] = {}
    if case == "no_uid":
        kwargs["data"] = b"".join(make_push_pem(apns_pki, push_key, topic=None))
    elif case == "not_mdm_topic":
        kwargs["data"] = b"".join(make_push_pem(apns_pki, push_key, topic="com.example.app"))
    elif case == "wrong_password":
        kwargs.update(data=_p12(apns_pki, push_key, b"right"), password="wrong")
    elif case == "key_mismatch":
        cert, _ = make_push_pem(apns_pki, push_key)
        other = ec.generate_private_key(ec.SECP256R1())  # any other key, cheap to make
        kwargs.update(
            data=cert,
            key_pem=other.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
    elif case == "expired":
        cert, _ = issue_push_certificate(apns_pki, key=push_key, days=-1, not_before_days=-30)
        kwargs["data"] = (
            cert.public_bytes(serialization.Encoding.PEM) + make_push_pem(apns_pki, push_key)[1]
        )
    elif case == "garbage":
        kwargs["data"] = b"this is not a certificate"
    elif case == "text_with_password":
        # A text file sent with a password is still not a PKCS#12 file, not a "wrong password".
        kwargs.update(data=b"MDM push certificate notes\n", password="s3cret")
    elif case == "empty":
        kwargs["data"] = b""
    elif case == "no_key":
        kwargs["data"] = make_push_pem(apns_pki, push_key)[0]
    with pytest.raises(services.PushCertificateError, match=message):
        services.upload_push_certificate(**kwargs)  # type: ignore[arg-type]
    assert PushCertificate.objects.get(is_active=True).pk == current.pk
    assert PushCertificate.objects.count() == 1


def test_same_certificate_twice_is_refused(apns_pki: FakePKI, push_key: rsa.RSAPrivateKey) -> None:
    data = b"".join(make_push_pem(apns_pki, push_key))
    services.upload_push_certificate(data=data)
    with pytest.raises(services.PushCertificateError, match="already the active"):
        services.upload_push_certificate(data=data)


def test_csr_then_apple_certificate_without_key(apns_pki: FakePKI) -> None:
    request = services.create_push_csr(common_name="Example Org", email="it@example.com")
    csr = x509.load_pem_x509_csr(request.csr_pem.encode())
    assert csr.is_signature_valid
    assert b"PRIVATE KEY" not in bytes(request.encrypted_key)
    # "Apple" signs a certificate for the CSR's key; the upload carries no key at all.
    key = serialization.load_pem_private_key(encryption.decrypt(request.encrypted_key), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    cert, _ = issue_push_certificate(apns_pki, key=key)
    der = cert.public_bytes(serialization.Encoding.DER)  # a .cer straight from Keychain
    row = services.upload_push_certificate(data=der)
    assert row.topic == TOPIC
    request.refresh_from_db()
    assert request.used_at is not None


def test_csr_needs_a_name() -> None:
    with pytest.raises(services.PushCertificateError, match="name"):
        services.create_push_csr(common_name="  ")
    assert not PushCertificateRequest.objects.exists()


@pytest.mark.parametrize("days,expected", [(45, None), (29, 30), (13, 14), (6, 7), (0, 7)])
def test_expiry_warnings(
    days: int, expected: int | None, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    services.upload_push_certificate(data=b"".join(make_push_pem(apns_pki, push_key, days=365)))
    cert = PushCertificate.objects.get()
    now = cert.not_after - dt.timedelta(days=days, hours=1)
    alerts = services.dashboard_alerts(now=now)
    if expected is None:
        assert alerts == []
    else:
        assert len(alerts) == 1 and f"less than {expected} days" in alerts[0]


def test_expired_and_missing_certificate_alerts(
    apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    assert "No APNs push certificate" in services.dashboard_alerts()[0]
    assert services.active_topic() is None
    services.upload_push_certificate(data=b"".join(make_push_pem(apns_pki, push_key)))
    later = timezone.now() + dt.timedelta(days=400)
    assert "expired" in services.dashboard_alerts(now=later)[0]


def test_expiry_check_raises_each_threshold_once(
    apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    services.upload_push_certificate(data=b"".join(make_push_pem(apns_pki, push_key)))
    cert = PushCertificate.objects.get()

    def at(days: int) -> dt.datetime:
        return cert.not_after - dt.timedelta(days=days, hours=1)

    assert services.check_certificate_expiry(now=at(40)) == []
    for days in (29, 28, 13, 12, 6):
        assert services.check_certificate_expiry(now=at(days))
    events = AuditEvent.objects.filter(action="apns.certificate_expiring")
    assert sorted(e.details["threshold"] for e in events) == [7, 14, 30]
