"""Every write of managed apps: content tokens, the catalogue, assignments, licences, installs.

Writes that start installs only record them; the caller (console, API, signal receiver) then
queues `tasks.advance_installs`, which does the network part. Network calls to Apps and Books
happen outside database transactions, and a row changes only
after Apple confirmed (an event COMPLETE): an error or timeout leaves the install where it was,
with the reason and a later attempt (backoff), never a licence half-recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from devices import capabilities, commands
from devices.managed_apps import appsbooks, rules
from devices.managed_apps.models import (
    App,
    AppAssignment,
    AppInstall,
    AppsBooksToken,
    AppsBooksUser,
)
from devices.models import Enrollment, QueuedCommand
from devices.services import enqueue_command
from devices.services.common import Actor
from mdm_server import audit, encryption

logger = logging.getLogger(__name__)

ORIGIN = "managed-apps"
EXPIRY_WARNING = timedelta(days=30)
CLAIM = timedelta(minutes=5)  # how long a worker holds the installs it advances
Status = AppInstall.Status
HOLDING = (Status.LICENCE_ASSIGNED, Status.INSTALLING, Status.PROMPTING, Status.INSTALLED)


class ManagedAppsError(Exception):
    """A write was refused or Apps and Books failed; the message is for the admin."""


# --- content tokens --------------------------------------------------------------------------


def client_for(token: AppsBooksToken) -> appsbooks.AppsBooksClient:
    stoken = encryption.decrypt(token.encrypted_token).decode()
    return appsbooks.AppsBooksClient(
        stoken, base_url=settings.APPS_BOOKS_URL, timeout=settings.APPS_BOOKS_TIMEOUT
    )


def upload_token(*, name: str, data: bytes, actor: Actor = None) -> AppsBooksToken:
    """Check a .vpptoken with Apple, claim its location for this server, store it encrypted.

    Nothing is stored when the file is not a token, has expired, or Apple refuses it."""
    try:
        parsed = appsbooks.parse_content_token(data)
    except appsbooks.TokenFileError as exc:
        raise ManagedAppsError(str(exc)) from None
    if parsed.expires_at <= timezone.now():
        raise ManagedAppsError(f"this content token expired on {parsed.expires_at:%Y-%m-%d}")
    token = AppsBooksToken.objects.filter(name=name).first() or AppsBooksToken(name=name)
    client = appsbooks.AppsBooksClient(
        parsed.stoken, base_url=settings.APPS_BOOKS_URL, timeout=settings.APPS_BOOKS_TIMEOUT
    )
    try:
        before = client.client_config()
        config = client.update_client_config(
            client_context=str(token.client_context), mdm_name="mdm-server"
        )
    except appsbooks.AppsBooksError as exc:
        raise ManagedAppsError(f"Apps and Books refused the token: {exc.message}") from None
    finally:
        client.close()
    token.org_name = parsed.org_name[:200]
    token.location_name = config.location_name[:200]
    token.expires_at = config.token_expires_at or parsed.expires_at
    token.encrypted_token = encryption.encrypt(parsed.stoken.encode())
    token.last_error = ""
    # Uploading claims the location: a conflict seen before is resolved. Whether another MDM
    # server had it is logged (its licences may need to be reconciled by the admin).
    if not appsbooks.claims_location(before, str(token.client_context)):
        logger.warning("Apps and Books location %s was in use by another MDM server", name)
    token.conflict = ""
    token.save()
    audit.record(
        actor=actor,
        action="apps.location_uploaded",
        target=token,
        details={"org": token.org_name, "expires_at": token.expires_at.isoformat()},
    )
    return token


def token_warning(token: AppsBooksToken, *, now: datetime | None = None) -> str:
    """What the dashboard says about a token: expired, expiring soon, used elsewhere, failing."""
    now = now or timezone.now()
    if token.expires_at <= now:
        return f"expired on {token.expires_at:%Y-%m-%d}: upload a new token"
    if token.expires_at - now <= EXPIRY_WARNING:
        return f"expires on {token.expires_at:%Y-%m-%d}: download a new token from Apple"
    return token.conflict or token.last_error


def _token_failed(token: AppsBooksToken, exc: appsbooks.AppsBooksError) -> None:
    if exc.token_unusable:
        AppsBooksToken.objects.filter(pk=token.pk).update(
            last_error=f"the token no longer works: {exc.message}"[:500]
        )


# --- catalogue -------------------------------------------------------------------------------


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    new_versions: list[str] = field(default_factory=list)
    conflict: str = ""


def sync_token(*, token: AppsBooksToken) -> SyncResult:
    """Read the location's assets with their licence counts and the apps' metadata; store them
    (one transaction, after every page was read); push new versions where apps are required."""
    client = client_for(token)
    try:
        config = client.client_config()
        assets = [a for a in client.iter_assets() if a.product_type.lower() == "app"]
        lookup = client.metadata_lookup_url()
        metadata = client.app_metadata(lookup, [a.adam_id for a in assets]) if assets else {}
        known = dict(
            App.objects.filter(token=token, icon__isnull=False).values_list("adam_id", "icon_url")
        )
        icons = {
            adam_id: icon
            for adam_id, meta in metadata.items()
            if meta.icon_url
            and known.get(adam_id) != meta.icon_url
            and (icon := client.fetch_icon(meta.icon_url)) is not None
        }
    except appsbooks.AppsBooksError as exc:
        _token_failed(token, exc)
        raise ManagedAppsError(f"sync failed: {exc.message}") from None
    finally:
        client.close()
    result = SyncResult()
    if not appsbooks.claims_location(config, str(token.client_context)):
        result.conflict = (
            "another MDM server uses this content token (its client context replaced ours): "
            "licences it assigns are not ours to manage; upload the token again to reclaim it"
        )
    updated_apps: list[App] = []
    with transaction.atomic():
        for asset in assets:
            meta = metadata.get(asset.adam_id)
            values: dict[str, Any] = {
                "licences_total": asset.total,
                "licences_assigned": asset.assigned,
                "licences_available": asset.available,
                "device_assignable": asset.device_assignable,
                # Apple's `supportedPlatforms` (iOS, macOS, …), the names the filter uses.
                "platforms": list(asset.platforms or (meta.platforms if meta else ())),
            }
            if meta:
                values.update(
                    name=meta.name or asset.adam_id,
                    bundle_id=meta.bundle_id,
                    version=meta.version,
                    icon_url=meta.icon_url,
                )
            if asset.adam_id in icons:
                values["icon"], values["icon_type"] = icons[asset.adam_id]
            app, created = App.objects.get_or_create(
                kind=App.Kind.STORE,
                token=token,
                adam_id=asset.adam_id,
                pricing_param=asset.pricing_param,
                defaults={"name": asset.adam_id, **values},
            )
            if created:
                result.created += 1
                continue
            new_version = bool(meta and app.version and meta.version != app.version)
            for key, value in values.items():
                setattr(app, key, value)
            app.save()
            result.updated += 1
            if new_version:
                result.new_versions.append(app.name)
                updated_apps.append(app)
        AppsBooksToken.objects.filter(pk=token.pk).update(
            last_synced_at=timezone.now(), conflict=result.conflict, last_error=""
        )
    for app in updated_apps:
        push_update(app=app)
    return result


def add_custom_app(
    *,
    name: str,
    manifest_url: str,
    bundle_id: str = "",
    enterprise: bool = False,
    actor: Actor = None,
) -> App:
    """A custom or in-house app, installed from its manifest (an https URL)."""
    if not manifest_url.startswith("https://"):
        raise ManagedAppsError("the manifest URL must be an https:// URL")
    app = App.objects.create(
        kind=App.Kind.ENTERPRISE if enterprise else App.Kind.CUSTOM,
        name=name[:200],
        manifest_url=manifest_url,
        bundle_id=bundle_id[:255],
        platforms=["iOS", "macOS"],
    )
    audit.record(actor=actor, action="apps.custom_app_added", target=app)
    return app


# --- assignments -----------------------------------------------------------------------------


def assignment_targets(assignment: AppAssignment) -> QuerySet[Enrollment]:
    """The enrolled device channels an assignment reaches now."""
    enrolled = Enrollment.objects.filter(
        channel=Enrollment.Channel.DEVICE, status=Enrollment.Status.ENROLLED
    )
    if assignment.scope == AppAssignment.Scope.DEVICE:
        return enrolled.filter(pk=assignment.enrollment_id or 0)
    if assignment.scope == AppAssignment.Scope.GROUP:
        return enrolled.filter(directory_user__groups=assignment.group_id).distinct()
    return enrolled.filter(enrollment_type=assignment.enrollment_type)


def person_of(enrollment: Enrollment) -> rules.Person:
    user = enrollment.directory_user
    return rules.Person(
        enrollment_type=enrollment.enrollment_type,
        managed_apple_id=enrollment.managed_apple_id
        or (user.managed_apple_id or "" if user else ""),
        email=user.email if user else "",
        username=user.username if user else enrollment.user_short_name,
        full_name=user.display_name if user else enrollment.user_long_name,
        device_name=enrollment.device_name,
        serial_number=enrollment.serial_number or "",
        enrollment_id=enrollment.enrollment_id or "",
    )


def _params(assignment: AppAssignment, person: rules.Person) -> dict[str, Any]:
    app = assignment.app
    return rules.install_params(
        rules.AppRef(adam_id=app.adam_id, manifest_url=app.manifest_url),
        configuration=assignment.configuration,
        vpn_uuid=assignment.vpn_uuid,
        associated_domains=tuple(assignment.associated_domains),
        removable=assignment.removable,
        person=person,
    )


# The kinds of device an admin is told about, whether or not one is enrolled yet.
_PREVIEW = (("iOS", "18.0", "user"), ("macOS", "15.0", "user"), ("iOS", "18.0", "device"))


def what_will_not_apply(assignment: AppAssignment) -> list[str]:
    """Per kind of device, what of the install command Apple's schema leaves out there."""
    try:
        payload = commands.build_command(
            "InstallApplication", _params(assignment, rules.Person(""))
        )
    except commands.CommandInputError as exc:
        raise ManagedAppsError(str(exc)) from None
    out: list[str] = []
    for platform, version, kind in _PREVIEW:
        if assignment.app.platforms and platform not in assignment.app.platforms:
            continue
        target = capabilities.Target(
            platform=capabilities.Platform(platform),
            os_version=version,
            enrollment_type=capabilities.EnrollmentType(kind),
        )
        decision = capabilities.check_command_payload(
            "InstallApplication", payload, target, strip=True
        )
        label = f"{platform} {'User' if kind == 'user' else 'Device'} Enrollment"
        if not decision.allowed:
            out.append(f"{label}: not installed: {decision.reason}")
        out += [f"{label}: {key} left out: {why}" for key, why in decision.removed.items()]
        out += [f"{label}: {key} has no effect: {why}" for key, why in decision.ignored.items()]
    return out


def licences_needed(app: App, enrollments: Iterable[Enrollment]) -> int:
    """New licences an assignment to these enrollments takes (held ones are reused)."""
    if app.kind != App.Kind.STORE:
        return 0
    holders: set[str] = set()
    for enrollment in enrollments:
        person = person_of(enrollment)
        holder = (
            f"user:{person.managed_apple_id.lower()}"
            if enrollment.enrollment_type == "user"
            else f"serial:{person.serial_number}"
        )
        holders.add(holder)
    held = AppInstall.objects.filter(app=app, status__in=HOLDING).values_list(
        "licence", "licence_holder"
    )
    held_keys = {f"{'user' if k == 'user' else 'serial'}:{h}" for k, h in held}
    users = AppsBooksUser.objects.filter(token=app.token_id).values_list(
        "managed_apple_id", "client_user_id"
    )
    by_cid = {cid: f"user:{mail.lower()}" for mail, cid in users}
    held_keys |= {by_cid.get(k.removeprefix("user:"), k) for k in held_keys}
    return len(holders - held_keys)


@dataclass
class AssignResult:
    assignment: AppAssignment
    requested: int = 0
    warnings: list[str] = field(default_factory=list)


def assign_app(
    *,
    app: App,
    scope: str,
    enrollment: Enrollment | None = None,
    group: Any = None,
    enrollment_type: str = "",
    mode: str = AppAssignment.Mode.REQUIRED,
    configuration: dict[str, Any] | None = None,
    vpn_uuid: str = "",
    associated_domains: list[str] | None = None,
    removable: bool | None = None,
    actor: Actor = None,
) -> AssignResult:
    """Assign an app. A licence shortage or bad configuration refuses it before anything is
    stored; what will not apply on some devices is returned as warnings."""
    assignment = AppAssignment(
        app=app,
        scope=scope,
        enrollment=enrollment,
        group=group,
        enrollment_type=enrollment_type,
        mode=mode,
        configuration=configuration or {},
        vpn_uuid=vpn_uuid,
        associated_domains=associated_domains or [],
        removable=removable,
        created_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
    )
    problem = commands.plist_problem(assignment.configuration)
    if problem:
        raise ManagedAppsError(f"configuration: {problem}")
    unknown = rules.unknown_variables(assignment.configuration)
    if unknown:
        raise ManagedAppsError(
            f"unknown variable(s) {', '.join(unknown)}; known: {', '.join(rules.VARIABLES)}"
        )
    warnings = what_will_not_apply(assignment)
    targets = list(assignment_targets(assignment).select_related("directory_user"))
    if mode == AppAssignment.Mode.REQUIRED and app.kind == App.Kind.STORE:
        if app.token_id is None:
            raise ManagedAppsError("this App Store app has no Apps and Books location")
        needed = licences_needed(app, targets)
        if needed > app.licences_available:
            raise ManagedAppsError(
                f"not enough licences for {app.name}: {needed} needed, "
                f"{app.licences_available} free of {app.licences_total}; buy more in Apple "
                "Business Manager and sync, or assign to fewer devices"
            )
    with transaction.atomic():
        assignment.save()
        audit.record(
            actor=actor,
            action="apps.assigned",
            target=assignment,
            details={"app": app.name, "scope": scope, "mode": mode, "warnings": warnings},
        )
        requested = 0
        if mode == AppAssignment.Mode.REQUIRED:
            for target in targets:
                if _request(target, assignment) is not None:
                    requested += 1
    return AssignResult(assignment=assignment, requested=requested, warnings=warnings)


def _request(enrollment: Enrollment, assignment: AppAssignment) -> AppInstall | None:
    install, created = AppInstall.objects.get_or_create(
        enrollment=enrollment,
        app=assignment.app,
        defaults={"assignment": assignment, "next_attempt_at": timezone.now()},
    )
    if created:
        return install
    if install.status in (Status.REMOVED, Status.FAILED, Status.REMOVING):
        install.assignment = assignment
        install.status = Status.REQUESTED
        install.reason = ""
        install.attempts = 0
        install.next_attempt_at = timezone.now()
        install.save()
        return install
    return None


def request_install(*, enrollment: Enrollment, assignment: AppAssignment) -> AppInstall:
    """Install an available (or required) app on one device now, on request."""
    if not assignment_targets(assignment).filter(pk=enrollment.pk).exists():
        raise ManagedAppsError("this app is not assigned to that device")
    if (
        assignment.mode == AppAssignment.Mode.AVAILABLE
        and assignment.app.kind == App.Kind.STORE
        and licences_needed(assignment.app, [enrollment]) > assignment.app.licences_available
    ):
        raise ManagedAppsError(f"no licence left for {assignment.app.name}")
    with transaction.atomic():
        install = _request(enrollment, assignment)
    return install or AppInstall.objects.get(enrollment=enrollment, app=assignment.app)


def unassign(*, assignment: AppAssignment, actor: Actor = None) -> int:
    """Remove the assignment; its apps are removed from devices no other assignment covers."""
    audit.record(actor=actor, action="apps.unassigned", target=assignment)
    installs = list(
        AppInstall.objects.filter(assignment=assignment).select_related("enrollment", "app")
    )
    assignment.delete()
    removed = 0
    for install in installs:
        install.assignment = None  # the database set it NULL with the delete
        other = AppAssignment.objects.filter(app=install.app_id, mode=AppAssignment.Mode.REQUIRED)
        if any(assignment_targets(a).filter(pk=install.enrollment_id).exists() for a in other):
            continue
        remove_install(install=install)
        removed += 1
    return removed


# --- the install state machine ---------------------------------------------------------------


def advance_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Advance every install whose next step is due (Celery beat, and after each change)."""
    now = now or timezone.now()
    # Claim the due rows first (skip those another worker holds), so two workers never
    # associate the same licence twice; a claim a dead worker left runs out after CLAIM.
    with transaction.atomic():
        ids = list(
            AppInstall.objects.select_for_update(skip_locked=True)
            .filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        AppInstall.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now() + CLAIM)
    due = list(
        AppInstall.objects.filter(pk__in=ids)
        .select_related("app", "app__token", "assignment", "enrollment__directory_user")
        .order_by("pk")
    )
    for install in due:
        try:
            advance(install=install)
        except Exception as exc:  # one broken install must not hold back the others
            logger.exception("advancing app install %s failed", install.pk)
            _later(install, f"internal error: {type(exc).__name__}")
    return len(due)


def _later(install: AppInstall, reason: str, *, seconds: int | None = None) -> None:
    install.attempts += 1
    install.reason = reason[:500]
    if install.attempts >= rules.MAX_ATTEMPTS:
        install.status = Status.FAILED
        install.reason = f"gave up after {install.attempts} attempts: {reason}"[:500]
        install.next_attempt_at = None
    else:
        wait = (
            timedelta(seconds=seconds) if seconds is not None else rules.backoff(install.attempts)
        )
        install.next_attempt_at = timezone.now() + wait
    install.save()


def _fail(install: AppInstall, reason: str) -> None:
    install.status = Status.FAILED
    install.reason = reason[:500]
    install.next_attempt_at = None
    install.save()


def advance(*, install: AppInstall) -> AppInstall:
    """One step of an install: licence, then command. Apps and Books errors wait and retry."""
    if install.enrollment.status != Enrollment.Status.ENROLLED and install.status not in (
        Status.REMOVING,
    ):
        install.next_attempt_at = None
        install.save(update_fields=["next_attempt_at", "updated_at"])
        return install
    try:
        if install.status == Status.REQUESTED:
            if install.app.kind == App.Kind.STORE:
                _start_licence(install)
            else:
                _send_install(install)
        elif install.status == Status.LICENCE_PENDING:
            _poll_licence(install)
        elif install.status == Status.LICENCE_ASSIGNED or (
            install.status == Status.FAILED and install.next_attempt_at is not None
        ):
            _send_install(install)
        elif install.status == Status.REMOVING:
            _release_licence(install)
        else:
            install.next_attempt_at = None
            install.save(update_fields=["next_attempt_at", "updated_at"])
    except appsbooks.AppsBooksError as exc:
        if install.app.token is not None:
            _token_failed(install.app.token, exc)
        if exc.token_unusable:
            _later(install, f"Apps and Books refused the content token: {exc.message}")
        else:
            _later(install, f"Apps and Books: {exc.message}", seconds=exc.retry_after)
    return install


def _start_licence(install: AppInstall) -> None:
    app, token = install.app, install.app.token
    if token is None:
        _fail(install, "the app has no Apps and Books location")
        return
    person = person_of(install.enrollment)
    try:
        kind = rules.licence_kind(person, device_assignable=app.device_assignable)
    except rules.LicenceProblem as exc:
        _fail(install, str(exc))
        return
    client = client_for(token)
    try:
        if kind == rules.USER:
            user = _registered_user(client, token, person.managed_apple_id)
            if user is None:
                install.next_attempt_at = timezone.now() + timedelta(seconds=5)
                install.reason = "registering the person with Apps and Books"
                install.save()
                return
            holder = user.client_user_id
        else:
            holder = person.serial_number
        if _held_elsewhere(install, kind, holder):
            install.licence, install.licence_holder = kind, holder
            install.status = Status.LICENCE_ASSIGNED
            install.next_attempt_at = timezone.now()
            install.save()
            return
        asset = (app.adam_id, app.pricing_param or "STDQ")
        if kind == rules.USER:
            event = client.associate(asset, client_user_ids=[holder])
        else:
            event = client.associate(asset, serial_numbers=[holder])
    finally:
        client.close()
    install.licence, install.licence_holder = kind, holder
    install.event_id = event
    install.status = Status.LICENCE_PENDING
    install.reason = ""
    install.next_attempt_at = timezone.now() + timedelta(seconds=2)
    install.save()


def _held_elsewhere(install: AppInstall, kind: str, holder: str) -> bool:
    return (
        AppInstall.objects.filter(
            app=install.app_id, licence=kind, licence_holder=holder, status__in=HOLDING
        )
        .exclude(pk=install.pk)
        .exists()
    )


def _registered_user(
    client: appsbooks.AppsBooksClient, token: AppsBooksToken, managed_apple_id: str
) -> AppsBooksUser | None:
    """The person's registration with the location; None while Apple is still registering."""
    user, _ = AppsBooksUser.objects.get_or_create(
        token=token, managed_apple_id=managed_apple_id.lower()
    )
    if user.registered:
        return user
    if user.event_id:
        status = client.event_status(user.event_id)
        if not status.done:
            return None
        if status.status == "COMPLETE":
            user.registered = True
            user.save(update_fields=["registered"])
            return user
        user.event_id = ""
        user.save(update_fields=["event_id"])
        raise appsbooks.AppsBooksError(f"registering the person failed: {status.failure_text()}")
    user.event_id = client.create_users(
        [
            {
                "clientUserId": str(user.client_user_id),
                "managedAppleId": managed_apple_id,
                "email": managed_apple_id,
            }
        ]
    )
    user.save(update_fields=["event_id"])
    return None


def _poll_licence(install: AppInstall) -> None:
    client = client_for(install.app.token)  # type: ignore[arg-type]
    try:
        status = client.event_status(install.event_id)
    finally:
        client.close()
    if not status.done:
        install.next_attempt_at = timezone.now() + timedelta(seconds=5)
        install.save(update_fields=["next_attempt_at", "updated_at"])
        return
    if status.status == "FAILED":
        numbers = {f.get("errorNumber") for f in status.failures}
        reason = status.failure_text()
        if appsbooks.ERROR_NOT_ENOUGH_LICENSES in numbers:
            reason = f"no licence left for {install.app.name}: {reason}"
        install.licence, install.licence_holder, install.event_id = "", "", ""
        _fail(install, f"licence not assigned: {reason}")
        return
    with transaction.atomic():
        App.objects.filter(pk=install.app_id, licences_available__gt=0).update(
            licences_available=F("licences_available") - 1,
            licences_assigned=F("licences_assigned") + 1,
        )
        install.status = Status.LICENCE_ASSIGNED
        install.event_id = ""
        install.next_attempt_at = timezone.now()
        install.save()
    _send_install(install)


def _send_install(install: AppInstall) -> None:
    assignment = install.assignment
    if assignment is None:
        _fail(install, "the assignment was removed")
        return
    try:
        params = _params(assignment, person_of(install.enrollment))
        result = enqueue_command(
            enrollments=[install.enrollment],
            request_type="InstallApplication",
            payload=params,
            origin=ORIGIN,
            strip_forbidden=True,
        )
    except commands.CommandInputError as exc:
        _fail(install, str(exc))
        return
    if install.enrollment_id in result.refused:
        _fail(install, result.refused[install.enrollment_id])
        return
    command = result.command
    install.status = Status.INSTALLING
    install.command_uuid = command.uuid if command else ""
    install.notes = result.notes.get(install.enrollment_id, [])
    install.reason = ""
    install.next_attempt_at = None
    install.save()


# --- removal and licence release -------------------------------------------------------------


def remove_install(*, install: AppInstall) -> None:
    """Take an app off a device (RemoveApplication where Apple allows it) and free its licence."""
    enrollment = install.enrollment
    if enrollment.status == Enrollment.Status.ENROLLED and install.app.bundle_id:
        result = enqueue_command(
            enrollments=[enrollment],
            request_type="RemoveApplication",
            payload={"Identifier": install.app.bundle_id},
            origin=ORIGIN,
        )
        if enrollment.pk in result.refused:
            # macOS User Enrollment: the app stays until the enrollment ends (then it goes).
            install.notes = [*install.notes, f"not removed now: {result.refused[enrollment.pk]}"]
    install.status = Status.REMOVING
    install.next_attempt_at = timezone.now()
    install.save()
    _release_licence_safely(install)


def _release_licence_safely(install: AppInstall) -> None:
    try:
        _release_licence(install)
    except appsbooks.AppsBooksError as exc:
        _later(install, f"licence not released yet: {exc.message}", seconds=exc.retry_after)


def _release_licence(install: AppInstall) -> None:
    """Disassociate the licence (unless another install of the same holder still needs it)."""
    if (
        install.licence
        and install.app.token is not None
        and not _held_elsewhere(install, install.licence, install.licence_holder)
    ):
        client = client_for(install.app.token)
        asset = (install.app.adam_id, install.app.pricing_param or "STDQ")
        try:
            if install.licence == rules.USER:
                event = client.disassociate(asset, client_user_ids=[install.licence_holder])
            else:
                event = client.disassociate(asset, serial_numbers=[install.licence_holder])
            status = _wait_event(client, event)
        finally:
            client.close()
        if status.status == "FAILED" and not all(
            f.get("errorNumber") == appsbooks.ERROR_LICENSE_NOT_FOUND for f in status.failures
        ):
            raise appsbooks.AppsBooksError(status.failure_text())
        with transaction.atomic():
            app = App.objects.select_for_update().get(pk=install.app_id)
            app.licences_available = min(app.licences_total, app.licences_available + 1)
            app.licences_assigned = max(0, app.licences_assigned - 1)
            app.save(update_fields=["licences_available", "licences_assigned", "updated_at"])
    install.status = Status.REMOVED
    install.licence, install.licence_holder = "", ""
    install.next_attempt_at = None
    install.reason = ""
    install.save()


def _wait_event(client: appsbooks.AppsBooksClient, event: str) -> appsbooks.EventStatus:
    """Poll a short event (one licence) to its end, a few times; else it is retried later."""
    for delay in (0.0, 0.1, 0.3, 1.0, 2.0):
        time.sleep(delay)
        status = client.event_status(event)
        if status.done:
            return status
    raise appsbooks.AppsBooksError(f"event {event} still pending")


def enrollment_ended(*, enrollment: Enrollment) -> int:
    """The device left: its managed apps went with the enrollment; free their licences."""
    installs = list(
        AppInstall.objects.filter(enrollment=enrollment)
        .exclude(status=Status.REMOVED)
        .select_related("app", "app__token", "enrollment")
    )
    for install in installs:
        install.status = Status.REMOVING
        install.save(update_fields=["status", "updated_at"])
        _release_licence_safely(install)
    return len(installs)


def enrollment_started(*, enrollment: Enrollment) -> int:
    """A new enrollment: request every required app whose assignment reaches it."""
    count = 0
    required = AppAssignment.objects.filter(mode=AppAssignment.Mode.REQUIRED).select_related("app")
    for assignment in required:
        if assignment_targets(assignment).filter(pk=enrollment.pk).exists():
            with transaction.atomic():
                count += _request(enrollment, assignment) is not None
    return count


def push_update(*, app: App) -> int:
    """A new version of an app: send InstallApplication again where it is required."""
    installs = AppInstall.objects.filter(
        app=app, status=Status.INSTALLED, assignment__mode=AppAssignment.Mode.REQUIRED
    ).select_related("enrollment__directory_user", "assignment", "app")
    count = 0
    for install in installs:
        _send_install(install)
        count += 1
    return count


# --- results from devices --------------------------------------------------------------------


def record_result(*, delivery: QueuedCommand, raw: dict[str, Any], error: str) -> None:
    """A device answered one of our commands: update the install status it concerns."""
    request_type = delivery.command.request_type
    if request_type == "InstallApplication":
        install = AppInstall.objects.filter(command_uuid=delivery.command.uuid).first()
        if install is None:
            return
        if error:
            install.status = Status.FAILED
            _later(install, f"the device refused the install: {error}")
            return
        state = str(raw.get("State", "Installing"))
        install.status = rules.DEVICE_STATUS.get(state, Status.INSTALLING)
        if install.status == Status.FAILED:
            # Not installed (no licence yet, the App Store not ready, …): tried again later.
            rejection = str(raw.get("RejectionReason", "") or state)[:200]
            _later(install, f"the device could not install it: {rejection}")
            return
        install.reason = ""
        install.save()
        if install.status != Status.INSTALLED and install.app.bundle_id:
            enqueue_command(
                enrollments=[install.enrollment],
                request_type="ManagedApplicationList",
                payload={"Identifiers": [install.app.bundle_id]},
                origin=ORIGIN,
            )
    elif request_type == "ManagedApplicationList" and not error:
        apps = raw.get("ManagedApplicationList")
        if isinstance(apps, dict):
            apply_app_list(enrollment_id=delivery.enrollment_id, apps=apps)


def apply_app_list(*, enrollment_id: int, apps: dict[str, Any]) -> int:
    """Statuses from a ManagedApplicationList answer, by bundle ID."""
    changed = 0
    installs = (
        AppInstall.objects.filter(enrollment=enrollment_id)
        .exclude(status__in=(Status.REMOVED, Status.REMOVING))
        .select_related("app")
    )
    for install in installs:
        entry = apps.get(install.app.bundle_id)
        if not isinstance(entry, dict):
            continue
        status = rules.DEVICE_STATUS.get(str(entry.get("Status", "")))
        if status is None or status == install.status:
            continue
        install.status = status
        install.installed_version = str(entry.get("Version", install.installed_version))[:64]
        install.reason = f"device reports {entry.get('Status')}" if status == Status.FAILED else ""
        install.save()
        changed += 1
    return changed


def status_counts(app: App) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in AppInstall.objects.filter(app=app).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def refresh_status(*, enrollment: Enrollment) -> bool:
    """Ask the device for its managed apps' state (ManagedApplicationList)."""
    result = enqueue_command(
        enrollments=[enrollment], request_type="ManagedApplicationList", origin=ORIGIN
    )
    return enrollment.pk in result.queued


def dashboard_alerts() -> list[str]:
    """One line per Apps and Books location that needs the admin (console dashboard)."""
    now = timezone.now()
    out = []
    for token in AppsBooksToken.objects.order_by("name"):
        warning = token_warning(token, now=now)
        if warning:
            out.append(f"Apps and Books location {token.name}: {warning}")
    return out


def reconcile_people(*, user_ids: Iterable[int]) -> tuple[int, int]:
    """After group changes: request the required apps these people's devices now fall under,
    and remove the ones no assignment reaches any more. Returns (requested, removed)."""
    enrollments = Enrollment.objects.filter(
        directory_user__in=list(user_ids),
        channel=Enrollment.Channel.DEVICE,
        status=Enrollment.Status.ENROLLED,
    )
    requested = removed = 0
    required = list(
        AppAssignment.objects.filter(mode=AppAssignment.Mode.REQUIRED).select_related("app")
    )
    for enrollment in enrollments:
        requested += enrollment_started(enrollment=enrollment)
        installs = AppInstall.objects.filter(
            enrollment=enrollment, assignment__scope=AppAssignment.Scope.GROUP
        ).select_related("app", "app__token", "assignment", "enrollment")
        for install in installs.exclude(status__in=(Status.REMOVED, Status.REMOVING)):
            reaching = [
                a
                for a in required
                if a.app_id == install.app_id
                and assignment_targets(a).filter(pk=enrollment.pk).exists()
            ]
            if reaching:
                if install.assignment not in reaching:
                    install.assignment = reaching[0]
                    install.save(update_fields=["assignment", "updated_at"])
                continue
            remove_install(install=install)
            removed += 1
    return requested, removed
