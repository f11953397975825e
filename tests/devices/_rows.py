"""Helpers for console/API tests: many enrollment rows at once, and enrolled simulator devices."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from devices.services.inventory_queue import INVENTORY_ORIGIN, inventory_commands
from profiles.declarations.receivers import ENROLLMENT_ORIGIN
from tests.channels import bulk_create_channels, new_channel
from tests.simulator import SimulatedDevice


def bulk_devices(n: int, **fields: Any) -> None:
    """Insert n enrolled device rows in one statement (no simulator: list-speed tests)."""
    now = timezone.now()
    rows = []
    for i in range(n):
        kind = fields.get("enrollment_type", ("user", "device", "adde")[i % 3])
        ue = kind == "user"
        rows.append(
            new_channel(
                channel_key=f"bulk:{uuid.uuid4()}",
                enrollment_type=kind,
                platform=fields.get("platform", "iOS" if i % 4 else "macOS"),
                status=Enrollment.Status.ENROLLED,
                os_version=fields.get("os_version", f"{17 + i % 2}.{i % 5}"),
                device_name=fields.get("device_name", f"Bulk {i}"),
                enrollment_id=str(uuid.uuid4()).upper() if ue else None,
                udid=None if ue else str(uuid.uuid4()).upper(),
                serial_number=None if ue else f"SER{i:07d}",
                managed_apple_id=f"user{i}@example.org" if ue else "",
                enrolled_at=now,
                last_seen_at=now - dt.timedelta(days=i % 40, hours=1),
            )
        )
    bulk_create_channels(rows, batch_size=2000)


def enrolled(
    make_device: Callable[..., SimulatedDevice], **kwargs: Any
) -> tuple[SimulatedDevice, Enrollment]:
    """A simulator device that enrolled through the real check-in endpoints, and its row."""
    device = make_device(**kwargs)
    device.enroll()
    key = f"eid:{device.enrollment_id}" if device.user_enrollment else f"udid:{device.udid}"
    return device, Enrollment.objects.get(channel_key=key)


# What the server asks of every new channel: its inventory, and (once the enrollment is
# committed) the DeclarativeManagement that turns declarative management on.
AT_ENROLLMENT = (INVENTORY_ORIGIN, ENROLLMENT_ORIGIN)


def later_commands() -> QuerySet[Command]:
    """The commands a test queued: all but those asked when the enrollment completed."""
    return Command.objects.exclude(origin__in=AT_ENROLLMENT)


def later_deliveries() -> QuerySet[QueuedCommand]:
    """The queue rows of the commands a test queued (not those asked at enrollment)."""
    return QueuedCommand.objects.exclude(command__origin__in=AT_ENROLLMENT)


INVENTORY = frozenset(name for name, _ in inventory_commands(user_enrollment=False))
ASKED_AT_ENROLLMENT = INVENTORY | {"DeclarativeManagement"}


def drain_inventory(device: SimulatedDevice) -> None:
    """The device answers what the server asked when its enrollment completed (as a device
    pushed after its first TokenUpdate does): the inventory, and the DeclarativeManagement that
    turns declarative management on (queued after commit), so a test goes on from an empty
    queue."""
    answered = device.run(max_commands=len(ASKED_AT_ENROLLMENT))
    kinds = [r.request_type for r in answered]
    assert set(kinds) <= ASKED_AT_ENROLLMENT and len(kinds) == len(set(kinds)), kinds


def later_events() -> QuerySet[DeviceEvent]:
    """The device log without the entries of what was asked at enrollment."""
    inventory = Command.objects.filter(origin__in=AT_ENROLLMENT).values("uuid")
    return DeviceEvent.objects.exclude(command_uuid__in=inventory)
