"""What the fuzz tests sent in this process: requests and every answer of 500 or more. Each
test's share travels on its report under these ``user_properties`` keys, and ``tests/conftest.py``
adds them up where the run is reported (the main process, also under pytest-xdist)."""

from __future__ import annotations

from dataclasses import dataclass, field

FUZZ_REQUESTS = "fuzz_requests"
FUZZ_SERVER_ERRORS = "fuzz_server_errors"


@dataclass
class Tally:
    """Requests the fuzzers sent this run, and every answer of 500 or more."""

    requests: int = 0
    server_errors: list[str] = field(default_factory=list)


TALLY = Tally()
