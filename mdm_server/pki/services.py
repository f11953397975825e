"""Writes for the server PKI: CA and signing identity, SCEP challenges and issued certificates."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from mdm_server import encryption
from mdm_server.config_cache import CachedValue
from mdm_server.pki import certificates, scep
from mdm_server.pki.models import IssuedCertificate, ScepChallenge, ServerCertificate
from mdm_server.prepared import PreparedInsert

logger = logging.getLogger(__name__)

# Lifetime of device identity certificates (capped by the CA's own expiry).
DEVICE_CERTIFICATE_DAYS = 365

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
    return row


def _active_rows() -> dict[str, int]:
    return dict(ServerCertificate.objects.filter(is_active=True).values_list("kind", "pk"))


# Which row of each kind is active, known in every process: a rollover or an activation in one
# process (a management command, the console) is seen by the others at their next read.
_ACTIVE_ROWS = CachedValue("pki:active-rows", _active_rows, models=[ServerCertificate])
_identities: dict[int, certificates.Identity] = {}  # row id -> identity (a row never changes key)


def active_identity(kind: str) -> certificates.Identity:
    """The active identity of a kind. The key is decrypted once per process and row; which row
    is active is read through the configuration cache, so every process follows a change."""
    row_id = _ACTIVE_ROWS.get().get(kind)
    if row_id is None:
        raise certificates.CertificateError(
            f"no active {kind} certificate: run `manage.py setup` to create the server PKI"
        )
    identity = _identities.get(row_id)
    if identity is None:
        identity = ServerCertificate.objects.get(pk=row_id).identity()
        if len(_identities) >= 8:
            _identities.clear()
        _identities[row_id] = identity
    return identity


def forget_identities() -> None:
    """Drop the decrypted identities this process keeps (tests: each starts from its own
    database, where a row id may name another key)."""
    _identities.clear()


def trusted_device_cas() -> list[x509.Certificate]:
    """Every CA generation not retired (after a rollover, devices keep certificates of the
    previous generation until they are renewed)."""
    return [
        row.certificate
        for row in ServerCertificate.objects.filter(kind=Kind.CA, retired_at__isnull=True)
    ]


def _new_ca(organisation: str, generation: int) -> certificates.Identity:
    key = certificates.new_rsa_key()
    # Each generation has its own name, so that a certificate's issuer tells them apart.
    name = f"{organisation} MDM CA" if generation == 1 else f"{organisation} MDM CA {generation}"
    return certificates.Identity(certificate=certificates.build_ca(name, key=key), key=key)


@dataclass(frozen=True)
class Rollover:
    ca: ServerCertificate
    signing: ServerCertificate
    previous: ServerCertificate


@transaction.atomic
def rollover_ca(*, organisation: str = "") -> Rollover:
    """Make a new CA generation the active one, with a new profile-signing certificate issued by
    it. Earlier generations stay trusted for the identities they issued (`trusted_device_cas`)
    until they are retired; new identities (enrollments and renewals) come from the new one."""
    previous = ServerCertificate.objects.select_for_update().get(kind=Kind.CA, is_active=True)
    generation = (
        ServerCertificate.objects.filter(kind=Kind.CA).aggregate(m=Max("generation"))["m"] or 0
    ) + 1
    org = (
        organisation
        or previous.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    )
    org = str(org).split(" MDM CA")[0] or "MDM"
    identity = _new_ca(org, generation)
    ca = _store(kind=Kind.CA, identity=identity, uploaded=False, activate=True)
    signing = _store(
        kind=Kind.SIGNING,
        identity=_new_signing_identity(identity),
        uploaded=False,
        activate=True,
    )
    return Rollover(ca=ca, signing=signing, previous=previous)


@transaction.atomic
def retire_ca_generation(*, generation: int) -> ServerCertificate:
    """Stop trusting device identities of an earlier CA generation (CertificateError for the
    active one or an unknown generation). Whether devices still hold its certificates is the
    caller's check (devices.services.renewal)."""
    row = (
        ServerCertificate.objects.select_for_update()
        .filter(kind=Kind.CA, generation=generation)
        .first()
    )
    if row is None:
        raise certificates.CertificateError(f"there is no CA generation {generation}")
    if row.is_active:
        raise certificates.CertificateError(
            f"CA generation {generation} is the active one: roll over to a new generation first"
        )
    if row.retired_at is None:
        row.retired_at = timezone.now()
        row.save(update_fields=["retired_at"])
    return row


@dataclass(frozen=True)
class ExpiryAlert:
    kind: str
    generation: int
    not_after: dt.datetime
    days_left: int


def expiry_alerts(*, warn_days: int, now: dt.datetime) -> list[ExpiryAlert]:
    """The active CA and signing certificates that expire within `warn_days` of `now`."""
    alerts = []
    for row in ServerCertificate.objects.filter(is_active=True).order_by("kind"):
        left = row.not_after - now
        if left <= dt.timedelta(days=warn_days):
            alerts.append(
                ExpiryAlert(
                    kind=row.kind,
                    generation=row.generation,
                    not_after=row.not_after,
                    days_left=max(left.days, 0),
                )
            )
    return alerts


# --- SCEP and device identities ------------------------------------------------------------


def _challenge_hash(challenge: str) -> str:
    # Challenges are 192-bit random tokens, so a plain SHA-256 is enough (no slow KDF needed).
    return hashlib.sha256(challenge.encode()).hexdigest()


def normalise_fingerprint(fingerprint: str) -> str:
    """Lower-case hex without separators, as stored ("AB:CD" and "abcd" both work)."""
    return fingerprint.replace(":", "").replace(" ", "").strip().lower()


def create_scep_challenge(
    *, reference: str, ttl_seconds: int = 3600, renews: str = "", subject: str = ""
) -> str:
    """Create a one-time SCEP challenge for `reference`; the plaintext is returned only here.
    `renews`: the fingerprint of the identity the certificate issued with it replaces.
    `subject`: the common name of that certificate, the one the profile's SCEP payload asks
    for (ValueError when no common name can be it); the reference when not given."""
    row, challenge = new_scep_challenge(
        reference=reference, ttl_seconds=ttl_seconds, renews=renews, subject=subject
    )
    CHALLENGE_INSERT.save(row)
    return challenge


def new_scep_challenge(
    *, reference: str, ttl_seconds: int = 3600, renews: str = "", subject: str = ""
) -> tuple[ScepChallenge, str]:
    """`create_scep_challenge`'s row, not saved yet, and its plaintext: for a caller that writes
    it with rows of its own in one statement (`CHALLENGE_INSERT`, `prepared.save_together`)."""
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    reference = reference[:255]
    subject = certificates.check_common_name(subject) if subject else _subject_of(reference)
    challenge = secrets.token_urlsafe(24)
    row = ScepChallenge(
        challenge_hash=_challenge_hash(challenge),
        reference=reference,
        expires_at=timezone.now() + dt.timedelta(seconds=ttl_seconds),
        renews=renews,
        subject=subject,
    )
    return row, challenge


def _subject_of(reference: str, subject: str = "") -> str:
    """The common name a challenge's certificate carries: its `subject`, or for a challenge
    made without one (or stored before challenges had one) its reference, made fit for a
    common name. Never anything the request asked for."""
    if subject:
        return subject
    text = "".join(c if c.isprintable() else " " for c in reference).strip()
    return text[: certificates.MAX_COMMON_NAME].strip() or "MDM device"


# Every enrollment profile carries a new challenge: its INSERT compiled once per thread
# (mdm_server.prepared; README, "Prepared statements on the sign-in and profile requests").
CHALLENGE_INSERT = PreparedInsert(ScepChallenge)
# Every SCEP PKIOperation records the identity it issued: the same (README, "Device identities:
# the built-in SCEP server"): 0.26-0.31 ms of CPU against 0.36-0.42 through save(), measured in
# one process in alternated blocks (bench/RESULTS.md, 7 December).
_INSERT_ISSUED = PreparedInsert(IssuedCertificate)


def _record_issued(
    *,
    cert: x509.Certificate,
    reference: str,
    source: str,
    transaction_id: str = "",
    renews: str = "",
) -> IssuedCertificate:
    row = _issued_row(
        cert=cert,
        reference=reference,
        source=source,
        transaction_id=transaction_id,
        renews=renews,
    )
    _INSERT_ISSUED.save(row)
    return row


def _issued_row(
    *,
    cert: x509.Certificate,
    reference: str,
    source: str,
    transaction_id: str,
    renews: str,
    subject: x509.Name | None = None,
) -> IssuedCertificate:
    """The row recording `cert`; `subject`: the name it was issued with, when the caller has it
    (its text is then written from it, not from the certificate's subject read again: the
    certificate's encoding turned back into Python objects, every SCEP enrollment)."""
    return IssuedCertificate(
        fingerprint=certificates.fingerprint(cert),
        serial=format(cert.serial_number, "x"),
        subject=(cert.subject if subject is None else subject).rfc4514_string()[:512],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        pem=certificates.cert_to_pem(cert),
        reference=reference,
        source=source,
        transaction_id=transaction_id[:255],
        renews=renews,
    )


def _public_der(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


_BAD_CHALLENGE = "the challenge password is wrong, expired or already used"


def _resent_request(
    challenge: ScepChallenge, opened: scep.OpenedRequest
) -> IssuedCertificate | None:
    """The certificate issued earlier for this very transaction, when a client resends it."""
    earlier = IssuedCertificate.objects.filter(
        reference=challenge.reference,
        transaction_id=opened.request.transaction_id,
        source=IssuedCertificate.Source.SCEP,
        revoked_at__isnull=True,
        created_at__gte=challenge.created_at,
    ).first()
    if earlier is None or _public_der(earlier.certificate.public_key()) != _public_der(
        opened.csr.public_key
    ):
        return None
    return earlier


def _challenge_text(opened: scep.OpenedRequest) -> str:
    challenge_text = opened.csr.challenge_password
    if not challenge_text:
        raise scep.ScepFailure(scep.FailInfo.BAD_REQUEST, "the CSR has no challenge password")
    return challenge_text


def _issue_claimed(
    opened: scep.OpenedRequest, *, ca: certificates.Identity, days: int
) -> tuple[x509.Certificate | None, bool]:
    """A PKCSReq on PostgreSQL, its challenge claimed and its certificate recorded by one
    statement (`PreparedInsert.save_claimed`: the row is written only with the claim), without
    a transaction of its own: every SCEP enrollment. The certificate is issued first (the row
    holds it), so a request whose challenge is not claimable has cost one signature more.
    (certificate, True) when issued; (None, True) when the challenge was not claimable
    (unknown, expired, used: perhaps a resent request; or made for another subject); (None,
    False) when not tried (another database, or a request that is not one common name):
    `_issue_for_scep` decides in the last two cases."""
    digest = _challenge_hash(_challenge_text(opened))
    # What an honest device asks for: the one common name of its profile's SCEP payload. The
    # claim below succeeds only when the challenge was made for that very name, so the name
    # signed here is the server's; any other request is decided by `_issue_for_scep`.
    requested = certificates.single_common_name(opened.csr.subject)
    if connection.vendor != "postgresql" or requested is None:
        return None, False
    subject = certificates.common_name_subject(requested)
    cert = certificates.issue_certificate(
        issuer=ca, public_key=opened.csr.public_key, subject=subject, days=days, usage="client"
    )
    row = _issued_row(
        cert=cert,
        reference="",
        source=IssuedCertificate.Source.SCEP,
        transaction_id=opened.request.transaction_id,
        renews="",
        subject=subject,
    )
    when = connection.ops.adapt_datetimefield_value(timezone.now())
    claimed = _INSERT_ISSUED.save_claimed(
        row,
        claim=_claim_sql(for_subject=True),
        params=[when, digest, when, requested],
        taken=("reference", "renews"),
    )
    return (cert if claimed else None), claimed is not None


def _issue_for_scep(
    opened: scep.OpenedRequest, *, ca: certificates.Identity, days: int, claim: bool = True
) -> x509.Certificate:
    """A PKCSReq's certificate, issued in the caller's transaction (`claim`: its challenge is
    claimed by one UPDATE first, when it was not tried already by `_issue_claimed`)."""
    digest = _challenge_hash(_challenge_text(opened))
    now = timezone.now()
    claimed = _claim_challenge(digest, now) if claim else None
    if claimed is not None:
        reference, renews, subject = claimed
        return _issue_from_request(
            ca,
            opened,
            days=days,
            reference=reference,
            renews=renews,
            subject=_challenge_subject(opened, reference=reference, subject=subject),
        )
    challenge = ScepChallenge.objects.select_for_update().filter(challenge_hash=digest).first()
    if challenge is not None and challenge.used_at is None and challenge.expires_at > now:
        # UPDATE ... RETURNING is not available (SQLite before 3.35), or the one-statement
        # claim asked for another subject than the challenge's: claim it here.
        challenge.used_at = now
        challenge.save(update_fields=["used_at"])
        return _issue_from_request(
            ca,
            opened,
            days=days,
            reference=challenge.reference,
            renews=challenge.renews,
            subject=_challenge_subject(
                opened, reference=challenge.reference, subject=challenge.subject
            ),
        )
    if challenge is not None and challenge.used_at is not None:
        # RFC 8894 §3.3.1: a resent PKCSReq (same transactionID and key) gets the same answer.
        earlier = _resent_request(challenge, opened)
        if earlier is not None:
            return earlier.certificate
    # Unknown, expired, or used by another request.
    raise scep.ScepFailure(scep.FailInfo.BAD_REQUEST, _BAD_CHALLENGE)


def _claim_sql(*, for_subject: bool = False) -> str:
    """The UPDATE that claims an unused, unexpired challenge (parameters: now, its hash, now),
    returning its reference, what it renews and its subject. `for_subject`: only a challenge
    made for that subject (one parameter more), returning its reference and what it renews."""
    qn = connection.ops.quote_name
    # Names come from the model and are quoted; every value is a parameter.
    sql = (
        f"UPDATE {qn(ScepChallenge._meta.db_table)} SET {qn('used_at')} = %s"  # noqa: S608
        f" WHERE {qn('challenge_hash')} = %s AND {qn('used_at')} IS NULL"
        f" AND {qn('expires_at')} > %s"
    )
    if for_subject:
        return f"{sql} AND {qn('subject')} = %s RETURNING {qn('reference')}, {qn('renews')}"
    return f"{sql} RETURNING {qn('reference')}, {qn('renews')}, {qn('subject')}"


def _claim_challenge(digest: str, now: dt.datetime) -> tuple[str, str, str] | None:
    """Mark an unused, unexpired challenge used: its reference, what it renews and its subject,
    else None. One statement; the row stays locked until the transaction ends."""
    if not connection.features.can_return_columns_from_insert:  # the same SQLite versions
        return None
    when = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [when, digest, when])
        row = cursor.fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))


def _challenge_subject(opened: scep.OpenedRequest, *, reference: str, subject: str) -> x509.Name:
    """The subject a challenge's certificate carries (`_subject_of`); a request that asked for
    another one is logged, its name escaped, and gets the challenge's all the same (an honest
    device asks for its profile's; any other name is the requester's invention)."""
    name = certificates.common_name_subject(_subject_of(reference, subject))
    if opened.csr.subject != name:
        logger.warning(
            "SCEP request %s asked for the subject %s; issued the challenge's",
            ascii(opened.request.transaction_id[:64]),
            ascii(opened.csr.subject.rfc4514_string()[:200]),
        )
    return name


def _issue_for_renewal(
    opened: scep.OpenedRequest, *, ca: certificates.Identity, days: int
) -> x509.Certificate:
    """RenewalReq (RFC 8894 §3.3.1.2): the signer proves it holds a certificate we issued."""
    signer = opened.request.signer
    assert signer is not None  # noqa: S101 (open_pkcs_req guarantees it)
    current = (
        IssuedCertificate.objects.select_for_update()
        .filter(fingerprint=certificates.fingerprint(signer))
        .first()
    )
    if current is None or not any(
        certificates.is_issued_by(signer, ca_cert) for ca_cert in trusted_device_cas()
    ):
        raise scep.ScepFailure(
            scep.FailInfo.BAD_CERT_ID, "renewal must be signed by a certificate this CA issued"
        )
    if current.revoked_at is not None:
        raise scep.ScepFailure(scep.FailInfo.BAD_REQUEST, "the certificate to renew is revoked")
    try:
        certificates.check_validity(signer)
    except certificates.CertificateError as exc:
        raise scep.ScepFailure(scep.FailInfo.BAD_TIME, str(exc)) from None
    earlier = IssuedCertificate.objects.filter(
        reference=current.reference,
        transaction_id=opened.request.transaction_id,
        source=IssuedCertificate.Source.SCEP,
        created_at__gte=current.created_at,
        revoked_at__isnull=True,
    ).exclude(pk=current.pk)
    for row in earlier:
        # A resent RenewalReq gets the certificate issued the first time.
        if _public_der(row.certificate.public_key()) == _public_der(opened.csr.public_key):
            return row.certificate
    # The subject of the certificate it renews (which this CA issued), not the CSR's.
    return _issue_from_request(
        ca,
        opened,
        days=days,
        reference=current.reference,
        renews=current.fingerprint,
        subject=signer.subject,
    )


def _issue_from_request(
    ca: certificates.Identity,
    opened: scep.OpenedRequest,
    *,
    days: int,
    reference: str,
    subject: x509.Name,
    renews: str = "",
) -> x509.Certificate:
    """Issue a device identity for a SCEP request's key, named `subject` (the server's choice:
    nothing else of the CSR is signed), and record it under `reference`."""
    cert = certificates.issue_certificate(
        issuer=ca,
        public_key=opened.csr.public_key,
        subject=subject,
        days=days,
        usage="client",
    )
    _record_issued(
        cert=cert,
        reference=reference,
        source=IssuedCertificate.Source.SCEP,
        transaction_id=opened.request.transaction_id,
        renews=renews,
    )
    return cert


def handle_scep_request(*, message: bytes, days: int = DEVICE_CERTIFICATE_DAYS) -> bytes:
    """Answer a SCEP PKIOperation (RFC 8894) with a CertRep: SUCCESS issues a device identity.

    PKCSReq needs a one-time challenge from `create_scep_challenge`; RenewalReq needs a signature
    by a certificate we issued that is neither revoked nor expired.

    Raises scep.ScepMessageError only when `message` is not a SCEP message at all, and
    CertificateError when the server has no active CA; every other problem is a FAILURE CertRep.
    """
    request = scep.parse_pki_message(message)
    ca = active_identity(Kind.CA)
    try:
        opened = scep.open_pkcs_req(request, ca=ca, allow_des=settings.MDM_SCEP_ALLOW_DES)
        renewal = opened.request.message_type == scep.MessageType.RENEWAL_REQ
        cert, tried = (None, False) if renewal else _issue_claimed(opened, ca=ca, days=days)
        if cert is not None:
            # Written already: nothing below fails on what the request holds (open_pkcs_req
            # checked the requester's RSA key; the cipher is the one it decrypted; the digest
            # one we sign with). Should it fail all the same, the client's resent request
            # (RFC 8894 §3.3.1) gets the certificate recorded here.
            reply = scep.build_cert_rep_success(opened, ca=ca, issued=cert)
        else:
            # The savepoint undoes the challenge consumption when anything after it fails.
            with transaction.atomic():
                if renewal:
                    cert = _issue_for_renewal(opened, ca=ca, days=days)
                else:
                    cert = _issue_for_scep(opened, ca=ca, days=days, claim=not tried)
                reply = scep.build_cert_rep_success(opened, ca=ca, issued=cert)
    except scep.ScepFailure as failure:
        logger.info(
            "SCEP request %s refused (failInfo %d): %s",
            request.transaction_id,
            failure.fail_info,
            failure.reason,
        )
        return scep.build_cert_rep_failure(
            request, ca=ca, fail_info=failure.fail_info, reason=failure.reason
        )
    if logger.isEnabledFor(logging.INFO):
        # The subject is read back from the certificate only for a line that is written.
        logger.info(
            "SCEP request %s: issued %s", request.transaction_id, cert.subject.rfc4514_string()
        )
    return reply


@transaction.atomic
def purge_scep_challenges(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete challenges that expired or were used more than `older_than` ago; returns the count."""
    cutoff = timezone.now() - older_than
    deleted, _ = ScepChallenge.objects.filter(
        models.Q(expires_at__lt=cutoff) | models.Q(used_at__lt=cutoff)
    ).delete()
    return deleted


def find_issued_certificate(fingerprint: str) -> IssuedCertificate | None:
    """The issued certificate with this SHA-256 fingerprint, or None."""
    return IssuedCertificate.objects.filter(fingerprint=normalise_fingerprint(fingerprint)).first()


@transaction.atomic
def revoke_certificate(*, fingerprint: str, reason: str) -> IssuedCertificate:
    """Mark an issued certificate revoked; revoking twice keeps the first date and reason."""
    row = (
        IssuedCertificate.objects.select_for_update()
        .filter(fingerprint=normalise_fingerprint(fingerprint))
        .first()
    )
    if row is None:
        raise certificates.CertificateError(f"no issued certificate has fingerprint {fingerprint}")
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.revocation_reason = reason[:255]
        row.save(update_fields=["revoked_at", "revocation_reason"])
    return row


def revoke_issued_certificate(*, fingerprint: str, reason: str) -> bool:
    """Revoke the certificate with this fingerprint if we issued it and it is not revoked yet
    (one UPDATE); False when there is nothing to revoke (another CA's, or revoked already)."""
    if not fingerprint:
        return False
    return (
        IssuedCertificate.objects.filter(
            fingerprint=normalise_fingerprint(fingerprint), revoked_at__isnull=True
        ).update(revoked_at=timezone.now(), revocation_reason=reason[:255])
        > 0
    )


@transaction.atomic
def issue_identity_pkcs12(
    *, reference: str, common_name: str, password: str, renews: str = ""
) -> tuple[bytes, IssuedCertificate]:
    """A device identity with a server-generated key, as PKCS#12 (3DES, SHA-1 MAC: old devices
    read nothing newer). The per-profile alternative to SCEP; the key is not kept."""
    if not password:
        raise certificates.CertificateError("a PKCS#12 identity needs a password")
    if not common_name:
        raise certificates.CertificateError("a common name is required")
    ca = active_identity(Kind.CA)
    key = certificates.new_rsa_key()
    cert = certificates.issue_certificate(
        issuer=ca,
        public_key=key.public_key(),
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]),
        days=DEVICE_CERTIFICATE_DAYS,
        usage="client",
    )
    encryption_algorithm = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 (old iOS/macOS read no stronger PKCS#12 MAC)
        .build(password.encode())
    )
    data = pkcs12.serialize_key_and_certificates(
        name=common_name.encode(),
        key=key,
        cert=cert,
        cas=[ca.certificate],
        encryption_algorithm=encryption_algorithm,
    )
    row = _record_issued(
        cert=cert, reference=reference, source=IssuedCertificate.Source.PKCS12, renews=renews
    )
    return data, row
