"""Fixtures for the APNs tests: the fake gateway's PKI, the gateway itself, push certificates."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import LazySettings

from apns import services
from apns.models import PushCertificate
from devices.models import Enrollment
from tests.apns.fake_apns import (
    FakeAPNs,
    FakePKI,
    cert_pem,
    issue_push_certificate,
    key_pem,
    make_pki,
)
from tests.channels import create_channel

TOPIC = "com.apple.mgmt.External.11111111-2222-3333-4444-555555555555"
OTHER_TOPIC = "com.apple.mgmt.External.99999999-8888-7777-6666-555555555555"

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def apns_pki(tmp_path_factory: pytest.TempPathFactory) -> FakePKI:
    return make_pki(Path(tmp_path_factory.mktemp("fake-apns")))


@pytest.fixture(scope="session")
def push_key() -> rsa.RSAPrivateKey:
    # One key for the session: RSA generation is the slow part of making certificates.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake_apns(apns_pki: FakePKI, settings: LazySettings) -> Iterator[FakeAPNs]:
    fake = FakeAPNs(apns_pki)
    port = fake.start_in_thread()
    settings.APNS_HOST = "127.0.0.1"
    settings.APNS_PORT = port
    settings.APNS_CA_FILE = str(apns_pki.ca_file)
    yield fake
    fake.stop_thread()


def make_push_pem(
    pki: FakePKI,
    key: rsa.RSAPrivateKey,
    *,
    topic: str | None = TOPIC,
    days: int = 365,
) -> tuple[bytes, bytes]:
    cert, key = issue_push_certificate(pki, topic=topic, days=days, key=key)
    return cert_pem(cert), key_pem(key)


@pytest.fixture
def push_certificate(db: None, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey) -> PushCertificate:
    cert, key = make_push_pem(apns_pki, push_key)
    return services.upload_push_certificate(data=cert, key_pem=key)


EnrollmentFactory = Callable[..., Enrollment]


def make_enrollment(**fields: object) -> Enrollment:
    n = next(_counter)
    values: dict[str, object] = {
        "channel_key": f"eid:test-{n}-{id(fields)}",
        "enrollment_type": Enrollment.Type.USER,
        "platform": "iOS",
        "status": Enrollment.Status.ENROLLED,
        "enrollment_id": f"EID-{n}",
        "push_token": f"{n:064x}",
        "push_magic": f"MAGIC-{n}",
        "topic": TOPIC,
    }
    values.update(fields)
    return create_channel(**values)


@pytest.fixture
def enrollment_factory(db: None) -> EnrollmentFactory:
    return make_enrollment
