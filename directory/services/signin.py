"""Sign-in support for directory.auth: users created or refreshed on sign-in."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import IntegrityError, connections, router, transaction
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
from mdm_server.prepared import PreparedUpdate, row_converters, saves_more_than_sql

# --- sign-in support (used by directory.auth) --------------------------------------------------

# A returning person's sign-in changes only this (mdm_server.prepared; README, "Prepared
# statements on the sign-in and profile requests").
_STAMP_LOGIN = PreparedUpdate(DirectoryUser, ["last_login_at"])


# No savepoint when nested (enrollment's sign-in): an error here ends the whole sign-in anyway.
@transaction.atomic(savepoint=False)
def upsert_signed_in_user(
    *, source: IdentitySource, record: sync.UserRecord, refuse_disabled: bool = False
) -> DirectoryUser:
    """Create or refresh a user from the directory at sign-in, then stamp last_login_at.

    With `refuse_disabled`, a user disabled here (by an administrator or the last sync) raises
    DirectoryError(code="disabled") and nothing is written."""
    fields = _refreshed(record)
    now = timezone.now()
    # The usual sign-in, a returning person's: the login stamped and the row read back (and
    # locked) by one statement. Otherwise (no such user, or one disabled here) nothing was
    # written, and the row is read and locked as below.
    user = _stamp_login(source, record.external_id, now, enabled_only=refuse_disabled)
    stamped = user is not None
    if user is None:
        user = selectors.user_by_external_id(source, record.external_id, for_update=True)
    changed = False
    if user is None:
        user = _create_first(source, record.external_id, now, fields)
        changed = user is not None
        if user is None:  # a concurrent first sign-in of the same person made the row first
            user = selectors.user_by_external_id(source, record.external_id, for_update=True)
            if user is None:  # and it is gone again: nothing was written here
                raise DirectoryError("The sign-in could not be completed; try again.", code="retry")
    if refuse_disabled and not user.enabled:
        raise DirectoryError("This account is disabled here.", code="disabled")
    if not changed:
        updated = [key for key, value in fields.items() if value and getattr(user, key) != value]
        for key in updated:
            setattr(user, key, fields[key])
        changed = bool(updated)
        user.last_login_at = now
        if updated:
            # updated_at (auto_now) moves only when the directory record itself changed.
            user.save(update_fields=[*updated, "last_login_at", "updated_at"])
        elif not stamped:
            _STAMP_LOGIN.save(user)  # the same UPDATE, compiled once
    if changed or (user.managed_apple_id is None and not user.managed_apple_id_problem):
        _apply_apple_ids([user], source)
    return user


def _refreshed(record: sync.UserRecord) -> dict[str, str]:
    """The columns a sign-in refreshes from the directory's record (each only when the record
    has a value for it)."""
    return {
        "username": record.username[:255],
        "email": record.email[:254],
        "upn": record.upn[:255],
        "display_name": record.display_name[:255],
        "distinguished_name": record.dn[:500],
    }


def login_stamp_sql(
    *,
    source: IdentitySource,
    record: sync.UserRecord | None,
    user: DirectoryUser,
    now: dt.datetime,
) -> tuple[str, list[Any]] | None:
    """A sign-in's login stamp of `user`, as read by the caller, for a statement of the
    caller's own: `UPDATE ... SET last_login_at ... RETURNING id` (SQL, parameters), meant as
    the first part of a data-modifying WITH whose other writes read its row. It stamps the row,
    and returns it, only when that is all the sign-in would write and the row is still as read:

    - the same user (key), still enabled, with the Managed Apple ID and e-mail address read;
    - for a directory's `record` (an LDAP sign-in: what `upsert_signed_in_user` would write),
      the record's user (source and external id) whose columns already hold every value of
      the record (nothing to refresh), its Managed Apple ID set (nothing to work out);
    - for a local account (`record` None), `user` is the row its password was checked against.

    Otherwise it writes nothing and returns no row: the caller then signs in the usual way
    (`directory.auth.Verified.sign_in`), whose writes and refusals are what they always were.
    None where no such statement is written: another database than PostgreSQL, a `user` without
    those columns read, no Managed Apple ID, or (for a record) saving a DirectoryUser that does
    more than its SQL (upsert_signed_in_user then saves it)."""
    alias = router.db_for_write(DirectoryUser)
    connection = connections[alias]
    if (
        connection.vendor != "postgresql"
        or not user.managed_apple_id
        or user.get_deferred_fields() & {"id", "managed_apple_id", "email", "enabled"}
        or (record is not None and saves_more_than_sql(DirectoryUser))
    ):
        return None
    meta = DirectoryUser._meta
    qn = connection.ops.quote_name
    columns = {f.name: qn(str(f.column)) for f in meta.concrete_fields}

    def column(name: str) -> str:
        return columns[name]

    expected: dict[str, Any] = {
        "id": user.pk,
        "managed_apple_id": user.managed_apple_id,
        "email": user.email,
    }
    if record is not None:
        expected |= {"source": source.pk, "external_id": record.external_id}
        for name, value in _refreshed(record).items():
            if not value:  # as upsert_signed_in_user compares them
                continue
            if expected.setdefault(name, value) != value:
                return None  # the record changes what was read: not a returning person's stamp
    stamp = meta.get_field("last_login_at").get_db_prep_save(now, connection)
    where = " AND ".join([*(f"{column(name)} = %s" for name in expected), column("enabled")])
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {column('last_login_at')} = %s "  # noqa: S608 - quoted names, values are parameters
        f"WHERE {where} RETURNING {column('id')}"
    )
    return sql, [stamp, *expected.values()]


def _create_first(
    source: IdentitySource, external_id: str, now: dt.datetime, fields: dict[str, str]
) -> DirectoryUser | None:
    """The person's row, made at their first sign-in; None when another sign-in of the same
    person, at the same moment, made it first (its INSERT waited for that one to commit). In a
    savepoint of its own, so that the conflict leaves the sign-in's transaction usable."""
    try:
        with transaction.atomic(using=router.db_for_write(DirectoryUser)):
            return DirectoryUser.objects.create(
                source=source, external_id=external_id, last_login_at=now, **fields
            )
    except IntegrityError:
        if not DirectoryUser.objects.filter(source=source, external_id=external_id).exists():
            raise  # another constraint: not this race
        return None


_Steps = tuple[tuple[int, Any, tuple[Any, ...]], ...]


@functools.cache
def _stamp_statement(alias: str, enabled_only: bool) -> tuple[str, list[str], _Steps]:
    """The UPDATE ... RETURNING of `_stamp_login` (SQL, the row's attnames, the converters
    of each column that has any: the ORM's, as for a SELECT of the row), written once."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    meta = DirectoryUser._meta
    fields = meta.concrete_fields
    column = {f.name: qn(str(f.column)) for f in fields}  # quoted, in the model's order
    where = [f"{column['source']} = %s", f"{column['external_id']} = %s"]
    if enabled_only:
        where.append(column["enabled"])
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {column['last_login_at']} = %s "  # noqa: S608 - quoted names, values are parameters
        f"WHERE {' AND '.join(where)} RETURNING {', '.join(column.values())}"
    )
    return sql, [f.attname for f in fields], row_converters(fields, meta.db_table, connection)


def _stamp_login(
    source: IdentitySource, external_id: str, now: dt.datetime, *, enabled_only: bool
) -> DirectoryUser | None:
    """The user of a directory record, its login stamped `now`, read back whole by the same
    statement (PostgreSQL's UPDATE ... RETURNING locks the row until the transaction ends, as
    SELECT ... FOR UPDATE does): a returning person's sign-in in one statement instead of two.
    None, with nothing written, when there is no such user, when `enabled_only` and the user
    is disabled, on another database, or when saving a DirectoryUser does more than its SQL
    (a save() of its own, signal receivers): the caller reads the row and saves it."""
    alias = router.db_for_write(DirectoryUser)
    connection = connections[alias]
    if connection.vendor != "postgresql" or saves_more_than_sql(DirectoryUser):
        return None
    sql, attnames, steps = _stamp_statement(alias, enabled_only)
    stamp = DirectoryUser._meta.get_field("last_login_at").get_db_prep_save(now, connection)
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(sql, [stamp, source.pk, external_id])
        row = cursor.fetchone()  # at most one: (source, external_id) is unique
    if row is None:
        return None
    values = list(row)
    for n, col, converters in steps:
        for convert in converters:
            values[n] = convert(values[n], col, connection)
    return DirectoryUser.from_db(alias, attnames, values)


# Successful local-password checks, remembered for MDM_LOCAL_PASSWORD_CACHE_SECONDS in this process.
# Django's PBKDF2 hash (its full strength, stored as it was) costs ~0.3 s of CPU per check: a
# person who signs in again within the window (a second device, a re-authentication, the sign-in
# sheet's retry) is checked by comparing a keyed hash instead. The key is drawn per process and
# never stored; an entry binds the user, the stored hash (a password change or a reset gives a new
# one, so the old password stops matching at once) and the password typed. Only successes are kept:
# a wrong password always pays the full hash, and the throttle counts it as before.
_SECRET = os.urandom(32)
_remembered: dict[bytes, float] = {}  # keyed hash -> monotonic expiry
_remembered_lock = threading.Lock()
_REMEMBERED_MAX = 10_000


def _remembered_key(user: DirectoryUser, password: str) -> bytes:
    message = b"\0".join(
        (str(user.pk).encode(), user.password.encode(), password.encode("utf-8", "surrogatepass"))
    )
    return hmac.new(_SECRET, message, hashlib.sha256).digest()


def check_local_password(user: DirectoryUser, password: str) -> bool:
    if not user.password:
        return False
    window = settings.MDM_LOCAL_PASSWORD_CACHE_SECONDS
    if window <= 0:
        return check_password(password, user.password)
    key = _remembered_key(user, password)
    now = time.monotonic()
    expires = _remembered.get(key)
    if expires is not None and now < expires:
        return True
    if not check_password(password, user.password):
        return False
    with _remembered_lock:
        if len(_remembered) >= _REMEMBERED_MAX:
            for stale in [k for k, until in _remembered.items() if until <= now]:
                del _remembered[stale]
            if len(_remembered) >= _REMEMBERED_MAX:
                _remembered.clear()
        _remembered[key] = now + window
    return True


def forget_local_passwords() -> None:
    """Drop every remembered check (tests; an administrator's password reset needs no call)."""
    with _remembered_lock:
        _remembered.clear()
