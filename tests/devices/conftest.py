"""Fixtures for device-protocol tests: simulated devices with identities from our CA."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from mdm_server.pki import services as pki
from tests.devices._rows import drain_inventory
from tests.simulated import client_device
from tests.simulator import SimulatedDevice


@dataclass
class InventoriedDevice(SimulatedDevice):
    """A simulated device that, once enrolled, answers the inventory the server asks at
    enrollment (as a device pushed after its first TokenUpdate does), so a test starts from an
    empty queue. `drain_inventory=False` leaves the inventory queued (tests of that feature)."""

    drain_inventory: bool = True

    def enroll(self) -> None:
        super().enroll()
        if self.drain_inventory:
            drain_inventory(self)


@pytest.fixture
def make_device(server_pki: pki.PkiStatus) -> Callable[..., SimulatedDevice]:
    """Build a simulated device talking to this server through the Django test client."""
    ca = pki.active_identity("ca")

    def make(**kwargs: Any) -> SimulatedDevice:
        return client_device(ca, cls=InventoriedDevice, **kwargs)

    return make
