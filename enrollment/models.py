"""Enrollment settings, per-domain configurations, enrollment sessions and their tokens.

A session is one attempt to enroll one device (account-driven or through the portal); its public
id is the `reference` of the SCEP challenge and so of the identity certificate the device gets.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from mdm_server import apple
from mdm_server.config_cache import CachedValue


def _hex_id() -> str:
    return uuid.uuid4().hex


class EnrollmentSettings(models.Model):
    """The organisation-wide enrollment switches (one row, edited on the settings page)."""

    user_enrollment_enabled = models.BooleanField(
        default=True, help_text="Apple User Enrollment: answer service discovery for BYOD."
    )
    organisation_name = models.CharField(max_length=120, default="MDM")
    # Sign-in token: single use for the profile download within this many minutes.
    token_ttl_minutes = models.PositiveIntegerField(default=15)
    # How long an account-driven enrollment's access token stays valid on check-ins.
    session_ttl_days = models.PositiveIntegerField(default=365)
    # apple-oauth2: lifetime of an access token (refresh tokens last the session's lifetime).
    oauth_access_ttl_minutes = models.PositiveIntegerField(default=60)
    # AccessRights of Device Enrollment profiles (8191 = every right).
    device_access_rights = models.PositiveIntegerField(default=8191)
    terms_text = models.TextField(
        default="Your organisation manages work data and apps on this device.", blank=True
    )
    # PEM of Apple's device CA: when set, signed MachineInfo must chain to it.
    apple_device_ca_pem = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "enrollment settings"

    def __str__(self) -> str:
        return "Enrollment settings"

    @classmethod
    def load(cls) -> EnrollmentSettings:
        """The settings row, read now: for changing and saving it."""
        row = cls.objects.filter(pk=1).first()
        if row is None:
            row, _ = cls.objects.get_or_create(pk=1)
        return row

    @classmethod
    def current(cls) -> EnrollmentSettings:
        """The settings for reading (most enrollment requests): the process's kept copy."""
        return _CURRENT_SETTINGS.get()


_CURRENT_SETTINGS = CachedValue(
    "enrollment.settings", EnrollmentSettings.load, models=[EnrollmentSettings]
)


class EnrollmentConfiguration(models.Model):
    """What account-driven sign-in leads to for some Managed Apple ID domains or user groups."""

    class SignIn(models.TextChoices):
        WEB = "apple-as-web", "Web sign-in (apple-as-web)"
        OAUTH2 = "apple-oauth2", "OAuth 2 (apple-oauth2)"

    class Version(models.TextChoices):
        BYOD = "mdm-byod", "User Enrollment (mdm-byod)"
        ADDE = "mdm-adde", "Device Enrollment (mdm-adde)"

    class Identity(models.TextChoices):
        SCEP = "scep", "SCEP (device-generated key)"
        PKCS12 = "pkcs12", "PKCS#12 (server-generated key)"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=64, unique=True, default=_hex_id)
    is_default = models.BooleanField(default=False)
    # Lower-case domain names; empty means "any domain of the organisation".
    domains = models.JSONField(default=list, blank=True)
    # Directory group names allowed to sign in; empty means everyone.
    groups = models.JSONField(default=list, blank=True)
    # model-family -> Version, e.g. {"Mac": "mdm-adde"}; families not listed get default_version.
    family_versions = models.JSONField(default=dict, blank=True)
    default_version = models.CharField(max_length=16, choices=Version.choices, default=Version.BYOD)
    # Identity source (directory) name; empty = the directory's default (local users).
    identity_source = models.CharField(max_length=120, blank=True)
    sign_in_method = models.CharField(max_length=16, choices=SignIn.choices, default=SignIn.WEB)
    identity_kind = models.CharField(max_length=8, choices=Identity.choices, default=Identity.SCEP)
    oauth_client_id = models.CharField(max_length=64, default=_hex_id)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class EnrollmentSession(models.Model):
    """One device's enrollment attempt, from sign-in to the bound MDM enrollment."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", "Account-driven"
        PORTAL = "portal", "Enrollment portal"

    Type = apple.EnrollmentType  # a session never becomes an Automated Device Enrollment

    class Status(models.TextChoices):
        AUTHENTICATED = "authenticated", "Signed in"
        PROFILE_ISSUED = "profile_issued", "Profile downloaded"
        ENROLLED = "enrolled", "Enrolled"
        REVOKED = "revoked", "Revoked"

    public_id = models.CharField(max_length=32, unique=True, default=_hex_id)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    enrollment_type = models.CharField(
        max_length=8, choices=apple.enrollment_type_choices(Type.USER, Type.DEVICE, Type.ADDE)
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AUTHENTICATED)
    configuration = models.ForeignKey(
        EnrollmentConfiguration, null=True, blank=True, on_delete=models.SET_NULL
    )
    user_identifier = models.CharField(max_length=255)
    directory_user_id = models.BigIntegerField(null=True, blank=True)
    managed_apple_id = models.CharField(max_length=255, blank=True)
    # The default ownership of the person's deciding group at sign-in, for the Device a first
    # Authenticate makes ("" when no group sets it: the enrollment kind decides).
    ownership = models.CharField(max_length=10, blank=True)
    model_family = models.CharField(max_length=32, blank=True)
    platform = models.CharField(max_length=16, blank=True)
    # MachineInfo without any hardware identifier for BYOD (LANGUAGE, PRODUCT, VERSION, ...).
    machine_info = models.JSONField(default=dict, blank=True)
    # The MDM channel this session became: bound at the Authenticate of its certificate (or at the
    # first check-in carrying its bearer token, for a later sign-in of the same enrollment).
    enrollment = models.ForeignKey(
        "devices.Enrollment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A re-enrollment from an administrator's link: the person's device channel it re-enrolls.
    # When this session's enrollment completes on another channel (a new device), that one is
    # unenrolled: the new device replaces it (enrollment.services.reenrollment).
    replaces = models.ForeignKey(
        "devices.Enrollment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_enrollment_type_display()} {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def version(self) -> str:
        return "mdm-byod" if self.enrollment_type == self.Type.USER else "mdm-adde"


class EnrollmentToken(models.Model):
    """An opaque secret handed to a device or web sheet; only its SHA-256 is stored."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Access token"
        REFRESH = "refresh", "Refresh token"
        CODE = "code", "OAuth authorization code"

    session = models.ForeignKey(EnrollmentSession, on_delete=models.CASCADE, related_name="tokens")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The profile can be fetched with an access token only before this (and only once).
    profile_deadline = models.DateTimeField(null=True, blank=True)
    profile_issued_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)  # codes and refresh tokens: single use
    revoked_at = models.DateTimeField(null=True, blank=True)
    redirect_uri = models.CharField(max_length=500, blank=True)  # codes only

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.session.public_id}"
