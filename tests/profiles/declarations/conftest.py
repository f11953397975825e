"""Fixtures for the declarations tests: simulated devices (as in tests/devices) and people."""

from __future__ import annotations

import pytest

from directory.models import DirectoryGroup, DirectoryUser, IdentitySource
from tests.devices.conftest import make_device

__all__ = ["make_device"]


@pytest.fixture
def people(db: None) -> dict[str, DirectoryUser | DirectoryGroup]:
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    alice = DirectoryUser.objects.create(
        source=source,
        external_id="a",
        username="alice",
        email="alice@example.com",
        display_name="Alice Liddell",
    )
    bob = DirectoryUser.objects.create(source=source, external_id="b", username="bob")
    staff = DirectoryGroup.objects.create(name="staff")
    alice.groups.add(staff)
    return {"alice": alice, "bob": bob, "staff": staff}
