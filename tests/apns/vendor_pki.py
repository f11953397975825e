"""A test chain that plays Apple for MDM vendor signing: root, WWDR intermediate, vendor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class VendorChain:
    root: x509.Certificate
    wwdr: x509.Certificate
    vendor: x509.Certificate
    vendor_key: rsa.RSAPrivateKey
    intermediate_key: rsa.RSAPrivateKey


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    days: int = 365,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def make_vendor_chain() -> VendorChain:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wwdr_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    vendor_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = name("Test Apple Root CA")
    wwdr_name = name("Test Apple Worldwide Developer Relations CA")
    root = issue(root_name, root_key, root_name, root_key, ca=True, days=3650)
    wwdr = issue(wwdr_name, wwdr_key, root_name, root_key, ca=True, days=3000)
    vendor = issue(name("MDM Vendor: Example Org"), vendor_key, wwdr_name, wwdr_key, ca=False)
    return VendorChain(root, wwdr, vendor, vendor_key, wwdr_key)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
