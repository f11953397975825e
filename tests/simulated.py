"""A simulated device talking to this server through the Django test client (the tests' own
devices; the benchmark and third-party clients use real HTTP)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from mdm_server.pki.certificates import Identity
from tests.simulator import DjangoTestTransport, SimulatedDevice, issue_identity


def client_device(
    ca: Identity,
    *,
    cls: type[SimulatedDevice] = SimulatedDevice,
    platform: str = "iOS",
    user_enrollment: bool = True,
    **kwargs: Any,
) -> SimulatedDevice:
    """A new device with an identity issued by `ca`, at https://mdm.test/mdm/connect, on the
    current OS release of its platform unless `os_version` says otherwise."""
    cert, key = issue_identity(ca)
    kwargs.setdefault("os_version", "18.2" if platform == "iOS" else "15.2")
    kwargs.setdefault("checkin_url", "https://mdm.test/mdm/checkin")
    return cls(
        transport=DjangoTestTransport(Client()),
        certificate=cert,
        key=key,
        server_url="https://mdm.test/mdm/connect",
        platform=platform,
        user_enrollment=user_enrollment,
        **kwargs,
    )
