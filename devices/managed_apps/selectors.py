"""Reads of managed apps for other pages (the console's device page)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from devices.hooks import DevicePanel
from devices.managed_apps.models import AppAssignment, AppInstall
from devices.managed_apps.services.assignments import will_not_apply_on
from devices.managed_apps.services.common import assignment_targets
from devices.models import Enrollment
from devices.services.common import target_for

MAX_AVAILABLE = 100  # available assignments looked at for one device page


def installs_of_device(enrollment: Enrollment) -> QuerySet[AppInstall]:
    """The app installs of a device channel and of its user channels, by app name: the ended
    ones too (Removed), for as long as the enrollment is kept."""
    return (
        AppInstall.objects.filter(Q(enrollment=enrollment) | Q(enrollment__parent=enrollment))
        .select_related("app", "enrollment")
        .order_by("app__name", "enrollment_id")
    )


@dataclass
class AvailableApp:
    """An available app that applies to a device: what of its install will not apply there
    (the capability filter's explanation), or why it cannot be installed at all."""

    assignment: AppAssignment
    explanation: list[str] = field(default_factory=list)
    refused: str = ""


def available_for_device(enrollment: Enrollment) -> list[AvailableApp]:
    """The available (not required) apps assigned to this enrolled device channel, for its
    platform, that are not on it or on their way: one per app."""
    if enrollment.channel != Enrollment.Channel.DEVICE:
        return []
    if enrollment.status != Enrollment.Status.ENROLLED:
        return []
    active = set(
        AppInstall.objects.filter(enrollment=enrollment)
        .exclude(status__in=(AppInstall.Status.REMOVED, AppInstall.Status.FAILED))
        .values_list("app_id", flat=True)
    )
    target = target_for(enrollment)
    out: list[AvailableApp] = []
    assignments = (
        AppAssignment.objects.filter(mode=AppAssignment.Mode.AVAILABLE)
        .exclude(app__in=active)
        .select_related("app")
        .order_by("app__name", "pk")[:MAX_AVAILABLE]
    )
    seen: set[int] = set()
    for assignment in assignments:
        app = assignment.app
        if app.pk in seen or (app.platforms and enrollment.device.platform not in app.platforms):
            continue
        if not assignment_targets(assignment).filter(pk=enrollment.pk).exists():
            continue
        seen.add(app.pk)
        item = AvailableApp(assignment)
        if target is None:
            item.refused = "the device has not reported its platform yet"
        else:
            lines = will_not_apply_on(assignment, target)
            refused = [line for line in lines if line.startswith("not installed: ")]
            item.refused = refused[0].removeprefix("not installed: ") if refused else ""
            item.explanation = [line for line in lines if line not in refused]
        out.append(item)
    return out


def device_panel(enrollment: Enrollment) -> DevicePanel:
    """The "Managed apps" panel of the console's device page (`devices.hooks.device_panels`):
    the apps installed there, and the available ones with an Install button."""
    return DevicePanel(
        template="managed_apps/_device_apps.html",
        context={
            "installs": list(installs_of_device(enrollment)[:200]),
            "available": available_for_device(enrollment),
            "device": enrollment,
        },
    )
