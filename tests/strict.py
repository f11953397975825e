"""Under ``tests/run`` (``MDM_TESTS_STRICT=1``) a test that would skip fails instead.

A skip means "this run proved nothing here": acceptable for plain ``pytest`` on a laptop without
PostgreSQL, Redis, slapd or Chromium (the skips are listed at the end, ``-rs``), never in the run
that CI and the README rely on. Loaded from ``tests/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest


def strict() -> bool:
    return os.environ.get("MDM_TESTS_STRICT") == "1"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.skipped and strict() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(reason).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} would skip ({reason}); tests/run skips nothing"
    return report
