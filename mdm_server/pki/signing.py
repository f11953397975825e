"""Sign `.mobileconfig` bytes as attached CMS SignedData (DER) with the server's signing identity.

`sign_with_identity` is pure crypto; `sign_profile` picks the ACTIVE signing identity from the PKI.
The PKI owns the signing identity, so every app that hands a profile to a device signs here: the
profiles app (uploads, assignments), the enrollment app (enrollment profiles) and the devices
app's queue, which re-signs a profile it trimmed for a User Enrollment.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from mdm_server.pki import certificates
from mdm_server.pki.services import active_identity


def sign_with_identity(data: bytes, identity: certificates.Identity) -> bytes:
    """Attached CMS over `data`, DER, signer certificate and its chain embedded."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data)
    builder = builder.add_signer(identity.certificate, identity.key, hashes.SHA256())
    for cert in identity.chain:
        builder = builder.add_certificate(cert)
    # Binary: without it the content is MIME-canonicalised (LF -> CRLF) even in DER output,
    # which would change the profile the device sees.
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])


def sign_profile(data: bytes) -> bytes:
    """Sign profile bytes with the active signing certificate (raises CertificateError if none)."""
    return sign_with_identity(data, active_identity("signing"))


__all__ = ["sign_profile", "sign_with_identity"]
