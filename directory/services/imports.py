"""Search, import and sync: all-or-nothing runs (collect first, then one transaction)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from directory import entra, sync
from directory.ldap_client import Connection, LdapError
from directory.models import (
    DirectoryGroup,
    DirectoryUser,
    IdentitySource,
    ImportRun,
)
from directory.services.common import (
    MAX_IMPORT_USERS,
    MAX_SELECTION,
    Actor,
    DirectoryError,
    RunInProgress,
)
from directory.services.invitations import (
    create_invitation,
)
from directory.services.sources import (
    STALE_RUN_AFTER,
    entra_config,
    ldap_config,
)
from directory.services.users import (
    _apply_apple_ids,
)
from mdm_server import audit, config_cache, redis_client, untrusted

logger = logging.getLogger(__name__)

# A run whose task could not be handed to the broker (Redis down or hung) says so while it waits;
# the sweep (`start_waiting_runs`, every minute) starts a run still pending after START_WAITING_AFTER.
WAITING_FOR_QUEUE = (
    "The task queue (Redis) could not be reached; the run starts once it is reachable again."
)
START_WAITING_AFTER = timedelta(minutes=2)
STALLED_ERROR = "The run did not finish (worker stopped?); nothing was imported by it."


# --- search, import and sync -------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One result of a directory search offered for import."""

    type: str  # "user" | "group" | "ou"
    id: str  # LDAP DN or Graph object id
    name: str
    detail: str = ""
    imported: bool = False


def search_directory(*, source: IdentitySource, query: str, limit: int = 50) -> list[SearchHit]:
    """Find users, groups and OUs (LDAP) or users and groups (Entra ID) whose names match."""
    text = query.strip()
    if not text:
        raise DirectoryError("Enter part of a name, email, group or OU to search for.")
    known_users = set(source.users.values_list("external_id", flat=True))
    hits: list[SearchHit] = []
    try:
        if source.kind == IdentitySource.Kind.LDAP:
            value = sync.escape_filter_value(text)
            config = ldap_config(source)
            amap = config.attributes
            with Connection(config) as conn:
                conn.service_bind()
                fields = [amap[k] for k in ("username", "email", "display_name") if amap.get(k)]
                inner = "(|" + "".join(f"({f}=*{value}*)" for f in fields) + ")"
                for u in conn.users(inner=inner, limit=limit):
                    hits.append(
                        SearchHit(
                            "user",
                            u.dn,
                            u.display_name or u.username,
                            u.email,
                            u.external_id in known_users,
                        )
                    )
                for g in conn.groups(inner=f"({amap['group_name']}=*{value}*)", limit=limit):
                    hits.append(SearchHit("group", g.dn, g.name, f"{len(g.member_refs)} member(s)"))
                for dn, _entry in conn.search(
                    source.user_base_dn,
                    f"(&(objectClass=organizationalUnit)(ou=*{value}*))",
                    ["ou"],
                    limit=limit,
                ):
                    hits.append(SearchHit("ou", dn, dn.split(",", 1)[0].split("=", 1)[-1], dn))
        elif source.kind == IdentitySource.Kind.ENTRA:
            client = entra.GraphClient(entra_config(source))
            for obj in client.search_users(text)[:limit]:
                record = sync.graph_user_to_record(obj)
                hits.append(
                    SearchHit(
                        "user",
                        record.external_id,
                        record.display_name or record.upn,
                        record.email or record.upn,
                        record.external_id in known_users,
                    )
                )
            for obj in client.groups(text)[:limit]:
                hits.append(SearchHit("group", str(obj["id"]), str(obj.get("displayName") or "")))
        else:
            raise DirectoryError("Local users are added by hand, not imported.")
    except (LdapError, entra.EntraError) as exc:
        raise DirectoryError(exc.message, code=exc.code) from None
    return hits


@transaction.atomic
def start_import(
    *, source: IdentitySource, selection: Sequence[Mapping[str, str]], actor: Actor
) -> ImportRun:
    """Record an import of the selected users, groups or OUs and queue it (runs after commit)."""
    if source.kind == IdentitySource.Kind.LOCAL:
        raise DirectoryError("Local users are added by hand, not imported.")
    if not source.enabled:
        raise DirectoryError(f"{source.name} is disabled.")
    if not selection:
        raise DirectoryError("Select at least one user, group or OU to import.")
    if len(selection) > MAX_SELECTION:
        raise DirectoryError(f"Select at most {MAX_SELECTION} entries per import.")
    clean = []
    for item in selection:
        kind, ident = str(item.get("type", "")), str(item.get("id", "")).strip()
        allowed = (
            ("user", "group", "ou", "all") if source.kind == "ldap" else ("user", "group", "all")
        )
        if kind not in allowed or (kind != "all" and not ident):
            raise DirectoryError(
                f"Cannot import {kind or 'an entry'} {ident!r} from {source.name}."
            )
        clean.append({"type": kind, "id": ident, "name": str(item.get("name", ident))[:200]})
    try:
        untrusted.check(clean, "the selection")  # read from a request as sent: NUL characters
    except untrusted.UntrustedDataError as exc:
        raise DirectoryError(f"Cannot import this selection: {exc}.") from None
    run = ImportRun.objects.create(
        source=source,
        kind=ImportRun.Kind.IMPORT,
        selection=clean,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
    )
    audit.record(
        actor=actor,
        action="directory.import_started",
        target=source,
        details={"run": run.pk, "selection": clean[:20]},
    )
    _queue(run)
    return run


@transaction.atomic
def start_sync(*, source: IdentitySource, actor: Actor = None) -> ImportRun:
    """Queue a full sync of a source: refresh known users and groups, disable missing ones."""
    if source.kind == IdentitySource.Kind.LOCAL:
        raise DirectoryError("Local users have nothing to sync.")
    # One run per source at a time, as the beat's syncs: the source's row is locked so that two
    # clicks at once queue one sync, and a second full sync never races the first one's writes.
    IdentitySource.objects.select_for_update().filter(pk=source.pk).exists()
    busy = (
        source.runs.filter(status__in=[ImportRun.Status.PENDING, ImportRun.Status.RUNNING])
        .order_by("created_at")
        .first()
    )
    if busy is not None:
        raise RunInProgress(
            f"{source.name} already has "
            f"{'an import' if busy.kind == ImportRun.Kind.IMPORT else 'a sync'} {busy.status} "
            f"(run #{busy.pk}); a new sync can start when it has finished.",
            run_id=busy.pk,
        )
    run = ImportRun.objects.create(
        source=source,
        kind=ImportRun.Kind.SYNC,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
    )
    if actor is not None:
        audit.record(
            actor=actor, action="directory.sync_started", target=source, details={"run": run.pk}
        )
    _queue(run)
    return run


def _queue(run: ImportRun) -> None:
    run_id = run.pk
    transaction.on_commit(lambda: _publish(run_id))


def _publish(run_id: int) -> None:
    """Hand the run to a worker once, under the Redis back-off: a dead or hung Redis costs the
    admin's request at most one timeout (none while backing off), never Celery's retries. The
    run then waits, pending, with a note; `start_waiting_runs` starts it."""
    from directory.tasks import execute_import_run_task

    try:
        redis_client.publish(execute_import_run_task, run_id)
    except redis_client.Unavailable as exc:
        logger.warning("directory run %s waits for the task queue: %s", run_id, exc)
        ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.PENDING).update(
            error=WAITING_FOR_QUEUE
        )


@dataclass
class Collected:
    """Everything read from the directory for one run, before any write."""

    users: list[sync.UserRecord]
    groups: list[sync.GroupRecord]
    complete: bool  # users is the whole directory: known users missing from it are disabled
    add_new: bool


def _progress(run_id: int) -> Callable[[int], None]:
    def report(count: int) -> None:
        ImportRun.objects.filter(pk=run_id).update(found=count)

    return report


def _collect_ldap(run: ImportRun, source: IdentitySource) -> Collected:  # noqa: C901 - TODO: split users from groups
    config = ldap_config(source)
    users: dict[str, sync.UserRecord] = {}
    groups: list[sync.GroupRecord] = []
    report = _progress(run.pk)

    def add(records: Iterable[sync.UserRecord]) -> None:
        for record in records:
            users.setdefault(record.external_id, record)
        if len(users) > MAX_IMPORT_USERS:
            # Never work on a truncated list: a sync would disable everyone past the cut.
            raise DirectoryError(
                f"More than {MAX_IMPORT_USERS} users match; narrow the user filter or base."
            )
        report(len(users))

    with Connection(config) as conn:
        conn.service_bind()
        if run.kind == ImportRun.Kind.SYNC:
            add(conn.users(on_page=report, limit=MAX_IMPORT_USERS + 1))
            for group in source.groups.filter(kind=DirectoryGroup.Kind.SYNCED):
                try:
                    groups.append(conn.group_by_dn(group.distinguished_name))
                except LdapError as exc:
                    if exc.code != "no_such_base":
                        raise
                    groups.append(
                        sync.GroupRecord(group.external_id, group.name, group.distinguished_name)
                    )
            return Collected(
                list(users.values()), groups, complete=True, add_new=source.sync_adds_new_users
            )
        for item in run.selection:
            if item["type"] == "user":
                record = conn.user_by_dn(item["id"])
                if record is None:
                    raise LdapError(
                        "no_such_base", f"{item['id']} is not a user matching the filter."
                    )
                add([record])
            elif item["type"] == "ou":
                add(conn.users(base=item["id"], on_page=report, limit=MAX_IMPORT_USERS + 1))
            elif item["type"] == "all":
                add(conn.users(on_page=report, limit=MAX_IMPORT_USERS + 1))
            elif item["type"] == "group":
                group_record = conn.group_by_dn(item["id"])
                groups.append(group_record)
                for member_dn in group_record.member_refs:
                    try:
                        record = conn.user_by_dn(member_dn)
                    except LdapError as exc:
                        if exc.code != "no_such_base":
                            raise
                        record = None  # a member that is gone or not a user (nested group)
                    if record is not None:
                        add([record])
    return Collected(list(users.values()), groups, complete=False, add_new=True)


def _collect_entra(run: ImportRun, source: IdentitySource) -> Collected:
    client = entra.GraphClient(entra_config(source))
    report = _progress(run.pk)
    users: dict[str, sync.UserRecord] = {}
    groups: list[sync.GroupRecord] = []

    def add(objs: Iterable[Mapping[str, Any]]) -> None:
        for obj in objs:
            odata = str(obj.get("@odata.type", "#microsoft.graph.user"))
            if odata.endswith(".user"):
                record = sync.graph_user_to_record(obj)
                users.setdefault(record.external_id, record)
        report(len(users))

    def add_group(group_id: str, name: str) -> None:
        members = client.group_members(group_id)
        add(members)
        ids = [
            str(m["id"]) for m in members if str(m.get("@odata.type", ".user")).endswith(".user")
        ]
        groups.append(sync.graph_group_to_record({"id": group_id, "displayName": name}, ids))

    if run.kind == ImportRun.Kind.SYNC:
        add(client.users(on_page=report))
        for group in source.groups.filter(kind=DirectoryGroup.Kind.SYNCED):
            try:
                add_group(group.external_id, group.name)
            except entra.EntraError as exc:
                if exc.code != "invalid":
                    raise
                groups.append(sync.GroupRecord(group.external_id, group.name))
        return Collected(
            list(users.values()), groups, complete=True, add_new=source.sync_adds_new_users
        )
    for item in run.selection:
        if item["type"] == "all":
            add(client.users(on_page=report))
        elif item["type"] == "user":
            found = client.get_all(
                "users",
                {
                    "$select": entra.USER_SELECT,
                    "$filter": f"id eq '{entra.odata_quote(item['id'])}'",
                },
            )
            if not found:
                raise entra.EntraError("invalid", f"User {item['id']} was not found in Entra ID.")
            add(found)
        elif item["type"] == "group":
            add_group(item["id"], item.get("name") or item["id"])
    return Collected(list(users.values()), groups, complete=False, add_new=True)


def _apply_once_more_after_a_conflict(
    *, run: ImportRun, source: IdentitySource, collected: Collected
) -> dict[str, Any]:
    """`_apply` in a transaction; taken once more when it met a row made meanwhile (a person's
    first sign-in made their user after this run read which users to create: the second
    reading finds it and refreshes it). A second conflict is the caller's."""
    try:
        with transaction.atomic():
            return _apply(run=run, source=source, collected=collected)
    except IntegrityError:
        logger.info("directory import %s met a row made meanwhile; applying it again", run.pk)
    with transaction.atomic():
        return _apply(run=run, source=source, collected=collected)


def execute_import_run(*, run_id: int) -> ImportRun | None:
    """Run a queued import or sync: collect everything, then write it in one transaction.

    Any failure (directory unreachable mid-way, bad credentials, a database error) leaves the
    database as it was and marks the run failed with the reason. None: the run is gone (its
    source was deleted after the run was queued).
    """
    run = ImportRun.objects.select_related("source").filter(pk=run_id).first()
    if run is None:
        logger.info("directory run %s is gone (its source was deleted); nothing to do", run_id)
        return None
    # Claim the run: a redelivered task must not run it twice.
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PENDING).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now(), error=""
    )
    if not claimed:
        return run
    source = run.source
    try:
        if source.kind == IdentitySource.Kind.LDAP:
            collected = _collect_ldap(run, source)
        elif source.kind == IdentitySource.Kind.ENTRA:
            collected = _collect_entra(run, source)
        else:
            raise DirectoryError("Local users have nothing to import.")
        counts = _apply_once_more_after_a_conflict(run=run, source=source, collected=collected)
    except (LdapError, entra.EntraError, DirectoryError) as exc:
        return _fail(run, exc.message)
    except IntegrityError as exc:
        logger.exception("directory import %s hit a database conflict", run.pk)
        return _fail(
            run,
            f"The import conflicts with existing data ({exc.__class__.__name__}); nothing was imported.",
        )
    except Exception:
        # Never leave a run "running" forever; the traceback goes to the log.
        logger.exception("directory import %s failed unexpectedly", run.pk)
        return _fail(run, "The import failed with an internal error (see the server log).")
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.SUCCEEDED, finished_at=timezone.now(), **counts
    )
    run.refresh_from_db()
    return run


def _fail(run: ImportRun, message: str) -> ImportRun:
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FAILED,
        finished_at=timezone.now(),
        error=message[:2000],
        created=0,
        updated=0,
        disabled=0,
        groups=0,
        invited=0,
    )
    run.refresh_from_db()
    return run


def _apply(*, run: ImportRun, source: IdentitySource, collected: Collected) -> dict[str, Any]:
    """Write collected records (inside the caller's transaction)."""
    existing_rows = {u.external_id: u for u in source.users.select_for_update()}
    existing = {
        ext: sync.ExistingUser(ext, u.username, u.email, u.upn, u.display_name, u.enabled)
        for ext, u in existing_rows.items()
    }
    plan = sync.plan_sync(
        existing=existing,
        incoming=collected.users,
        add_new=collected.add_new,
        complete=collected.complete,
    )
    now = timezone.now()
    touched: list[DirectoryUser] = []
    created: list[DirectoryUser] = []
    for record in plan.create:
        user = DirectoryUser.objects.create(
            source=source,
            external_id=record.external_id,
            username=record.username[:255],
            email=record.email[:254],
            upn=record.upn[:255],
            display_name=record.display_name[:255],
            distinguished_name=record.dn[:500],
            enabled=record.enabled,
            disabled_at=None if record.enabled else now,
        )
        created.append(user)
    for record in plan.update:
        user = existing_rows[record.external_id]
        if user.enabled and not record.enabled:
            user.disabled_at = now
        user.username, user.email, user.upn = (
            record.username[:255],
            record.email[:254],
            record.upn[:255],
        )
        user.display_name, user.enabled = record.display_name[:255], record.enabled
        user.distinguished_name = record.dn[:500]
        user.save()
        touched.append(user)
    disabled = 0
    if plan.disable:
        disabled = source.users.filter(external_id__in=plan.disable, enabled=True).update(
            enabled=False, disabled_at=now
        )
    disabled += sum(1 for r in plan.update if not r.enabled and existing[r.external_id].enabled)

    # Groups and memberships: members are matched by DN (LDAP) or object id (Entra).
    by_ref: dict[str, DirectoryUser] = {}
    members = source.users.all()
    if collected.complete:
        # A full read knows who still exists: a member DN left behind in a group (no
        # referential integrity upstream) must not keep a deleted user in the group.
        members = members.filter(external_id__in=[r.external_id for r in collected.users])
    for user in members:
        by_ref[user.external_id] = user
        if user.distinguished_name:
            by_ref[user.distinguished_name.lower()] = user
    for group_record in collected.groups:
        group, _ = DirectoryGroup.objects.update_or_create(
            source=source,
            external_id=group_record.external_id,
            kind=DirectoryGroup.Kind.SYNCED,
            defaults={
                "name": group_record.name[:200],
                "distinguished_name": group_record.dn[:500],
            },
        )
        group.members.set([by_ref[m] for m in group_record.member_refs if m in by_ref])

    problems = _apply_apple_ids(created + touched, source)
    names = {u.pk: u.username for u in created + touched}
    problem_list = [{"user": names[pk], "problem": text} for pk, text in sorted(problems.items())]

    invited = 0
    if source.auto_invite:
        for user in created:
            if user.enabled and user.email:
                create_invitation(user=user, actor=None, base_url=settings.PUBLIC_URL)
                invited += 1
    IdentitySource.objects.filter(pk=source.pk).update(last_synced_at=now)
    config_cache.changed()
    return {
        "found": len(collected.users),
        "created": len(created),
        "updated": len(touched),
        "disabled": disabled,
        "groups": len(collected.groups),
        "invited": invited,
        "problems": problem_list[:500],
    }


def sync_all_sources() -> list[ImportRun]:
    """Sync every enabled LDAP and Entra source that has sync turned on (the beat task)."""
    runs = []
    _fail_stalled_runs()  # so that their sources sync again
    for source in IdentitySource.objects.filter(enabled=True, sync_enabled=True).exclude(
        kind=IdentitySource.Kind.LOCAL
    ):
        if source.runs.filter(status__in=["pending", "running"]).exists():
            continue  # one run per source at a time
        runs.append(start_sync(source=source))
    return runs


def _fail_stalled_runs() -> int:
    """A worker that died mid-run leaves it running (a redelivered task finds it claimed):
    after STALE_RUN_AFTER it is shown failed. Pending runs are never failed here: they start."""
    now = timezone.now()
    return ImportRun.objects.filter(
        status=ImportRun.Status.RUNNING, started_at__lt=now - STALE_RUN_AFTER
    ).update(status=ImportRun.Status.FAILED, finished_at=now, error=STALLED_ERROR)


def start_waiting_runs() -> list[ImportRun]:
    """The beat's sweep: start, here and one after the other, every run still pending
    START_WAITING_AFTER after it was created (its task could not be handed to the broker, or
    was lost with Redis's data); show stalled running ones failed. Each run is claimed before
    it runs, so a task delivered meanwhile, or another sweep, never runs it a second time."""
    _fail_stalled_runs()
    waiting = ImportRun.objects.filter(
        status=ImportRun.Status.PENDING,
        created_at__lt=timezone.now() - START_WAITING_AFTER,
    ).order_by("created_at")
    started = (execute_import_run(run_id=run_id) for run_id in waiting.values_list("pk", flat=True))
    return [run for run in started if run is not None]
