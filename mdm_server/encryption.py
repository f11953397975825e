"""Encryption at rest for private keys and secrets kept in the database.

The key comes from settings (MDM_ENCRYPTION_KEY, else SECRET_KEY), never from the database, so a
stolen database dump alone does not reveal a private key.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class DecryptionError(Exception):
    """Stored ciphertext cannot be read with the configured key."""


@cache
def _fernet(key_material: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"mdm-server at-rest v1", info=b"fernet"
    ).derive(key_material.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


# Every database column holding ciphertext from this module, as (model label, field name).
# `manage.py rotate_encryption_key` re-encrypts exactly these; a test keeps the list complete.
ENCRYPTED_FIELDS: tuple[tuple[str, str], ...] = (
    ("pki.ServerCertificate", "encrypted_key"),
    ("apns.PushCertificate", "encrypted_key"),
    ("apns.PushCertificateRequest", "encrypted_key"),
    ("apns.MdmVendorCertificate", "encrypted_key"),
    ("devices.Enrollment", "unlock_token"),
    ("devices.Enrollment", "bootstrap_token"),
    ("directory.IdentitySource", "bind_password_encrypted"),
    ("directory.IdentitySource", "client_secret_encrypted"),
    ("directory.IdentitySource", "client_key_encrypted"),
    ("managed_apps.AppsBooksToken", "encrypted_token"),
    ("abm.AbmLink", "encrypted_key"),
    ("abm.AbmLink", "encrypted_token"),
    ("declarations.AssetData", "encrypted_data"),
)


def _keys() -> MultiFernet:
    """The current key first (it encrypts), then previous keys (they still decrypt)."""
    previous = getattr(settings, "ENCRYPTION_KEYS_PREVIOUS", [])
    return MultiFernet([_fernet(settings.ENCRYPTION_KEY), *(_fernet(k) for k in previous)])


def encrypt(plaintext: bytes) -> bytes:
    return _fernet(settings.ENCRYPTION_KEY).encrypt(plaintext)


def decrypt(token: bytes | memoryview) -> bytes:
    """Plaintext of a stored token (a BinaryField reads back as bytes or memoryview)."""
    try:
        return _keys().decrypt(bytes(token))
    except InvalidToken:
        raise DecryptionError(
            "stored secret cannot be decrypted: MDM_ENCRYPTION_KEY (or SECRET_KEY) changed; "
            "set the old key in MDM_ENCRYPTION_KEY_PREVIOUS"
        ) from None


def rotate(token: bytes) -> bytes:
    """Re-encrypt ciphertext made with any known key under the current key."""
    try:
        return _keys().rotate(bytes(token))
    except InvalidToken:
        raise DecryptionError("stored secret cannot be decrypted with any configured key") from None


class EncryptedText:
    """A model attribute that reads and writes text through an encrypted BinaryField.

    `password = EncryptedText("password_encrypted")`: assigning encrypts (an empty value clears),
    reading decrypts ("" when nothing is stored). The plaintext is never a database column.
    """

    def __init__(self, field_name: str) -> None:
        self.field_name = field_name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        raw = bytes(getattr(obj, self.field_name) or b"")
        return _remembered_text(raw) if raw else ""

    def __set__(self, obj: object, value: str) -> None:
        setattr(obj, self.field_name, encrypt_text(value) if value else b"")


# An identity source's secrets are read on every directory sign-in (the LDAP bind password):
# decrypting inside a request cost ~0.09 ms of CPU (0.01 ms in a loop: OpenSSL's contexts are
# cold there), for a few ciphertexts that change only when an administrator sets a new secret.
# The plaintext of each ciphertext read through EncryptedText is kept in the process, keyed by
# the keys in force as well (under other keys it is decrypted again, and fails as it should);
# at most _TEXTS_MAX of them (then all are forgotten). The process holds the key that decrypts
# them anyway.
_texts: dict[tuple[str, tuple[str, ...], bytes], str] = {}
_TEXTS_MAX = 256


def _remembered_text(token: bytes) -> str:
    key = (
        settings.ENCRYPTION_KEY,
        tuple(getattr(settings, "ENCRYPTION_KEYS_PREVIOUS", [])),
        token,
    )
    text = _texts.get(key)
    if text is None:
        text = decrypt_text(token)
        if len(_texts) >= _TEXTS_MAX:
            _texts.clear()
        _texts[key] = text
    return text


def encrypt_text(plaintext: str) -> bytes:
    return encrypt(plaintext.encode())


def decrypt_text(token: bytes) -> str:
    return decrypt(token).decode()
