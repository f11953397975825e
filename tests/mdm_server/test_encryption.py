import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.test import override_settings

from mdm_server import encryption
from mdm_server.pki.models import ServerCertificate

# Binary columns that are not secrets of ours (command bodies, device answers, profiles).
NOT_ENCRYPTED = {
    ("devices.Command", "body"),
    ("devices.QueuedCommand", "result"),
    ("profiles.Profile", "content"),
    ("managed_apps.App", "icon"),  # an app's icon from the App Store
}


def test_every_binary_column_is_classified() -> None:
    binary = {
        (m._meta.label, f.name)
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if isinstance(f, models.BinaryField)
    }
    assert binary == set(encryption.ENCRYPTED_FIELDS) | NOT_ENCRYPTED


def test_previous_key_still_decrypts() -> None:
    with override_settings(ENCRYPTION_KEY="old-key-" + "x" * 40):
        token = encryption.encrypt(b"secret")
    with (
        override_settings(ENCRYPTION_KEY="new-key-" + "y" * 40),
        pytest.raises(encryption.DecryptionError, match="MDM_ENCRYPTION_KEY_PREVIOUS"),
    ):
        encryption.decrypt(token)
    with override_settings(
        ENCRYPTION_KEY="new-key-" + "y" * 40, ENCRYPTION_KEYS_PREVIOUS=["old-key-" + "x" * 40]
    ):
        assert encryption.decrypt(token) == b"secret"


@pytest.mark.django_db
def test_rotate_command_re_encrypts_everything(server_pki) -> None:  # type: ignore[no-untyped-def]
    old, new = "old-key-" + "x" * 40, "new-key-" + "y" * 40
    rows = list(ServerCertificate.objects.order_by("pk"))
    pems = [encryption.decrypt(r.encrypted_key) for r in rows]
    with override_settings(ENCRYPTION_KEY=old):
        for row, pem in zip(rows, pems, strict=True):
            row.encrypted_key = encryption.encrypt(pem)
            row.save(update_fields=["encrypted_key"])
    with (
        override_settings(ENCRYPTION_KEY=new),
        pytest.raises(CommandError, match="nothing was changed"),
    ):
        call_command("rotate_encryption_key")
    with override_settings(ENCRYPTION_KEY=new, ENCRYPTION_KEYS_PREVIOUS=[old]):
        call_command("rotate_encryption_key")
    with override_settings(ENCRYPTION_KEY=new):
        for row, pem in zip(ServerCertificate.objects.order_by("pk"), pems, strict=True):
            assert encryption.decrypt(row.encrypted_key) == pem


class _Secret:
    value_encrypted = b""
    value = encryption.EncryptedText("value_encrypted")


def test_encrypted_text_is_decrypted_once_per_ciphertext_and_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder = _Secret()
    holder.value = "bind-password"
    decrypted = []
    real = encryption.decrypt_text
    monkeypatch.setattr(
        encryption, "decrypt_text", lambda token: decrypted.append(token) or real(token)
    )
    assert holder.value == "bind-password"
    assert holder.value == "bind-password"
    assert len(decrypted) == 1
    holder.value = "a new secret"  # a new ciphertext is decrypted
    assert holder.value == "a new secret"
    assert len(decrypted) == 2
    assert _Secret().value == ""


def test_encrypted_text_read_under_other_keys_is_decrypted_again() -> None:
    holder = _Secret()
    holder.value = "bind-password"
    assert holder.value == "bind-password"
    with (
        override_settings(ENCRYPTION_KEY="new-key-" + "y" * 40),
        pytest.raises(encryption.DecryptionError),
    ):
        _ = holder.value
