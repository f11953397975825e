"""What the managed-apps services share: the error, constants, the client of a location,
which devices an assignment reaches and the install parameters for one device."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.crypto import salted_hmac

from devices.managed_apps import appsbooks, rules
from devices.managed_apps.models import (
    AppAssignment,
    AppInstall,
    AppsBooksToken,
)
from devices.models import Enrollment
from mdm_server import encryption

ORIGIN = "managed-apps"
EXPIRY_WARNING = timedelta(days=30)
CLAIM = timedelta(minutes=5)  # how long a worker holds the installs it advances
Status = AppInstall.Status
HOLDING = (Status.LICENCE_ASSIGNED, Status.INSTALLING, Status.PROMPTING, Status.INSTALLED)


class ManagedAppsError(Exception):
    """A write was refused or Apps and Books failed; the message is for the admin."""


def client_for(token: AppsBooksToken) -> appsbooks.AppsBooksClient:
    """The location's client; it refuses an answer naming another MDM server (a conflict)."""
    stoken = encryption.decrypt(token.encrypted_token).decode()
    return appsbooks.AppsBooksClient(
        stoken,
        base_url=settings.APPS_BOOKS_URL,
        timeout=settings.APPS_BOOKS_TIMEOUT,
        mdm_id=str(token.client_context),
    )


def conflict_text(other: str) -> str:
    return (
        f"another MDM server ({other}) uses this content token (its mdmInfo replaced ours): "
        "licences it assigns are not ours to manage; upload the token again to reclaim it"
    )[:300]


def _token_failed(token: AppsBooksToken, exc: appsbooks.AppsBooksError) -> None:
    if exc.conflict:
        AppsBooksToken.objects.filter(pk=token.pk).update(conflict=conflict_text(exc.conflict))
    elif exc.token_unusable:
        AppsBooksToken.objects.filter(pk=token.pk).update(
            last_error=f"the token no longer works: {exc.message}"[:500]
        )


def notify_secret(token: AppsBooksToken | str) -> str:
    """The bearer token Apple sends with a location's notifications (`notificationAuthToken`):
    derived from its notify_id and the server's secret key, so the view can check it before
    the location is stored (Apple's test notification arrives during the upload)."""
    notify_id = token if isinstance(token, str) else str(token.notify_id)
    return salted_hmac(
        "devices.managed_apps.notifications", notify_id, algorithm="sha256"
    ).hexdigest()


def notify_url(token: AppsBooksToken) -> str:
    """Where Apple posts this location's notifications, or "" where it cannot: Apple takes an
    https URL only; plain http is offered only on a loopback host (a development server, the
    local test service), where Apple itself refuses it and polling alone is used."""
    base = settings.PUBLIC_URL
    host = urlsplit(base).hostname or ""
    if not base.startswith("https://") and host not in ("127.0.0.1", "localhost", "::1"):
        return ""
    return base + reverse("apps-books-notify", args=[token.notify_id])


def assignment_targets(assignment: AppAssignment) -> QuerySet[Enrollment]:
    """The enrolled device channels an assignment reaches now."""
    enrolled = Enrollment.objects.filter(
        channel=Enrollment.Channel.DEVICE, status=Enrollment.Status.ENROLLED
    )
    if assignment.scope == AppAssignment.Scope.DEVICE:
        return enrolled.filter(pk=assignment.enrollment_id or 0)
    if assignment.scope == AppAssignment.Scope.GROUP:
        return enrolled.filter(device__directory_user__groups=assignment.group_id).distinct()
    return enrolled.filter(enrollment_type=assignment.enrollment_type)


def person_of(enrollment: Enrollment) -> rules.Person:
    """Who and what an install is for: the channel's Device (its person, name and serial number,
    the holder of a device licence)."""
    device = enrollment.device
    user = device.directory_user
    return rules.Person(
        enrollment_type=enrollment.enrollment_type,
        managed_apple_id=device.managed_apple_id or (user.managed_apple_id or "" if user else ""),
        email=user.email if user else "",
        username=user.username if user else device.user_short_name,
        full_name=user.display_name if user else device.user_long_name,
        device_name=device.device_name,
        serial_number=device.serial_number or "",
        enrollment_id=enrollment.enrollment_id or "",
        platform=device.platform or "",
    )


def _params(assignment: AppAssignment, person: rules.Person) -> tuple[str, dict[str, Any]]:
    """The install command (request type, parameters) of an assignment for one device."""
    app = assignment.app
    return rules.install_command(
        rules.AppRef(
            adam_id=app.adam_id,
            manifest_url=app.manifest_url,
            pinning_certs=tuple(base64.b64decode(c) for c in app.pinning_certs),
            pinning_revocation_required=app.pinning_revocation_required,
        ),
        configuration=assignment.configuration,
        vpn_uuid=assignment.vpn_uuid,
        associated_domains=tuple(assignment.associated_domains),
        removable=assignment.removable,
        person=person,
    )


# The kinds of device an admin is told about, whether or not one is enrolled yet.
