"""Server certificates: the MDM CA and the profile-signing identity, in generations."""

from __future__ import annotations

from cryptography import x509
from django.db import models

from mdm_server import encryption
from mdm_server.pki import certificates


class ServerCertificate(models.Model):
    """One generation of a server identity. Exactly one of each kind is active at a time."""

    class Kind(models.TextChoices):
        CA = "ca", "MDM certificate authority"
        SIGNING = "signing", "Profile signing"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    generation = models.PositiveIntegerField()
    is_active = models.BooleanField(default=False)
    uploaded = models.BooleanField(default=False, help_text="Provided by an admin, not generated")
    certificate_pem = models.TextField()
    chain_pem = models.TextField(blank=True, default="")
    encrypted_key = models.BinaryField()
    subject = models.CharField(max_length=512)
    fingerprint = models.CharField(max_length=64, unique=True)
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # A CA generation no longer trusted for device identities (after a rollover, once every
    # device holds a certificate of a newer generation). Never set on the active one.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-generation"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "generation"], name="pki_kind_generation"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(is_active=True), name="pki_one_active_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.generation}"

    @property
    def certificate(self) -> x509.Certificate:
        return certificates.load_cert_pem(self.certificate_pem)

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        if not self.chain_pem:
            return ()
        return tuple(x509.load_pem_x509_certificates(self.chain_pem.encode()))

    def identity(self) -> certificates.Identity:
        key = certificates.load_key_pem(encryption.decrypt(self.encrypted_key))
        return certificates.Identity(certificate=self.certificate, key=key, chain=self.chain)


class ScepChallenge(models.Model):
    """A one-time SCEP challenge password, stored only as its SHA-256 hash."""

    challenge_hash = models.CharField(max_length=64, unique=True)
    reference = models.CharField(
        max_length=255, db_index=True, help_text="What the challenge was made for, e.g. a session"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # For an identity renewal: the fingerprint of the certificate the new one replaces.
    renews = models.CharField(max_length=64, blank=True, default="")
    # The common name of the certificate issued with it: what the enrollment profile's SCEP
    # payload asks for, decided by the server (the CSR's subject is never signed). Empty in
    # rows made before this column: the reference is used then.
    subject = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"SCEP challenge for {self.reference}"


class IssuedCertificate(models.Model):
    """A device identity certificate issued by the MDM CA (through SCEP or as a PKCS#12)."""

    class Source(models.TextChoices):
        SCEP = "scep", "SCEP"
        PKCS12 = "pkcs12", "PKCS#12 identity"

    fingerprint = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the DER, hex")
    serial = models.CharField(max_length=64, help_text="Serial number, hex")
    subject = models.CharField(max_length=512)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    pem = models.TextField()
    reference = models.CharField(max_length=255, db_index=True, blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.SCEP)
    transaction_id = models.CharField(max_length=255, blank=True, default="")
    # The certificate this one renews (its fingerprint): accepted only for the channel pinned to
    # that certificate (devices.binding), which then moves its pin to this one.
    renews = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.fingerprint[:12]})"

    @property
    def certificate(self) -> x509.Certificate:
        return certificates.load_cert_pem(self.pem)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
