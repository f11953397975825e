"""Managed-apps fixtures: the fake Apps and Books service (tests/managed_apps/fake_appsbooks.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import LazySettings

from tests.managed_apps.fake_appsbooks import FakeAppsBooks


@pytest.fixture(scope="session")
def _fake_service() -> Iterator[FakeAppsBooks]:
    fake = FakeAppsBooks()
    yield fake
    fake.close()


@pytest.fixture
def fake_vpp(_fake_service: FakeAppsBooks, settings: LazySettings) -> Iterator[FakeAppsBooks]:
    """The fake, reset to its seed (3 apps: 3, 1 and 0 licences), and the server pointed at it."""
    _fake_service.reset()
    settings.APPS_BOOKS_URL = _fake_service.base_url
    settings.APPS_BOOKS_TIMEOUT = 2
    yield _fake_service
    _fake_service.reset()
