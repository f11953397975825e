"""Enrollment fixtures: an organisation domain, local directory users and a push topic."""

from __future__ import annotations

from typing import Any

import pytest

# The fake Apple push CA, and the fake gateway for the tests whose pushes go out (after commit):
# the real one is unreachable here, and aioapns pauses a second after each failed connection.
from tests.apns.conftest import apns_pki, fake_apns  # noqa: F401 - pytest finds them by name
from tests.apns.fake_apns import FakePKI, cert_pem, issue_push_certificate, key_pem

# The directory's slapd and fake Entra ID fixtures, for sign-in through those sources.
from tests.directory.conftest import (  # noqa: F401 - pytest finds fixtures by name
    domains,
    entra_source,
    fake_entra,
    ldap_source,
    slapd,
)

TOPIC = "com.apple.mgmt.External.11111111-2222-3333-4444-555555555555"
DOMAIN = "example.com"
PASSWORD = "correct-horse-9"


@pytest.fixture(autouse=True)
def _own_sign_in_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failure counters live in the shared cache (Redis): give each test its own keys."""
    import uuid

    monkeypatch.setattr("enrollment.directory_access.THROTTLE_PREFIX", f"test-{uuid.uuid4().hex}:")


@pytest.fixture
def push_topic(db: None, apns_pki: FakePKI) -> str:  # noqa: F811
    """An active APNs push certificate, uploaded as an administrator does: a test-made
    certificate whose subject UID is the topic, as in Apple's."""
    from apns import services as apns
    from mdm_server.pki import certificates

    cert, key = issue_push_certificate(apns_pki, topic=TOPIC, key=certificates.new_rsa_key())
    apns.upload_push_certificate(data=cert_pem(cert), key_pem=key_pem(key))
    return TOPIC


def remove_push_certificates() -> None:
    """Back to no push certificate at all (as on a fresh server)."""
    from apns.models import PushCertificate

    PushCertificate.objects.all().delete()


@pytest.fixture
def org(db: None, server_pki: Any, push_topic: str) -> dict[str, Any]:
    """A ready organisation: server PKI, push topic, one Managed Apple ID domain, users."""
    from directory import services as directory

    directory.add_managed_apple_id_domain(domain=DOMAIN, actor=None)
    alice = directory.create_local_user(
        username="alice", email=f"alice@{DOMAIN}", password=PASSWORD, actor=None
    )
    bob = directory.create_local_user(
        username="bob", email=f"bob@{DOMAIN}", password=PASSWORD, actor=None
    )
    directory.update_user(user=bob, data={"enabled": False}, actor=None)
    directory.create_local_user(
        username="carol", email=f"carol@{DOMAIN}", password=PASSWORD, actor=None
    )
    alice.refresh_from_db()
    return {"alice": alice, "bob": bob, "topic": push_topic}


@pytest.fixture
def transport(client: Any) -> Any:
    from tests.simulator.transport import DjangoTestTransport

    return DjangoTestTransport(client)
