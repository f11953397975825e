"""Console operations: settings, configurations, the self-test and the account-driven
registration in Apple Business Manager."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from enrollment import directory_access, discovery
from enrollment.abm import services as abm
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
    """Store the organisation-wide enrollment settings."""
    from mdm_server import audit

    options = EnrollmentSettings.load()
    for key, value in values.items():
        setattr(options, key, value)
    options.save()
    audit.record(
        actor=actor,
        action="enrollment.settings_saved",
        target=options,
        details={"fields": sorted(values)},
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


# Apple Business Manager: the account-driven registration goes over the organisation's ABM link
# (enrollment.abm: a real OAuth 1.0a session from its server token).
AbmError = abm.AbmError


def _organisation_link() -> Any:
    link = abm.discovery_link()
    if link is None:
        raise AbmError(
            "Link Apple Business Manager first (Apple Business Manager page: create a link, "
            "upload its public key to ABM, then upload the server token ABM gives you)."
        )
    return link


def register_discovery_url(*, url: str, actor: Any) -> dict[str, Any]:
    """Register the service-discovery URL (the account-driven enrollment fallback) in ABM."""
    return abm.register_discovery_url(link=_organisation_link(), url=url, actor=actor)


def fetch_discovery_registration() -> dict[str, Any]:
    return abm.fetch_discovery_registration(link=_organisation_link())


def delete_discovery_registration(*, actor: Any) -> dict[str, Any]:
    return abm.delete_discovery_registration(link=_organisation_link(), actor=actor)


def registered_discovery_url() -> str:
    link = abm.discovery_link()
    return link.discovery_url if link is not None else ""
