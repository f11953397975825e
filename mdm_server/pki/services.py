"""Writes for the server PKI: create the CA and signing identity, accept uploads, activate."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.db import transaction
from django.db.models import Max

from mdm_server import encryption
from mdm_server.pki import certificates
from mdm_server.pki.models import ServerCertificate

Kind = ServerCertificate.Kind


@dataclass(frozen=True)
class PkiStatus:
    ca: ServerCertificate
    signing: ServerCertificate
    created: list[str]


def _store(
    *, kind: str, identity: certificates.Identity, uploaded: bool, activate: bool
) -> ServerCertificate:
    generation = (
        ServerCertificate.objects.filter(kind=kind).aggregate(m=Max("generation"))["m"] or 0
    ) + 1
    if activate:
        ServerCertificate.objects.filter(kind=kind, is_active=True).update(is_active=False)
    row = ServerCertificate.objects.create(
        kind=kind,
        generation=generation,
        is_active=activate,
        uploaded=uploaded,
        certificate_pem=certificates.cert_to_pem(identity.certificate),
        chain_pem="".join(certificates.cert_to_pem(c) for c in identity.chain),
        encrypted_key=encryption.encrypt(certificates.key_to_pem(identity.key)),
        subject=identity.certificate.subject.rfc4514_string()[:512],
        fingerprint=certificates.fingerprint(identity.certificate),
        not_after=identity.certificate.not_valid_after_utc,
    )
    active_identity.cache_clear()
    return row


def _new_signing_identity(ca: certificates.Identity) -> certificates.Identity:
    key = certificates.new_rsa_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MDM profile signing")])
    cert = certificates.issue_certificate(
        issuer=ca, public_key=key.public_key(), subject=subject, days=825, usage="signing"
    )
    return certificates.Identity(certificate=cert, key=key, chain=(ca.certificate,))


@transaction.atomic
def ensure_server_pki(*, organisation: str = "MDM") -> PkiStatus:
    """Create the MDM CA and a signing certificate when missing; idempotent."""
    created: list[str] = []
    ca = ServerCertificate.objects.select_for_update().filter(kind=Kind.CA, is_active=True).first()
    if ca is None:
        key = certificates.new_rsa_key()
        cert = certificates.build_ca(f"{organisation} MDM CA", key=key)
        ca = _store(
            kind=Kind.CA,
            identity=certificates.Identity(certificate=cert, key=key),
            uploaded=False,
            activate=True,
        )
        created.append("ca")
    signing = ServerCertificate.objects.filter(kind=Kind.SIGNING, is_active=True).first()
    if signing is None:
        signing = _store(
            kind=Kind.SIGNING,
            identity=_new_signing_identity(ca.identity()),
            uploaded=False,
            activate=True,
        )
        created.append("signing")
    return PkiStatus(ca=ca, signing=signing, created=created)


@transaction.atomic
def rotate_signing_certificate() -> ServerCertificate:
    """Issue a new generation of the profile-signing certificate from the active CA."""
    ca = ServerCertificate.objects.get(kind=Kind.CA, is_active=True)
    return _store(
        kind=Kind.SIGNING,
        identity=_new_signing_identity(ca.identity()),
        uploaded=False,
        activate=True,
    )


@transaction.atomic
def upload_signing_certificate(
    *, data: bytes, password: str | None = None, key_pem: bytes | None = None
) -> ServerCertificate:
    """Make an admin's own certificate (PEM or PKCS#12) the active profile-signing identity.

    Raises CertificateError (wrong password, key mismatch, expired) and keeps the current one.
    """
    identity = certificates.load_identity(data, password=password, key_pem=key_pem)
    certificates.check_validity(identity.certificate)
    if ServerCertificate.objects.filter(
        fingerprint=certificates.fingerprint(identity.certificate)
    ).exists():
        raise certificates.CertificateError("this certificate is already stored")
    return _store(kind=Kind.SIGNING, identity=identity, uploaded=True, activate=True)


@transaction.atomic
def activate_certificate(*, certificate_id: int) -> ServerCertificate:
    row = ServerCertificate.objects.select_for_update().get(pk=certificate_id)
    certificates.check_validity(row.certificate)
    ServerCertificate.objects.filter(kind=row.kind, is_active=True).update(is_active=False)
    row.is_active = True
    row.save(update_fields=["is_active"])
    active_identity.cache_clear()
    return row


@lru_cache(maxsize=4)
def active_identity(kind: str) -> certificates.Identity:
    """The active identity of a kind, decrypted once per process (cleared on every change)."""
    row = ServerCertificate.objects.filter(kind=kind, is_active=True).first()
    if row is None:
        raise certificates.CertificateError(
            f"no active {kind} certificate: run `manage.py setup` to create the server PKI"
        )
    return row.identity()


def trusted_device_cas() -> list[x509.Certificate]:
    """Every CA generation (old devices keep certificates from earlier generations)."""
    return [row.certificate for row in ServerCertificate.objects.filter(kind=Kind.CA)]
