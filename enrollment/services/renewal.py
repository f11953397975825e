"""The renewal profile of an enrolled device: its enrollment profile again, with a new identity
payload bound to the same enrollment and to the certificate it renews (devices.renewal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devices import binding
from devices.hooks import RenewalUnavailable
from devices.renewal import CHALLENGE_TTL
from enrollment import mdm_profile
from enrollment.models import EnrollmentSession
from enrollment.services.core import (
    EnrollmentError,
    IdentityRequest,
    build_enrollment_profile,
    default_configuration,
)

if TYPE_CHECKING:
    from devices.models import Enrollment


def _kind(enrollment: Enrollment, session: EnrollmentSession | None) -> mdm_profile.ProfileKind:
    kinds = mdm_profile.ProfileKind
    user = enrollment.enrollment_type == "user"
    if session is not None and session.kind == EnrollmentSession.Kind.ACCOUNT:
        return kinds.ACCOUNT_BYOD if user else kinds.ACCOUNT_ADDE
    return kinds.PROFILE_UE if user else kinds.DEVICE


def build_renewal_profile(enrollment: Enrollment) -> bytes:
    """The signed profile that renews this device channel's identity (RenewalUnavailable).

    The identity is issued for the channel's own enrollment session (or, for a channel that came
    from no session, for an administrator's grant of that channel), so that only this channel
    accepts it; the topic is the one the device enrolled with (Apple: it must not change)."""
    session = None
    if enrollment.enrollment_reference:
        session = EnrollmentSession.objects.filter(
            public_id=enrollment.enrollment_reference
        ).first()
    if session is not None and session.revoked_at is not None:
        raise RenewalUnavailable(
            "the enrollment session was revoked: the device must sign in and enroll again"
        )
    reference = (
        session.public_id
        if session is not None
        else binding.grant_reference(str(enrollment.public_id))
    )
    managed_apple_id = enrollment.device.managed_apple_id or (
        session.managed_apple_id if session else ""
    )
    configuration = (
        session.configuration if session is not None else None
    ) or default_configuration()
    identity = IdentityRequest(
        reference=reference,
        subject=f"MDM {enrollment.get_enrollment_type_display()} {str(enrollment.public_id)[:12]}",
        renews=enrollment.cert_fingerprint,
        challenge_ttl=int(CHALLENGE_TTL.total_seconds()),
    )
    try:
        return build_enrollment_profile(
            kind=_kind(enrollment, session),
            identity=identity,
            managed_apple_id=managed_apple_id,
            configuration=configuration,
            topic=enrollment.topic,
        )
    except EnrollmentError as exc:
        raise RenewalUnavailable(exc.message) from None
