"""A simulated Apple device that speaks the MDM protocol to a server (tests, trials, benchmarks)."""

from devices.simulator.device import SimulatedDevice, issue_identity
from devices.simulator.transport import DjangoTestTransport, HttpTransport, Transport

__all__ = [
    "DjangoTestTransport",
    "HttpTransport",
    "SimulatedDevice",
    "Transport",
    "issue_identity",
]
