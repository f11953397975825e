"""Declarations, the sets that group them, who gets a set, and what each channel reported."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from mdm_server import encryption
from profiles.models import Assignment, assignment_target_constraints


class Declaration(models.Model):
    """One declaration: a configuration, asset, activation or management item.

    `server_token` changes with every change of its content (`version` counts them); a device
    fetches a declaration again only when the token it holds differs.
    """

    class Class(models.TextChoices):
        CONFIGURATION = "configuration", "Configuration"
        ASSET = "asset", "Asset"
        ACTIVATION = "activation", "Activation"
        MANAGEMENT = "management", "Management"

    identifier = models.CharField(max_length=255, unique=True)
    declaration_type = models.CharField(max_length=128)
    declaration_class = models.CharField(max_length=16, choices=Class.choices)
    display_name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # `com.apple.configuration.legacy`: the profile delivered (its ProfileURL is made per channel).
    profile = models.ForeignKey(
        "profiles.Profile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    server_token = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "identifier"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.identifier})"


class AssetData(models.Model):
    """The data of an asset declaration that the server hosts: the file the admin uploaded,
    served at the asset's `Reference.DataURL` only to devices that are given the asset."""

    declaration = models.OneToOneField(
        Declaration, on_delete=models.CASCADE, related_name="asset_data"
    )
    # Credential data (a password, a PKCS #12 identity) among it: encrypted at rest.
    encrypted_data = models.BinaryField(editable=False)
    content_type = models.CharField(max_length=127)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)  # hex, as Reference.Hash-SHA-256 carries it
    filename = models.CharField(max_length=255, blank=True)
    uploaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"data of {self.declaration_id} ({self.size} bytes)"

    @property
    def data(self) -> bytes:
        return encryption.decrypt(self.encrypted_data)


class DeclarationSet(models.Model):
    """Declarations delivered together; assigned like profiles."""

    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    declarations = models.ManyToManyField(Declaration, blank=True, related_name="sets")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SetAssignment(models.Model):
    """Who gets a set: one channel, a directory group, or every channel of an enrollment type."""

    Kind = Assignment.Kind  # the same three kinds of target as a profile's

    declaration_set = models.ForeignKey(
        DeclarationSet, on_delete=models.CASCADE, related_name="assignments"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    enrollment = models.ForeignKey(
        "devices.Enrollment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="declaration_set_assignments",
    )
    group = models.ForeignKey(
        "directory.DirectoryGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="declaration_set_assignments",
    )
    enrollment_type = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration_set", "kind", "id"]
        constraints = assignment_target_constraints("declaration_set", "declarations")

    def __str__(self) -> str:
        return f"{self.declaration_set_id} → {self.kind}"


class ChannelStatus(models.Model):
    """One channel's declarative state: what it was served, what it last reported."""

    enrollment = models.OneToOneField(
        "devices.Enrollment", on_delete=models.CASCADE, related_name="declarative_status"
    )
    declarations_token = models.CharField(max_length=64, blank=True)  # last served
    synced_at = models.DateTimeField(null=True, blank=True)
    # Declarations of its sets it is not given, identifier -> why (the User-Enrollment filter).
    withheld = models.JSONField(default=dict, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True, db_index=True)
    os_version = models.CharField(max_length=32, blank=True)
    build_version = models.CharField(max_length=32, blank=True)
    pending_version = models.CharField(max_length=32, blank=True)
    pending_build = models.CharField(max_length=32, blank=True)
    pending_deadline = models.CharField(max_length=32, blank=True)  # local time, no zone
    install_state = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    passcode_compliant = models.BooleanField(null=True, blank=True)
    passcode_present = models.BooleanField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"declarative status of {self.enrollment_id}"


class DeclarationState(models.Model):
    """One declaration on one channel as the device last reported it."""

    enrollment = models.ForeignKey(
        "devices.Enrollment", on_delete=models.CASCADE, related_name="declaration_states"
    )
    declaration = models.ForeignKey(
        Declaration, null=True, blank=True, on_delete=models.SET_NULL, related_name="states"
    )
    identifier = models.CharField(max_length=255)
    declaration_class = models.CharField(max_length=16)
    server_token = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=False)
    valid = models.CharField(max_length=16, default="unknown")
    reasons = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "identifier"], name="declarations_state_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier} on {self.enrollment_id}: {self.valid}"

    @property
    def failed(self) -> bool:
        return self.valid == "invalid" or (bool(self.reasons) and not self.active)


class ManagedAppState(models.Model):
    """An app of an `app.managed` declaration on one channel, as the device last reported it
    (status item `app.managed.list`)."""

    enrollment = models.ForeignKey(
        "devices.Enrollment", on_delete=models.CASCADE, related_name="declared_apps"
    )
    bundle_id = models.CharField(max_length=255)
    declaration_identifier = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    version = models.CharField(max_length=64, blank=True)
    short_version = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=32, blank=True)  # Apple's values: managed, failed, ...
    update_state = models.CharField(max_length=32, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bundle_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "bundle_id"], name="declarations_app_state_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id} on {self.enrollment_id}: {self.state}"
