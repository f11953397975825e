"""Console operations: settings, configurations, the self-test and Apple Business Manager."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from enrollment import directory_access, discovery
from enrollment.models import (
    EnrollmentConfiguration,
    EnrollmentSettings,
)
from enrollment.services.core import (
    public_url,
)
from mdm_server import config_cache


def well_known_url(configuration: EnrollmentConfiguration | None = None) -> str:
    if configuration is None:
        return public_url(discovery.WELL_KNOWN_PATH)
    return public_url(reverse("enrollment:discovery", args=[configuration.slug]))


@transaction.atomic
def save_settings(*, values: dict[str, Any], actor: Any) -> EnrollmentSettings:
    """Store the organisation-wide enrollment settings (the ABM token only when given)."""
    from mdm_server import audit, encryption

    options = EnrollmentSettings.load()
    token = values.pop("abm_server_token", "")
    for key, value in values.items():
        setattr(options, key, value)
    if token:
        options.abm_server_token = encryption.encrypt(token.encode())
    options.save()
    audit.record(
        actor=actor,
        action="enrollment.settings_saved",
        target=options,
        details={"fields": sorted(values) + (["abm_server_token"] if token else [])},
    )
    return options


@transaction.atomic
def save_configuration(
    *, configuration: EnrollmentConfiguration, actor: Any
) -> EnrollmentConfiguration:
    """Save a configuration; at most one is the default."""
    from mdm_server import audit

    configuration.domains = sorted({d.strip().lower().rstrip(".") for d in configuration.domains})
    configuration.save()
    if configuration.is_default:
        EnrollmentConfiguration.objects.exclude(pk=configuration.pk).update(is_default=False)
        config_cache.changed()
    audit.record(actor=actor, action="enrollment.configuration_saved", target=configuration)
    return configuration


@transaction.atomic
def delete_configuration(*, configuration: EnrollmentConfiguration, actor: Any) -> None:
    from mdm_server import audit

    audit.record(actor=actor, action="enrollment.configuration_deleted", target=configuration)
    configuration.delete()


@dataclass(frozen=True)
class SelfTest:
    ok: bool
    status: int
    summary: str
    body: str


def self_test(
    *, configuration: EnrollmentConfiguration | None = None, timeout: float = 5.0
) -> SelfTest:
    """Fetch our own public well-known URL the way a device would (bounded timeout)."""
    import json
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode

    domains = (configuration.domains if configuration else []) or (
        directory_access.organisation_domains()
    )
    query = urlencode(
        {
            "user-identifier": f"self-test@{domains[0] if domains else 'example.com'}",
            "model-family": "iPhone",
        }
    )
    url = f"{well_known_url(configuration)}?{query}"
    request = urllib.request.Request(url, headers={"User-Agent": "MDM self-test"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, content_type = response.status, response.headers.get("Content-Type", "")
            body = response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, content_type = exc.code, exc.headers.get("Content-Type", "")
        body = exc.read(65536).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return SelfTest(False, 0, f"{url} cannot be reached: {reason}", "")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return SelfTest(False, status, f"HTTP {status}: the answer is not JSON", body[:500])
    if not isinstance(document, dict):
        return SelfTest(
            False, status, f"HTTP {status}: the answer is not a JSON object", body[:500]
        )
    servers = document.get("Servers")
    if (
        status == 200
        and content_type.startswith("application/json")
        and isinstance(servers, list)
        and servers
        and isinstance(servers[0], dict)
    ):
        version = servers[0].get("Version")
        return SelfTest(True, status, f"OK: {url} answers {version}", body[:2000])
    if status == 403 and document.get("code") == "com.apple.well-known.failed":
        return SelfTest(
            False, status, f"Reachable, but refused: {document.get('message')}", body[:2000]
        )
    return SelfTest(False, status, f"HTTP {status} ({content_type})", body[:2000])


class AbmError(Exception):
    """Apple Business Manager refused or could not be reached; the text is for the admin."""


def _abm_request(method: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One call to the Device Assignment API's account-driven-enrollment/profile resource.

    Simplified: the DEP OAuth session (server token -> session token) is replaced by the
    configured server token sent as X-ADM-Auth-Session.
    """
    import json
    import urllib.error
    import urllib.request

    from mdm_server import encryption

    options = EnrollmentSettings.load()
    if not options.abm_base_url:
        raise AbmError("Set the Apple Business Manager API address first.")
    if not options.abm_server_token:
        raise AbmError("Set the Apple Business Manager server token first.")
    token = encryption.decrypt(bytes(options.abm_server_token)).decode()
    url = f"{options.abm_base_url.rstrip('/')}/account-driven-enrollment/profile"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - admin-configured https URL
        url,
        data=data,
        method=method,
        headers={
            "Content-Type": "application/json;charset=UTF8",
            "X-ADM-Auth-Session": token,
            "X-Server-Protocol-Version": "7",
            "User-Agent": "MDM server",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace").strip()
        raise AbmError(f"Apple Business Manager answered HTTP {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise AbmError(
            f"Apple Business Manager cannot be reached: {getattr(exc, 'reason', exc)}"
        ) from None
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        raise AbmError("Apple Business Manager answered something that is not JSON") from None
    return parsed if isinstance(parsed, dict) else {"result": parsed}


def register_discovery_url(*, url: str, actor: Any) -> dict[str, Any]:
    """POST the service-discovery URL to ABM (the account-driven enrollment fallback)."""
    from mdm_server import audit

    if not url.startswith("https://"):
        raise AbmError("Apple requires an https:// service discovery URL.")
    result = _abm_request("POST", {"mdm_service_discovery_url": url})
    options = EnrollmentSettings.load()
    options.abm_registered_url = url
    options.save(update_fields=["abm_registered_url", "updated_at"])
    audit.record(actor=actor, action="enrollment.abm_registered", details={"url": url})
    return result


def fetch_discovery_registration() -> dict[str, Any]:
    return _abm_request("GET")


def delete_discovery_registration(*, actor: Any) -> dict[str, Any]:
    from mdm_server import audit

    result = _abm_request("DELETE")
    options = EnrollmentSettings.load()
    options.abm_registered_url = ""
    options.save(update_fields=["abm_registered_url", "updated_at"])
    audit.record(actor=actor, action="enrollment.abm_unregistered")
    return result
