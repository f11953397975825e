"""The signed push certificate request Apple's Push Certificates Portal takes (pure: no Django).

Apple issues an MDM push certificate only for a CSR signed by an MDM vendor. The facts, from
Apple's "Setting Up Push Notifications for Your MDM Customers" (formerly "MDM Vendor CSR Signing
Overview" in the MDM Protocol Reference) and the same format in MicroMDM's `mdmcertutil`
(`PushCertificateRequest`, "an XML plist, base64 encoded"):

1. the customer's CSR in DER (binary) form;
2. signed with the private key of the vendor's MDM signing certificate, SHA256WithRSA
   (PKCS#1 v1.5; the older revision of Apple's page said SHA1WithRSA, the current one SHA-256);
3. the signature, base64-encoded -> `PushCertSignature`;
4. the CSR DER, base64-encoded -> `PushCertRequestCSR`;
5. `PushCertCertificateChain`: PEM certificates from the vendor's MDM signing certificate up to
   and including the root: vendor certificate, Apple WWDR intermediate, Apple Inc. root, each
   PEM with 64-character lines;
6. the three keys in an XML property list, and the whole plist base64-encoded: that text file is
   what is uploaded at identity.apple.com.

The vendor's certificate (from the Apple Developer Enterprise Program, "MDM CSR" certificate
type) names the vendor as `MDM Vendor: <organisation>` in its subject common name.
"""

from __future__ import annotations

import base64
import datetime as dt
import plistlib
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

VENDOR_CN_PREFIX = "MDM Vendor"
# Apple's certificate-extension arc (1.2.840.113635.100.6.1.x marks what a developer certificate
# may do); a vendor certificate without the common-name prefix is accepted when it carries one.
APPLE_DEVELOPER_EXTENSION_ARC = "1.2.840.113635.100.6.1."


class VendorCertificateError(ValueError):
    """The vendor certificate or the request cannot be used; the message says why."""


def is_vendor_certificate(cert: x509.Certificate) -> bool:
    """An MDM vendor ("MDM CSR") certificate: CN `MDM Vendor: …` or an Apple developer extension."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names and str(names[0].value).strip().startswith(VENDOR_CN_PREFIX):
        return True
    return any(
        ext.oid.dotted_string.startswith(APPLE_DEVELOPER_EXTENSION_ARC) for ext in cert.extensions
    )


def check_vendor_certificate(cert: x509.Certificate, key: object, *, now: dt.datetime) -> None:
    """Refuse what cannot sign a request Apple accepts: not a vendor certificate, not RSA, expired."""
    if not is_vendor_certificate(cert):
        subject = cert.subject.rfc4514_string() or "(empty subject)"
        raise VendorCertificateError(
            f"{subject} is not an MDM vendor certificate: Apple's MDM signing certificate is named "
            f"'{VENDOR_CN_PREFIX}: <your organisation>' (Apple Developer Enterprise Program, "
            "certificate type MDM CSR)"
        )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise VendorCertificateError("the vendor key must be an RSA key (Apple signs with RSA)")
    if cert.not_valid_after_utc <= now:
        raise VendorCertificateError(
            f"the vendor certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}: download a "
            "new MDM CSR certificate from Apple's developer site"
        )
    if cert.not_valid_before_utc > now + dt.timedelta(minutes=5):
        raise VendorCertificateError(
            f"the vendor certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d}"
        )


def _pem(cert: x509.Certificate) -> str:
    # cryptography writes PEM with 64-character lines, as Apple's portal requires.
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def sign_push_request(
    *,
    csr: x509.CertificateSigningRequest,
    vendor_key: rsa.RSAPrivateKey,
    vendor_certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
) -> bytes:
    """The request file for identity.apple.com: base64 of the XML plist described above.

    `chain` is what follows the vendor certificate (WWDR intermediate, then Apple's root).
    """
    csr_der = csr.public_bytes(serialization.Encoding.DER)
    signature = vendor_key.sign(csr_der, padding.PKCS1v15(), hashes.SHA256())
    plist = plistlib.dumps(
        {
            "PushCertRequestCSR": base64.b64encode(csr_der).decode("ascii"),
            "PushCertCertificateChain": "".join(_pem(c) for c in (vendor_certificate, *chain)),
            "PushCertSignature": base64.b64encode(signature).decode("ascii"),
        },
        fmt=plistlib.FMT_XML,
    )
    return base64.b64encode(plist)
