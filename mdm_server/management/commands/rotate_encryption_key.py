"""Re-encrypt every stored secret under the current MDM_ENCRYPTION_KEY.

Run after moving the old key to MDM_ENCRYPTION_KEY_PREVIOUS; all or nothing.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mdm_server import encryption


class Command(BaseCommand):
    help = "Re-encrypt every secret stored in the database with the current encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        counts: dict[str, int] = {}
        try:
            with transaction.atomic():
                for label, field in encryption.ENCRYPTED_FIELDS:
                    model = apps.get_model(label)
                    done = 0
                    rows = model.objects.exclude(**{f"{field}__isnull": True}).only("pk", field)
                    for row in rows.iterator():
                        value = getattr(row, field)
                        if not value:
                            continue
                        setattr(row, field, encryption.rotate(value))
                        row.save(update_fields=[field])
                        done += 1
                    counts[f"{label}.{field}"] = done
        except encryption.DecryptionError as exc:
            raise CommandError(f"{exc}; nothing was changed") from None
        total = sum(counts.values())
        for name, done in counts.items():
            if done:
                self.stdout.write(f"{name}: {done}")
        self.stdout.write(f"Re-encrypted {total} secret(s) with the current key.")
