"""The identity pin of a device channel: every request's certificate must be the pinned one,
or the renewal of it (devices.binding.is_renewal), which then takes over the pin."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from devices import binding, hooks, protocol, renewal
from devices.exceptions import CheckinRejected
from devices.identity import DeviceIdentity
from devices.models import DeviceEvent, Enrollment, QueuedCommand
from devices.services.common import _log
from mdm_server.pki import services as pki
from mdm_server.pki.models import IssuedCertificate


def _check_pin(enrollment: Enrollment, identity: DeviceIdentity) -> None:
    # A device channel has no parent: its own pin, without asking the relation (every poll).
    device = (enrollment.parent if enrollment.parent_id is not None else None) or enrollment
    # A renewed identity takes over the pin on its first use (devices.binding.is_renewal).
    if (
        device.cert_fingerprint
        and device.cert_fingerprint != identity.fingerprint
        and not adopt_renewed_identity(device, identity)
    ):
        raise CheckinRejected(403, "this identity certificate belongs to another enrollment")


def channel_of(
    enrollment: Enrollment, *, pinned_renews: str = "", vouched: bool = False
) -> binding.Channel:
    """What the binding rules need of a stored device channel."""
    return binding.Channel(
        pinned_renews=pinned_renews,
        vouched=vouched,
        pinned=enrollment.cert_fingerprint,
        checked_out=enrollment.status == Enrollment.Status.UNENROLLED,
        person=enrollment.device.directory_user_id,
        references=frozenset(
            r
            for r in (
                enrollment.enrollment_reference,
                binding.grant_reference(str(enrollment.public_id)),
            )
            if r
        ),
    )


def pinned_renews(device: Enrollment, certificate: binding.Certificate) -> str:
    """What the channel's pinned certificate renewed, read only when it matters: the candidate
    renews a certificate other than the pin (a sibling renewal, see binding.is_renewal)."""
    if not certificate.renews or certificate.renews == device.cert_fingerprint:
        return ""
    pinned = (
        pki.find_issued_certificate(device.cert_fingerprint) if device.cert_fingerprint else None
    )
    return pinned.renews if pinned is not None else ""


def adopt_identity(
    device: Enrollment, identity: DeviceIdentity, issued: IssuedCertificate, *, via: str
) -> None:
    """Move the pin of a (locked) device channel to its renewed identity; the old certificate
    is revoked, everything else of the enrollment stays (status, push token, queue)."""
    old = device.cert_fingerprint
    device.cert_fingerprint = identity.fingerprint
    device.identity_not_before = identity.not_valid_before
    device.identity_not_after = identity.not_valid_after
    device.renewal_status = renewal.Status.RENEWED
    device.renewal_detail = f"renewed through {via}"
    device.save(
        update_fields=[
            "cert_fingerprint",
            "identity_not_before",
            "identity_not_after",
            "renewal_status",
            "renewal_detail",
        ]
    )
    pki.revoke_issued_certificate(fingerprint=old, reason="renewed: replaced by its successor")
    # Another renewal still waiting is of no more use (one the device is answering now stays:
    # a sibling renewal is accepted, binding.is_renewal).
    QueuedCommand.objects.filter(
        enrollment=device,
        command__origin=renewal.ORIGIN,
        status__in=(QueuedCommand.Status.QUEUED, QueuedCommand.Status.NOT_NOW),
    ).update(
        status=QueuedCommand.Status.CANCELED,
        status_reason="the identity was renewed meanwhile",
        completed_at=timezone.now(),
    )
    _log(
        device,
        DeviceEvent.Kind.ENROLLMENT,
        "IdentityRenewed",
        "ok",
        detail={
            "previous": old,
            "certificate": identity.fingerprint,
            "not_after": identity.not_valid_after.isoformat(),
            "via": via,
            "source": issued.source,
        },
    )


def _session_revoked(device: Enrollment, reference: str) -> bool:
    """Whether the enrollment session a certificate was issued under was revoked, as the
    Authenticate of that certificate would read it (the enrollment app answers)."""
    if not reference:
        return False
    ids = protocol.EnrollmentIds(
        udid=None if device.enrollment_id else device.channel_key.removeprefix("udid:"),
        enrollment_id=device.enrollment_id or None,
    )
    context = hooks.resolve_enrollment(ids, reference, None)
    return context is not None and context.session_revoked


def adopt_renewed_identity(device: Enrollment, identity: DeviceIdentity) -> bool:
    """A request signed by a certificate other than the pinned one: True when it is the renewal
    of the pinned identity (devices.binding.is_renewal), which then becomes the pin."""
    issued = pki.find_issued_certificate(identity.fingerprint)
    if issued is None or not issued.renews:
        return False
    with transaction.atomic():
        row = Enrollment.objects.select_for_update().filter(pk=device.pk).first()
        if row is None:
            return False
        if row.cert_fingerprint == identity.fingerprint:
            device.cert_fingerprint = identity.fingerprint
            return True  # adopted by a concurrent request
        held = (
            Enrollment.objects.filter(cert_fingerprint=identity.fingerprint, parent__isnull=True)
            .exclude(pk=row.pk)
            .exists()
        )
        certificate = binding.Certificate(
            fingerprint=identity.fingerprint,
            revoked=issued.revoked_at is not None,
            reference=issued.reference,
            session_revoked=_session_revoked(row, issued.reference),
            held_elsewhere=held,
            renews=issued.renews,
        )
        channel = channel_of(row, pinned_renews=pinned_renews(row, certificate))
        if not binding.is_renewal(channel, certificate):
            return False
        adopt_identity(row, identity, issued, via="first use")
    device.cert_fingerprint = identity.fingerprint
    return True
