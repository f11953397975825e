"""Property-based fuzzing of what devices and API clients send: the settings profile, a client
that counts requests and 5xx answers, and valid messages to mutate.

The `ci` profile (the default, and what `tests/run` uses) is bounded and reproducible: a fixed
number of examples per test, derandomized (the same inputs on every run), no deadline (a slow
machine is not a failure) and no example database. `HYPOTHESIS_PROFILE=explore` searches longer
with fresh random inputs on each run, for finding new cases by hand.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from tests.fuzz.tally import FUZZ_REQUESTS, FUZZ_SERVER_ERRORS, TALLY

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # one enrolled device per test, shared by examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}
settings.register_profile("ci", max_examples=100, derandomize=True, **_COMMON)
settings.register_profile("explore", max_examples=3000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class CountingClient(Client):
    """Django's test client, counting each request and remembering server errors."""

    def request(self, **request: Any) -> Any:  # type: ignore[override]
        response = super().request(**request)
        TALLY.requests += 1
        if response.status_code >= 500:
            TALLY.server_errors.append(
                f"{request.get('REQUEST_METHOD')} {request.get('PATH_INFO')} -> "
                f"{response.status_code}"
            )
        return response


@pytest.fixture
def fuzz_client() -> Client:
    # raise_request_exception=False: an unhandled exception becomes the 500 a device would see.
    return CountingClient(raise_request_exception=False)


_BEFORE = pytest.StashKey[tuple[int, int]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Each fuzz test's requests and 5xx answers travel on its report (``user_properties``):
    ``tests/conftest.py`` adds them up where the run is reported, also under pytest-xdist."""
    report = yield
    if call.when == "setup":
        item.stash[_BEFORE] = (TALLY.requests, len(TALLY.server_errors))
    elif call.when == "call" and _BEFORE in item.stash:
        requests, errors = item.stash[_BEFORE]
        report.user_properties = [
            *report.user_properties,
            (FUZZ_REQUESTS, TALLY.requests - requests),
            (FUZZ_SERVER_ERRORS, TALLY.server_errors[errors:]),
        ]
    return report


def assert_refused_or_served(response: Any, *, text_reasons: bool = True) -> None:
    """Never a 5xx; a refusal is a 4xx that says why (plain text for devices)."""
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert response.content.strip(), f"a {response.status_code} without a reason"
        if text_reasons:
            assert response["Content-Type"].startswith("text/plain"), response["Content-Type"]
    if response.status_code == 401:
        assert response.has_header("WWW-Authenticate")


@pytest.fixture
def mutate() -> Callable[[bytes, Any], bytes]:
    """Apply a drawn list of byte-level mutations to `data` (see `mutations`)."""

    def apply(
        data: bytes, steps: list[tuple[str, int, int]], region: tuple[int, int] | None = None
    ) -> bytes:
        """`region` (start, end) aims the edits at part of the data, e.g. an embedded key."""
        out = bytearray(data)
        for kind, position, value in steps:
            if not out:
                break
            if region is not None and region[0] < min(region[1], len(out)):
                start, end = region[0], min(region[1], len(out))
                at = start + position % (end - start)
            else:
                at = position % len(out)
            if kind == "flip":
                out[at] ^= 1 << (value % 8)
            elif kind == "set":
                out[at] = value % 256
            elif kind == "insert":
                out[at:at] = bytes([value % 256])
            elif kind == "delete":
                del out[at]
            elif kind == "truncate":
                del out[at:]
            elif kind == "duplicate":
                end = min(len(out), at + 1 + value % 64)
                out[at:at] = out[at:end]
        return bytes(out)

    return apply
