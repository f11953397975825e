"""django-filter FilterSets shared by the devices console and the REST API."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from devices.capabilities import Platform
from devices.models import (
    Command,
    Device,
    DeviceEvent,
    Enrollment,
    LifecycleSettings,
    QueuedCommand,
)
from devices.services import lifecycle
from directory.models import DirectoryGroup

PLATFORM_CHOICES = [(p.value, p.value) for p in Platform]
MAX_DAYS = 3650
PROBABLY_GONE = "probably_gone"


class DeviceFilterSet(django_filters.FilterSet):
    """Search and filters of the device list (console list, CSV export and API)."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=200)
    enrollment_type = django_filters.ChoiceFilter(
        choices=Enrollment.Type.choices, label="Enrollment type"
    )
    platform = django_filters.ChoiceFilter(choices=PLATFORM_CHOICES, field_name="device__platform")
    ownership = django_filters.ChoiceFilter(
        choices=Device.Ownership.choices, field_name="device__ownership"
    )
    os_version = django_filters.CharFilter(
        method="os_prefix", label="OS version", max_length=32, help_text='"18" matches 18.x'
    )
    status = django_filters.ChoiceFilter(
        choices=[*Enrollment.Status.choices, (PROBABLY_GONE, "Probably gone")],
        method="filter_status",
    )
    group = django_filters.ModelChoiceFilter(
        queryset=DirectoryGroup.objects.all(),
        field_name="device__directory_user__groups",
        label="Group",
    )
    seen_within = django_filters.NumberFilter(
        method="filter_seen_within", label="Seen within (days)", min_value=1, max_value=MAX_DAYS
    )
    not_seen_for = django_filters.NumberFilter(
        method="filter_not_seen_for", label="Not seen for (days)", min_value=1, max_value=MAX_DAYS
    )

    class Meta:
        model = Enrollment
        fields: list[str] = []

    def search(self, qs: QuerySet[Enrollment], name: str, value: str) -> QuerySet[Enrollment]:
        value = value.strip()
        if not value:
            return qs
        cond = (
            Q(device__device_name__icontains=value)
            | Q(device__model_name__icontains=value)
            | Q(device__product_name__icontains=value)
            | Q(device__managed_apple_id__icontains=value)
            | Q(device__user_long_name__icontains=value)
            | Q(device__user_short_name__icontains=value)
            | Q(device__directory_user__username__icontains=value)
            # Part of a serial number or UDID finds a Device Enrollment (a User Enrollment never
            # stores them, so it never matches).
            | Q(device__serial_number__icontains=value)
            | Q(device__udid__icontains=value)
            | Q(enrollment_id__iexact=value)
        )
        with contextlib.suppress(ValueError):
            cond |= Q(public_id=uuid.UUID(value))
        return qs.filter(cond)

    def filter_status(
        self, qs: QuerySet[Enrollment], name: str, value: str
    ) -> QuerySet[Enrollment]:
        if value == PROBABLY_GONE:
            days = LifecycleSettings.load().gone_after_days
            return qs.filter(lifecycle.probably_gone_q(days=days))
        return qs.filter(status=value)

    def os_prefix(self, qs: QuerySet[Enrollment], name: str, value: str) -> QuerySet[Enrollment]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(device__os_version=value) | Q(device__os_version__startswith=value + ".")
        )

    def filter_seen_within(
        self, qs: QuerySet[Enrollment], name: str, value: Any
    ) -> QuerySet[Enrollment]:
        return qs.filter(last_seen_at__gte=timezone.now() - dt.timedelta(days=int(value)))

    def filter_not_seen_for(
        self, qs: QuerySet[Enrollment], name: str, value: Any
    ) -> QuerySet[Enrollment]:
        cutoff = timezone.now() - dt.timedelta(days=int(value))
        return qs.filter(Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True))


class _DateRangeForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "must not be before the start date")
        return data


class DeviceEventFilterSet(django_filters.FilterSet):
    """Filters of a device's Logs tab and of the logs API."""

    action = django_filters.CharFilter(field_name="action", lookup_expr="iexact", max_length=64)
    status = django_filters.CharFilter(field_name="status", lookup_expr="iexact", max_length=32)
    kind = django_filters.ChoiceFilter(choices=DeviceEvent.Kind.choices)
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = DeviceEvent
        fields: list[str] = []
        form = _DateRangeForm


class DeliveryFilterSet(django_filters.FilterSet):
    """Filters of a device's command list."""

    status = django_filters.ChoiceFilter(choices=QueuedCommand.Status.choices)
    request_type = django_filters.CharFilter(
        field_name="command__request_type", lookup_expr="iexact", max_length=64
    )

    class Meta:
        model = QueuedCommand
        fields: list[str] = []


class CommandFilterSet(django_filters.FilterSet):
    """Filters of the command list (API)."""

    request_type = django_filters.CharFilter(lookup_expr="iexact", max_length=64)
    origin = django_filters.CharFilter(lookup_expr="icontains", max_length=120)
    created_by = django_filters.CharFilter(
        field_name="created_by__username", lookup_expr="iexact", max_length=150
    )

    class Meta:
        model = Command
        fields: list[str] = []


class CommandOverviewFilterSet(django_filters.FilterSet):
    """Filters of the console's commands page across devices."""

    PENDING, ERRORS, DONE = "pending", "errors", "done"
    STATE_CHOICES = [
        (PENDING, "Still pending on some devices"),
        (ERRORS, "Failed on some devices"),
        (DONE, "Finished on every device"),
    ]

    request_type = django_filters.CharFilter(lookup_expr="iexact", max_length=64, label="Command")
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, method="filter_state")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Command
        fields: list[str] = []
        form = _DateRangeForm

    def filter_state(self, qs: QuerySet[Command], name: str, value: str) -> QuerySet[Command]:
        # EXISTS on the (command, status) rows: stops at the first match however many targets.
        def having(statuses: Any) -> Exists:
            return Exists(
                QueuedCommand.objects.filter(command=OuterRef("pk"), status__in=list(statuses))
            )

        errors = (QueuedCommand.Status.ERROR, QueuedCommand.Status.FORMAT_ERROR)
        if value == self.PENDING:
            return qs.filter(having(QueuedCommand.PENDING))
        if value == self.ERRORS:
            return qs.filter(having(errors))
        return qs.filter(~having(QueuedCommand.PENDING))


class TargetFilterSet(django_filters.FilterSet):
    """Filters of one command's targets on its console page."""

    status = django_filters.ChoiceFilter(choices=QueuedCommand.Status.choices)

    class Meta:
        model = QueuedCommand
        fields: list[str] = []
