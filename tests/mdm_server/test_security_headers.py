"""Security headers: CSP on the console and enrollment pages, nosniff, Referrer-Policy, and HSTS
in production (checked in a process configured as production, through its real settings)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/console/login/", "/enroll/"])
def test_pages_people_see_forbid_foreign_and_inline_scripts(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_signed_in_console_pages_carry_the_policy(admin_client: Client) -> None:
    for url in ("/console/", "/console/devices/", "/console/settings/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"], url


@pytest.mark.django_db
def test_machine_answers_are_nosniff(client: Client) -> None:
    response = client.get("/api/v1/devices/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("application/json")


def test_no_template_has_an_inline_script_or_style_element() -> None:
    """What the policy forbids must not be in the pages (the browser tests see it in action)."""
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                problems.append(f"{path.name}: inline {tag}")
        if re.search(r"<style\b", text):
            problems.append(f"{path.name}: <style> element")
        if re.search(r"\son[a-z]+=", text):
            problems.append(f"{path.name}: inline event handler")
    assert not problems, "\n".join(problems)


_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
r = Client().get("/console/login/", secure=True, HTTP_HOST="mdm.example.com")
print(json.dumps({"status": r.status_code, "hsts": r.get("Strict-Transport-Security", "")}))
"""


def _probe(tmp_path: Path, **env: str) -> dict[str, object]:
    full = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mdm_server.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MDM_DATA_DIR": str(tmp_path),
        **env,
    }
    full.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=full, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_hsts_is_sent_in_production_only(tmp_path: Path) -> None:
    production = _probe(
        tmp_path,
        MDM_PRODUCTION="true",
        SECRET_KEY="x" * 50,
        MDM_PUBLIC_URL="https://mdm.example.com",
    )
    assert production["status"] == 200
    assert production["hsts"] == "max-age=31536000"
    embedded = _probe(tmp_path, MDM_PUBLIC_URL="https://mdm.example.com")
    assert embedded["status"] == 200 and embedded["hsts"] == ""
