"""The device's first enrollment request: a (usually CMS-signed) MachineInfo property list.

Pure: no Django imports. Apple "MachineInfo" and "Onboarding users with account sign-in" step 4.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from mdm_server import untrusted
from mdm_server.pki import certificates, cms

# What a User Enrollment's MachineInfo may keep (we never store a hardware identifier for BYOD):
# the keys of Apple's MachineInfo schema (other/machineinfo.yaml) without UDID, SERIAL, IMEI and
# MEID (`userenrollment: forbidden` there), SOFTWARE_UPDATE_DEVICE_ID (its DeviceInformation
# counterpart is forbidden under User Enrollment) and the watch pairing token no iOS or macOS
# sends. A key a device makes up is not kept, whatever it holds. Checked against the vendored
# schema by tests/enrollment/test_machine_info_keys.py.
UE_KEYS = (
    "PRODUCT",
    "VERSION",
    "OS_VERSION",
    "SUPPLEMENTAL_BUILD_VERSION",
    "SUPPLEMENTAL_OS_VERSION_EXTRA",
    "LANGUAGE",
    "MDM_CAN_REQUEST_SOFTWARE_UPDATE",
    "MDM_CAN_REQUEST_PSSO_CONFIG",
)
MAX_BODY = 64 * 1024


class MachineInfoError(ValueError):
    """The enrollment request body cannot be used; the text is the 400 reason."""


@dataclass(frozen=True)
class MachineInfo:
    values: dict[str, Any]
    signed: bool
    signer: x509.Certificate | None

    @property
    def product(self) -> str:
        return str(self.values.get("PRODUCT", ""))

    @property
    def os_version(self) -> str:
        return str(self.values.get("OS_VERSION", ""))

    def without_hardware_ids(self) -> dict[str, Any]:
        """The values safe to keep for a User Enrollment: Apple's keys it may send (`UE_KEYS`:
        no UDID, serial, IMEI, MEID..., nor anything a device adds)."""
        return {k: _jsonable(v) for k, v in self.values.items() if k in UE_KEYS}

    def stored(self, *, byod: bool) -> dict[str, Any]:
        if byod:
            return self.without_hardware_ids()
        return {k: _jsonable(v) for k, v in self.values.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return constraints.ca


def _chains_to(
    signer: x509.Certificate, bundled: tuple[x509.Certificate, ...], roots: list[x509.Certificate]
) -> bool:
    # Walk up through the certificates bundled in the CMS (device cert -> intermediate -> root).
    # Only a CA certificate may stand in between: another device's certificate (whose key a
    # jailbroken device may give away) signing one for a made-up device is no chain.
    current = signer
    for _ in range(5):
        if any(certificates.is_issued_by(current, root) for root in roots):
            return True
        parent = next(
            (
                c
                for c in bundled
                if c != current and _is_ca(c) and certificates.is_issued_by(current, c)
            ),
            None,
        )
        if parent is None:
            return False
        current = parent
    return False


# A device sends the same signed MachineInfo twice (the 401 challenge, then the profile with
# its token): the second verification is answered from here. Keyed by the body and the trusted
# roots; only successes are kept, and only bodies of a real MachineInfo's size (2-4 kB), so the
# memory stays bounded (~10 MB) whatever an unauthenticated client sends.
_VERIFIED: OrderedDict[bytes, tuple[bytes, x509.Certificate]] = OrderedDict()
_VERIFIED_MAX = 1024
_VERIFIED_MAX_BODY = 8 * 1024
_verified_lock = threading.Lock()


def _verified(body: bytes, roots: list[x509.Certificate]) -> tuple[bytes, x509.Certificate]:
    """(content, signer) of a signed MachineInfo that verifies and chains to `roots` if any."""
    key = hashlib.sha256(body).digest() + b"".join(
        certificates.fingerprint(r).encode() for r in roots
    )
    with _verified_lock:
        hit = _VERIFIED.get(key)
        if hit is not None:
            _VERIFIED.move_to_end(key)
            return hit
    try:
        verified = cms.verify_signed_data(body)
    except cms.CMSError as exc:
        raise MachineInfoError(f"the MachineInfo signature is not valid: {exc}") from None
    if roots and not _chains_to(verified.signer, verified.certificates, roots):
        raise MachineInfoError("the MachineInfo is not signed by a trusted Apple device CA")
    result = (verified.content, verified.signer)
    if len(body) > _VERIFIED_MAX_BODY:
        return result
    with _verified_lock:
        _VERIFIED[key] = result
        while len(_VERIFIED) > _VERIFIED_MAX:
            _VERIFIED.popitem(last=False)
    return result


# The property list of a verified body, read once too (plistlib cost more than the rest of the
# second POST's reading: 1 ms of 15 under cProfile): keyed by the verified content (the very
# bytes object `_VERIFIED` keeps, whose hash Python keeps with it), as many as `_VERIFIED`.
# Only a dictionary whose values cannot change (text, numbers, data: a real MachineInfo's) is
# kept, and every caller gets its own copy of it, so no caller changes what another reads. A
# real MachineInfo has about ten keys; one with more than `_READ_MAX_KEYS` is read every time,
# so that what is kept stays about the size of its body (a binary plist of 8 kB can name 650
# keys, a dictionary of 47 kB: anyone may send one before signing in, self-signed when no
# Apple device CA is set).
_READ: OrderedDict[bytes, dict[str, Any]] = OrderedDict()
_READ_MAX_KEYS = 32
_IMMUTABLE = (str, bytes, int, float, bool)


def _read(content: bytes, keep: bool) -> Any:
    """`untrusted.load_plist(content)`, a dictionary of immutable values kept when `keep`."""
    if keep:
        with _verified_lock:
            kept = _READ.get(content)
            if kept is not None:
                _READ.move_to_end(content)
                return dict(kept)
    values = untrusted.load_plist(content)
    if (
        keep
        and isinstance(values, dict)
        and len(values) <= _READ_MAX_KEYS
        and all(type(v) in _IMMUTABLE for v in values.values())
    ):
        with _verified_lock:
            _READ[content] = dict(values)
            while len(_READ) > _VERIFIED_MAX:
                _READ.popitem(last=False)
    return values


def parse_machine_info(
    body: bytes, *, trusted_roots: list[x509.Certificate] | None = None
) -> MachineInfo:
    """Verify (when CMS) and parse the body; with `trusted_roots` a signed chain is required."""
    if not body:
        raise MachineInfoError("the request body is empty (expected a signed MachineInfo plist)")
    if len(body) > MAX_BODY:
        raise MachineInfoError("the request body is too large")
    signed = False
    signer: x509.Certificate | None = None
    content = body
    if not body.lstrip().startswith((b"<?xml", b"<plist", b"bplist")):
        content, signer = _verified(body, trusted_roots or [])
        signed = True
    elif trusted_roots:
        raise MachineInfoError("an unsigned MachineInfo is not accepted")
    try:
        # A signed body's content is read once (as it is verified once): the device sends the
        # same body with its 401 challenge and with its bearer token.
        values = _read(content, keep=signed and len(body) <= _VERIFIED_MAX_BODY)
    except untrusted.UntrustedDataError as exc:
        raise MachineInfoError(f"the MachineInfo is not a property list we accept: {exc}") from None
    if not isinstance(values, dict):
        raise MachineInfoError("the MachineInfo is not a dictionary")
    for key in ("PRODUCT", "VERSION"):
        if not isinstance(values.get(key), str) or not values[key]:
            raise MachineInfoError(f"the MachineInfo lacks {key}")
    return MachineInfo(values=values, signed=signed, signer=signer)
