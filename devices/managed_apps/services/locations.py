"""Apps and Books locations (content tokens) and the catalogue synced from them."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from devices.managed_apps import appsbooks
from devices.managed_apps.models import (
    App,
    AppInstall,
    AppsBooksToken,
)
from devices.managed_apps.services.common import (
    EXPIRY_WARNING,
    HOLDING,
    ManagedAppsError,
    _token_failed,
    client_for,
    conflict_text,
    notify_secret,
    notify_url,
)
from devices.managed_apps.services.installs import push_update, reassign_lost_licences
from devices.services.common import Actor
from mdm_server import audit, encryption

logger = logging.getLogger(__name__)


def upload_token(*, name: str, data: bytes, actor: Actor = None) -> AppsBooksToken:
    """Check a .vpptoken with Apple, claim its location for this server, store it encrypted.

    Nothing is stored when the file is not a token, has expired, or Apple refuses it."""
    try:
        parsed = appsbooks.parse_content_token(data)
    except appsbooks.TokenFileError as exc:
        raise ManagedAppsError(str(exc)) from None
    if parsed.expires_at <= timezone.now():
        raise ManagedAppsError(f"this content token expired on {parsed.expires_at:%Y-%m-%d}")
    token = AppsBooksToken.objects.filter(name=name).first() or AppsBooksToken(name=name)
    client = appsbooks.AppsBooksClient(
        parsed.stoken, base_url=settings.APPS_BOOKS_URL, timeout=settings.APPS_BOOKS_TIMEOUT
    )
    try:
        before = client.client_config()
        config, token.notifications = _claim(client, token)
    except appsbooks.AppsBooksError as exc:
        raise ManagedAppsError(f"Apps and Books refused the token: {exc.message}") from None
    finally:
        client.close()
    token.org_name = parsed.org_name[:200]
    token.location_name = config.location_name[:200]
    token.expires_at = config.token_expires_at or parsed.expires_at
    token.encrypted_token = encryption.encrypt(parsed.stoken.encode())
    token.last_error = ""
    # Uploading claims the location: a conflict seen before is resolved. Whether another MDM
    # server had it is logged (its licences may need to be reconciled by the admin).
    if not appsbooks.claims_location(before, str(token.client_context)):
        logger.warning("Apps and Books location %s was in use by another MDM server", name)
    token.conflict = ""
    token.save()
    audit.record(
        actor=actor,
        action="apps.location_uploaded",
        target=token,
        details={"org": token.org_name, "expires_at": token.expires_at.isoformat()},
    )
    return token


def _claim(
    client: appsbooks.AppsBooksClient, token: AppsBooksToken
) -> tuple[appsbooks.ClientConfig, str]:
    """Write our mdmInfo into the location's client configuration, with our notification URL
    and its token where we have one. Apple refusing the URL (not https, not reachable: its
    test notification failed) is no reason to refuse the token: it is claimed without
    notifications and polling alone follows its events. Returns the configuration and what to
    show about notifications."""
    mdm = {"mdm_id": str(token.client_context), "mdm_name": "mdm-server"}
    mdm["metadata"] = (urlsplit(settings.PUBLIC_URL).hostname or "mdm-server")[:255]
    url = notify_url(token)
    if url:
        try:
            config = client.update_client_config(
                **mdm, notification_url=url, notification_token=notify_secret(token)
            )
            return config, f"notifications arrive at {url}"[:300]
        except appsbooks.AppsBooksError as exc:
            if exc.number not in appsbooks.NOTIFICATION_ERRORS:
                raise
            reason = f"Apple refused the notification URL {url}: {exc.message}"
    else:
        reason = f"no notifications: {settings.PUBLIC_URL} is not an https URL"
    config = client.update_client_config(**mdm)
    return config, f"{reason}; events are polled"[:300]


def token_warning(token: AppsBooksToken, *, now: datetime | None = None) -> str:
    """What the dashboard says about a token: expired, expiring soon, used elsewhere, failing."""
    now = now or timezone.now()
    if token.expires_at <= now:
        return f"expired on {token.expires_at:%Y-%m-%d}: upload a new token"
    if token.expires_at - now <= EXPIRY_WARNING:
        return f"expires on {token.expires_at:%Y-%m-%d}: download a new token from Apple"
    return token.conflict or token.last_error


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    new_versions: list[str] = field(default_factory=list)
    conflict: str = ""
    licences_lost: int = 0  # held by our installs, no longer by Apple's assignments


def sync_token(*, token: AppsBooksToken) -> SyncResult:
    """Read the location's assets with their licence counts and the apps' metadata; store them
    (one transaction, after every page was read); push new versions where apps are required."""
    client = client_for(token)
    started = timezone.now()
    try:
        config = client.client_config()
        assets = [a for a in client.iter_assets() if a.product_type.lower() == "app"]
        # Who Apple says holds the licences of the apps our installs hold licences of.
        holding = (
            AppInstall.objects.filter(app__token=token, status__in=HOLDING)
            .exclude(licence="")
            .values_list("app__adam_id", flat=True)
        )
        held = {
            adam_id: {a.holder for a in client.iter_assignments(adam_id)}
            for adam_id in sorted(set(holding))
        }
        lookup = client.metadata_lookup_url()
        metadata = client.app_metadata(lookup, [a.adam_id for a in assets]) if assets else {}
        known = dict(
            App.objects.filter(token=token, icon__isnull=False).values_list("adam_id", "icon_url")
        )
        icons = {
            adam_id: icon
            for adam_id, meta in metadata.items()
            if meta.icon_url
            and known.get(adam_id) != meta.icon_url
            and (icon := client.fetch_icon(meta.icon_url)) is not None
        }
    except appsbooks.AppsBooksError as exc:
        _token_failed(token, exc)
        raise ManagedAppsError(f"sync failed: {exc.message}") from None
    finally:
        client.close()
    result = SyncResult()
    if not appsbooks.claims_location(config, str(token.client_context)):
        result.conflict = conflict_text(config.mdm_name or config.mdm_id)
    updated_apps: list[App] = []
    with transaction.atomic():
        for asset in assets:
            meta = metadata.get(asset.adam_id)
            values: dict[str, Any] = {
                "licences_total": asset.total,
                "licences_assigned": asset.assigned,
                "licences_available": asset.available,
                "device_assignable": asset.device_assignable,
                # Apple's `supportedPlatforms` (iOS, macOS, …), the names the filter uses.
                "platforms": list(asset.platforms or (meta.platforms if meta else ())),
            }
            if meta:
                values.update(
                    name=meta.name or asset.adam_id,
                    bundle_id=meta.bundle_id,
                    version=meta.version,
                    icon_url=meta.icon_url,
                )
            if asset.adam_id in icons:
                values["icon"], values["icon_type"] = icons[asset.adam_id]
            app, created = App.objects.get_or_create(
                kind=App.Kind.STORE,
                token=token,
                adam_id=asset.adam_id,
                pricing_param=asset.pricing_param,
                defaults={"name": asset.adam_id, **values},
            )
            if created:
                result.created += 1
                continue
            new_version = bool(meta and app.version and meta.version != app.version)
            for key, value in values.items():
                setattr(app, key, value)
            app.save()
            result.updated += 1
            if new_version:
                result.new_versions.append(app.name)
                updated_apps.append(app)
        AppsBooksToken.objects.filter(pk=token.pk).update(
            last_synced_at=timezone.now(), conflict=result.conflict, last_error=""
        )
    for app in updated_apps:
        push_update(app=app)
    result.licences_lost = reassign_lost_licences(token=token, held=held, before=started)
    return result


PLATFORMS = ("iOS", "macOS")
MAX_PINNED = 8


def pinning_certificates(pem: str) -> list[str]:
    """PEM certificates (the manifest server's, or its CA's) as base64 DER for the app;
    ManagedAppsError naming the problem when the text holds anything else."""
    text = pem.strip()
    if not text:
        return []
    try:
        certs = x509.load_pem_x509_certificates(text.encode())
    except ValueError as exc:
        raise ManagedAppsError(f"pinning certificates: not PEM certificates ({exc})") from None
    if len(certs) > MAX_PINNED:
        raise ManagedAppsError(f"pinning certificates: at most {MAX_PINNED}")
    return [base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in certs]


def add_custom_app(
    *,
    name: str,
    manifest_url: str,
    bundle_id: str = "",
    enterprise: bool = False,
    platforms: list[str] | None = None,
    pinning_pem: str = "",
    pinning_revocation_required: bool = False,
    actor: Actor = None,
) -> App:
    """A custom or in-house app, installed from its manifest (an https URL): InstallApplication
    on iPhone and iPad, InstallEnterpriseApplication on a Mac (a package; its manifest server
    may be pinned to certificates)."""
    if not manifest_url.startswith("https://"):
        raise ManagedAppsError("the manifest URL must be an https:// URL")
    chosen = list(platforms or PLATFORMS)
    if not chosen or any(p not in PLATFORMS for p in chosen):
        raise ManagedAppsError(f"platforms: choose among {', '.join(PLATFORMS)}")
    pinned = pinning_certificates(pinning_pem)
    if pinned and "macOS" not in chosen:
        raise ManagedAppsError("pinning certificates apply to Macs (InstallEnterpriseApplication)")
    app = App.objects.create(
        kind=App.Kind.ENTERPRISE if enterprise else App.Kind.CUSTOM,
        name=name[:200],
        manifest_url=manifest_url,
        bundle_id=bundle_id[:255],
        platforms=[p for p in PLATFORMS if p in chosen],
        pinning_certs=pinned,
        pinning_revocation_required=bool(pinned and pinning_revocation_required),
    )
    audit.record(actor=actor, action="apps.custom_app_added", target=app)
    return app


def dashboard_alerts() -> list[str]:
    """One line per Apps and Books location that needs the admin (console dashboard)."""
    now = timezone.now()
    out = []
    for token in AppsBooksToken.objects.order_by("name"):
        warning = token_warning(token, now=now)
        if warning:
            out.append(f"Apps and Books location {token.name}: {warning}")
    return out
