"""Devices and their MDM channels (device and user channels), the command queue, device logs and
inventory."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from devices import lifecycle, renewal
from mdm_server import apple
from mdm_server.indexes import KeysetIndex


def fit(model: type[models.Model], field: str, value: str) -> str:
    """`value` cut to the width of `model.field`: text a device reports (an OSVersion, an app
    name) is kept as far as the column goes instead of failing the write with a DataError."""
    width = model._meta.get_field(field).max_length  # type: ignore[union-attr]
    return value[:width] if width is not None else value


# Columns of the device channel the console's device list sorts by; each has an index for its
# keyset pages. The device's own sortable columns are in DEVICE_SORTABLE_COLUMNS.
SORTABLE_COLUMNS = (
    "enrollment_type",
    "status",
    "last_seen_at",
    "enrolled_at",
)
# Columns of the Device the list sorts by (as `device__<column>` from the channel).
DEVICE_SORTABLE_COLUMNS = (
    "platform",
    "inventory_at",
    "managed_apple_id",
)


class Device(models.Model):
    """What the organisation knows about a piece of hardware, or, for a User Enrollment, about
    an anonymous enrollment: platform, ownership, model, OS, inventory and the person.

    Its MDM channels (`Enrollment`: the device channel and any user channels) point at it and
    carry the protocol state. A Device may exist before any channel: Apple Business Manager
    lists the serial numbers of devices the organisation bought (`enrollment.abm`). A User
    Enrollment's Device never holds a hardware identifier (UDID, serial number, IMEI, MEID):
    the database refuses them.
    """

    class Ownership(models.TextChoices):
        CORPORATE = "corporate", "Corporate"
        PERSONAL = "personal", "Personal (BYOD)"
        UNKNOWN = "unknown", "Unknown"

    # Fixed at creation: the Device of a User Enrollment (anonymous, no hardware identifiers).
    user_enrollment = models.BooleanField(default=False)
    platform = models.CharField(max_length=16, blank=True, db_index=True)
    ownership = models.CharField(
        max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN
    )

    # Hardware identifiers (never for a User Enrollment).
    udid = models.CharField(max_length=255, null=True, blank=True, db_index=True)
    serial_number = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    imei = models.CharField(max_length=64, null=True, blank=True)
    meid = models.CharField(max_length=64, null=True, blank=True)

    os_version = models.CharField(max_length=32, blank=True)
    build_version = models.CharField(max_length=32, blank=True)
    product_name = models.CharField(max_length=64, blank=True)
    model = models.CharField(max_length=64, blank=True)
    model_name = models.CharField(max_length=128, blank=True)
    device_name = models.CharField(max_length=255, blank=True)
    supervised = models.BooleanField(default=False)

    device_information = models.JSONField(default=dict, blank=True)
    security_info = models.JSONField(default=dict, blank=True)
    # When the device last answered DeviceInformation (how fresh its inventory is).
    inventory_at = models.DateTimeField(null=True, blank=True)

    # The person: the signed-in directory user (account-driven and portal enrollment), the
    # Managed Apple Account, and the user names a user channel reported.
    directory_user = models.ForeignKey(
        "directory.DirectoryUser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
    )
    managed_apple_id = models.CharField(max_length=255, blank=True, db_index=True)
    user_short_name = models.CharField(max_length=255, blank=True)
    user_long_name = models.CharField(max_length=255, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The device list's sortable device columns: keyset pages by (column, id).
            *(
                KeysetIndex(
                    models.F(column).desc(nulls_last=True),
                    models.F("id").desc(),
                    name=f"devices_dsort_{column}",
                )
                for column in DEVICE_SORTABLE_COLUMNS
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(
                    Q(user_enrollment=True)
                    & (
                        Q(udid__isnull=False)
                        | Q(serial_number__isnull=False)
                        | Q(imei__isnull=False)
                        | Q(meid__isnull=False)
                    )
                ),
                name="devices_ue_device_has_no_hardware_ids",
            ),
        ]

    def __str__(self) -> str:
        return self.device_name or self.product_name or self.model_name or f"device {self.pk}"

    def set_reported(self, **values: str | None) -> None:
        """Set text fields as the device reported them, each cut to its column (see `fit`)."""
        for name, value in values.items():
            setattr(self, name, None if value is None else fit(Device, name, value))

    @property
    def display_name(self) -> str:
        """What the console, CSV export and API call this device: the one naming rule.

        The name the device reported; else (a personal device rarely reports one, and ten rows
        of "iPhone16,2" tell nothing apart) the person and Managed Apple Account with the model.
        The directory account is used only when it was loaded with the row (no query per row).
        """
        if self.device_name:
            return self.device_name
        person = self.user_long_name
        if not person and "directory_user" in self._state.fields_cache:
            user = self.directory_user
            person = (user.display_name or user.username) if user else ""
        account = self.managed_apple_id
        who = f"{person} ({account})" if person and account else person or account
        product = self.model_name or self.product_name or self.platform
        if who:
            return f"{who} · {product}" if product else who
        return product or "Unnamed device"


class Enrollment(models.Model):
    """One MDM channel of a device: the device channel, or a user channel under it (`parent`).

    A channel holds protocol state only (its identifiers, pinned certificate, push token and
    magic, queue, last seen); what is known about the hardware and the person is its `Device`,
    shared by the device channel and its user channels. The protocol names a device channel by
    UDID (Device Enrollment) or EnrollmentID (User Enrollment): `channel_key` holds that name;
    the UDID itself is a hardware identifier, kept on the Device.

    A User Enrollment is known only by its EnrollmentID: its Device never has a UDID, serial
    number, IMEI or MEID, and re-enrolling the same phone yields a new, unrelated enrollment
    and Device.
    """

    Type = apple.EnrollmentType

    class Channel(models.TextChoices):
        DEVICE = "device", "Device channel"
        USER = "user", "User channel"

    class Status(models.TextChoices):
        PENDING = "pending", "Authenticated, waiting for TokenUpdate"
        ENROLLED = "enrolled", "Enrolled"
        UNENROLLED = "unenrolled", "Unenrolled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The one lookup key of this channel, e.g. "eid:<EnrollmentID>" or "udid:<UDID>/uid:<UserID>".
    channel_key = models.CharField(max_length=600, unique=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="channels")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="user_channels"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.DEVICE)
    enrollment_type = models.CharField(max_length=8, choices=Type.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)

    enrollment_id = models.CharField(max_length=255, null=True, blank=True)
    user_id = models.CharField(max_length=255, null=True, blank=True)
    enrollment_user_id = models.CharField(max_length=255, null=True, blank=True)

    # SHA-256 of the identity certificate pinned at Authenticate (device channel only).
    cert_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    # Set by the enrollment app: the enrollment session this device came from.
    enrollment_reference = models.CharField(max_length=64, blank=True, db_index=True)

    topic = models.CharField(max_length=255, blank=True)
    push_token = models.CharField(max_length=256, blank=True)
    push_magic = models.CharField(max_length=255, blank=True)
    push_token_dead = models.BooleanField(default=False)
    push_token_dead_reason = models.CharField(max_length=64, blank=True)
    unlock_token = models.BinaryField(null=True, blank=True)  # encrypted; never for User Enrollment
    bootstrap_token = models.BinaryField(null=True, blank=True)  # encrypted; never for UE
    awaiting_configuration = models.BooleanField(default=False)

    ddm_status = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    unenrolled_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    # When a TokenUpdate of this channel was last logged: one that changes nothing is logged
    # again only after MDM_TOKEN_UPDATE_LOG_MINUTES (a device repeats them at will).
    token_update_logged_at = models.DateTimeField(null=True, blank=True)
    # Its place in the inventory refresh period, fixed at creation (devices.lifecycle): refreshes
    # are spread evenly over the period instead of all at once.
    refresh_slot = models.PositiveIntegerField(default=lifecycle.random_slot)
    # The validity of the pinned identity certificate (device channel), and where its renewal
    # stands (devices.renewal): renewed before it expires, or after a CA rollover.
    identity_not_before = models.DateTimeField(null=True, blank=True)
    identity_not_after = models.DateTimeField(null=True, blank=True)
    renewal_status = models.CharField(
        max_length=12, choices=renewal.CHOICES, blank=True, default=""
    )
    renewal_requested_at = models.DateTimeField(null=True, blank=True)
    renewal_command_uuid = models.CharField(max_length=64, blank=True)
    renewal_detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["refresh_slot"],
                name="devices_refresh_slot",
                condition=Q(status="enrolled", parent__isnull=True),
            ),
            models.Index(fields=["enrollment_type", "status"], name="devices_type_status"),
            models.Index(fields=["status", "last_seen_at"]),
            # The channels that carry an enrollment session's reference, for a first
            # Authenticate's lookup of another channel holding the presented certificate's
            # reference (devices.hotpath.presented): the reference comes from the certificate
            # row read by the same statement, so the planner cannot tell it from the '' most
            # channels carry, and took the plain index for a scan of every channel.
            models.Index(
                fields=["enrollment_reference"],
                name="devices_enrollment_reference",
                condition=~Q(enrollment_reference=""),
            ),
            models.Index(
                fields=["identity_not_after"],
                name="devices_identity_expiry",
                condition=Q(status="enrolled", parent__isnull=True),
            ),
            # The device list's sortable columns: keyset pages by (column, id) over device
            # channels, read forwards or backwards (devices.console.COLUMNS).
            *(
                KeysetIndex(
                    models.F(column).desc(nulls_last=True),
                    models.F("id").desc(),
                    name=f"devices_sort_{column}",
                    condition=Q(parent__isnull=True),
                )
                for column in SORTABLE_COLUMNS
            ),
        ]
        constraints = [
            # A Device has one device channel; its user channels point at it too.
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(parent__isnull=True),
                name="devices_one_device_channel",
            ),
        ]

    def __str__(self) -> str:
        # The Device's name when it was loaded with the row: naming a channel never queries.
        device = self._state.fields_cache.get("device")
        name = str(device) if device is not None else self.channel_key
        return f"{name} ({self.get_enrollment_type_display()}, {self.channel})"

    @property
    def is_user_enrollment(self) -> bool:
        return self.enrollment_type == self.Type.USER

    @property
    def display_name(self) -> str:
        """The device's name (`Device.display_name`, the one naming rule)."""
        return self.device.display_name

    def set_reported(self, **values: str | None) -> None:
        """Set text fields as the device reported them, each cut to its column (see `fit`)."""
        for name, value in values.items():
            setattr(self, name, None if value is None else fit(Enrollment, name, value))

    @property
    def is_pushable(self) -> bool:
        return (
            self.status == self.Status.ENROLLED
            and bool(self.push_token)
            and bool(self.push_magic)
            and not self.push_token_dead
        )


class Command(models.Model):
    """A command built once and fanned out to any number of enrollments by reference."""

    uuid = models.CharField(max_length=64, unique=True)
    request_type = models.CharField(max_length=64, db_index=True)
    # The command's registry name (`devices.commands`): several share a RequestType (Unenroll
    # is a RemoveProfile), and what a result means is the command's, e.g. an acknowledged
    # Unenroll ends the enrollment. The database fills in "" for rows inserted without it.
    spec = models.CharField(max_length=64, blank=True, default="", db_default="")
    channel = models.CharField(
        max_length=8, choices=Enrollment.Channel.choices, default=Enrollment.Channel.DEVICE
    )
    priority = models.SmallIntegerField(default=50)
    # The exact reply body sent to the device (rendered plist with CommandUUID).
    body = models.BinaryField()
    # What the capability filter needs to re-check at delivery without parsing the body.
    command_keys = models.JSONField(default=list, blank=True)
    payload_summary = models.JSONField(default=list, blank=True)
    # A readable copy of the command for the console (secrets and large data left out).
    display = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    target_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.request_type} {self.uuid}"


class QueuedCommand(models.Model):
    """One enrollment's copy of a command: its place in the queue, then its result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent, waiting for result"
        NOT_NOW = "notnow", "Device said NotNow"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ERROR = "error", "Error"
        FORMAT_ERROR = "formaterror", "Command format error"
        DROPPED = "dropped", "Dropped (not allowed for this device)"
        CANCELED = "canceled", "Canceled"

    PENDING = (Status.QUEUED, Status.SENT, Status.NOT_NOW)

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="queue")
    command = models.ForeignKey(Command, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    priority = models.SmallIntegerField(default=50)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    not_now_count = models.PositiveIntegerField(default=0)
    result = models.BinaryField(null=True, blank=True)
    error_chain = models.JSONField(null=True, blank=True)
    status_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "command"], name="devices_queue_once"),
        ]
        indexes = [
            # The hot query: next pending command of one enrollment, by priority then age.
            models.Index(
                fields=["enrollment", "-priority", "id"],
                name="devices_queue_pending",
                condition=Q(status__in=["queued", "sent", "notnow"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.command_id} → {self.enrollment_id}: {self.status}"


class DeviceEvent(models.Model):
    """The device log: check-ins, commands sent, results, pushes and filter decisions."""

    class Kind(models.TextChoices):
        CHECKIN = "checkin", "Check-in"
        COMMAND = "command", "Command sent"
        RESULT = "result", "Command result"
        FILTER = "filter", "Capability filter"
        PUSH = "push", "Push"
        ENROLLMENT = "enrollment", "Enrollment"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    action = models.CharField(max_length=64)
    status = models.CharField(max_length=32, blank=True)
    command_uuid = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["enrollment", "-created_at"]),
            models.Index(fields=["enrollment", "action"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.status}"


class InstalledApplication(models.Model):
    """From InstalledApplicationList / ManagedApplicationList (UE: managed apps only)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="apps")
    identifier = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    version = models.CharField(max_length=64, blank=True)
    short_version = models.CharField(max_length=64, blank=True)
    is_managed = models.BooleanField(default=False)
    status = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "identifier"], name="devices_app_once")
        ]

    def __str__(self) -> str:
        return self.name or self.identifier


class InstalledProfile(models.Model):
    """From ProfileList: what is installed, as the device reports it."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="profiles")
    identifier = models.CharField(max_length=255)
    uuid = models.CharField(max_length=64, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    organization = models.CharField(max_length=255, blank=True)
    is_managed = models.BooleanField(default=True)
    payload_types = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "identifier"], name="devices_profile_once"
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.identifier


class InstalledCertificate(models.Model):
    """From CertificateList."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="certificates"
    )
    common_name = models.CharField(max_length=255, blank=True)
    is_identity = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64)
    not_after = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["common_name"]

    def __str__(self) -> str:
        return self.common_name or self.fingerprint


class LifecycleSettings(models.Model):
    """The administrator's lifecycle settings (one row, edited in the console's Settings page):
    how often inventory is refreshed, when a silent device is probably gone, and how long what
    is left of an ended User Enrollment is kept."""

    inventory_refresh_hours = models.PositiveIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="Ask every enrolled device for its inventory this often.",
    )
    gone_after_days = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="A device silent this long (or whose push token APNs says is gone) is "
        "listed as probably gone.",
    )
    retention_days = models.PositiveIntegerField(
        default=30,
        validators=[MaxValueValidator(3650)],
        help_text="What is left of an ended User Enrollment (Managed Apple ID, managed-app "
        "inventory, device log) is deleted this long after it ended.",
    )
    renewal_window_days = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(2), MaxValueValidator(180)],
        help_text="Renew a device's identity certificate this long before it expires (without "
        "user action; spread over the first half of this window).",
    )
    server_certificate_warning_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="The dashboard warns this long before the server CA or the profile-signing "
        "certificate expires.",
    )
    # The end of the window the last inventory refresh run covered.
    refreshed_through = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "lifecycle settings"
        verbose_name_plural = "lifecycle settings"

    def __str__(self) -> str:
        return "Lifecycle settings"

    @classmethod
    def load(cls) -> LifecycleSettings:
        """The settings, or the defaults while nobody has saved them (reading writes nothing)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class SavedFilter(models.Model):
    """A device-list filter an administrator or helpdesk account saved under a name, for itself."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_device_filters"
    )
    name = models.CharField(max_length=80)
    # The list's query string (search, filters, sort, columns), without page cursors.
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="devices_saved_filter_name")
        ]

    def __str__(self) -> str:
        return self.name
