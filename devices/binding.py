"""Which identity certificate may authenticate which device channel (enrollment takeover rules).

Pure: the check-in service gathers the facts (the channel's stored enrollment, the issuance
record of the certificate, the enrollment session it was issued for) and asks `refusal`.

Every certificate we issue is recorded with the enrollment session it was issued for (its
reference: the session's id, or `grant_reference` for an administrator's re-enrollment). A
session becomes one channel: the first Authenticate with one of its certificates binds them. A
channel is pinned to the certificate of its last Authenticate. An Authenticate for a channel that
exists is accepted only

- with the channel's pinned certificate (while it is not checked out), or
- with a certificate issued for a new enrollment of that same channel: under the channel's own
  session (a renewal), under an administrator's grant for the channel, or for a new session of
  the person the channel belongs to (a fresh sign-in), or
- when the channel was checked out (the device was reset or handed over), with any certificate
  that is itself free.

A certificate issued under an administrator's grant (or for the renewal of a channel that came
from no session) authenticates that channel only: never a new channel nor a checked-out one.

A certificate is never free when it is revoked, pinned to another channel (even a checked-out
one), or issued for a session that is revoked or already bound to another channel.

A certificate issued for a session enrolls the kind of enrollment the session was for
(`kind_refusal`): a User Enrollment's identity never authenticates a UDID, nor another kind's an
EnrollmentID.

A UDID is the device's word, except where Apple vouches for it: an Automated Device Enrollment's
identity is issued after Apple's device CA signed the device's MachineInfo, UDID included. Such an
identity authenticates that UDID only (`vouch_refusal`), and takes that UDID's channel from an
enrollment nobody vouched for (a profile-based enrollment that named the UDID first: `takes_over`),
as a new enrollment of a new Device; a channel Apple vouched for is never taken that way.

A renewal (`is_renewal`) moves the pin of a channel to the certificate issued to renew the one
it is pinned to, under one of the channel's own references, on any request (Authenticate, other
check-ins, the command channel). The old certificate keeps working until the new one is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from mdm_server.apple import EnrollmentType

GRANT_PREFIX = "enrollment:"


def grant_reference(enrollment_public_id: str) -> str:
    """The issuance reference an administrator's re-enrollment of one channel uses."""
    return f"{GRANT_PREFIX}{enrollment_public_id}"


@dataclass(frozen=True, slots=True)
class Channel:
    """The stored enrollment of the channel an Authenticate names."""

    pinned: str  # fingerprint of the certificate of its last Authenticate ("" when none)
    checked_out: bool
    person: int | None  # the directory user it belongs to
    references: frozenset[str]  # issuance references of its own: its session, the admin grant
    pinned_renews: str = ""  # the certificate the pinned one renewed ("" when not a renewal)
    # Apple's signature vouched for its UDID when its enrollment's identity was issued (an
    # Automated Device Enrollment's signed MachineInfo); False when the UDID was its own word.
    vouched: bool = False


@dataclass(frozen=True, slots=True)
class Certificate:
    """The identity certificate of the Authenticate, and what we know about its issuance."""

    fingerprint: str
    revoked: bool = False
    reference: str = ""  # what it was issued for ("" when we have no issuance record)
    session_revoked: bool = False  # the enrollment session it was issued for was revoked
    session_person: int | None = None  # the person who signed in for that session
    held_elsewhere: bool = False  # pinned to another channel, or its session bound to one
    renews: str = ""  # fingerprint of the certificate it was issued to renew ("" for none)
    # Apple's signature vouched, when it was issued, for the UDID this Authenticate names.
    vouched: bool = False


TAKEN = "this identity certificate belongs to another enrollment"
# The session's bind matched nothing: another Authenticate bound it, or it was revoked, while
# this one was being decided.
LOST = "this identity certificate belongs to another enrollment, or its enrollment was revoked"
HELD = (
    "this enrollment belongs to another identity certificate: enroll again as its user, or "
    "have an administrator unenroll it first"
)


def refusal(channel: Channel | None, certificate: Certificate) -> str | None:
    """Why this Authenticate is refused (answered 403 with it), or None to accept it."""
    if certificate.revoked:
        return "the identity certificate has been revoked"
    if certificate.held_elsewhere:
        return TAKEN
    if certificate.session_revoked:
        return "the enrollment this identity certificate was issued for was revoked: enroll again"
    granted_elsewhere = certificate.reference.startswith(GRANT_PREFIX) and (
        channel is None or certificate.reference not in channel.references
    )
    if channel is None:
        # Issued to re-enroll or renew one channel (an administrator's grant, the renewal of a
        # channel without a session): that channel and no other, not even a new or released one.
        return TAKEN if granted_elsewhere else None  # a new channel
    if channel.pinned == certificate.fingerprint:
        if channel.checked_out:
            return "this identity certificate was checked out: enroll again for a new one"
        return None  # the device authenticates again
    if channel.checked_out:
        # A released channel: a new enrollment of the device (not with another's grant).
        return TAKEN if granted_elsewhere else None
    if certificate.reference and certificate.reference in channel.references:
        return None
    if certificate.session_person is not None and certificate.session_person == channel.person:
        return None
    if certificate.vouched and not channel.vouched:
        # The device Apple vouches for takes its UDID's channel from whoever opened it first
        # under that UDID on nothing but its own word (`takes_over`).
        return None
    return HELD


def takes_over(channel: Channel | None, certificate: Certificate) -> bool:
    """Whether an accepted Authenticate takes a channel (enrolled or checked out) from an
    enrollment that is not the device's: Apple vouches for this certificate's UDID and not for
    the channel's. The channel is then a new enrollment of a new Device (nothing of the other's
    Device is inherited, even when the other checked out first)."""
    return (
        channel is not None
        and certificate.vouched
        and not channel.vouched
        and certificate.fingerprint != channel.pinned
        and certificate.reference not in channel.references
    )


def vouch_refusal(vouched_udid: str, udid: str | None) -> str | None:
    """Why an Authenticate is refused whose certificate was issued to a device Apple vouched for
    under another UDID than the one it names (None: it names that one, or nobody vouched)."""
    if vouched_udid and udid != vouched_udid:
        return "this identity certificate was issued for another device"
    return None


def kind_refusal(session_type: str, *, sends_enrollment_id: bool) -> str | None:
    """Why an Authenticate is refused whose identifiers are not those of the kind of enrollment
    its certificate's session was for (None: they are, or the certificate came from no
    session). A User Enrollment profile makes the device send EnrollmentID, any other kind the
    UDID: the organisation chose the kind at sign-in, and a device that names itself otherwise
    would be taken for another kind (a company device, with what only those get)."""
    if not session_type or (session_type == EnrollmentType.USER) == sends_enrollment_id:
        return None
    if sends_enrollment_id:
        return "this identity certificate was issued for a Device Enrollment: send the UDID"
    return "this identity certificate was issued for a User Enrollment: send the EnrollmentID"


def is_renewal(channel: Channel | None, certificate: Certificate) -> bool:
    """Whether `certificate` renews the identity this channel is pinned to: issued to replace
    exactly that certificate (or the one the pinned certificate itself replaced: a renewal
    asked twice, whose second profile the device installed after the first), under one of the
    channel's own references, neither revoked nor held elsewhere, for a channel still enrolled.
    Accepted for that channel only."""
    return (
        channel is not None
        and not channel.checked_out
        and bool(channel.pinned)
        and bool(certificate.renews)
        and certificate.renews in (channel.pinned, channel.pinned_renews)
        and certificate.fingerprint != channel.pinned
        and bool(certificate.reference)
        and certificate.reference in channel.references
        and not certificate.revoked
        and not certificate.held_elsewhere
        and not certificate.session_revoked
    )
