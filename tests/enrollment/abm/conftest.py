"""ABM fixtures: the fake Device Assignment API and a link whose token it issued."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from enrollment.abm import services
from enrollment.abm.models import AbmLink
from enrollment.models import EnrollmentSettings
from mdm_server.pki import certificates
from tests.enrollment.abm.fake_abm import FakeAbm, abm_device
from tests.simulator import enrollment_flow as flow


@pytest.fixture
def fake_abm() -> Iterator[FakeAbm]:
    server = FakeAbm()
    yield server
    server.close()


@pytest.fixture
def link(db: None, fake_abm: FakeAbm, admin_user: Any) -> AbmLink:
    """A link created in the console; ABM issued a token for its certificate, uploaded here."""
    new = services.create_link(
        name="Main", actor=admin_user, api_url=fake_abm.base, ca_pem=fake_abm.ca_pem
    )
    data = fake_abm.server_token(new.certificate_pem)
    return services.upload_server_token(link=new, data=data, actor=admin_user)


@pytest.fixture
def stocked(fake_abm: FakeAbm) -> FakeAbm:
    """Three devices bought through ABM: two iPhones and a Mac."""
    fake_abm.add_device(abm_device("F2LXK1AAAAAA", "iPhone 16", "iPhone"))
    fake_abm.add_device(abm_device("F2LXK1BBBBBB", "iPhone 16", "iPhone"))
    fake_abm.add_device(abm_device("C02ZZ1CCCCCC", "MacBook Air", "Mac"))
    return fake_abm


@pytest.fixture(scope="session")
def apple_test_ca() -> certificates.Identity:
    """Stands in for Apple's "Apple iPhone Device CA": it issues the simulated devices'
    built-in identities, which sign their MachineInfo."""
    key = certificates.new_rsa_key()
    cert = certificates.build_ca("Test Apple iPhone Device CA", key=key, days=3650)
    return certificates.Identity(certificate=cert, key=key)


@pytest.fixture
def apple_device(
    db: None, apple_test_ca: certificates.Identity
) -> Callable[[], flow.AppleDeviceIdentity]:
    """The test CA is the server's Apple device CA; each call is a new genuine device."""
    options = EnrollmentSettings.load()
    options.apple_device_ca_pem = apple_test_ca.certificate.public_bytes(Encoding.PEM).decode()
    options.save()
    return lambda: flow.apple_device_identity(apple_test_ca, days=3650)
