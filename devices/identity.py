"""Who is this device? The identity certificate from `Mdm-Signature` or from a trusted TLS proxy.

Verification is cryptographic only (signature over the exact body, issued by our MDM CA or a
configured external CA, inside its validity window). Binding the certificate to an enrollment
(the pin stored at Authenticate, the rules in `devices.binding`) happens in services, where the
enrollment row is loaded anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote

from cryptography import x509
from django.conf import settings
from django.http import HttpRequest

from mdm_server import apple, clock
from mdm_server.pki import certificates, cms
from mdm_server.pki.services import trusted_device_cas
from mdm_server.proxies import from_trusted_proxy


class IdentityError(Exception):
    """The request does not prove a device identity; answered with 403 and the reason."""


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """A verified identity certificate: what the services need of it."""

    fingerprint: str
    not_valid_before: dt.datetime
    not_valid_after: dt.datetime
    transport: str  # "signature" or "mtls"


_CA_CACHE_SECONDS = 60.0
_ca_cache: tuple[float, list[x509.Certificate]] = (0.0, [])


def _trusted_cas(*, refresh: bool = False) -> list[x509.Certificate]:
    """Every MDM CA generation plus the external CA; cached per process for a minute."""
    global _ca_cache  # a per-process cache of a few certificates, reloaded when stale
    loaded_at, cas = _ca_cache
    if refresh or not cas or time.monotonic() - loaded_at > _CA_CACHE_SECONDS:
        cas = trusted_device_cas() + list(_external_cas(settings.MDM_EXTERNAL_CA_FILE))
        _ca_cache = (time.monotonic(), cas)
    return cas


@cache
def _external_cas(path: str | None) -> tuple[x509.Certificate, ...]:
    if not path:
        return ()
    return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))


_revoked_cache: tuple[float, frozenset[str]] = (0.0, frozenset())


def _revoked_fingerprints() -> frozenset[str]:
    """Fingerprints of revoked device certificates; reloaded at most once a minute per process."""
    global _revoked_cache  # a per-process cache, like the CA list
    loaded_at, revoked = _revoked_cache
    if time.monotonic() - loaded_at > _CA_CACHE_SECONDS:
        from mdm_server.pki.models import IssuedCertificate

        revoked = frozenset(
            IssuedCertificate.objects.filter(revoked_at__isnull=False).values_list(
                "fingerprint", flat=True
            )
        )
        _revoked_cache = (time.monotonic(), revoked)
    return revoked


def forget_cached_state() -> None:
    """Drop the per-process CA and revocation caches (after a revocation or CA change)."""
    global _ca_cache, _revoked_cache
    _ca_cache = (0.0, [])
    _revoked_cache = (0.0, frozenset())
    _issuer_ok.clear()
    _verified.clear()
    _identity_of.cache_clear()


# Fingerprints of certificates whose issuer signature verified against the CA list as loaded at
# `_ca_cache[0]`: a device's identity does not change between polls, so its chain is checked
# once per CA reload (every minute) rather than on every request. Bounded; cleared on reload.
_issuer_ok: dict[str, float] = {}
_ISSUER_CACHE_MAX = 200_000


def _issued_by_trusted_ca(cert: x509.Certificate, fingerprint: str) -> bool:
    cas = _trusted_cas()
    loaded_at = _ca_cache[0]
    if _issuer_ok.get(fingerprint) == loaded_at:
        return True
    if not any(certificates.is_issued_by(cert, ca) for ca in cas):
        # A CA generation created since the cache was filled.
        if not any(certificates.is_issued_by(cert, ca) for ca in _trusted_cas(refresh=True)):
            return False
        loaded_at = _ca_cache[0]
    if len(_issuer_ok) >= _ISSUER_CACHE_MAX:
        _issuer_ok.clear()
    _issuer_ok[fingerprint] = loaded_at
    return True


# The signers of (Mdm-Signature, body) pairs that verified. A device signs the same Idle body
# each time it polls, and its RSA PKCS#1 v1.5 signature is deterministic, so most polls repeat a
# pair this process has already verified; the CMS parse and the RSA check are then skipped. The
# answer for a pair never changes (it is a function of the bytes alone), and the checks that can
# change (validity window, revocation, the enrollment's pin) still run on every request; the
# issuing CA is checked again whenever the CA list is reloaded. Only the fingerprint and validity
# window are kept (about 0.4 kB a pair, 40 MB per process at the bound). When full, the pair used
# longest ago goes: a fleet's results (each body new, never seen again) pass through without
# pushing out the Idle polls, which are used again and again.
_verified: OrderedDict[bytes, DeviceIdentity] = OrderedDict()
_VERIFIED_CACHE_MAX = 100_000


def _require_trusted_issuer(cert: x509.Certificate, fingerprint: str) -> None:
    if not _issued_by_trusted_ca(cert, fingerprint):
        raise IdentityError("the identity certificate was not issued by this server's CA")


# What the services need of a certificate, worked out once per certificate and process (its
# fingerprint hashes the whole certificate): a device sends the same one with every request. A
# pure function of the certificate's bytes (`x509.Certificate` hashes and compares by its DER),
# so a changed certificate is a new entry; the checks that can change over time (CA, validity
# window, revocation, the enrollment's pin) read it on every request. Bounded, least recently
# used dropped first.
@lru_cache(maxsize=cms.EMBEDDED_CACHE_SIZE)
def _identity_of(cert: x509.Certificate, transport: str) -> DeviceIdentity:
    return DeviceIdentity(
        fingerprint=certificates.fingerprint(cert),
        not_valid_before=cert.not_valid_before_utc,
        not_valid_after=cert.not_valid_after_utc,
        transport=transport,
    )


def _from_signature(signature: str, body: bytes) -> DeviceIdentity:
    """The signer of `body`, its issuing CA checked; IdentityError if either fails."""
    raw = signature.encode("utf-8", "surrogatepass")
    key = hashlib.sha256(b"%d:%s%s" % (len(raw), raw, body)).digest()  # injective: length first
    seen = _verified.get(key)
    if seen is not None:
        _trusted_cas()  # reloads the CA list when it is stale
        if _issuer_ok.get(seen.fingerprint) == _ca_cache[0]:
            try:  # noqa: SIM105 - on every Idle poll: no context manager's cost
                _verified.move_to_end(key)
            except KeyError:  # another thread's eviction took it meanwhile
                pass
            return seen
    try:
        read = cms.read_mdm_signature(signature, body)
    except cms.CMSError as exc:
        raise IdentityError(f"Mdm-Signature does not verify: {exc}") from None
    cert = read.signer
    seen = _identity_of(cert, "signature")
    _require_trusted_issuer(cert, seen.fingerprint)
    # Its signer is ours: the signer's next signatures are read by template.
    cms.remember_mdm_signature(read)
    while len(_verified) >= _VERIFIED_CACHE_MAX:
        try:
            _verified.popitem(last=False)
        except KeyError:  # emptied by another thread meanwhile
            break
    _verified[key] = seen
    return seen


def _mtls_certificate(meta: Mapping[str, object]) -> x509.Certificate | None:
    header = "HTTP_" + settings.MDM_CLIENT_CERT_HEADER.upper().replace("-", "_")
    value = meta.get(header)
    if not isinstance(value, str) or not value or not from_trusted_proxy(meta):
        return None
    try:
        return certificates.load_pem_from_peer(unquote(value).encode())
    except ValueError:
        raise IdentityError("the forwarded client certificate cannot be read") from None


def identify(request: HttpRequest) -> DeviceIdentity:
    """Verify the device identity of a check-in or connect request."""
    return identify_meta(request.META, request.body)


def identify_meta(meta: Mapping[str, object], body: bytes) -> DeviceIdentity:
    """`identify` from the WSGI environ (Django's `request.META`) and the exact request body."""
    signature = meta.get("HTTP_MDM_SIGNATURE")
    if isinstance(signature, str) and signature:
        device = _from_signature(signature, body)
    else:
        cert = _mtls_certificate(meta)
        if cert is None:
            raise IdentityError(
                "no device identity: send an Mdm-Signature header or a client certificate"
            )
        device = _identity_of(cert, "mtls")
        _require_trusted_issuer(cert, device.fingerprint)
    now = clock.now()
    if not device.not_valid_before <= now <= device.not_valid_after:
        raise IdentityError("the identity certificate is expired or not yet valid")
    if device.fingerprint in _revoked_fingerprints():
        raise IdentityError("the identity certificate has been revoked")
    return device


def bearer_token(request: HttpRequest) -> str | None:
    return bearer_token_meta(request.META)


def bearer_token_meta(meta: Mapping[str, object]) -> str | None:
    return apple.bearer_token(meta.get("HTTP_AUTHORIZATION"))
