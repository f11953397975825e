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
        unknown = {v for v in set(env) - known if v.removesuffix("_FILE") not in known}
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


LONG_RUNNING = ("db", "redis", "web", "worker", "beat", "proxy")


def test_long_running_services_restart_and_setup_runs_once() -> None:
    services = _compose()["services"]
    for name in LONG_RUNNING:
        assert services[name].get("restart") in ("unless-stopped", "always"), name
    assert services["setup"]["restart"] == "no"


def test_database_and_redis_have_healthchecks_that_dependents_wait_for() -> None:
    services = _compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_migrations_run_once_before_web_worker_and_beat() -> None:
    services = _compose()["services"]
    setup_command = " ".join(services["setup"]["command"])
    assert "manage.py setup" in setup_command and "--skip-migrate" not in setup_command
    assert services["setup"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["setup"]["condition"] == "service_completed_successfully", name
        command = services[name]["command"]
        text = command if isinstance(command, str) else " ".join(command)
        assert "migrate" not in text and "manage.py setup" not in text, name


def test_proxy_starts_after_the_device_ca_is_written_where_nginx_reads_it() -> None:
    compose = _compose()
    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    # setup writes /tls/device-ca.pem through the same host folder the proxy mounts.
    setup_tls = next(v for v in services["setup"]["volumes"] if v.endswith(":/tls"))
    host_folder = setup_tls.split(":")[0]
    proxy_tls = next(v for v in proxy["volumes"] if v.startswith(f"{host_folder}:"))
    nginx_folder = proxy_tls.split(":")[1]
    assert "export_ca > /tls/device-ca.pem" in " ".join(services["setup"]["command"])
    nginx = compose["configs"]["nginx"]["content"]
    assert f"ssl_client_certificate {nginx_folder}/device-ca.pem;" in nginx
    assert f"ssl_certificate {nginx_folder}/server.crt;" in nginx


def test_no_administrator_password_reaches_the_logs() -> None:
    compose = _compose()
    services = compose["services"]
    setup = services["setup"]
    # A password file from a compose secret: setup never prints a password it did not generate,
    # and an empty file (which would make it generate and print one) stops it first.
    assert setup["environment"]["MDM_ADMIN_PASSWORD_FILE"] == "/run/secrets/admin_password"
    assert setup["secrets"] == ["admin_password"]
    assert compose["secrets"]["admin_password"]["file"]
    assert setup["command"][2].startswith("test -s /run/secrets/admin_password ||")
    for name, service in services.items():
        assert "MDM_ADMIN_PASSWORD" not in (service.get("environment") or {}), name


def test_image_leaves_out_virtualenv_data_directory_and_secrets() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", "var", "tls", "secrets", ".git"} <= ignored
    assert "COPY . /app" in _compose()["x-app"]["build"]["dockerfile_inline"]
