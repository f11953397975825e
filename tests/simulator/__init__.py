"""A simulated Apple device that speaks the MDM protocol to a server (tests, trials, benchmarks)."""

from tests.simulator.device import SimulatedDevice, issue_identity
from tests.simulator.transport import DjangoTestTransport, HttpTransport, Transport, WSGITransport

__all__ = [
    "DjangoTestTransport",
    "HttpTransport",
    "SimulatedDevice",
    "Transport",
    "WSGITransport",
    "issue_identity",
]
