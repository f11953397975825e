"""Portal (profile-based) enrollment: the priority rules, sessions and one-time downloads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from devices.capabilities import profile_user_enrollment_window
from enrollment.directory_access import Person, SignInFailed
from enrollment.models import (
    EnrollmentSession,
    EnrollmentSettings,
    EnrollmentToken,
)
from enrollment.services import reenrollment
from enrollment.services.core import (
    EnrollmentError,
    _find_token,
    _new_session,
    _new_token,
    build_profile_for,
    default_configuration,
)
from mdm_server.apple import parse_os_version


@dataclass(frozen=True)
class PortalDecision:
    """What the portal does for this person and device: a profile type, or advice instead."""

    enrollment_type: str  # "user" or "device"; "" when no profile is offered
    reason: str
    advice: str = ""


def decide_portal_enrollment(
    *,
    platform: str,
    os_version: str,
    personal: bool,
    group_type: str,
    previous_type: str = "",
) -> PortalDecision:
    """Priority rules: re-enrollment keeps its type; an OS below the User Enrollment minimum is
    device-enrolled; the user's group setting decides; otherwise the ownership choice does."""
    version = parse_os_version(os_version)
    # Profile-based User Enrollment's OS window, from Apple's schema (devices.capabilities).
    window = profile_user_enrollment_window(platform)
    minimum = parse_os_version(window.introduced) if window else None
    removed = parse_os_version(window.removed) if window else None
    if previous_type in ("user", "device"):
        wanted = previous_type
        reason = "re-enrollment keeps the original enrollment type"
    elif minimum and version and version < minimum:
        wanted = "device"
        reason = f"{platform} {os_version} is below the User Enrollment minimum"
    elif group_type in ("user", "device"):
        wanted = group_type
        reason = "set by the user's group (Apple Enrollment Type)"
    else:
        wanted = "user" if personal else "device"
        reason = "personal device" if personal else "organisation-owned device"
    if wanted == "user":
        if removed is not None and version and version >= removed:
            where = (
                "System Settings → General → Device Management"
                if platform == "macOS"
                else "Settings → General → VPN & Device Management"
            )
            return PortalDecision(
                enrollment_type="",
                reason=f"profile-based User Enrollment was removed in {platform} {removed[0]}",
                advice=(
                    f"On this {platform} version, enroll from {where} → "
                    "Sign In to Work or School Account, with your work account."
                ),
            )
        if window is None:
            return PortalDecision(
                enrollment_type="",
                reason=f"User Enrollment is not available on {platform or 'this device'}",
                advice="User Enrollment needs an iPhone, iPad or Mac.",
            )
    return PortalDecision(enrollment_type=wanted, reason=reason)


@transaction.atomic
def start_portal_enrollment(
    *,
    person: Person,
    identifier: str,
    platform: str,
    os_version: str,
    personal: bool,
    reenroll: str = "",
) -> tuple[PortalDecision, EnrollmentSession | None, str]:
    """Portal sign-in done: decide the type and create a session with a one-time download token.

    `reenroll` is an administrator's re-enrollment link (`reenrollment.issue_link`): it must name
    a device of the person who signed in; the enrollment keeps that device's type, and the
    session remembers the device, which a new device enrolled with it replaces."""
    if not person.enabled:
        raise SignInFailed("disabled", "Your account is disabled. Contact your IT department.")
    replaces = reenrollment.resolve_link(reenroll, person)
    decision = decide_portal_enrollment(
        platform=platform,
        os_version=os_version,
        personal=personal,
        group_type=person.apple_enrollment_type,
        previous_type=reenrollment.PORTAL_TYPES.get(replaces.enrollment_type, "")
        if replaces is not None
        else "",
    )
    if not decision.enrollment_type:
        return decision, None, ""
    options = EnrollmentSettings.current()
    if decision.enrollment_type == "user":
        if not options.user_enrollment_enabled:
            raise SignInFailed("disabled_feature", "Enrolling personal devices is switched off.")
        if not person.managed_apple_id:
            raise SignInFailed(
                "apple_id",
                "Your account has no Managed Apple Account yet. Contact your IT department.",
            )
    session = _new_session(
        kind=EnrollmentSession.Kind.PORTAL,
        enrollment_type=decision.enrollment_type,
        configuration=default_configuration(),
        person=person,
        identifier=identifier,
        options=options,
        platform=platform,
        replaces=replaces,
    )
    deadline = timezone.now() + dt.timedelta(minutes=options.token_ttl_minutes)
    token = _new_token(
        session, kind=EnrollmentToken.Kind.ACCESS, expires_at=deadline, profile_deadline=deadline
    )
    return decision, session, token


@transaction.atomic
def download_portal_profile(*, token: str) -> tuple[bytes, EnrollmentSession]:
    """The portal's one-time profile download."""
    row = _find_token(token, EnrollmentToken.Kind.ACCESS)
    if row is None or row.session.kind != EnrollmentSession.Kind.PORTAL:
        raise EnrollmentError(404, "This download link is not valid.")
    row = EnrollmentToken.objects.select_for_update().get(pk=row.pk)
    now = timezone.now()
    if row.profile_issued_at is not None:
        raise EnrollmentError(410, "This download link was already used. Sign in again.")
    if row.expires_at <= now or row.revoked_at is not None or not row.session.is_active:
        raise EnrollmentError(410, "This download link has expired. Sign in again.")
    row.profile_issued_at = now
    row.save(update_fields=["profile_issued_at"])
    session = row.session
    session.status = EnrollmentSession.Status.PROFILE_ISSUED
    session.save(update_fields=["status"])
    return build_profile_for(session), session
