"""Directory fixtures: a real slapd on loopback (tests/directory/slapd.py) and a fake Entra ID
authority + Graph over https (tests/directory/fake_entra.py).

slapd seed (dc=example,dc=com): ou=people (alice, bob, carol, dave), ou=sales,ou=people (eve, grace,
heidi), a service account cn=mdm-sync,ou=services. Account state lives in ``employeeType``:
``disabled`` disables (carol), ``locked`` locks (dave). Groups: staff, mdm-users, sales.
grace and heidi share one mail address (Managed Apple ID duplicates).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.directory.fake_entra import (  # noqa: F401 - imported from here by tests and bench
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    FakeEntra,
    make_entra_source,
)
from tests.directory.slapd import (  # noqa: F401 - imported from here by tests and bench
    BASE,
    PASSWORDS,
    ROOT_DN,
    ROOT_PW,
    SERVICE_DN,
    SERVICE_PW,
    Slapd,
    make_ldap_source,
    seed_ldif,
)


@pytest.fixture(scope="session")
def slapd() -> Iterator[Slapd]:
    server = Slapd().start()
    yield server
    server.cleanup()


@pytest.fixture
def throwaway_slapd() -> Iterator[Any]:
    """Factory for a private slapd a test may stop (stopped and removed afterwards)."""
    started: list[Slapd] = []

    def make(extra_users: int = 0, tls: bool = False) -> Slapd:
        server = Slapd(extra_users=extra_users, tls=tls).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.cleanup()


@pytest.fixture
def domains(db: None) -> None:
    from directory.models import ManagedAppleIdDomain

    ManagedAppleIdDomain.objects.create(domain="appleid.example.com")
    ManagedAppleIdDomain.objects.create(domain="example.com")


@pytest.fixture
def ldap_source(slapd: Slapd, domains: None) -> Any:
    return make_ldap_source(slapd.url)


@pytest.fixture(scope="session")
def fake_entra() -> Iterator[FakeEntra]:
    fake = FakeEntra()
    yield fake
    fake.close()


@pytest.fixture
def entra_source(fake_entra: FakeEntra, db: None) -> Any:
    from directory.models import ManagedAppleIdDomain

    ManagedAppleIdDomain.objects.get_or_create(domain="contoso.example")
    return make_entra_source(fake_entra)
