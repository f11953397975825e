"""Sign-in support for directory.auth: users created or refreshed on sign-in."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

from directory import selectors, sync
from directory.models import (
    DirectoryUser,
    IdentitySource,
)
from directory.services.common import DirectoryError
from directory.services.users import (
    _apply_apple_ids,
)

# --- sign-in support (used by directory.auth) --------------------------------------------------


# No savepoint when nested (enrollment's sign-in): an error here ends the whole sign-in anyway.
@transaction.atomic(savepoint=False)
def upsert_signed_in_user(
    *, source: IdentitySource, record: sync.UserRecord, refuse_disabled: bool = False
) -> DirectoryUser:
    """Create or refresh a user from the directory at sign-in, then stamp last_login_at.

    With `refuse_disabled`, a user disabled here (by an administrator or the last sync) raises
    DirectoryError(code="disabled") and nothing is written."""
    user = selectors.user_by_external_id(source, record.external_id, for_update=True)
    if refuse_disabled and user is not None and not user.enabled:
        raise DirectoryError("This account is disabled here.", code="disabled")
    fields = {
        "username": record.username[:255],
        "email": record.email[:254],
        "upn": record.upn[:255],
        "display_name": record.display_name[:255],
        "distinguished_name": record.dn[:500],
    }
    changed = user is None
    if user is None:
        user = DirectoryUser.objects.create(
            source=source, external_id=record.external_id, last_login_at=timezone.now(), **fields
        )
    else:
        updated = [key for key, value in fields.items() if value and getattr(user, key) != value]
        for key in updated:
            setattr(user, key, fields[key])
        changed = bool(updated)
        user.last_login_at = timezone.now()
        # updated_at (auto_now) moves only when the directory record itself changed.
        user.save(update_fields=[*updated, "last_login_at", *(["updated_at"] if updated else [])])
    if changed or (user.managed_apple_id is None and not user.managed_apple_id_problem):
        _apply_apple_ids([user], source)
    return user


def check_local_password(user: DirectoryUser, password: str) -> bool:
    return bool(user.password) and check_password(password, user.password)
