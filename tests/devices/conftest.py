"""Fixtures for device-protocol tests: simulated devices with identities from our CA."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from mdm_server.pki import services as pki
from tests.devices._rows import drain_inventory
from tests.simulator import DjangoTestTransport, SimulatedDevice, issue_identity


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

    def make(
        *, platform: str = "iOS", user_enrollment: bool = True, **kwargs: Any
    ) -> SimulatedDevice:
        cert, key = issue_identity(ca)
        kwargs.setdefault("os_version", "18.2" if platform == "iOS" else "15.2")
        kwargs.setdefault("checkin_url", "https://mdm.test/mdm/checkin")
        return InventoriedDevice(
            transport=DjangoTestTransport(Client()),
            certificate=cert,
            key=key,
            server_url="https://mdm.test/mdm/connect",
            platform=platform,
            user_enrollment=user_enrollment,
            **kwargs,
        )

    return make
