"""Managed-apps fixtures: the fake Apps and Books service (tests/managed_apps/fake_appsbooks.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import LazySettings

from tests.managed_apps.fake_appsbooks import FakeAppsBooks
from tests.simulated import client_device
from tests.simulator import SimulatedDevice


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
    # A public host the local service cannot reach (it delivers to 127.0.0.1 only): Apple's
    # test notification fails and locations are polled, unless a test serves the server live.
    settings.PUBLIC_URL = "https://mdm.test"
    yield _fake_service
    _fake_service.reset()


@pytest.fixture
def make_device(server_pki: Any) -> Callable[..., SimulatedDevice]:
    """A simulated device talking to this server through the Django test client."""
    from mdm_server.pki import services as pki

    ca = pki.active_identity("ca")

    def make(**kwargs: Any) -> SimulatedDevice:
        return client_device(ca, **kwargs)

    return make


def apps_panel(page: str) -> str:
    """The "Managed apps" panel of a console device page."""
    start = page.index('id="device-managed-apps"')
    return page[start : page.index("</section>", start)]
