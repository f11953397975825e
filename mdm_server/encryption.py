"""Encryption at rest for private keys and secrets kept in the database.

The key comes from settings (MDM_ENCRYPTION_KEY, else SECRET_KEY), never from the database, so a
stolen database dump alone does not reveal a private key.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
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


def encrypt(plaintext: bytes) -> bytes:
    return _fernet(settings.ENCRYPTION_KEY).encrypt(plaintext)


def decrypt(token: bytes) -> bytes:
    try:
        return _fernet(settings.ENCRYPTION_KEY).decrypt(bytes(token))
    except InvalidToken:
        raise DecryptionError(
            "stored secret cannot be decrypted: MDM_ENCRYPTION_KEY (or SECRET_KEY) changed"
        ) from None


def encrypt_text(plaintext: str) -> bytes:
    return encrypt(plaintext.encode())


def decrypt_text(token: bytes) -> str:
    return decrypt(token).decode()
