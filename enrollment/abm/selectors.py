"""Reads of the ABM app that other parts of enrollment need (no service import: no cycle)."""

from __future__ import annotations

ADE_REFERENCE_PREFIX = "ade-"


def is_ade_reference(reference: str) -> bool:
    """An identity certificate issued by an ADE enrollment profile (its SCEP challenge's
    reference), which the device presents at Authenticate."""
    if not reference.startswith(ADE_REFERENCE_PREFIX):
        return False
    from enrollment.abm.models import AbmDevice

    return AbmDevice.objects.filter(enrollment_reference=reference).exists()
