"""Apps and Books locations, the app catalogue, assignments, licences and per-device installs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class AppsBooksToken(models.Model):
    """A location's content token (sToken, from a `.vpptoken` file), encrypted at rest."""

    name = models.CharField(max_length=120, unique=True)
    org_name = models.CharField(max_length=200, blank=True)
    location_name = models.CharField(max_length=200, blank=True)
    encrypted_token = models.BinaryField(editable=False)
    expires_at = models.DateTimeField()
    # This server's `mdmInfo.id` in the location's client configuration: another MDM that takes
    # the token over writes its own, and we notice (a conflict, shown to the admin).
    client_context = models.CharField(max_length=64, default=uuid.uuid4, editable=False)
    conflict = models.CharField(max_length=300, blank=True)
    # Where Apple's notifications for this location arrive (/apps-books/notifications/<id>/);
    # their bearer token is derived from it and the server's secret key (`notify_secret`).
    notify_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notifications = models.CharField(max_length=300, blank=True)  # registered, or why not
    last_error = models.CharField(max_length=500, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class App(models.Model):
    """An app in the catalogue: an App Store app owned by a location, or a custom/in-house app
    installed from its manifest URL."""

    class Kind(models.TextChoices):
        STORE = "store", "App Store (Apps and Books)"
        CUSTOM = "custom", "Custom app (manifest URL)"
        ENTERPRISE = "enterprise", "In-house, enterprise-signed (manifest URL)"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    token = models.ForeignKey(
        AppsBooksToken, null=True, blank=True, on_delete=models.PROTECT, related_name="apps"
    )
    adam_id = models.CharField(max_length=32, blank=True)
    pricing_param = models.CharField(max_length=16, blank=True)
    name = models.CharField(max_length=200)
    bundle_id = models.CharField(max_length=255, blank=True)
    version = models.CharField(max_length=64, blank=True)
    platforms = models.JSONField(default=list, blank=True)
    icon_url = models.URLField(max_length=500, blank=True)  # where the App Store has it
    icon = models.BinaryField(null=True, blank=True, editable=False)  # a copy the console serves
    icon_type = models.CharField(max_length=16, blank=True)
    manifest_url = models.URLField(max_length=500, blank=True)
    # A Mac's InstallEnterpriseApplication pins the manifest server to these certificates
    # (base64 of DER) and can require a positive revocation check.
    pinning_certs = models.JSONField(default=list, blank=True)
    pinning_revocation_required = models.BooleanField(default=False)
    licences_total = models.IntegerField(default=0)
    licences_assigned = models.IntegerField(default=0)
    licences_available = models.IntegerField(default=0)
    device_assignable = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["token", "adam_id", "pricing_param"],
                condition=models.Q(kind="store"),
                name="managed_apps_store_app_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class AppAssignment(models.Model):
    """Where an app goes (one device, a directory group, or every enrollment of a type), how
    (required or available) and with what: managed configuration and attributes."""

    class Scope(models.TextChoices):
        DEVICE = "device", "One device"
        GROUP = "group", "Directory group"
        ENROLLMENT_TYPE = "enrollment_type", "Every enrollment of a type"

    class Mode(models.TextChoices):
        REQUIRED = "required", "Required"
        AVAILABLE = "available", "Available"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="assignments")
    scope = models.CharField(max_length=16, choices=Scope.choices)
    enrollment = models.ForeignKey(
        "devices.Enrollment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "directory.DirectoryGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="app_assignments",
    )
    enrollment_type = models.CharField(max_length=8, blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.REQUIRED)
    configuration = models.JSONField(default=dict, blank=True)
    vpn_uuid = models.CharField(max_length=64, blank=True)
    associated_domains = models.JSONField(default=list, blank=True)
    removable = models.BooleanField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.app} ({self.get_mode_display()}, {self.get_scope_display()})"


class AppsBooksUser(models.Model):
    """A person registered with a location (Apple's `clientUserId`), bound to the Managed Apple
    Account user licences go to."""

    token = models.ForeignKey(AppsBooksToken, on_delete=models.CASCADE, related_name="users")
    client_user_id = models.CharField(max_length=64, default=uuid.uuid4)
    managed_apple_id = models.CharField(max_length=254)
    registered = models.BooleanField(default=False)
    event_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "managed_apple_id"], name="managed_apps_user_per_location"
            )
        ]

    def __str__(self) -> str:
        return self.managed_apple_id


class AppInstall(models.Model):
    """One app on one device channel: the licence it holds and how far its install went."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        LICENCE_PENDING = "licence_pending", "Licence being assigned"
        LICENCE_ASSIGNED = "licence_assigned", "Licence assigned"
        INSTALLING = "installing", "Installing"
        PROMPTING = "prompting", "Waiting for the person's approval"
        INSTALLED = "installed", "Installed"
        FAILED = "failed", "Failed"
        REMOVING = "removing", "Being removed"
        REMOVED = "removed", "Removed"

    class Licence(models.TextChoices):
        NONE = "", "None"
        USER = "user", "User licence (Managed Apple Account)"
        DEVICE = "device", "Device licence (serial number)"

    enrollment = models.ForeignKey(
        "devices.Enrollment", on_delete=models.CASCADE, related_name="app_installs"
    )
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="installs")
    assignment = models.ForeignKey(
        AppAssignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="installs"
    )
    status = models.CharField(max_length=18, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=500, blank=True)
    licence = models.CharField(max_length=8, choices=Licence.choices, blank=True, default="")
    licence_holder = models.CharField(max_length=254, blank=True)  # clientUserId or serial
    event_id = models.CharField(max_length=64, blank=True)
    command_uuid = models.CharField(max_length=64, blank=True)
    installed_version = models.CharField(max_length=64, blank=True)
    notes = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "app"], name="managed_apps_one_install")
        ]

    def __str__(self) -> str:
        return f"{self.app} on {self.enrollment_id}: {self.status}"


class AppsBooksNotification(models.Model):
    """A notification Apple delivered (by its `notificationId`): one delivered again is
    acknowledged without being applied twice."""

    token = models.ForeignKey(
        AppsBooksToken, on_delete=models.CASCADE, related_name="received_notifications"
    )
    notification_id = models.CharField(max_length=64)
    notification_type = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "notification_id"], name="managed_apps_notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_type} {self.notification_id}"
