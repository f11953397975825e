"""Count the checks each test really executes, and fail a passing test that executed none.

A check is a plain ``assert`` that passed while the test body ran (pytest reports each one
through ``pytest_assertion_pass``, switched on by ``enable_assertion_pass_hook`` in pyproject),
or a ``pytest.raises`` block that caught the exception it expected. Asserts inside fixtures do
not count: a case is only as strong as what its own body checks.

``--require-assertions`` (``tests/run`` passes it, so CI does) turns a passing test with no
executed check into a failure, and the summary reports the count for the whole run. The count
travels on each report (``user_properties``), so the summary is right when pytest-xdist runs the
tests in worker processes too. Loaded from ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from _pytest import raises as _raises

_counts: dict[str, int] = {}
_current: list[str] = []  # nodeid of the test whose body is running, if any
_passed_without: list[str] = []
_passed: list[str] = []
CHECKS = "executed_checks"


def _count() -> None:
    if _current:
        _counts[_current[-1]] = _counts.get(_current[-1], 0) + 1


def _install_raises_counter() -> None:
    """Count a ``pytest.raises`` block that caught what it expected (it returns True then)."""
    for cls in (_raises.RaisesExc, _raises.RaisesGroup):
        original = cls.__exit__
        if getattr(original, "_counts_checks", False):
            continue

        def counted(self: Any, *exc: Any, _original: Any = original) -> bool:
            __tracebackhide__ = True
            caught = _original(self, *exc)
            if caught:
                _count()
            return caught

        counted._counts_checks = True  # type: ignore[attr-defined]
        cls.__exit__ = counted  # type: ignore[method-assign,assignment]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-assertions",
        action="store_true",
        default=False,
        help="fail every passing test whose body executed no assert and no pytest.raises",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not config.getini("enable_assertion_pass_hook"):
        raise pytest.UsageError("assertion counting needs enable_assertion_pass_hook = true")
    _install_raises_counter()


def pytest_assertion_pass(item: pytest.Item, lineno: int, orig: str, expl: str) -> None:
    _count()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    _current.append(item.nodeid)
    try:
        return (yield)
    finally:
        _current.pop()


def checks_executed(nodeid: str) -> int:
    return _counts.get(nodeid, 0)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.when != "call" or not report.passed:
        return report
    checks = checks_executed(item.nodeid)
    report.user_properties = [*report.user_properties, (CHECKS, checks)]
    if checks == 0 and item.config.getoption("require_assertions"):
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} passed without executing a single assert or pytest.raises: "
            "a case that checks nothing proves nothing"
        )
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Runs where the run is reported: in the main process, also for tests run by workers."""
    checks = dict(report.user_properties).get(CHECKS) if report.when == "call" else None
    if checks is None:
        return
    _passed.append(report.nodeid)
    if checks == 0:
        _passed_without.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not _passed:
        return
    terminalreporter.write_sep("-", "executed checks")
    terminalreporter.write_line(
        f"{len(_passed)} cases passed their body; {len(_passed_without)} executed no assertion"
    )
    for nodeid in _passed_without:
        terminalreporter.write_line(f"  no assertion: {nodeid}")
