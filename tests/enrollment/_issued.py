"""An identity certificate recorded as issued for an enrollment session, and the identity a
device presenting it has: for tests that call the check-in service directly (two at once)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from devices.identity import DeviceIdentity


def identity_issued_for(reference: str, fingerprint: str) -> DeviceIdentity:
    """Record a certificate with `fingerprint` issued under `reference` (valid for a day) and
    return the identity of a device presenting it through its Mdm-Signature."""
    from mdm_server.pki.models import IssuedCertificate

    now = timezone.now()
    IssuedCertificate.objects.create(
        fingerprint=fingerprint,
        serial="1",
        subject="CN=one",
        not_before=now,
        not_after=now + dt.timedelta(days=1),
        pem="",
        reference=reference,
    )
    return DeviceIdentity(
        fingerprint=fingerprint,
        not_valid_before=now,
        not_valid_after=now + dt.timedelta(days=1),
        transport="signature",
    )
