"""Channel rows for tests that need enrollments without enrolling a simulated device: the fields
given are split between the channel (`Enrollment`) and its `Device`, as check-in writes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from devices.models import Device, Enrollment

DEVICE_FIELDS = frozenset(
    {f.name for f in Device._meta.concrete_fields if not f.primary_key}
    | {f.attname for f in Device._meta.concrete_fields if not f.primary_key}
) - {"created_at"}


def new_channel(*, device: Device | None = None, **fields: Any) -> Enrollment:
    """An unsaved channel with its unsaved Device (a user channel shares its parent's Device)."""
    on_device = {k: v for k, v in fields.items() if k in DEVICE_FIELDS}
    on_channel = {k: v for k, v in fields.items() if k not in DEVICE_FIELDS}
    if device is None:
        parent = on_channel.get("parent")
        if parent is not None:
            device = parent.device  # a user channel shares its device channel's Device
        else:
            on_device.setdefault("user_enrollment", on_channel.get("enrollment_type") == "user")
            device = Device(**on_device)
    return Enrollment(device=device, **on_channel)


def save_channel(channel: Enrollment) -> Enrollment:
    if channel.device.pk is None:
        channel.device.save()
    channel.device = channel.device  # the saved Device's id
    channel.save()
    return channel


def create_channel(**fields: Any) -> Enrollment:
    return save_channel(new_channel(**fields))


def bulk_create_channels(rows: Sequence[Enrollment], batch_size: int | None = None) -> None:
    """`Enrollment.objects.bulk_create` of new channels, their Devices first."""
    new = {id(r.device): r.device for r in rows if r.device.pk is None}
    Device.objects.bulk_create(list(new.values()), batch_size)
    for row in rows:
        row.device = row.device
    Enrollment.objects.bulk_create(rows, batch_size=batch_size)
