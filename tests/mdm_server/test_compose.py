"""docker-compose.yml cannot run here (no Docker engine); check its shape against settings."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _settings_variables() -> set[str]:
    text = (ROOT / "mdm_server" / "settings.py").read_text()
    return set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', text))


def test_compose_has_the_production_services() -> None:
    services = _compose()["services"]
    assert {"db", "redis", "web", "worker", "beat", "proxy"} <= set(services)
    assert "granian --interface wsgi" in services["web"]["command"]
    assert "mdm_server.wsgi:application" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "443:443" in services["proxy"]["ports"]


def test_compose_variables_are_settings_names() -> None:
    known = _settings_variables()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MDM_PUBLIC_URL"} <= known
    for name in ("web", "worker", "beat"):
        env = _compose()["services"][name]["environment"]
        unknown = set(env) - known
        assert not unknown, f"{name} sets variables settings never read: {unknown}"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def test_proxy_forwards_client_certificate_from_trusted_address() -> None:
    compose = _compose()
    nginx = compose["configs"]["nginx"]["content"]
    header = compose["services"]["web"]["environment"]["MDM_CLIENT_CERT_HEADER"]
    assert f"proxy_set_header {header} $$ssl_client_escaped_cert" in nginx
    proxy_ip = compose["services"]["proxy"]["networks"]["mdm"]["ipv4_address"]
    assert compose["services"]["web"]["environment"]["MDM_TRUSTED_PROXIES"] == proxy_ip
