"""The install state machine: licence (user or device), command, status from the device,
removal and licence release; every Apps and Books fault waits and retries."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from devices import commands
from devices.managed_apps import appsbooks, rules
from devices.managed_apps.models import (
    App,
    AppAssignment,
    AppInstall,
    AppsBooksToken,
    AppsBooksUser,
)
from devices.managed_apps.services.common import (
    CLAIM,
    HOLDING,
    ORIGIN,
    Status,
    _params,
    _token_failed,
    client_for,
    person_of,
)
from devices.models import Enrollment, QueuedCommand
from devices.services import enqueue_command

logger = logging.getLogger(__name__)


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
        .select_related("app", "app__token", "assignment", "enrollment__device__directory_user")
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
    failure = ""
    if status.status == "FAILED":
        numbers = {f.get("errorNumber") for f in status.failures}
        failure = status.failure_text()
        if numbers & NO_LICENCE_LEFT:
            failure = f"no licence left for {install.app.name}: {failure}"
    licence_event_finished(install_id=install.pk, event_id=install.event_id, failure=failure)
    install.refresh_from_db()  # moved on here, or already by Apple's notification


# Apple's "not enough assets" (9709) in a failed association.
NO_LICENCE_LEFT = frozenset({appsbooks.ERROR_NOT_ENOUGH_ASSETS})


def licence_event_finished(*, install_id: int, event_id: str, failure: str) -> AppInstall | None:
    """The association event of an install ended (a poll of its status, or Apple's
    ASSET_MANAGEMENT notification): the licence is recorded, or the install fails with
    Apple's reason. Once only: whichever of the poll and the notification comes second finds
    the install moved on and changes nothing (None). Then the install command is sent."""
    with transaction.atomic():
        install = (
            AppInstall.objects.select_for_update(of=("self",))
            .select_related("app", "assignment", "enrollment__device__directory_user")
            .filter(pk=install_id, status=Status.LICENCE_PENDING, event_id=event_id)
            .first()
        )
        if install is None or not event_id:
            return None
        if failure:
            install.licence, install.licence_holder, install.event_id = "", "", ""
            _fail(install, f"licence not assigned: {failure}")
            return install
        App.objects.filter(pk=install.app_id, licences_available__gt=0).update(
            licences_available=F("licences_available") - 1,
            licences_assigned=F("licences_assigned") + 1,
        )
        install.status = Status.LICENCE_ASSIGNED
        install.event_id = ""
        install.next_attempt_at = timezone.now()
        install.save()
    _send_install(install)
    return install


def _send_install(install: AppInstall) -> None:
    assignment = install.assignment
    if assignment is None:
        _fail(install, "the assignment was removed")
        return
    try:
        request_type, params = _params(assignment, person_of(install.enrollment))
        result = enqueue_command(
            enrollments=[install.enrollment],
            request_type=request_type,
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


def end_installs(*, channel_ids: list[int]) -> int:
    """An enrollment ended (inside its transaction): every app install of these channels ends
    (REMOVING: the device dropped the apps with its management; the licence is freed after
    commit by `enrollment_ended`, or by the beat once CLAIM has passed). How many ended."""
    return (
        AppInstall.objects.filter(enrollment__in=channel_ids)
        .exclude(status__in=(Status.REMOVED, Status.REMOVING))
        .update(
            status=Status.REMOVING,
            next_attempt_at=timezone.now() + CLAIM,
            updated_at=timezone.now(),
        )
    )


def enrollment_ended(*, enrollment: Enrollment) -> int:
    """The device left: its managed apps went with the enrollment (and its user channels');
    free their licences."""
    channels = [enrollment.pk, *enrollment.user_channels.values_list("pk", flat=True)]
    installs = list(
        AppInstall.objects.filter(enrollment__in=channels)
        .exclude(status=Status.REMOVED)
        .select_related("app", "app__token", "enrollment__device")
    )
    for install in installs:
        install.status = Status.REMOVING
        install.save(update_fields=["status", "updated_at"])
        _release_licence_safely(install)
    return len(installs)


def release_then_advance(*, enrollment: Enrollment, then: Enrollment | None = None) -> int:
    """Free the ended enrollment's licences, then start the installs held for the device that
    replaces it (`then`): in this order, so a licence the new device gets again is not taken
    away. The number of installs released."""
    released = enrollment_ended(enrollment=enrollment)
    if then is not None:
        AppInstall.objects.filter(enrollment=then, status=Status.REQUESTED).update(
            next_attempt_at=timezone.now(), updated_at=timezone.now()
        )
        advance_due()
    return released


def reassign_lost_licences(
    *, token: AppsBooksToken, held: dict[str, set[tuple[str, str]]], before: datetime
) -> int:
    """After a sync read Apple's assignments ("Get Assignments") of these apps: an install
    that holds a licence Apple no longer lists (revoked or reassigned in Apple Business Manager
    or by another server) asks for one again. Only installs unchanged since the list was read
    (`before`): one that got its licence meanwhile is not in the list yet. How many."""
    now = timezone.now()
    lost = 0
    installs = (
        AppInstall.objects.filter(
            app__token=token, app__adam_id__in=list(held), status__in=HOLDING, updated_at__lt=before
        )
        .exclude(licence="")
        .select_related("app")
    )
    for install in installs:
        if (install.licence, install.licence_holder) in held[install.app.adam_id]:
            continue
        lost += AppInstall.objects.filter(
            pk=install.pk, status=install.status, updated_at=install.updated_at
        ).update(
            status=Status.REQUESTED,
            licence="",
            licence_holder="",
            event_id="",
            attempts=0,
            reason="Apple no longer lists this licence (revoked or reassigned outside this "
            "server): assigning one again",
            next_attempt_at=now,
            updated_at=now,
        )
    return lost


def push_update(*, app: App) -> int:
    """A new version of an app: send InstallApplication again where it is required."""
    installs = AppInstall.objects.filter(
        app=app, status=Status.INSTALLED, assignment__mode=AppAssignment.Mode.REQUIRED
    ).select_related("enrollment__device__directory_user", "assignment", "app")
    count = 0
    for install in installs:
        _send_install(install)
        count += 1
    return count


def record_result(*, delivery: QueuedCommand, raw: dict[str, Any], error: str) -> None:
    """A device answered one of our commands: update the install status it concerns."""
    request_type = delivery.command.request_type
    if request_type == rules.INSTALL_ENTERPRISE:
        _enterprise_result(delivery, error)
    elif request_type == "InstallApplication":
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


def _enterprise_result(delivery: QueuedCommand, error: str) -> None:
    """A Mac answered InstallEnterpriseApplication (its answer has no State). Installed as
    managed, ManagedApplicationList follows it; installed unmanaged (InstallAsManaged left
    out: a macOS User Enrollment), the acknowledgement is all the server will ever know."""
    install = AppInstall.objects.filter(command_uuid=delivery.command.uuid).first()
    if install is None:
        return
    if error:
        install.status = Status.FAILED
        _later(install, f"the device refused the install: {error}")
        return
    managed = "InstallAsManaged" in (delivery.command.command_keys or [])
    install.reason = ""
    if managed and install.app.bundle_id:
        install.status = Status.INSTALLING
        install.save()
        enqueue_command(
            enrollments=[install.enrollment],
            request_type="ManagedApplicationList",
            payload={"Identifiers": [install.app.bundle_id]},
            origin=ORIGIN,
        )
        return
    install.status = Status.INSTALLED
    if not managed:
        note = "installed unmanaged (the device acknowledged the package; it is not tracked)"
        install.notes = [*install.notes, note] if note not in install.notes else install.notes
    install.save()


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
