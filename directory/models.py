"""Directory models: identity sources, users, groups with enrollment settings, invitations, imports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from directory import mapping
from mdm_server import apple
from mdm_server.encryption import EncryptedText


class IdentitySource(models.Model):
    """Where users come from and how they sign in: local accounts, an LDAP directory or Entra ID."""

    class Kind(models.TextChoices):
        LOCAL = "local", "Local users"
        LDAP = "ldap", "LDAP"
        ENTRA = "entra", "Microsoft Entra ID"

    class AppleIdMapping(models.TextChoices):
        EMAIL = "email", "User email address"
        UPN = "upn", "userPrincipalName"
        PATTERN = "pattern", "Pattern"

    class Security(models.TextChoices):
        NONE = "none", "None (plain LDAP, test labs only)"
        STARTTLS = "starttls", "StartTLS"
        LDAPS = "ldaps", "LDAPS"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    # Email domains whose users sign in through this source (user@domain picks the source).
    sign_in_domains = models.JSONField(default=list, blank=True)
    # Group names (LDAP: DN or cn; Entra: object id or display name) allowed to sign in; empty = all.
    allowed_groups = models.JSONField(default=list, blank=True)
    apple_id_mapping = models.CharField(
        max_length=10, choices=AppleIdMapping.choices, default=AppleIdMapping.EMAIL
    )
    apple_id_pattern = models.CharField(max_length=200, blank=True)
    auto_invite = models.BooleanField(
        default=False, help_text="Email an invitation to users this source imports."
    )
    sync_enabled = models.BooleanField(default=True)
    sync_adds_new_users = models.BooleanField(
        default=False,
        help_text="Scheduled syncs also import users not yet added (else they only refresh them).",
    )
    timeout = models.PositiveSmallIntegerField(default=10, help_text="Seconds per network call")
    console_sign_in = models.BooleanField(
        default=False,
        help_text="Console accounts with the same username may sign in with this source's "
        "password (needs directory.backends.DirectoryConsoleBackend in AUTHENTICATION_BACKENDS).",
    )

    # LDAP
    ldap_url = models.CharField(max_length=300, blank=True)
    ldap_security = models.CharField(
        max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    ldap_ca_pem = models.TextField(blank=True, help_text="CA certificate (PEM) for TLS")
    bind_dn = models.CharField(max_length=300, blank=True)
    bind_password_encrypted = models.BinaryField(blank=True, default=b"", editable=False)
    user_base_dn = models.CharField(max_length=300, blank=True)
    user_filter = models.CharField(max_length=500, default="(objectClass=inetOrgPerson)")
    group_base_dn = models.CharField(max_length=300, blank=True)
    group_filter = models.CharField(max_length=500, default="(objectClass=groupOfNames)")
    group_member_attribute = models.CharField(max_length=100, default="member")
    attribute_map = models.JSONField(default=dict, blank=True)

    # Entra ID
    tenant_id = models.CharField(max_length=64, blank=True, help_text="Directory (tenant) ID")
    client_id = models.CharField(max_length=64, blank=True)
    client_secret_encrypted = models.BinaryField(blank=True, default=b"", editable=False)
    client_certificate_pem = models.TextField(blank=True)
    client_key_encrypted = models.BinaryField(blank=True, default=b"", editable=False)
    authority_host = models.CharField(max_length=300, default="https://login.microsoftonline.com")
    graph_url = models.CharField(max_length=300, default="https://graph.microsoft.com")
    authority_ca_pem = models.TextField(
        blank=True, help_text="Extra CA (PEM) trusted for the authority and Graph, e.g. a proxy"
    )

    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    # Secrets are write-only: code reads and sets them through these attributes (stored
    # encrypted), never through a form or the API.
    bind_password = EncryptedText("bind_password_encrypted")
    client_secret = EncryptedText("client_secret_encrypted")
    client_key = EncryptedText("client_key_encrypted")

    @property
    def has_bind_password(self) -> bool:
        return bool(self.bind_password_encrypted)

    @property
    def has_client_secret(self) -> bool:
        return bool(self.client_secret_encrypted)


class DirectoryGroup(models.Model):
    """A user group: static (members added by hand) or synced from a source; carries the
    enrollment settings for its members (Apple Enrollment Type, default ownership)."""

    class Kind(models.TextChoices):
        STATIC = "static", "Static"
        SYNCED = "synced", "Synced"

    class EnrollmentType(models.TextChoices):
        """A group's Apple Enrollment Type setting: none, or one of mdm_server.apple's types."""

        NONE = "", "No setting"
        USER = apple.EnrollmentType.USER.value, apple.EnrollmentType.USER.label
        DEVICE = apple.EnrollmentType.DEVICE.value, apple.EnrollmentType.DEVICE.label

    class Ownership(models.TextChoices):
        PERSONAL = "personal", "Personal (BYOD)"
        CORPORATE = "corporate", "Corporate"

    name = models.CharField(max_length=200)
    source = models.ForeignKey(
        IdentitySource, null=True, blank=True, on_delete=models.CASCADE, related_name="groups"
    )
    external_id = models.CharField(max_length=300, blank=True)
    distinguished_name = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATIC)
    apple_enrollment_type = models.CharField(
        max_length=10, choices=EnrollmentType.choices, blank=True, default=""
    )
    default_ownership = models.CharField(
        max_length=10, choices=Ownership.choices, default=Ownership.PERSONAL
    )
    priority = models.PositiveIntegerField(
        default=100, help_text="Lower wins when a user is in several groups with settings"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["priority", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(kind="static"), name="directory_group_static_name"
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=Q(kind="synced"),
                name="directory_group_source_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DirectoryUser(models.Model):
    """A person known to the MDM: local, or imported from / signed in through a directory."""

    source = models.ForeignKey(IdentitySource, on_delete=models.PROTECT, related_name="users")
    external_id = models.CharField(max_length=300)
    username = models.CharField(max_length=255)
    email = models.EmailField(max_length=254, blank=True)
    upn = models.CharField("userPrincipalName", max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    distinguished_name = models.CharField(max_length=500, blank=True)
    managed_apple_id = models.CharField(max_length=254, null=True, blank=True, unique=True)
    managed_apple_id_problem = models.CharField(max_length=300, blank=True)
    enabled = models.BooleanField(default=True)
    password = models.CharField(max_length=128, blank=True, editable=False)  # local users only
    groups = models.ManyToManyField(DirectoryGroup, blank=True, related_name="members")
    last_login_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="directory_user_source_external_id"
            )
        ]
        # Sign-in, service discovery and imports look people up case-insensitively (`__iexact`
        # is UPPER(col) = UPPER(value)): without these, each lookup reads the whole table.
        indexes = [
            models.Index(Upper("username"), name="directory_user_username_ci"),
            models.Index(Upper("email"), name="directory_user_email_ci"),
            models.Index(Upper("upn"), name="directory_user_upn_ci"),
            models.Index(Upper("managed_apple_id"), name="directory_user_apple_id_ci"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def masked_apple_id(self) -> str:
        return mapping.mask(self.managed_apple_id)


class ManagedAppleIdDomain(models.Model):
    """A domain verified in Apple Business Manager; Managed Apple IDs must be in one of these."""

    domain = models.CharField(max_length=253, unique=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: object, **kwargs: object) -> None:
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Invitation(models.Model):
    """An emailed invitation to enroll; only a hash of the token is stored."""

    user = models.ForeignKey(DirectoryUser, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class ImportRun(models.Model):
    """One import or sync of a source: progress counts while running, the outcome afterwards."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        SYNC = "sync", "Sync"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.ForeignKey(IdentitySource, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # What to import: [{"type": "user"|"group"|"ou"|"all", "id": DN or object id, "name": label}]
    selection = models.JSONField(default=list, blank=True)
    found = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    disabled = models.PositiveIntegerField(default=0)
    groups = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{"user": ..., "problem": ...}]
    error = models.TextField(blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.source.name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
