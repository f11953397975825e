"""The write path of the APNs app: push certificate upload and CSR, pushing, scheduling, alerts.

Views, API, management command and Celery tasks all call these functions.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import hashlib
import logging
import queue
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apns import client, push_request
from apns.models import (
    MdmVendorCertificate,
    PendingPush,
    PushBatch,
    PushCertificate,
    PushCertificateRequest,
)
from devices.hotpath import OutboxPart
from devices.models import DeviceEvent, Enrollment, QueuedCommand
from devices.services import LAST_SEEN_RESOLUTION
from mdm_server import audit, bulk, encryption, redis_client
from mdm_server.config_cache import CachedValue
from mdm_server.pki import certificates
from mdm_server.prepared import PreparedInsertSelect

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None

TOPIC_PREFIX = "com.apple.mgmt."
WARNING_DAYS = (30, 14, 7)
# Enrollments per push task: a killed worker re-runs at most this many pushes.
CHUNK_SIZE = 5000
# A push sent this recently to a device that has not connected since is still "on its way":
# the device drains its whole queue when it comes, so a new command needs no second push.
COALESCE_SECONDS = 120
# Retries of a push task: jittered exponential backoff, capped.
RETRY_BASE_SECONDS = 5.0
RETRY_CAP_SECONDS = 600.0
MAX_RETRIES = 6
# A drain takes new rows for this long, then leaves the rest to the next one: its last chunk
# ends within the sender's 60 s batch limit, so the drain stays under its hard time limit, itself
# below the broker's visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS).
DRAIN_BUDGET_SECONDS = 30.0
DRAIN_TIME_LIMIT_SECONDS = 100
# The device log status of a push handed to APNs whose answer was never recorded (worker died).
UNKNOWN_OUTCOME = "unknown"


class PushCertificateError(Exception):
    """An uploaded push certificate cannot be used; the message says why."""


class TopicChangeRefused(PushCertificateError):
    """The new certificate has another topic than the active one (would orphan every device)."""


class NoPushCertificate(Exception):
    """Pushing needs an active push certificate."""


# --- certificate -------------------------------------------------------------------------------


def topic_of(cert: x509.Certificate) -> str:
    """The push topic: the subject UID of an Apple MDM push certificate."""
    attrs = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    topic = str(attrs[0].value).strip() if attrs else ""
    if not topic:
        raise PushCertificateError(
            "the certificate has no UID (topic) in its subject: it is not an Apple MDM push "
            "certificate"
        )
    if not topic.startswith(TOPIC_PREFIX):
        raise PushCertificateError(
            f"the certificate topic {topic!r} is not an MDM topic ({TOPIC_PREFIX}…): upload the "
            "MDM push certificate from Apple's push certificate portal"
        )
    return topic


def _public_key_sha256(public_key: Any) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def _is_pkcs12(data: bytes) -> bool:
    """The bytes are a PKCS#12 (PFX) structure, whatever its password."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return bool(pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native)
    except (ValueError, TypeError, KeyError):
        return False


def load_uploaded_identity(
    data: bytes, *, password: str | None, key_pem: bytes | None
) -> certificates.Identity:
    """Read an uploaded certificate with its key (PEM, DER certificate, PKCS#12).

    The error says what is wrong: an empty file, a file that is no certificate or PKCS#12 at
    all, a wrong PKCS#12 password, a missing or mismatched key.
    """
    if not data.strip():
        raise PushCertificateError("the certificate file is empty")
    if b"-----BEGIN" not in data:
        # Apple's portal hands out PEM, but a DER .cer is common after a round trip via Keychain.
        with contextlib.suppress(ValueError):  # not DER: a PKCS#12 file, or nothing we know
            data = x509.load_der_x509_certificate(data).public_bytes(serialization.Encoding.PEM)
    if b"-----BEGIN" not in data:
        if not _is_pkcs12(data):
            raise PushCertificateError(
                "the file is not a certificate or PKCS#12 file (expected a PEM or DER "
                "certificate, or a .p12)"
            )
        try:
            pkcs12.load_pkcs12(data, password.encode() if password else None)
        except ValueError:
            raise PushCertificateError(
                "wrong password for the PKCS#12 file"
                if password
                else "the PKCS#12 file is protected: give its password"
            ) from None
    elif b"-----BEGIN CERTIFICATE" not in data:
        raise PushCertificateError(
            "the file is not a certificate or PKCS#12 file (no BEGIN CERTIFICATE block)"
        )
    try:
        return certificates.load_identity(data, password=password, key_pem=key_pem)
    except certificates.CertificateError as exc:
        raise PushCertificateError(str(exc)) from None


def _read_identity(
    data: bytes, *, password: str | None, key_pem: bytes | None
) -> tuple[certificates.Identity, PushCertificateRequest | None]:
    """Read the upload; a bare certificate gets its key from a CSR generated here."""
    pending: PushCertificateRequest | None = None
    has_key = b"PRIVATE KEY-----" in data or key_pem is not None
    if b"-----BEGIN CERTIFICATE" in data and not has_key:
        try:
            cert = x509.load_pem_x509_certificates(data)[0]
        except ValueError:
            raise PushCertificateError("the file holds no readable PEM certificate") from None
        pending = PushCertificateRequest.objects.filter(
            public_key_sha256=_public_key_sha256(cert.public_key())
        ).first()
        if pending is None:
            raise PushCertificateError(
                "no private key given, and the certificate does not match any CSR generated "
                "here: upload the key with the certificate"
            )
        key_pem = encryption.decrypt(pending.encrypted_key)
    elif b"-----BEGIN" not in data and not has_key:
        # A DER certificate from Keychain: look for the CSR it answers, like the PEM case.
        with contextlib.suppress(ValueError):
            cert = x509.load_der_x509_certificate(data)
            pending = PushCertificateRequest.objects.filter(
                public_key_sha256=_public_key_sha256(cert.public_key())
            ).first()
            if pending is not None:
                key_pem = encryption.decrypt(pending.encrypted_key)
    identity = load_uploaded_identity(data, password=password, key_pem=key_pem)
    return identity, pending


@transaction.atomic
def upload_push_certificate(
    *,
    data: bytes,
    password: str | None = None,
    key_pem: bytes | None = None,
    force: bool = False,
    actor: Actor = None,
) -> PushCertificate:
    """Validate and activate an MDM push certificate; the previous one stays as history.

    A renewal must keep the topic: devices are bound to it, so a new topic orphans all of them
    (they must re-enroll). That needs `force=True`.
    """
    identity, pending = _read_identity(data, password=password, key_pem=key_pem)
    cert = identity.certificate
    try:
        certificates.check_validity(cert)
    except certificates.CertificateError as exc:
        raise PushCertificateError(str(exc)) from None
    topic = topic_of(cert)
    fingerprint = certificates.fingerprint(cert)
    current = PushCertificate.objects.select_for_update().filter(is_active=True).first()
    if current is not None and current.fingerprint == fingerprint:
        raise PushCertificateError("this certificate is already the active push certificate")
    if current is not None and current.topic != topic and not force:
        raise TopicChangeRefused(
            f"the new certificate's topic {topic} differs from the current topic "
            f"{current.topic}: every enrolled device would be orphaned and must re-enroll. "
            "Renew the existing certificate with the same Apple ID instead, or force the change."
        )
    if PushCertificate.objects.filter(fingerprint=fingerprint).exists():
        # An old generation uploaded again: replace the history row rather than fail on UNIQUE.
        PushCertificate.objects.filter(fingerprint=fingerprint).delete()
    if current is not None:
        current.is_active = False
        current.save(update_fields=["is_active"])
    row = PushCertificate.objects.create(
        topic=topic,
        subject=cert.subject.rfc4514_string()[:512],
        certificate_pem=certificates.cert_to_pem(cert),
        chain_pem="".join(certificates.cert_to_pem(c) for c in identity.chain),
        encrypted_key=encryption.encrypt(certificates.key_to_pem(identity.key)),
        fingerprint=fingerprint,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_active=True,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if pending is not None:
        pending.used_at = timezone.now()
        pending.save(update_fields=["used_at"])
    audit.record(
        actor=actor,
        action="apns.certificate_uploaded",
        target=row,
        details={
            "topic": topic,
            "not_after": row.not_after.isoformat(),
            "replaced_topic": current.topic if current is not None else None,
            "forced_topic_change": bool(current is not None and current.topic != topic),
        },
    )
    return row


@transaction.atomic
def create_push_csr(
    *, common_name: str, email: str = "", actor: Actor = None
) -> PushCertificateRequest:
    """Generate a key (kept encrypted) and a CSR to take to Apple's push certificate portal."""
    common_name = common_name.strip()
    if not common_name:
        raise PushCertificateError("give a name for the certificate request (e.g. your org)")
    if len(common_name.encode()) > 64:  # X.509's limit counts UTF-8 bytes, not characters
        raise PushCertificateError("the name is too long for a certificate (at most 64 bytes)")
    key = certificates.new_rsa_key(2048)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if email.strip():
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email.strip()[:128]))
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name(attrs))
        .sign(key, hashes.SHA256())
    )
    row = PushCertificateRequest.objects.create(
        common_name=common_name[:255],
        csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode(),
        encrypted_key=encryption.encrypt(certificates.key_to_pem(key)),
        public_key_sha256=_public_key_sha256(key.public_key()),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit.record(actor=actor, action="apns.csr_created", target=row)
    return row


# --- path (a): our own MDM vendor certificate signs the request -------------------------------


def _ordered_chain(
    cert: x509.Certificate, others: Sequence[x509.Certificate]
) -> list[x509.Certificate]:
    """The issuers of `cert` among `others`, from its issuer up to a self-signed root."""
    chain: list[x509.Certificate] = []
    current = cert
    pool = list(others)
    while not certificates.is_issued_by(current, current):
        issuer = next((c for c in pool if certificates.is_issued_by(current, c)), None)
        if issuer is None:
            raise PushCertificateError(
                f"the chain stops at {current.issuer.rfc4514_string()}: add Apple's WWDR "
                "intermediate and the Apple Inc. Root certificate (PEM) — Apple's portal needs "
                "the whole chain up to the root"
            )
        chain.append(issuer)
        pool.remove(issuer)
        current = issuer
    return chain


@transaction.atomic
def upload_vendor_certificate(
    *,
    data: bytes,
    password: str | None = None,
    key_pem: bytes | None = None,
    chain_pem: bytes | None = None,
    actor: Actor = None,
) -> MdmVendorCertificate:
    """Keep the organisation's MDM vendor certificate and key (encrypted) to sign requests.

    The chain (WWDR intermediate, Apple root) may be in the file or given as `chain_pem`.
    """
    identity = load_uploaded_identity(data, password=password, key_pem=key_pem)
    cert = identity.certificate
    try:
        push_request.check_vendor_certificate(cert, identity.key, now=timezone.now())
    except push_request.VendorCertificateError as exc:
        raise PushCertificateError(str(exc)) from None
    extra: list[x509.Certificate] = list(identity.chain)
    if chain_pem and chain_pem.strip():
        try:
            extra += x509.load_pem_x509_certificates(chain_pem)
        except ValueError:
            raise PushCertificateError(
                "the chain file is not PEM certificates (Apple's WWDR intermediate and root)"
            ) from None
    chain = _ordered_chain(cert, extra)
    MdmVendorCertificate.objects.all().delete()
    row = MdmVendorCertificate.objects.create(
        subject=cert.subject.rfc4514_string()[:512],
        certificate_pem=certificates.cert_to_pem(cert),
        chain_pem="".join(certificates.cert_to_pem(c) for c in chain),
        encrypted_key=encryption.encrypt(certificates.key_to_pem(identity.key)),
        fingerprint=certificates.fingerprint(cert),
        not_after=cert.not_valid_after_utc,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit.record(
        actor=actor,
        action="apns.vendor_certificate_uploaded",
        target=row,
        details={"subject": row.subject, "not_after": row.not_after.isoformat()},
    )
    return row


def vendor_certificate() -> MdmVendorCertificate | None:
    return MdmVendorCertificate.objects.first()


def signed_push_request(*, csr_id: int, actor: Actor = None) -> bytes:
    """The request file for identity.apple.com: the CSR signed with our vendor certificate."""
    vendor = vendor_certificate()
    if vendor is None:
        raise PushCertificateError(
            "no MDM vendor certificate uploaded: upload yours, or send the CSR to a signing service"
        )
    row = PushCertificateRequest.objects.filter(pk=csr_id).first()
    if row is None:
        raise PushCertificateError("no such certificate request")
    key = certificates.load_key_pem(encryption.decrypt(vendor.encrypted_key))
    cert = certificates.load_cert_pem(vendor.certificate_pem)
    try:
        push_request.check_vendor_certificate(cert, key, now=timezone.now())
    except push_request.VendorCertificateError as exc:
        raise PushCertificateError(str(exc)) from None
    chain = x509.load_pem_x509_certificates(vendor.chain_pem.encode()) if vendor.chain_pem else []
    data = push_request.sign_push_request(
        csr=x509.load_pem_x509_csr(row.csr_pem.encode()),
        vendor_key=key,  # type: ignore[arg-type]  # RSA: checked above
        vendor_certificate=cert,
        chain=chain,
    )
    PushCertificateRequest.objects.filter(pk=row.pk).update(signed_at=timezone.now())
    audit.record(
        actor=actor,
        action="apns.push_request_signed",
        target=row,
        details={"vendor": vendor.subject},
    )
    return data


# --- verify with a push ------------------------------------------------------------------------

# When no device is enrolled yet, a push to this token still proves the certificate: APNs
# answers a refused certificate with 403, and an unknown token with 400 BadDeviceToken.
PROBE_TOKEN = "0" * 64
VERIFY_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    message: str


def verify_push_certificate(
    *, actor: Actor = None, sender: client.PushSender | None = None
) -> VerifyResult:
    """Send one push with the active certificate and record what APNs answered.

    To an enrolled device when there is one (it checks in), else to a probe token: any answer
    but a refused certificate or no answer at all shows APNs accepts the certificate.
    """
    cert = active_certificate()
    if cert is None:
        raise NoPushCertificate("no active APNs push certificate: upload one first")
    row = pushable().order_by("-last_seen_at", "id").values_list("id", "push_token", "push_magic")
    target = row.first()
    probe = target is None
    push_target = (
        client.PushTarget(0, PROBE_TOKEN, "verify") if probe else client.PushTarget(*target)  # type: ignore[misc]
    )
    # The console waits for the answer: a short limit, "no answer" is reported as such.
    outcome = (sender or sender_for(cert, timeout_seconds=VERIFY_TIMEOUT_SECONDS)).send(
        [push_target]
    )[0]
    verdict = outcome.verdict
    answer = f"{outcome.status} {outcome.reason}".strip() if outcome.status else "no answer"
    if verdict is client.Verdict.DELIVERED and not probe:
        result = VerifyResult(True, f"APNs delivered a push to enrollment #{push_target.key}.")
    elif verdict in (client.Verdict.DELIVERED, client.Verdict.DEAD_TOKEN):
        result = VerifyResult(
            True, f"APNs accepted the certificate (answered {answer} for a test token)."
        )
    elif verdict is client.Verdict.CERTIFICATE:
        result = VerifyResult(False, f"APNs refused the certificate ({answer}).")
    elif verdict is client.Verdict.RETRY:
        result = VerifyResult(
            False, f"APNs could not be reached ({outcome.reason or answer}): try again."
        )
    else:
        result = VerifyResult(False, f"APNs answered {answer}.")
    now = timezone.now()
    updates: dict[str, Any] = {
        "verified_at": now,
        "verify_ok": result.ok,
        "verify_result": result.message[:255],
    }
    if verdict is client.Verdict.CERTIFICATE:
        updates.update(rejected_at=now, rejected_reason=(outcome.reason or "BadCertificate")[:128])
    elif result.ok:
        updates.update(rejected_at=None, rejected_reason="")
    with transaction.atomic():
        PushCertificate.objects.filter(pk=cert.pk).update(**updates)
        if not probe:  # every push to a device is in its log
            detail = client.outcome_detail(outcome)
            detail.update(result=verdict.value, verify=True)
            DeviceEvent.objects.create(
                enrollment_id=push_target.key,
                kind=DeviceEvent.Kind.PUSH,
                action="push",
                status=str(outcome.status) if outcome.status > 0 else verdict.value,
                detail=detail,
            )
            if verdict is client.Verdict.DELIVERED:
                Enrollment.objects.filter(pk=push_target.key).update(last_push_at=now)
    audit.record(
        actor=actor,
        action="apns.certificate_verified",
        target=cert,
        details={"ok": result.ok, "status": outcome.status, "reason": outcome.reason},
    )
    return result


# --- the steps to a working push certificate, for the console -----------------------------------


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    produces: str
    done: bool
    detail: str = ""


def setup_steps() -> list[SetupStep]:
    """Request, sign, upload to Apple, upload here, verify: each with its state."""
    latest_csr = PushCertificateRequest.objects.first()
    cert = active_certificate()
    vendor = vendor_certificate()
    signed = PushCertificateRequest.objects.filter(signed_at__isnull=False).exists()
    have_cert = cert is not None
    return [
        SetupStep(
            "request",
            "1. Request",
            "a private key (kept here, encrypted) and a certificate signing request (.csr)",
            latest_csr is not None or have_cert,
            f"latest request: {latest_csr.common_name}" if latest_csr else "",
        ),
        SetupStep(
            "sign",
            "2. Sign",
            "the signed request file (.plist, base64) that Apple's portal accepts: made here "
            "with your own MDM vendor certificate, or returned by a signing service",
            signed or have_cert,
            f"vendor certificate: {vendor.subject}" if vendor else "no vendor certificate here",
        ),
        SetupStep(
            "apple",
            "3. Upload to Apple",
            "at identity.apple.com (Apple Push Certificates Portal), with a company Apple ID: "
            "the MDM push certificate (a .pem file)",
            have_cert,
        ),
        SetupStep(
            "upload",
            "4. Upload here",
            "the active push certificate and its topic, put into every enrollment profile",
            have_cert,
            f"topic {cert.topic}" if cert else "",
        ),
        SetupStep(
            "verify",
            "5. Verify with a push",
            "a push sent through APNs with this certificate, and APNs' answer",
            bool(cert is not None and cert.verify_ok),
            cert.verify_result if cert is not None else "",
        ),
    ]


def active_certificate() -> PushCertificate | None:
    return PushCertificate.objects.filter(is_active=True).first()


def active_topic() -> str | None:
    """The topic enrollment profiles must carry (com.apple.mdm `Topic`), or None."""
    return _ACTIVE_TOPIC.get()


# Read by discovery and every enrollment profile; kept per process (mdm_server.config_cache).
# Only the topic is kept: the bulk updates of a certificate's warning state leave it alone.
_ACTIVE_TOPIC = CachedValue(
    "apns.active_topic",
    lambda: (
        PushCertificate.objects.filter(is_active=True)
        .order_by("-created_at", "-id")
        .values_list("topic", flat=True)
        .first()
    ),
    models=[PushCertificate],
)


@dataclass(frozen=True)
class CertificateStatus:
    """What the console, API and command show about the active push certificate."""

    certificate: PushCertificate
    topic: str
    not_after: dt.datetime
    days_left: int
    expired: bool
    warnings: list[str]


def certificate_status(*, now: dt.datetime | None = None) -> CertificateStatus | None:
    cert = active_certificate()
    if cert is None:
        return None
    moment = now or timezone.now()
    days_left = (cert.not_after - moment).days
    expired = cert.not_after <= moment
    warnings: list[str] = []
    if expired:
        warnings.append(
            f"The APNs push certificate expired on {cert.not_after:%Y-%m-%d}: devices cannot be "
            "reached. Renew it at identity.apple.com with the same Apple ID (same topic)."
        )
    else:
        threshold = next((d for d in sorted(WARNING_DAYS) if days_left < d), None)
        if threshold is not None:
            warnings.append(
                f"The APNs push certificate expires in {days_left} day(s), on "
                f"{cert.not_after:%Y-%m-%d} (less than {threshold} days left). Renew it at "
                "identity.apple.com with the same Apple ID so the topic stays the same."
            )
    if cert.rejected_at is not None:
        warnings.append(
            f"APNs refused the push certificate ({cert.rejected_reason or 'BadCertificate'}) on "
            f"{cert.rejected_at:%Y-%m-%d %H:%M} UTC: pushes are stopped. Upload a valid "
            "certificate."
        )
    return CertificateStatus(cert, cert.topic, cert.not_after, days_left, expired, warnings)


def dashboard_alerts(*, now: dt.datetime | None = None) -> list[str]:
    """Alerts for the console dashboard (empty when all is well)."""
    status = certificate_status(now=now)
    if status is None:
        return [
            "No APNs push certificate is configured: devices cannot enroll or be reached. "
            "Get one under Push: five steps, starting with a signed request for Apple."
        ]
    return status.warnings


def check_certificate_expiry(*, now: dt.datetime | None = None) -> list[str]:
    """Raise each 30/14/7-day warning once (log + audit); return the current warnings."""
    status = certificate_status(now=now)
    if status is None:
        return []
    cert = status.certificate
    crossed = [d for d in WARNING_DAYS if status.days_left < d]
    if crossed:
        level = min(crossed)
        if cert.expiry_warning_sent is None or level < cert.expiry_warning_sent:
            PushCertificate.objects.filter(pk=cert.pk).update(expiry_warning_sent=level)
            logger.warning("APNs push certificate %s: %s", cert.topic, "; ".join(status.warnings))
            audit.record(
                actor=None,
                action="apns.certificate_expiring",
                target=cert,
                details={"days_left": status.days_left, "threshold": level},
            )
    return status.warnings


# --- pushing -----------------------------------------------------------------------------------


def pushable() -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(status=Enrollment.Status.ENROLLED, push_token_dead=False)
        .exclude(push_token="")
        .exclude(push_magic="")
    )


def sender_for(cert: PushCertificate, *, timeout_seconds: float = 60.0) -> client.PushSender:
    """The real sender, pointed at APNS_HOST/APNS_PORT (tests point these at a local fake)."""
    return client.AioApnsSender(
        client.ApnsConfig(
            identity_pem=cert.identity_pem(),
            topic=cert.topic,
            host=settings.APNS_HOST,
            port=settings.APNS_PORT,
            ca_file=settings.APNS_CA_FILE,
            connections=settings.APNS_CONNECTIONS,
            streams_per_connection=settings.APNS_STREAMS_PER_CONNECTION,
            streams=settings.APNS_STREAMS,
            timeout_seconds=timeout_seconds,
        )
    )


@dataclass
class PushReport:
    """What happened to one push attempt over a set of enrollments (lists of enrollment ids)."""

    delivered: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    certificate_error: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "delivered": len(self.delivered),
            "dead": len(self.dead),
            "retry": len(self.retry),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "certificate_error": self.certificate_error,
        }


def retry_delay(retries: int) -> float:
    """Jittered exponential backoff for the next attempt (full jitter between 50% and 150%)."""
    base = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * (2**retries))
    return base * random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not cryptography


def push_enrollments(
    *,
    enrollment_ids: Sequence[int],
    batch_id: int | None = None,
    final_attempt: bool = False,
    sender: client.PushSender | None = None,
) -> PushReport:
    """Push the given enrollments once; record the outcomes; say which ones to retry.

    Dead tokens are marked (no pushes until the next TokenUpdate), a refused certificate stops
    the batch and raises a dashboard alert. On `final_attempt`, retryable ones count as failed.
    """
    cert = active_certificate()
    if cert is None:
        _abort_batch(batch_id, "no active push certificate")
        raise NoPushCertificate("no active APNs push certificate: upload one under Push")
    if (
        batch_id is not None
        and PushBatch.objects.filter(pk=batch_id, status=PushBatch.Status.ABORTED).exists()
    ):
        # Another chunk of this batch was stopped (refused certificate): don't push the rest.
        PushBatch.objects.filter(pk=batch_id).update(failed=F("failed") + len(enrollment_ids))
        return PushReport(skipped=list(enrollment_ids))
    targets = _targets(enrollment_ids)
    found = {t.key for t in targets}
    outcomes = (sender or sender_for(cert)).send(targets) if targets else []
    report = _record_outcomes(outcomes, targets, cert, batch_id=batch_id)
    report.skipped = [pk for pk in enrollment_ids if pk not in found]
    if batch_id is not None:
        with transaction.atomic():
            _count_batch(batch_id, report, final_attempt=final_attempt)
    return report


def _targets(enrollment_ids: Iterable[int]) -> list[client.PushTarget]:
    rows = (
        pushable()
        .filter(id__in=list(enrollment_ids))
        .order_by("id")
        .values_list("id", "push_token", "push_magic")
    )
    return [client.PushTarget(pk, token, magic) for pk, token, magic in rows]


def _record_outcomes(
    outcomes: Sequence[client.PushOutcome],
    targets: Sequence[client.PushTarget],
    cert: PushCertificate,
    *,
    batch_id: int | None = None,
) -> PushReport:
    """Write what APNs answered: device log, last push, dead tokens, the certificate's state."""
    report = PushReport()
    tokens = {t.key: t.token for t in targets}
    events: list[DeviceEvent] = []
    dead_reasons: dict[int, str] = {}
    for outcome in outcomes:
        verdict = outcome.verdict
        if verdict is client.Verdict.DELIVERED:
            report.delivered.append(outcome.key)
        elif verdict is client.Verdict.DEAD_TOKEN:
            report.dead.append(outcome.key)
            dead_reasons[outcome.key] = outcome.reason or str(outcome.status)
        elif verdict is client.Verdict.RETRY:
            report.retry.append(outcome.key)
        elif verdict is client.Verdict.CERTIFICATE:
            report.certificate_error = outcome.reason or "BadCertificate"
            report.failed.append(outcome.key)
        else:
            report.failed.append(outcome.key)
        detail = client.outcome_detail(outcome)
        detail["result"] = verdict.value
        if batch_id is not None:
            detail["batch"] = batch_id
        events.append(
            DeviceEvent(
                enrollment_id=outcome.key,
                kind=DeviceEvent.Kind.PUSH,
                action="push",
                status=str(outcome.status) if outcome.status > 0 else verdict.value,
                detail=detail,
            )
        )
    now = timezone.now()
    with transaction.atomic():
        DeviceEvent.objects.bulk_create(events, batch_size=2000)
        if report.delivered:
            Enrollment.objects.filter(id__in=report.delivered).update(last_push_at=now)
        for pk, reason in dead_reasons.items():
            # Only the token we pushed: a TokenUpdate may have brought a new one meanwhile.
            Enrollment.objects.filter(id=pk, push_token=tokens[pk]).update(
                push_token_dead=True, push_token_dead_reason=reason[:64]
            )
        if report.certificate_error:
            PushCertificate.objects.filter(pk=cert.pk).update(
                rejected_at=now, rejected_reason=report.certificate_error[:128]
            )
        elif report.delivered and cert.rejected_at is not None:
            PushCertificate.objects.filter(pk=cert.pk).update(rejected_at=None, rejected_reason="")
            cert.rejected_at = None
    if report.certificate_error:
        logger.error("APNs refused push certificate %s: %s", cert.topic, report.certificate_error)
    return report


def _count_batch(batch_id: int, report: PushReport, *, final_attempt: bool) -> None:
    failed = len(report.failed) + len(report.skipped)
    if final_attempt:
        failed += len(report.retry)
    PushBatch.objects.filter(pk=batch_id).update(
        sent=F("sent") + len(report.delivered),
        dead=F("dead") + len(report.dead),
        failed=F("failed") + failed,
    )
    if report.certificate_error:
        _abort_batch(batch_id, f"APNs refused the push certificate ({report.certificate_error})")
        return
    _finish_batch(batch_id)


def _finish_batch(batch_id: int) -> None:
    PushBatch.objects.filter(
        pk=batch_id,
        status=PushBatch.Status.RUNNING,
        total__lte=F("sent") + F("failed") + F("dead") + F("unknown"),
    ).update(status=PushBatch.Status.DONE, finished_at=timezone.now())


def _abort_batch(batch_id: int | None, error: str) -> None:
    if batch_id is None:
        return
    PushBatch.objects.filter(pk=batch_id, status=PushBatch.Status.RUNNING).update(
        status=PushBatch.Status.ABORTED, error=error[:255], finished_at=timezone.now()
    )


def give_up(*, enrollment_ids: Sequence[int], batch_id: int | None, reason: str) -> None:
    """The task could not run at all (e.g. no certificate): count the pushes as failed."""
    if batch_id is not None:
        PushBatch.objects.filter(pk=batch_id).update(failed=F("failed") + len(enrollment_ids))
        _abort_batch(batch_id, reason)


# --- scheduling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleResult:
    scheduled: list[int]
    batch: PushBatch | None


def _outstanding_push(since: dt.datetime) -> Q:
    """A recent push (at `since` or later) the device has not answered by connecting yet.

    The devices app refreshes last_seen_at at most once per LAST_SEEN_RESOLUTION, so a connect
    shortly after an earlier one may leave it unchanged: only a last_seen_at older than the push
    by more than that proves the device has not come since.
    """
    return Q(last_push_at__gte=since) & (
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=F("last_push_at") - LAST_SEEN_RESOLUTION)
    )


def _waiting() -> QuerySet[PendingPush]:
    """Enrollments with a push waiting in the outbox. A follow-up of an unknown outcome is not
    a push on its way: a new command pushes now."""
    return PendingPush.objects.filter(taken_at__isnull=True, unknown_since__isnull=True)


# What every schedule starts from when it coalesces (`_to_push`), built once: building it again
# took as much CPU as the rest of a one-device schedule (each first TokenUpdate has one).
_PUSHABLE_NOT_WAITING = pushable().exclude(id__in=_waiting().values("enrollment_id"))


def _coalesced(
    enrollment_ids: Sequence[int] | QuerySet[Any], since: dt.datetime
) -> QuerySet[Enrollment]:
    """The pushable ones of these enrollments without a push on its way: waiting in the outbox,
    or sent at `since` or later and not answered by a connect."""
    return _PUSHABLE_NOT_WAITING.filter(id__in=enrollment_ids).exclude(_outstanding_push(since))


def _to_push(
    enrollment_ids: Sequence[int] | QuerySet[Any], *, coalesce: bool, now: dt.datetime
) -> QuerySet[Enrollment]:
    """The pushable ones of these enrollments; with `coalesce`, without those that have a push
    on its way (waiting in the outbox, or sent and not answered by a connect)."""
    if not coalesce:
        return pushable().filter(id__in=enrollment_ids)
    return _coalesced(enrollment_ids, _coalescing_since(now))


def _coalescing_since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=COALESCE_SECONDS)


# The outbox row of one channel, coalesced (every first TokenUpdate writes one): the INSERT ...
# SELECT of `_coalesced`, compiled once per thread from that QuerySet and then only run with the
# enrollment's id and the cut-off. Through the ORM, building and compiling it took about a sixth
# of a first TokenUpdate's CPU (cProfile, bench.enroll_breakdown). It is a check-in write,
# prepared as devices/hotpath.py prepares the others; it lives here because the devices app
# cannot import the outbox's model (app layering). The other schedules stay plain ORM.
_OUTBOX_ROW_OF_ONE = PreparedInsertSelect(
    PendingPush,
    lambda pk, since: _coalesced([pk], since),
    int,
    dt.datetime,
    column="enrollment",
    values={"batch": None},
)


def first_push(enrollment_id: int, written_channel: str) -> OutboxPart | None:
    """`schedule_pushes(enrollment_ids=[enrollment_id])` of a channel's first TokenUpdate, as a
    part of the statement that writes it (`devices.hooks.first_push`): `_OUTBOX_ROW_OF_ONE`'s
    INSERT, reading the channel's row from `written_channel` (the row as that statement's
    UPDATE writes it, under the table's name) where the INSERT on its own, run after that
    statement, read it from the table: the same row, locked by the check-in, the same
    conditions. None (the receiver writes it as before) without a push topic, or where the
    INSERT goes through the ORM."""
    if active_topic() is None:
        return None  # the receiver says why nothing is pushed
    statement = _OUTBOX_ROW_OF_ONE.statement(enrollment_id, _coalescing_since(timezone.now()))
    if statement is None:
        return None
    sql, params = statement
    table = connection.ops.quote_name(Enrollment._meta.db_table)
    read, written = f" FROM {table} WHERE ", f" FROM {written_channel} AS {table} WHERE "
    if sql.count(read) != 1:
        return None  # not the statement this reads (a change of Django's): the receiver's way
    return OutboxPart(sql.replace(read, written), params, _drain_if_written)


def _drain_if_written(written: int) -> None:
    if written:
        transaction.on_commit(lambda: request_drain(workers=1))


def schedule_pushes(
    *,
    enrollment_ids: Iterable[int],
    origin: str = "",
    actor: Actor = None,
    coalesce: bool = True,
    track: bool = False,
) -> ScheduleResult:
    """Put the pushable ones of these enrollments in the push outbox, once each.

    The rows are written in the caller's transaction (the one that queued the commands); once it
    commits, a worker is asked to push them now, and the outbox sweep pushes them anyway if that
    request cannot reach the broker. With `coalesce`, an enrollment that already has a push on
    its way (waiting in the outbox, or sent and not answered by a connect) is left out: one push
    makes the device drain its whole queue.
    """
    if active_topic() is None:  # kept per process: no query on every enqueue
        # Nothing can be pushed; the commands wait for the device's next check-in (or for the
        # periodic re-push once a certificate is uploaded). The dashboard says why.
        logger.warning("no APNs push certificate: %s not pushed", origin or "enrollments")
        return ScheduleResult([], None)
    now = timezone.now()
    if isinstance(enrollment_ids, QuerySet):
        return _schedule_selected(
            enrollment_ids, origin, actor, coalesce=coalesce, track=track, now=now
        )
    wanted = sorted(set(enrollment_ids))
    if len(wanted) == 1 and not track:
        # One channel (every first TokenUpdate, a console action on one device): no batch to
        # count it in, so its outbox row is written from the SELECT itself, one statement.
        if coalesce:
            written = _OUTBOX_ROW_OF_ONE.insert(wanted[0], _coalescing_since(now))
        else:
            written = bulk.insert_select(
                PendingPush,
                column="enrollment",
                source=bulk.primary_keys(_to_push(wanted, coalesce=False, now=now)),
                values={"batch": None},
            )
        if written:
            transaction.on_commit(lambda: request_drain(workers=1))
        return ScheduleResult(written, None)
    ids: list[int] = []
    # In slices: a fan-out to every device must not hit the database's parameter limit.
    for start in range(0, len(wanted), CHUNK_SIZE):
        chunk = wanted[start : start + CHUNK_SIZE]
        ids += _to_push(chunk, coalesce=coalesce, now=now).values_list("id", flat=True)
    ids.sort()
    if not ids:
        return ScheduleResult([], None)
    batch = None
    if track or len(ids) > 1:
        batch = PushBatch.objects.create(
            origin=origin[:120],
            total=len(ids),
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
    _add_to_outbox(ids, batch.pk if batch is not None else None)
    chunks = -(-len(ids) // CHUNK_SIZE)
    transaction.on_commit(lambda: request_drain(workers=chunks))
    return ScheduleResult(ids, batch)


def _schedule_selected(
    enrollment_ids: QuerySet[Any],
    origin: str,
    actor: Actor,
    *,
    coalesce: bool,
    track: bool,
    now: dt.datetime,
) -> ScheduleResult:
    """schedule_pushes for ids given as a QuerySet (a fan-out): counted, then written by one
    INSERT ... SELECT, so the ids never pass through Python on their way to the outbox."""
    qs = _to_push(enrollment_ids, coalesce=coalesce, now=now)
    total = qs.count()
    if not total:
        return ScheduleResult([], None)
    batch = None
    if track or total > 1:
        batch = PushBatch.objects.create(
            origin=origin[:120],
            total=total,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
    ids = bulk.insert_select(
        PendingPush,
        column="enrollment",
        source=bulk.primary_keys(qs),
        values={"batch": batch.pk if batch is not None else None},
    )
    if batch is not None and len(ids) != total:  # another transaction changed them meanwhile
        PushBatch.objects.filter(pk=batch.pk).update(total=len(ids))
        batch.total = len(ids)
    chunks = -(-len(ids) // CHUNK_SIZE)
    if ids:
        transaction.on_commit(lambda: request_drain(workers=chunks))
    return ScheduleResult(sorted(ids), batch)


def _add_to_outbox(ids: Sequence[int], batch_id: int | None) -> None:
    """One outbox row per enrollment, the other columns from their database defaults: on
    PostgreSQL one INSERT ... SELECT unnest(array) per slice (no per-row SQL or objects)."""
    if connection.vendor != "postgresql":
        PendingPush.objects.bulk_create(
            [PendingPush(enrollment_id=pk, batch_id=batch_id) for pk in ids], batch_size=500
        )
        return
    table = connection.ops.quote_name(PendingPush._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK_SIZE):
            cursor.execute(
                f"INSERT INTO {table} (enrollment_id, batch_id) "
                "SELECT unnest(%s::bigint[]), %s::bigint",
                [list(ids[start : start + CHUNK_SIZE]), batch_id],
            )


# While a drain task waits in the broker, a new request for one only costs a Redis SET (~0.08 ms
# of CPU against ~0.6 ms to publish a task): the task, once a worker starts it, clears the key
# before it claims rows, so rows committed before a request it skipped are pushed by that task.
DRAIN_REQUESTED_KEY = "apns:drain-requested"
# Should the waiting task be lost (the broker restarted), requests publish again after this; the
# outbox sweep of Celery beat pushes what is left meanwhile.
DRAIN_REQUEST_TTL_MS = 10_000


def request_drain(*, workers: int = 1, countdown: float | None = None) -> None:
    """Ask workers to push the outbox now. Never fails, and never waits on a Redis that does
    not answer more than once in a while (`redis_client.attempt`: while it backs off, this
    returns at once): the outbox sweep of Celery beat pushes the rows once Redis is back. One
    worker asked now while an earlier request still waits is not asked again (see
    DRAIN_REQUESTED_KEY)."""
    from apns import tasks  # the tasks module imports this one

    marked = False
    try:
        if workers <= 1 and countdown is None:
            if not _first_drain_request():
                return
            marked = True
        for _ in range(max(1, workers)):  # the first that fails ends the loop
            redis_client.publish(tasks.drain_push_outbox_task, countdown=countdown)
    except redis_client.Unavailable:  # logged once by the back-off, not per request
        if marked:
            _clear_drain_request()
    except Exception as exc:
        logger.warning(
            "could not ask a worker to push now (%s: %s); the outbox sweep will",
            type(exc).__name__, exc,
        )  # fmt: skip
        if marked:
            _clear_drain_request()


def _first_drain_request() -> bool:
    """True unless a drain task already waits for a worker (no Redis: always True). Raises
    `redis_client.Unavailable`."""
    own = redis_client.thread_connection()
    if own is None or settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    # On the thread's own connection: every first TokenUpdate asks (bench/RESULTS.md).
    with redis_client.attempt("marking a drain request"):
        marked = own.execute("SET", DRAIN_REQUESTED_KEY, b"1", "NX", "PX", DRAIN_REQUEST_TTL_MS)
        return marked is not None  # b"OK"; None: the key was there


def _clear_drain_request() -> None:
    """The request was marked but no task was published: the next request must publish one.
    Tried even while backing off: Redis answered the mark a moment ago (if it fails, the mark
    expires after DRAIN_REQUEST_TTL_MS)."""
    client = redis_client.client()
    if client is None:
        return
    try:
        client.delete(DRAIN_REQUESTED_KEY)
    except Exception as exc:
        logger.warning("could not clear the drain request (%s: %s)", type(exc).__name__, exc)


def drain_started() -> None:
    """A drain task starts: the next request publishes a new one (before any row is claimed)."""
    client = redis_client.client()
    if client is None:
        return
    try:
        with redis_client.attempt("clearing the drain request"):
            client.delete(DRAIN_REQUESTED_KEY)
    except redis_client.Unavailable:  # the key expires by itself; the drain goes on
        pass


# --- the outbox ----------------------------------------------------------------------------------


@dataclass
class DrainReport:
    """What one drain did: outbox rows taken, and pushes by result (enrollment counts)."""

    taken: int = 0
    delivered: int = 0
    dead: int = 0
    retry_later: int = 0
    failed: int = 0

    def summary(self) -> dict[str, int]:
        return {
            "taken": self.taken,
            "delivered": self.delivered,
            "dead": self.dead,
            "retry_later": self.retry_later,
            "failed": self.failed,
        }


@dataclass
class _Claim:
    token: str
    rows: list[tuple[int, int, int | None, int]]  # id, enrollment id, batch id, attempts

    def by_enrollment(self) -> dict[int, list[tuple[int, int | None, int]]]:
        out: dict[int, list[tuple[int, int | None, int]]] = {}
        for row_id, enrollment_id, batch_id, attempts in self.rows:
            out.setdefault(enrollment_id, []).append((row_id, batch_id, attempts))
        return out


def _claim(limit: int) -> _Claim:
    """Take up to `limit` rows that are due: never taken, or taken by a worker that stopped
    reporting (its claim is older than APNS_OUTBOX_RECLAIM_SECONDS) before handing them to APNs.

    A stale row that was handed over (`sent_at`) is not sent again in its batch: its outcome is
    unknown (`_follow_up_unknown`). A follow-up whose device has connected since is dropped.
    """
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.APNS_OUTBOX_RECLAIM_SECONDS)
    token = uuid.uuid4().hex
    _follow_up_unknown(stale)
    with transaction.atomic():
        ids = list(
            PendingPush.objects.select_for_update(skip_locked=True)
            .filter(available_at__lte=now)
            .filter(Q(taken_at__isnull=True) | Q(taken_at__lt=stale))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            PendingPush.objects.filter(id__in=ids).update(
                taken_at=now, claim=token, attempts=F("attempts") + 1
            )
    # The device connected after the push whose outcome was unknown: it got its commands.
    PendingPush.objects.filter(
        claim=token,
        unknown_since__isnull=False,
        enrollment__last_seen_at__gte=F("unknown_since"),
    ).delete()
    rows: list[tuple[int, int, int | None, int]] = list(
        PendingPush.objects.filter(claim=token).values_list(
            "id", "enrollment_id", "batch_id", "attempts"
        )
    )
    return _Claim(token, rows)


def _follow_up_unknown(stale: dt.datetime) -> int:
    """Turn the rows a dead worker handed to APNs without recording the answer into follow-ups.

    Each is logged as "outcome unknown" and counted in its batch (so the batch finishes without
    sending it twice), then becomes a push of no batch, due APNS_UNKNOWN_REPUSH_MINUTES after it
    was handed over: a new push, not a repeat within the batch, dropped if the device connects
    before then. Returns how many rows were turned.
    """
    delay = dt.timedelta(minutes=settings.APNS_UNKNOWN_REPUSH_MINUTES)
    with transaction.atomic():
        handed_over = (
            PendingPush.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=False, taken_at__lt=stale)
            .values_list("id", "enrollment_id", "batch_id", "sent_at")
        )
        rows = [(i, e, b, sent_at) for i, e, b, sent_at in handed_over if sent_at is not None]
        if not rows:
            return 0
        per_batch = collections.Counter(b for _i, _e, b, _s in rows if b is not None)
        DeviceEvent.objects.bulk_create(
            [
                DeviceEvent(
                    enrollment_id=enrollment_id,
                    kind=DeviceEvent.Kind.PUSH,
                    action="push",
                    status=UNKNOWN_OUTCOME,
                    detail={
                        "result": UNKNOWN_OUTCOME,
                        "handed_to_apns_at": sent_at.isoformat(),
                        "follow_up_at": (sent_at + delay).isoformat(),
                        **({"batch": batch_id} if batch_id is not None else {}),
                    },
                )
                for _i, enrollment_id, batch_id, sent_at in rows
            ],
            batch_size=2000,
        )
        PendingPush.objects.filter(id__in=[i for i, _e, _b, _s in rows]).update(
            batch=None,
            taken_at=None,
            claim="",
            attempts=0,
            unknown_since=F("sent_at"),
            available_at=F("sent_at") + delay,
            sent_at=None,
        )
        for batch_id, n in per_batch.items():
            PushBatch.objects.filter(pk=batch_id).update(unknown=F("unknown") + n)
            _finish_batch(batch_id)
    logger.warning(
        "%d pushes handed to APNs by a worker that stopped: outcome unknown, pushed again "
        "in %d minutes unless the device connects", len(rows), settings.APNS_UNKNOWN_REPUSH_MINUTES,
    )  # fmt: skip
    return len(rows)


def drain_outbox(
    *,
    limit: int = CHUNK_SIZE,
    budget_seconds: float = DRAIN_BUDGET_SECONDS,
    wait_between_retries: bool = True,
    sender: client.PushSender | None = None,
) -> DrainReport:
    """Push what the outbox holds, `limit` rows at a time, for at most about `budget_seconds`.

    Outcomes are recorded as APNs answers them, and each answered row is deleted in the same
    transaction: a worker killed half-way leaves only the unanswered rows, which the next drain
    takes again once the claim is stale. Several workers drain at once (rows are claimed with
    SKIP LOCKED). Transient failures go back with jittered backoff (immediately when
    `wait_between_retries` is off: no broker to wait with), until MAX_RETRIES.
    """
    report = DrainReport()
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        claim = _claim(limit)
        if not claim.rows:
            break
        report.taken += len(claim.rows)
        _push_claim(
            claim,
            report,
            sender=sender,
            wait_between_retries=wait_between_retries,
            deadline=deadline,
        )
    return report


def _push_claim(
    claim: _Claim,
    report: DrainReport,
    *,
    sender: client.PushSender | None,
    wait_between_retries: bool,
    deadline: float,
) -> None:
    rows = claim.by_enrollment()
    cert = active_certificate()
    if cert is None:
        _settle(claim, {e: ("failed", r) for e, r in rows.items()}, report, final=True)
        for batch_id in {b for r in rows.values() for _i, b, _a in r}:
            _abort_batch(batch_id, "no active push certificate")
        logger.error("no active APNs push certificate: %d pushes dropped", len(claim.rows))
        return
    aborted = set(
        PushBatch.objects.filter(
            pk__in={b for r in rows.values() for _i, b, _a in r if b is not None},
            status=PushBatch.Status.ABORTED,
        ).values_list("pk", flat=True)
    )
    targets = _targets(rows)
    found = {t.key for t in targets}
    # No longer pushable (unenrolled, token dead meanwhile), or its batch was stopped.
    gone = {
        e: ("failed", [r for r in rs if e not in found or r[1] in aborted])
        for e, rs in rows.items()
    }
    _settle(claim, {e: v for e, v in gone.items() if v[1]}, report, final=True)
    rows = {
        e: kept
        for e, rs in rows.items()
        if (kept := [r for r in rs if e in found and r[1] not in aborted])
    }
    targets = [t for t in targets if t.key in rows]
    if not targets:
        return
    by_key = {t.key: t for t in targets}
    delays: list[float] = []
    refused: list[str] = []  # APNs refused the certificate: the later chunks are not sent

    def record(outcomes: Sequence[client.PushOutcome]) -> None:
        # One transaction: the device log and the outbox rows change together, so a worker
        # killed at any point leaves either both or neither (never a logged push still due).
        with transaction.atomic():
            _record_answers(outcomes)

    def _record_answers(outcomes: Sequence[client.PushOutcome]) -> None:
        pushed = _record_outcomes(outcomes, [by_key[o.key] for o in outcomes], cert)
        done: dict[int, tuple[str, list[tuple[int, int | None, int]]]] = {}
        later: list[tuple[int, int | None, int]] = []
        for verdict in ("delivered", "dead", "failed"):
            for key in getattr(pushed, verdict):
                done[key] = (verdict, rows[key])
        for key in pushed.retry:
            if max(a for _i, _b, a in rows[key]) > MAX_RETRIES:
                done[key] = ("failed", rows[key])
            else:
                later += rows[key]
        if pushed.certificate_error:
            refused.append(pushed.certificate_error)
        _settle(claim, done, report, final=True, certificate_error=pushed.certificate_error)
        if later:
            attempts = max(a for _i, _b, a in later)
            delay = retry_delay(attempts - 1) if wait_between_retries else 0.0
            PendingPush.objects.filter(id__in=[i for i, _b, _a in later], claim=claim.token).update(
                taken_at=None,
                claim="",
                sent_at=None,  # APNs answered: not delivered, so due again
                available_at=timezone.now() + dt.timedelta(seconds=delay),
            )
            report.retry_later += len({k for k in pushed.retry if k not in done})
            delays.append(delay)

    def heartbeat() -> None:
        PendingPush.objects.filter(claim=claim.token).update(taken_at=timezone.now())

    send = sender or sender_for(cert)
    _send_in_chunks(send, targets, rows, claim, record, heartbeat, refused, deadline)
    if delays and wait_between_retries:
        request_drain(countdown=min(delays))  # the beat sweep would take them too, later


def _send_in_chunks(
    send: client.PushSender,
    targets: Sequence[client.PushTarget],
    rows: dict[int, list[tuple[int, int | None, int]]],
    claim: _Claim,
    record: Callable[[Sequence[client.PushOutcome]], None],
    heartbeat: Callable[[], None],
    refused: list[str],
    deadline: float,
) -> None:
    """At most once per batch: each chunk (what is in flight at once, APNS_STREAMS) is marked
    handed to APNs, and the mark committed, before it goes out; a reclaim never sends a marked
    row again (`_follow_up_unknown`). Once APNs refuses the certificate (`refused` filled in by
    `record`), the later chunks are recorded as not sent, as the sender does within a chunk.
    No chunk starts after the drain's `deadline` (so the task ends within its time limit): the
    rest is given back to the outbox, untouched, for the next drain."""
    step = max(1, settings.APNS_STREAMS)
    beat_every = settings.APNS_OUTBOX_RECLAIM_SECONDS / 4
    last_beat = time.monotonic()
    for start in range(0, len(targets), step):
        chunk = targets[start : start + step]
        if time.monotonic() - last_beat >= beat_every:
            # Many short chunks: the claim is kept fresh between them too, not only within one.
            heartbeat()
            last_beat = time.monotonic()
        if refused:
            record([client.PushOutcome(t.key, -1, reason="NotSent") for t in chunk])
            continue
        if time.monotonic() >= deadline:
            rest = [i for t in targets[start:] for i, _b, _a in rows[t.key]]
            PendingPush.objects.filter(id__in=rest, claim=claim.token).update(
                taken_at=None, claim="", attempts=F("attempts") - 1
            )
            return
        ids = [i for t in chunk for i, _b, _a in rows[t.key]]
        marked = PendingPush.objects.filter(id__in=ids, claim=claim.token).update(
            sent_at=timezone.now()
        )
        if marked < len(ids):
            # Another worker took some of these rows as stale (this drain stopped reporting for
            # longer than APNS_OUTBOX_RECLAIM_SECONDS): they are its to send now, not ours.
            held = set(
                PendingPush.objects.filter(id__in=ids, claim=claim.token).values_list(
                    "id", flat=True
                )
            )
            chunk = [t for t in chunk if all(i in held for i, _b, _a in rows[t.key])]
            if not chunk:
                continue
        _send_streaming(send, chunk, record, heartbeat)


def _settle(
    claim: _Claim,
    done: dict[int, tuple[str, list[tuple[int, int | None, int]]]],
    report: DrainReport,
    *,
    final: bool,
    certificate_error: str = "",
) -> None:
    """Delete finished rows (only while this worker still holds them) and count their batches."""
    per_batch: dict[int | None, PushReport] = {}
    row_ids: list[int] = []
    for verdict, rows in done.values():
        setattr(report, verdict, getattr(report, verdict) + 1)
        for row_id, batch_id, _attempts in rows:
            getattr(per_batch.setdefault(batch_id, PushReport()), verdict).append(row_id)
            row_ids.append(row_id)
    if not row_ids:
        return
    with transaction.atomic():
        PendingPush.objects.filter(id__in=row_ids, claim=claim.token).delete()
        for batch_id, counts in per_batch.items():
            if batch_id is not None:
                counts.certificate_error = certificate_error
                _count_batch(batch_id, counts, final_attempt=final)


_DONE = object()  # the sending thread has finished


def _send_streaming(
    sender: client.PushSender,
    targets: Sequence[client.PushTarget],
    record: Callable[[Sequence[client.PushOutcome]], None],
    heartbeat: Callable[[], None],
) -> None:
    """Send from a thread (the HTTP/2 event loop) while this thread writes the outcomes as they
    come: what is recorded is never sent again, whatever happens to the process afterwards."""
    answers: queue.SimpleQueue[Any] = queue.SimpleQueue()
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["outcomes"] = sender.send(targets, on_outcome=answers.put)
        except BaseException as exc:  # handed to the calling thread
            result["error"] = exc
        finally:
            answers.put(_DONE)

    thread = threading.Thread(target=run, name="apns-send", daemon=True)
    thread.start()
    recorded: set[int] = set()
    beat_every = settings.APNS_OUTBOX_RECLAIM_SECONDS / 4
    last_beat = time.monotonic()
    finished = False
    while not finished:
        group: list[client.PushOutcome] = []
        try:
            # Write as soon as an answer is there, with whatever else has come meanwhile: the
            # groups grow by themselves when answers come faster than they can be written.
            item = answers.get(timeout=beat_every)
            while True:
                if item is _DONE:
                    finished = True
                    break
                group.append(item)
                if len(group) >= 2000:
                    break
                item = answers.get_nowait()
        except queue.Empty:
            pass
        group = [o for o in group if o.key not in recorded]
        if group:
            record(group)
            recorded.update(o.key for o in group)
        if time.monotonic() - last_beat >= beat_every:
            heartbeat()
            last_beat = time.monotonic()
    thread.join()
    if "error" in result:
        raise result["error"]
    rest = [o for o in result["outcomes"] if o.key not in recorded]
    if rest:
        record(rest)


@transaction.atomic
def push_all(*, actor: Actor = None) -> ScheduleResult:
    """Console/API action: wake every pushable enrollment, with a progress batch."""
    ids = list(pushable().values_list("id", flat=True))
    result = schedule_pushes(
        enrollment_ids=ids, origin="console: all", actor=actor, coalesce=False, track=True
    )
    audit.record(
        actor=actor,
        action="apns.push_all",
        target=result.batch,
        details={"enrollments": len(result.scheduled)},
    )
    return result


def repush_stale_enrollments(*, hours: float | None = None) -> ScheduleResult:
    """Re-push enrollments with pending commands that have not connected for `hours`."""
    hours = hours if hours is not None else settings.APNS_REPUSH_AFTER_HOURS
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    pending = QueuedCommand.objects.filter(status__in=QueuedCommand.PENDING).values("enrollment_id")
    ids = (
        pushable()
        .filter(id__in=pending)
        .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=cutoff))
        .filter(Q(last_push_at__isnull=True) | Q(last_push_at__lt=cutoff))
        .values_list("id", flat=True)
    )
    with transaction.atomic():
        return schedule_pushes(enrollment_ids=list(ids), origin="repush: pending commands")


def sweep_silent_devices(*, days: float | None = None) -> ScheduleResult:
    """Daily: push enrollments silent for `days`, so they check in (and show as alive)."""
    days = days if days is not None else settings.APNS_SILENT_AFTER_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    ids = (
        pushable()
        .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=cutoff))
        .filter(Q(last_push_at__isnull=True) | Q(last_push_at__lt=cutoff))
        .values_list("id", flat=True)
    )
    with transaction.atomic():
        return schedule_pushes(enrollment_ids=list(ids), origin="sweep: silent devices")
