"""What the enrollment app's device hooks ask of ABM at Authenticate: is this certificate's
issuance reference an ADE enrollment, and binding the channel to its ABM device. Imports only
the models, so that enrollment.services can import it without a cycle."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

ADE_REFERENCE_PREFIX = "ade-"


def is_ade_reference(reference: str) -> bool:
    """An identity certificate issued by an ADE enrollment profile (its SCEP challenge's
    reference), which the device presents at Authenticate."""
    if not reference.startswith(ADE_REFERENCE_PREFIX):
        return False
    from enrollment.abm.models import AbmDevice

    return AbmDevice.objects.filter(enrollment_reference=reference).exists()


def known_device(reference: str) -> tuple[int | None, str]:
    """For this ADE enrollment session: the Device ABM made known (before the device enrolled),
    and the UDID Apple's signature vouched for at its profile request ("" when none)."""
    from enrollment.abm.models import AbmDevice

    found = (
        AbmDevice.objects.filter(enrollment_reference=reference)
        .values_list("device_id", "vouched_udid")
        .first()
    )
    if found is None:
        return None, ""
    device_id, vouched_udid = found
    return (int(device_id) if device_id is not None else None), vouched_udid


def bind_ade_enrollment(enrollment: Any) -> bool:
    """Authenticate accepted: the ABM device of the certificate's reference becomes this
    channel (linked by the serial number it enrolled with). False when another channel of the
    same reference holds it (a concurrent Authenticate with the same certificate). A channel
    linked only by the serial number it reported (a profile-based Device Enrollment, whose
    serial nobody vouches for) gives way: it cannot keep the real device out."""
    from devices.models import Device
    from enrollment.abm.models import AbmDevice

    reference = enrollment.enrollment_reference
    device = (
        AbmDevice.objects.select_related("profile")
        .filter(enrollment_reference=reference)
        .filter(
            Q(enrollment__isnull=True)
            | Q(enrollment_id=enrollment.pk)
            | ~Q(enrollment__enrollment_reference=reference)
        )
        .first()
    )
    if device is None:
        return False
    AbmDevice.objects.filter(pk=device.pk).update(
        enrollment_id=enrollment.pk, device_id=enrollment.device_id, enrolled_at=timezone.now()
    )
    # Supervision is decided by the ABM profile Setup Assistant received (every ADE iPhone and
    # iPad is supervised since iOS 13); Authenticate does not carry it, and the supervised-only
    # commands of Setup Assistant (DeviceConfigured) need it before the first DeviceInformation.
    if device.profile is None or device.profile.supervised:
        Device.objects.filter(pk=enrollment.device_id).update(supervised=True)
        enrollment.device.supervised = True
    return True
