"""The check counter (tests/assertion_count.py) itself: a case that checks nothing fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = """
import pytest

def test_asserts():
    assert 1 + 1 == 2

def test_raises_caught():
    with pytest.raises(ZeroDivisionError, match="division"):
        1 / 0

def test_checks_nothing():
    sorted([3, 1, 2])

@pytest.mark.parametrize("n", [1, 2])
def test_checks_only_when(n):
    if n == 2:
        assert n
"""


def _env() -> dict[str, str]:
    # Only the plugin under test is loaded (-p): importing the installed ones (schemathesis,
    # hypothesis, xdist...) took about 5 s of each run and plays no part in these cases. The
    # suite itself runs both plugins with all of them (tests/run: --require-assertions, strict).
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }


def _run(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_cases.py").write_text(CASES)
    (tmp_path / "pytest.ini").write_text("[pytest]\nenable_assertion_pass_hook = true\n")
    env = _env()
    env.pop("MDM_TESTS_STRICT", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.assertion_count", "-p", "no:django",
         "-p", "no:cacheprovider", "-q", *options, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_cases_without_a_check_are_reported(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "5 cases passed their body; 2 executed no assertion" in result.stdout
    assert "no assertion: test_cases.py::test_checks_nothing" in result.stdout
    assert "no assertion: test_cases.py::test_checks_only_when[1]" in result.stdout
    assert "test_asserts" not in result.stdout.split("executed checks")[1]


def test_require_assertions_fails_them(tmp_path: Path) -> None:
    result = _run(tmp_path, "--require-assertions")
    assert result.returncode == 1, result.stdout
    assert "2 failed, 3 passed" in result.stdout
    assert "passed without executing a single assert or pytest.raises" in result.stdout


def test_under_tests_run_a_skip_fails(tmp_path: Path) -> None:
    """tests/strict.py: plain pytest lists the skip; MDM_TESTS_STRICT=1 (tests/run) fails it."""
    (tmp_path / "test_skips.py").write_text(
        "import pytest\n\ndef test_needs_a_service():\n    pytest.skip('no slapd here')\n"
    )
    env = _env()
    command = [sys.executable, "-m", "pytest", "-p", "tests.strict", "-p", "no:django",
               "-p", "no:cacheprovider", "-q", "-rs", str(tmp_path / "test_skips.py")]  # fmt: skip
    env.pop("MDM_TESTS_STRICT", None)
    plain = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=120, check=False)  # fmt: skip
    assert plain.returncode == 0 and "1 skipped" in plain.stdout
    assert "SKIPPED [1] test_skips.py:4: no slapd here" in plain.stdout
    strict = subprocess.run(command, cwd=tmp_path, env={**env, "MDM_TESTS_STRICT": "1"},
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert strict.returncode == 1 and "1 failed" in strict.stdout
    assert "would skip (no slapd here); tests/run skips nothing" in strict.stdout
