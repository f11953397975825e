"""Re-enrollment links: an administrator sends a person a link to enroll their device again,
keeping its enrollment type, or to enroll the new device that replaces it.

A link names one device channel and the certificate it holds, is signed with the server's
secret and expires (`LINK_DAYS`). It opens the enrollment portal, where the device's own person
must still sign in: anyone else, or the person once that channel has enrolled again (its
certificate changed), is refused. When the enrollment started from the link completes on
another channel, the old one is unenrolled as replaced (`devices.signals.enrollment_ended` with
`replaced_by`, which carries assignments over).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from devices import services as device_services
from devices.models import Enrollment
from enrollment.directory_access import Person, SignInFailed
from enrollment.services import hooks
from mdm_server import audit

logger = logging.getLogger(__name__)

LINK_DAYS = 7
_SALT = "enrollment.reenrollment-link"
# The type a re-enrollment from the portal keeps (the portal offers profile-based enrollment).
PORTAL_TYPES: dict[str, str] = {
    Enrollment.Type.USER: "user",
    Enrollment.Type.DEVICE: "device",
    Enrollment.Type.ADDE: "device",
    Enrollment.Type.ADE: "device",
}


class ReenrollmentError(Exception):
    """The administrator cannot issue a link for this enrollment; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _pin(enrollment: Enrollment) -> str:
    # Part of the certificate fingerprint: once the channel has enrolled again, the link is spent.
    return (enrollment.cert_fingerprint or "")[:16]


def _checked(enrollment: Enrollment) -> Enrollment:
    if enrollment.parent_id is not None:
        raise ReenrollmentError("That is a user channel: re-enroll its device.")
    if enrollment.device.directory_user_id is None:
        raise ReenrollmentError(
            "This device belongs to no directory user, so nobody could prove it is theirs: "
            "enroll it anew instead."
        )
    return enrollment


def issue_link(*, enrollment: Enrollment, actor: Any) -> tuple[str, dt.datetime]:
    """A signed re-enrollment link for this device channel and its person; (URL, expiry)."""
    enrollment = _checked(enrollment)
    token = signing.dumps({"e": str(enrollment.public_id), "c": _pin(enrollment)}, salt=_SALT)
    url = f"{settings.PUBLIC_URL}{reverse('enrollment:portal')}?{urlencode({'reenroll': token})}"
    audit.record(actor=actor, action="enrollment.reenrollment_link", target=enrollment)
    return url, timezone.now() + dt.timedelta(days=LINK_DAYS)


@transaction.atomic
def email_link(*, enrollment: Enrollment, actor: Any) -> str:
    """E-mail the link to the device's person (after commit); the address it went to."""
    from directory.models import DirectoryUser

    enrollment = _checked(enrollment)
    user = DirectoryUser.objects.filter(pk=enrollment.device.directory_user_id or 0).first()
    if user is None or not user.email:
        raise ReenrollmentError("The device's person has no e-mail address in the directory.")
    url, expires = issue_link(enrollment=enrollment, actor=actor)
    name = enrollment.device.device_name or enrollment.device.model_name or "your device"
    body = (
        f"Hello {user.display_name or user.username},\n\n"
        f"enroll {name} again in your organisation's device management, or enroll the new "
        f"device that replaces it, from this link (open it on that device):\n\n{url}\n\n"
        f"You will sign in with your work account. The link is valid until "
        f"{expires:%Y-%m-%d %H:%M} UTC.\n"
    )
    recipient = user.email
    # A mail server outage is logged and does not undo the audit record.
    transaction.on_commit(
        lambda: send_mail(
            "Enroll your device again", body, settings.DEFAULT_FROM_EMAIL, [recipient]
        ),
        robust=True,
    )
    audit.record(
        actor=actor, action="enrollment.reenrollment_emailed", target=enrollment, details={}
    )
    return recipient


def resolve_link(token: str, person: Person) -> Enrollment | None:
    """The device channel a portal re-enrollment link names, checked against the person who
    signed in; None without a link. Raises SignInFailed with the reason for a bad link."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise SignInFailed(
            "reenroll_link", "This re-enrollment link has expired. Ask your IT department."
        ) from None
    except signing.BadSignature:
        raise SignInFailed("reenroll_link", "This re-enrollment link is not valid.") from None
    if not isinstance(data, dict):
        raise SignInFailed("reenroll_link", "This re-enrollment link is not valid.")
    enrollment = Enrollment.objects.filter(
        public_id=str(data.get("e", "")), parent__isnull=True
    ).first()
    if enrollment is None or person.id is None or enrollment.device.directory_user_id != person.id:
        # Someone else's link (or a device since purged) gives nothing away: same answer.
        raise SignInFailed(
            "reenroll_link", "This re-enrollment link is for another person's device."
        )
    if _pin(enrollment) != data.get("c"):
        raise SignInFailed(
            "reenroll_link",
            "This device has enrolled again since the link was sent: the link is used up.",
        )
    return enrollment


def replace_on_completion(enrollment: Enrollment) -> bool:
    """A device channel completed its enrollment: if its session came from a re-enrollment link
    for another channel (the person's new device), unenroll that one as replaced. True if so."""
    if enrollment.parent_id is not None or not enrollment.enrollment_reference:
        return False
    replaces = hooks.replaced_channel(enrollment.enrollment_reference)
    # The old channel is read only for a re-enrollment link (rare).
    if replaces is None or replaces == enrollment.pk:
        return False
    old = Enrollment.objects.filter(pk=replaces).select_related("device").first()
    if old is None:
        return False
    return device_services.unenroll(
        enrollment=old,
        reason=f"replaced by the person's new device ({enrollment.public_id})",
        replaced_by=enrollment,
    )
