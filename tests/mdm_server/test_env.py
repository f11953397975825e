import os
import subprocess
import sys
from pathlib import Path

import pytest

from mdm_server.env import EnvError, env_bool, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_rejects_other_words() -> None:
    with pytest.raises(EnvError, match="^DEBUG: expected true or false"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_env_int_names_variable_and_bounds() -> None:
    assert env_int("N", 3, environ={}) == 3
    with pytest.raises(EnvError, match="^N: expected a whole number"):
        env_int("N", 3, environ={"N": "x"})
    with pytest.raises(EnvError, match="^N: must be at least 5"):
        env_int("N", 3, minimum=5, environ={"N": "4"})


def test_env_str_required_and_file(tmp_path: Path) -> None:
    with pytest.raises(EnvError, match="^SECRET_KEY: is required"):
        env_str("SECRET_KEY", environ={})
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    assert env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(secret)}) == "from-a-file"
    with pytest.raises(EnvError, match="^SECRET_KEY_FILE: cannot read"):
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(tmp_path / "missing")})


def test_env_list_and_url() -> None:
    assert env_list("H", ["a"], environ={"H": " x, y ,,"}) == ["x", "y"]
    assert env_url("U", None, schemes=("https",), environ={}) is None
    with pytest.raises(EnvError, match="^U: scheme must be one of https"):
        env_url("U", None, schemes=("https",), environ={"U": "http://x"})
    with pytest.raises(EnvError, match="^U: has an invalid port"):
        env_url("U", None, schemes=("https",), environ={"U": "https://x:99999"})


def _check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base.update({"MDM_DATA_DIR": str(tmp_path)})
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"MDM_PRODUCTION": "true"}, "SECRET_KEY"),
        ({"MDM_PRODUCTION": "true", "SECRET_KEY": "x" * 40}, "MDM_PUBLIC_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"APNS_PORT": "70000"}, "APNS_PORT"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
    ],
)
def test_bad_setting_stops_startup_naming_the_variable(
    env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    result = _check(env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: {variable}:")
    assert "Traceback" not in result.stderr


def test_embedded_default_starts_and_keeps_its_secret_key(tmp_path: Path) -> None:
    first = _check({}, tmp_path)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _check({}, tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
