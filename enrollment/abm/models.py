"""Apple Business Manager links, the devices the organisation owns there, and the Setup
Assistant profiles defined for them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class AbmLink(models.Model):
    """One MDM server in Apple Business Manager: our key pair and certificate for it, the server
    token ABM returned (encrypted at rest), the account it answers for and the sync state."""

    name = models.CharField(max_length=120, unique=True)
    api_url = models.URLField(default="https://mdmenrollment.apple.com")
    # Extra CA (PEM) for a TLS-inspecting proxy in front of Apple; empty: the system's CAs.
    ca_pem = models.TextField(blank=True)
    encrypted_key = models.BinaryField()  # PEM private key, encrypted (mdm_server.encryption)
    certificate_pem = models.TextField()
    encrypted_token = models.BinaryField(null=True, blank=True)  # the decrypted token's JSON
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_uploaded_at = models.DateTimeField(null=True, blank=True)
    consumer_key = models.CharField(max_length=255, blank=True)  # identifies the token (no secret)
    # From Account Detail.
    server_uuid = models.CharField(max_length=64, blank=True)
    server_name = models.CharField(max_length=255, blank=True)
    org_name = models.CharField(max_length=255, blank=True)
    org_email = models.CharField(max_length=255, blank=True)
    # Device sync.
    cursor = models.CharField(max_length=1000, blank=True)
    fetched_until = models.CharField(max_length=64, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    retry_after = models.DateTimeField(null=True, blank=True)
    # Account-driven enrollment registration, as ABM last reported it.
    discovery_url = models.URLField(max_length=500, blank=True)
    last_error = models.TextField(blank=True)
    last_error_code = models.CharField(max_length=64, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_token(self) -> bool:
        return self.encrypted_token is not None and bool(bytes(self.encrypted_token))

    def token_days_left(self) -> int | None:
        if self.token_expires_at is None:
            return None
        return (self.token_expires_at - timezone.now()).days


class AbmProfile(models.Model):
    """A Setup Assistant (enrollment) profile, defined in ABM and assigned by rule."""

    link = models.ForeignKey(AbmLink, on_delete=models.CASCADE, related_name="profiles")
    name = models.CharField(max_length=255)
    # The enrollment URL of this profile carries this id (and nothing guessable about devices).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_default = models.BooleanField(default=False)
    # Model rule: ABM `model` values (e.g. "iPhone 16"), or device families ("iPhone", "Mac").
    models_rule = models.JSONField(default=list, blank=True)
    # Group rule: the ADE profile of these directory groups' members' devices (the device's
    # person); it wins over the model rule (services.profile_for says the order).
    groups = models.ManyToManyField(
        "directory.DirectoryGroup", blank=True, related_name="abm_profiles"
    )
    supervised = models.BooleanField(default=True)
    await_device_configured = models.BooleanField(default=True)
    mdm_removable = models.BooleanField(default=False)
    skip_setup_items = models.JSONField(default=list, blank=True)
    department = models.CharField(max_length=125, blank=True)
    support_phone_number = models.CharField(max_length=50, blank=True)
    support_email_address = models.CharField(max_length=250, blank=True)
    anchor_certs_pem = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    region = models.CharField(max_length=16, blank=True)
    # Sent while the device waits in Setup Assistant, before DeviceConfigured: profile ids.
    first_profiles = models.JSONField(default=list, blank=True)
    # Then these commands, in order: [{"request_type": registry name, "params": {...}}].
    first_commands = models.JSONField(default=list, blank=True)
    profile_uuid = models.CharField(max_length=64, blank=True)  # ABM's id once defined
    defined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["link"], condition=models.Q(is_default=True), name="abm_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AbmDevice(models.Model):
    """A device the organisation owns in ABM, known before it enrolls."""

    link = models.ForeignKey(AbmLink, on_delete=models.CASCADE, related_name="devices")
    serial_number = models.CharField(max_length=64)
    model = models.CharField(max_length=128, blank=True)
    description = models.CharField(max_length=255, blank=True)
    color = models.CharField(max_length=64, blank=True)
    os = models.CharField(max_length=32, blank=True)
    device_family = models.CharField(max_length=32, blank=True)
    asset_tag = models.CharField(max_length=128, blank=True)
    profile_status = models.CharField(max_length=16, blank=True)  # empty/assigned/pushed/removed
    profile_uuid = models.CharField(max_length=64, blank=True)
    profile_assign_time = models.DateTimeField(null=True, blank=True)
    profile_push_time = models.DateTimeField(null=True, blank=True)
    assigned_by = models.CharField(max_length=255, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    profile = models.ForeignKey(
        AbmProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices"
    )
    removed_at = models.DateTimeField(null=True, blank=True)  # gone from ABM (op_type deleted)
    # The person the device is for, set by an administrator before it enrolls: their groups
    # choose its Setup Assistant profile (group rule).
    person = models.ForeignKey(
        "directory.DirectoryUser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="abm_devices",
    )
    # The Device it is (created at sync, so an ADE device is known before it enrolls; an
    # already enrolled device with its serial number is linked instead).
    device = models.ForeignKey(
        "devices.Device",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="abm_records",
    )
    # The MDM channel it became (linked by serial number at its ADE enrollment).
    enrollment = models.ForeignKey(
        "devices.Enrollment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrollment_reference = models.CharField(max_length=64, blank=True, db_index=True)
    # The UDID of the device's last ADE profile request, when Apple's device CA signed its
    # MachineInfo (what the device is, vouched for by Apple; "" when nobody vouched for it).
    vouched_udid = models.CharField(max_length=64, blank=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    configured_at = models.DateTimeField(null=True, blank=True)  # DeviceConfigured queued
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["link", "serial_number"], name="abm_device_serial")
        ]

    def __str__(self) -> str:
        return self.serial_number
