"""The server token of an Apple Business Manager link: the link's key pair and certificate, and
the S/MIME message ABM returns, encrypted to that certificate, holding the OAuth 1.0a secrets.

Pure: no Django imports. Apple "Authenticating with a device enrollment program server token";
the `com.apple.maid` GetToken JWT is signed with the same key ("Get Token").
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass

import jwt
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from mdm_server import untrusted
from mdm_server.pki import certificates

MAX_TOKEN_FILE = 64 * 1024
_FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_secret")


class ServerTokenError(ValueError):
    """The uploaded server token cannot be used; the text is for the admin."""


@dataclass(frozen=True)
class ServerToken:
    """The OAuth 1.0a credentials inside a decrypted server token."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_secret: str
    access_token_expiry: dt.datetime

    def to_json(self) -> str:
        return json.dumps(
            {
                "consumer_key": self.consumer_key,
                "consumer_secret": self.consumer_secret,
                "access_token": self.access_token,
                "access_secret": self.access_secret,
                "access_token_expiry": self.access_token_expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ServerToken:
        return parse_token_json(text)


@dataclass(frozen=True)
class LinkIdentity:
    key_pem: bytes
    certificate_pem: bytes


def new_link_identity(*, name: str, now: dt.datetime | None = None) -> LinkIdentity:
    """A 2048-bit RSA key and a self-signed certificate for one ABM link (the admin uploads the
    certificate's PEM to Apple Business Manager, which encrypts the server token to it)."""
    now = now or dt.datetime.now(dt.UTC)
    key = certificates.new_rsa_key(2048)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, f"MDM server token key: {name}"[:64])]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return LinkIdentity(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
    )


def _load(identity: LinkIdentity) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key(identity.key_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):  # pragma: no cover - we only make RSA keys
        raise ServerTokenError("the link's key is not an RSA key")
    return key, x509.load_pem_x509_certificate(identity.certificate_pem)


def decrypt_server_token(data: bytes, identity: LinkIdentity) -> ServerToken:
    """Decrypt the `.p7m` file ABM returns (S/MIME, or bare PEM/DER enveloped data)."""
    if not data.strip():
        raise ServerTokenError("The server token file is empty.")
    if len(data) > MAX_TOKEN_FILE:
        raise ServerTokenError("This file is too large to be a server token.")
    key, certificate = _load(identity)
    stripped = data.lstrip()
    if stripped.startswith(b"-----BEGIN"):
        decrypt = pkcs7.pkcs7_decrypt_pem
    elif stripped[:1] == b"\x30":
        decrypt = pkcs7.pkcs7_decrypt_der
    else:
        decrypt = pkcs7.pkcs7_decrypt_smime
    try:
        plaintext = decrypt(stripped, certificate, key, [])
    except UnsupportedAlgorithm:
        raise ServerTokenError(
            "This server token is encrypted with an algorithm this server cannot decrypt."
        ) from None
    except ValueError as exc:
        text = str(exc).lower()
        if "recipient" in text or "certificate" in text or "decrypt" in text:
            raise ServerTokenError(
                "This server token was not made for this link: it is encrypted to another "
                "certificate. Download this link's public key again, upload it to Apple "
                "Business Manager, and download a new token."
            ) from None
        raise ServerTokenError(
            "This is not a server token from Apple Business Manager (no S/MIME "
            "encrypted message could be read)."
        ) from None
    return parse_token_message(plaintext)


_MESSAGE = re.compile(rb"-----BEGIN MESSAGE-----(.*?)-----END MESSAGE-----", re.S)


def parse_token_message(plaintext: bytes) -> ServerToken:
    """The decrypted text: MIME headers, then the JSON between BEGIN/END MESSAGE lines."""
    match = _MESSAGE.search(plaintext)
    body = match.group(1) if match else plaintext.split(b"\r\n\r\n", 1)[-1].split(b"\n\n", 1)[-1]
    try:
        return parse_token_json(body.decode("utf-8").strip())
    except UnicodeDecodeError:
        raise ServerTokenError("The decrypted server token is not text.") from None


def parse_token_json(text: str) -> ServerToken:
    try:
        document = untrusted.load_json(text)  # no NUL characters: PostgreSQL refuses them
    except untrusted.UntrustedDataError:
        raise ServerTokenError("The decrypted server token is not the JSON Apple sends.") from None
    if not isinstance(document, dict):
        raise ServerTokenError("The decrypted server token is not a JSON object.")
    missing = [f for f in _FIELDS if not isinstance(document.get(f), str) or not document[f]]
    if missing:
        raise ServerTokenError(f"The server token lacks {', '.join(missing)}.")
    expiry_text = document.get("access_token_expiry")
    try:
        expiry = dt.datetime.fromisoformat(str(expiry_text).replace("Z", "+00:00"))
    except ValueError:
        raise ServerTokenError("The server token has no readable access_token_expiry.") from None
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=dt.UTC)
    try:  # stored in UTC: a time a Python datetime cannot hold there could never be read back
        expiry = expiry.astimezone(dt.UTC)
    except OverflowError:
        raise ServerTokenError("The server token has no readable access_token_expiry.") from None
    return ServerToken(
        consumer_key=document["consumer_key"],
        consumer_secret=document["consumer_secret"],
        access_token=document["access_token"],
        access_secret=document["access_secret"],
        access_token_expiry=expiry,
    )


def maid_token(
    *,
    key_pem: bytes,
    server_uuid: str,
    now: dt.datetime | None = None,
    jti: str | None = None,
) -> str:
    """The `com.apple.maid` GetToken JWT: RS256 with the link's key; iss is ABM's server_uuid
    (AccountDetail), iat, a random jti (single use) and service_type (Apple "Get Token")."""
    if not server_uuid:
        raise ServerTokenError("the link has no server_uuid yet: fetch the account first")
    issued = now or dt.datetime.now(dt.UTC)
    claims = {
        "iss": server_uuid,
        "iat": int(issued.timestamp()),
        "jti": jti or str(uuid.uuid4()),
        "service_type": "com.apple.maid",
    }
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):  # pragma: no cover
        raise ServerTokenError("the link's key is not an RSA key")
    return jwt.encode(claims, key, algorithm="RS256", headers={"typ": "JWT"})
