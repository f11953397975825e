"""Hosted asset data: the file an admin uploads for an asset, the asset's Reference and
Authentication pointing at it, and the read a device makes of it (MDM authentication: only a
device given the asset gets it). Writes go through `services.update_declaration`.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re

from cryptography import x509
from django.conf import settings
from django.db import transaction

from devices.models import Enrollment
from mdm_server import audit, encryption
from profiles.declarations import rules, services
from profiles.declarations.models import AssetData, Declaration

_MEDIA_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
CERTIFICATE_ASSET = "com.apple.asset.credential.certificate"


def asset_data_url(declaration: Declaration, sha256: str) -> str:
    """Where devices fetch the data: one URL per declaration and content (a replaced file's
    old URL stops working)."""
    base = settings.PUBLIC_URL.rstrip("/")
    return f"{base}/mdm/declarations/asset/{declaration.pk}/{sha256}"


def _check_asset_data(declaration_type: str, data: bytes, content_type: str) -> tuple[str, str]:
    """(media type, reason): the media type to announce, or why the data is refused."""
    if not data:
        return content_type, "the file is empty"
    if declaration_type == CERTIFICATE_ASSET:
        # Apple: exactly one certificate, application/pem or application/pkcs1 (DER).
        try:
            if data.lstrip().startswith(b"-----BEGIN CERTIFICATE-----"):
                x509.load_pem_x509_certificate(data)
                return "application/pem", ""
            x509.load_der_x509_certificate(data)
        except ValueError:
            return content_type, "a certificate asset needs one X.509 certificate (PEM or DER)"
        return "application/pkcs1", ""
    content_type = (content_type or "application/octet-stream").split(";")[0].strip().lower()
    if not _MEDIA_TYPE_RE.match(content_type) or len(content_type) > 127:
        return content_type, f"{content_type[:64]!r} is not a media type"
    if content_type == "application/json":
        # Only whether it parses: the bytes are served as uploaded (not untrusted.load_json,
        # whose bounds are those of what this server stores and walks).
        try:
            json.loads(data)
        except RecursionError:
            return content_type, "the file is JSON nested too deeply to be checked"
        except ValueError as exc:
            return content_type, f"the file is not JSON ({exc})"
    return content_type, ""


@transaction.atomic
def upload_asset_data(
    declaration: Declaration,
    *,
    data: bytes,
    content_type: str = "",
    filename: str = "",
    actor: services.Actor = None,
) -> Declaration:
    """Host a file for an asset: stored, and the asset's Reference (DataURL, ContentType, Size,
    Hash-SHA-256) and Authentication (MDM: the device's identity) point at it; a new
    ServerToken, and the channels that have the asset are told."""
    if not rules.hosts_data(declaration.declaration_type):
        raise services.DeclarationError(
            {"data": [f"{declaration.declaration_type} has no data the server can host"]}
        )
    if not content_type:
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    media_type, problem = _check_asset_data(declaration.declaration_type, data, content_type)
    if problem:
        raise services.DeclarationError({"data": [problem]})
    digest = hashlib.sha256(data).hexdigest()
    AssetData.objects.update_or_create(
        declaration=declaration,
        defaults={
            "encrypted_data": encryption.encrypt(data),
            "content_type": media_type,
            "size": len(data),
            "sha256": digest,
            "filename": filename[:255],
        },
    )
    payload = dict(declaration.payload or {})
    payload["Reference"] = {
        "DataURL": asset_data_url(declaration, digest),
        "ContentType": media_type,
        "Size": len(data),
        "Hash-SHA-256": digest,
    }
    if authentication := rules.data_authentication(declaration.declaration_type):
        payload["Authentication"] = authentication
    audit.record(
        actor=actor,
        action="declarations.asset_data",
        target=declaration,
        details={"size": len(data), "sha256": digest},
    )
    return services.update_declaration(
        declaration, payload=payload, profile=declaration.profile, actor=actor
    )


def channel_of_identity(fingerprint: str) -> Enrollment | None:
    """The enrolled device channel an identity certificate is pinned to."""
    return (
        services.enrolled()
        .filter(cert_fingerprint=fingerprint, parent__isnull=True)
        .order_by("pk")
        .first()
    )


def asset_data_for(fingerprint: str, declaration_id: int, sha256: str) -> AssetData | None:
    """The hosted data, if the device holding this identity (its device channel, or one of its
    user channels) is given the asset and the URL names the current data; else None."""
    hosted = (
        AssetData.objects.select_related("declaration")
        .filter(declaration_id=declaration_id, sha256=sha256[:64])
        .first()
    )
    device = channel_of_identity(fingerprint)
    if hosted is None or device is None:
        return None
    identifier = hosted.declaration.identifier
    for channel in [device, *services.enrolled().filter(parent=device).order_by("pk")]:
        if any(item.identifier == identifier for item in services.served(channel).items):
            return hosted
    return None
