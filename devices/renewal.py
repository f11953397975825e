"""Identity renewal decisions, pure: when a device's identity certificate is renewed, how, and
what the console says about it.

Apple ("Managing certificates for MDM servers and devices"): replace the profile that contains
the MDM payload before any certificate in it expires. The server does so with `InstallProfile`
of an updated enrollment profile: same PayloadIdentifier, Topic and ServerURL (a changed Topic is
an error on the device), and a new SCEP identity payload whose one-time challenge is bound to the
device's own enrollment and to the certificate it renews (devices.binding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from devices.lifecycle import SLOTS
from mdm_server.apple import EnrollmentType

# A renewal the device has not completed is asked again after this long (the previous
# InstallProfile is then canceled): a device may be switched off for days.
RETRY_AFTER = dt.timedelta(days=3)
# How long the SCEP challenge of a renewal profile stays usable.
CHALLENGE_TTL = RETRY_AFTER + dt.timedelta(days=1)
# At most this many renewals are queued per scheduled run (every 15 minutes): a CA rollover of
# 100,000 devices is spread over a day instead of one burst of signed profiles and pushes.
BATCH = 1000
ORIGIN = "identity renewal"


class Status(StrEnum):
    NONE = ""
    REQUESTED = "requested"
    RENEWED = "renewed"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"


LABELS = {
    Status.NONE: "Not needed yet",
    Status.REQUESTED: "Renewal sent, waiting for the device",
    Status.RENEWED: "Renewed",
    Status.FAILED: "Renewal failed",
    Status.UNSUPPORTED: "Cannot be renewed automatically",
}
CHOICES = [(status.value, LABELS[status]) for status in Status]


class Path(StrEnum):
    """How an identity is renewed."""

    INSTALL_PROFILE = "install-profile"  # updated enrollment profile through InstallProfile
    NONE = "none"


@dataclass(frozen=True)
class PathDecision:
    path: Path
    reason: str


def path_for(*, enrollment_type: str, platform: str, has_identity_record: bool) -> PathDecision:
    """The renewal path of a device channel. Every enrollment kind this server supports (profile-
    based and account-driven User Enrollment, Device Enrollment, account-driven Device
    Enrollment) on iOS, iPadOS and macOS accepts an updated MDM profile through InstallProfile
    (the com.apple.mdm payload allows User Enrollment). An identity we did not issue (an
    external CA) is not ours to renew."""
    if not has_identity_record:
        return PathDecision(
            Path.NONE, "the identity certificate was not issued by this server's CA"
        )
    if platform not in ("iOS", "iPadOS", "macOS"):
        return PathDecision(
            Path.NONE, f"renewal on {platform or 'an unknown platform'} is not built"
        )
    if enrollment_type not in set(EnrollmentType):
        return PathDecision(Path.NONE, f"unknown enrollment type {enrollment_type!r}")
    return PathDecision(Path.INSTALL_PROFILE, "")


# Renewals are staggered in this many steps over the first half of the window (a device's step
# is its refresh slot's bucket): a fleet enrolled in one day is not renewed in one run.
STAGGER_STEPS = 32


def stagger_bucket(slot: int) -> int:
    """The stagger step of a refresh slot, in [0, STAGGER_STEPS)."""
    return slot * STAGGER_STEPS // SLOTS


def stagger(window: dt.timedelta, bucket: int) -> dt.timedelta:
    """How much later than the window's start a device of this bucket is first due."""
    return window / 2 * bucket / STAGGER_STEPS


def bucket_slots(bucket: int) -> tuple[int, int]:
    """The half-open range of refresh slots in a bucket (for the services' query)."""
    low = -(-bucket * SLOTS // STAGGER_STEPS)  # the first slot s with stagger_bucket(s) == bucket
    high = -(-(bucket + 1) * SLOTS // STAGGER_STEPS)
    return low, high


def renewal_starts(*, not_after: dt.datetime, window: dt.timedelta, slot: int) -> dt.datetime:
    """When the renewal of a certificate expiring at `not_after` is first due (the services'
    query asks the same, one comparison per bucket)."""
    return not_after - window + stagger(window, stagger_bucket(slot))


def is_due(
    *,
    not_before: dt.datetime | None,
    not_after: dt.datetime | None,
    slot: int,
    now: dt.datetime,
    window: dt.timedelta,
    ca_since: dt.datetime | None,
    requested_at: dt.datetime | None,
) -> bool:
    """Whether a device channel's identity is to be renewed now: inside its renewal window, or
    issued by a CA generation older than the active one (`ca_since`: its start), and no renewal
    asked within RETRY_AFTER."""
    if not_after is None:
        return False
    if requested_at is not None and now - requested_at < RETRY_AFTER:
        return False
    if renewal_starts(not_after=not_after, window=window, slot=slot) <= now:
        return True
    return ca_since is not None and not_before is not None and not_before < ca_since
