"""Reads of managed apps for other pages (the console's device page)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from devices.hooks import DevicePanel
from devices.managed_apps.models import AppInstall
from devices.models import Enrollment


def installs_of_device(enrollment: Enrollment) -> QuerySet[AppInstall]:
    """The app installs of a device channel and of its user channels, by app name: the ended
    ones too (Removed), for as long as the enrollment is kept."""
    return (
        AppInstall.objects.filter(Q(enrollment=enrollment) | Q(enrollment__parent=enrollment))
        .select_related("app", "enrollment")
        .order_by("app__name", "enrollment_id")
    )


def device_panel(enrollment: Enrollment) -> DevicePanel:
    """The "Managed apps" panel of the console's device page (`devices.hooks.device_panels`)."""
    return DevicePanel(
        template="managed_apps/_device_apps.html",
        context={"installs": list(installs_of_device(enrollment)[:200])},
    )
