"""Push notifications (APNs): the MDM push certificate, pending CSRs, and bulk push progress."""

from __future__ import annotations

from cryptography import x509
from django.conf import settings
from django.db import models
from django.db.models.functions import Now

from mdm_server import encryption
from mdm_server.pki import certificates


class PushCertificate(models.Model):
    """One uploaded Apple MDM push certificate; the active one signs every push.

    Older rows are kept (inactive) as the renewal history; the key is encrypted at rest.
    """

    topic = models.CharField(max_length=255, db_index=True)
    subject = models.CharField(max_length=512)
    certificate_pem = models.TextField()
    chain_pem = models.TextField(blank=True, default="")
    encrypted_key = models.BinaryField()
    fingerprint = models.CharField(max_length=64, unique=True)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    is_active = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when APNs refused the certificate (403 BadCertificate); cleared by a delivered push.
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.CharField(max_length=128, blank=True)
    # The smallest "days before expiry" warning already sent, so each one is raised once.
    expiry_warning_sent = models.PositiveSmallIntegerField(null=True, blank=True)
    # The last "verify with a push" from the console: when, and what APNs answered.
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_ok = models.BooleanField(null=True, blank=True)
    verify_result = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="apns_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} (until {self.not_after:%Y-%m-%d})"

    @property
    def certificate(self) -> x509.Certificate:
        return certificates.load_cert_pem(self.certificate_pem)

    def identity_pem(self) -> bytes:
        """Certificate, chain and decrypted key as one PEM, for the TLS client only."""
        key = encryption.decrypt(self.encrypted_key)
        return self.certificate_pem.encode() + self.chain_pem.encode() + key


class PushCertificateRequest(models.Model):
    """A key and CSR generated here for Apple's push certificate portal (key encrypted)."""

    common_name = models.CharField(max_length=255)
    csr_pem = models.TextField()
    encrypted_key = models.BinaryField()
    public_key_sha256 = models.CharField(max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # When a request file signed with our own MDM vendor certificate was last made for it.
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"CSR {self.common_name} ({self.created_at:%Y-%m-%d})"


class MdmVendorCertificate(models.Model):
    """The organisation's own MDM vendor ("MDM CSR") certificate, to sign its push requests.

    Only for members of the Apple Developer Enterprise Program; one row at most (an upload
    replaces it). The key is encrypted at rest; `chain_pem` is the WWDR intermediate and Apple's
    root that go into every signed request after the vendor certificate.
    """

    subject = models.CharField(max_length=512)
    certificate_pem = models.TextField()
    chain_pem = models.TextField(blank=True, default="")
    encrypted_key = models.BinaryField()
    fingerprint = models.CharField(max_length=64)
    not_after = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"MDM vendor certificate {self.subject} (until {self.not_after:%Y-%m-%d})"


class PushBatch(models.Model):
    """Progress of one bulk push, updated by the push tasks and polled by the console."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        ABORTED = "aborted", "Stopped"

    origin = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    dead = models.PositiveIntegerField(default=0)
    # Handed to APNs by a worker that died before APNs' answer was recorded: not sent again in
    # this batch; a follow-up push (no batch) wakes the device unless it checks in meanwhile.
    unknown = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Push batch #{self.pk} ({self.sent}/{self.total})"

    @property
    def done_count(self) -> int:
        return self.sent + self.failed + self.dead + self.unknown

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done_count / self.total)) if self.total else 100


class PendingPush(models.Model):
    """The push outbox: an enrollment to push, kept in PostgreSQL until a worker has pushed it.

    Written in the transaction that queues the commands, so a push is never lost when Redis is
    down or a worker dies: `taken_at` is the worker's claim, refreshed while it pushes; a claim
    nobody refreshes (the worker was killed) is taken again by the next drain. A row is deleted
    once APNs has answered for it (or its retries are exhausted), so a pushed device is never
    pushed again from the same batch.
    """

    # No database constraints: a bulk push writes a row per device, and foreign-key checks
    # would double its cost. Django still cascades deletes; a row whose enrollment is gone is
    # dropped by the drain like any enrollment that is no longer pushable.
    enrollment = models.ForeignKey(
        "devices.Enrollment",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    batch = models.ForeignKey(
        PushBatch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(db_default=Now())
    # Not before this time: the backoff of a retry.
    available_at = models.DateTimeField(db_default=Now())
    taken_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, db_default="")
    attempts = models.PositiveSmallIntegerField(db_default=0)
    # Committed before the push goes out ("handed to APNs at"): a reclaimed row that has it is
    # never sent again in its batch, its outcome is unknown (see `apns.services._claim`).
    sent_at = models.DateTimeField(null=True, blank=True)
    # A follow-up of a push whose outcome is unknown: dropped if the device has connected since.
    unknown_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table is empty but for pushes on their way: drains scan it in id order, and only
        # the constraint's index is kept up to date on a bulk insert.
        constraints = [
            models.UniqueConstraint(fields=["batch", "enrollment"], name="apns_pending_once")
        ]

    def __str__(self) -> str:
        return f"push enrollment {self.enrollment_id} (batch {self.batch_id})"
