"""Configuration profiles, their assignments, and each enrollment's delivery status."""

from __future__ import annotations

import plistlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from mdm_server import apple


class Profile(models.Model):
    """A configuration profile. `content` is the unsigned `.mobileconfig`; it is signed at delivery."""

    class Scope(models.TextChoices):
        DEVICE = "device", "Device channel (System)"
        USER = "user", "User channel (User)"

    class Source(models.TextChoices):
        BUILT = "built", "Built in the console or API"
        UPLOADED = "uploaded", "Uploaded .mobileconfig"

    class UserEnrollmentMode(models.TextChoices):
        SKIP = "skip", "Don't install on User-Enrollment devices if anything would be left out"
        SUBSET = "subset", "Install the allowed subset on User-Enrollment devices (with a warning)"

    identifier = models.CharField(max_length=255, unique=True)
    display_name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    organization = models.CharField(max_length=255, blank=True)
    uuid = models.CharField(max_length=64)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.DEVICE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BUILT)
    ue_mode = models.CharField(
        "User Enrollment",
        max_length=8,
        choices=UserEnrollmentMode.choices,
        default=UserEnrollmentMode.SKIP,
    )
    removal_disallowed = models.BooleanField(null=True, blank=True)
    # Bumped whenever the content changes; enrollments holding an older version get it again.
    version = models.PositiveIntegerField(default=1)
    content = models.BinaryField()
    # (PayloadType, PayloadIdentifier, PayloadUUID, PayloadDisplayName) per payload, for listings.
    payload_summary = models.JSONField(default=list, blank=True)
    # Schema warnings kept from an upload (e.g. keys newer than Apple's schema copy).
    warnings = models.JSONField(default=list, blank=True)
    # Subject of the certificate that signed an uploaded profile, when it was signed.
    upload_signer = models.CharField(max_length=512, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "identifier"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.identifier})"

    def as_dict(self) -> dict[str, Any]:
        """The profile as a plist dict (the stored `.mobileconfig`, parsed)."""
        value: dict[str, Any] = plistlib.loads(bytes(self.content))
        return value

    @property
    def payloads(self) -> list[dict[str, Any]]:
        content = self.as_dict().get("PayloadContent", [])
        return list(content) if isinstance(content, list) else []


def assignment_target_constraints(owner: str, prefix: str) -> list[models.BaseConstraint]:
    """An assignment's target, one of three kinds (one enrollment, a directory group, every
    enrollment of a type): each target at most once per `owner`, and exactly the target its
    kind names. Shared by the assignments of profiles and of declaration sets."""
    return [
        models.UniqueConstraint(
            fields=[owner, "enrollment"],
            condition=Q(kind="enrollment"),
            name=f"{prefix}_assign_enrollment_once",
        ),
        models.UniqueConstraint(
            fields=[owner, "enrollment_type"],
            condition=Q(kind="type"),
            name=f"{prefix}_assign_type_once",
        ),
        models.UniqueConstraint(
            fields=[owner, "group"],
            condition=Q(kind="group"),
            name=f"{prefix}_assign_group_once",
        ),
        models.CheckConstraint(
            condition=Q(kind="enrollment", enrollment__isnull=False, group__isnull=True)
            | Q(kind="type", enrollment__isnull=True, group__isnull=True)
            | Q(kind="group", enrollment__isnull=True, group__isnull=False),
            name=f"{prefix}_assign_target_matches_kind",
        ),
    ]


class Assignment(models.Model):
    """Who gets a profile: one enrollment, a directory group, or every enrollment of a type."""

    class Kind(models.TextChoices):
        ENROLLMENT = "enrollment", "Device (enrollment)"
        GROUP = "group", "User group"
        ENROLLMENT_TYPE = "type", "Enrollment type"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    enrollment = models.ForeignKey(
        "devices.Enrollment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="profile_assignments",
    )
    group = models.ForeignKey(
        "directory.DirectoryGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="profile_assignments",
    )
    enrollment_type = models.CharField(max_length=8, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["profile", "kind", "id"]
        constraints = assignment_target_constraints("profile", "profiles")

    def __str__(self) -> str:
        if self.kind == self.Kind.ENROLLMENT:
            return f"{self.profile_id} → enrollment {self.enrollment_id}"
        if self.kind == self.Kind.ENROLLMENT_TYPE:
            return f"{self.profile_id} → every {self.enrollment_type} enrollment"
        return f"{self.profile_id} → group {self.group_id}"

    @property
    def target_label(self) -> str:
        """What the console and the audit log call the target: a name, never an id."""
        if self.kind == self.Kind.ENROLLMENT and self.enrollment is not None:
            return f"Device: {self.enrollment.display_name}"
        if self.kind == self.Kind.GROUP and self.group is not None:
            return f"User group: {self.group.name}"
        label = dict(apple.EnrollmentType.choices).get(self.enrollment_type, self.enrollment_type)
        return f"Every {label} enrollment"


class Delivery(models.Model):
    """One enrollment's state for one profile: what was queued, what the device answered."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Install queued"
        INSTALLED = "installed", "Installed"
        FAILED = "failed", "Install failed"
        SKIPPED = "skipped", "Not installed (not allowed for this device)"
        REMOVING = "removing", "Removal queued"
        REMOVED = "removed", "Removed"
        MISSING = "missing", "Missing from the device's profile list"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="deliveries")
    enrollment = models.ForeignKey(
        "devices.Enrollment", on_delete=models.CASCADE, related_name="profile_deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    version = models.PositiveIntegerField(default=0)
    # True when the device got a reduced profile (User Enrollment: the allowed subset).
    partial = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    command_uuid = models.CharField(max_length=64, blank=True, db_index=True)
    error_chain = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["profile", "enrollment"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "enrollment"], name="profiles_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} on {self.enrollment_id}: {self.status}"
