"""Apple's notifications for a location (Apps and Books "Subscribing to Notifications"): they
advance the same state polling does, and polling stays the fallback (Apple delivers them on a
best-effort basis, three attempts within a few minutes).

The view checks the bearer token and parses the body (`appsbooks.parse_notification`); here a
notification is applied once (by its `notificationId`) inside one transaction, and the install
commands it makes due go out after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from devices.managed_apps import appsbooks
from devices.managed_apps.models import (
    App,
    AppInstall,
    AppsBooksNotification,
    AppsBooksToken,
    AppsBooksUser,
)
from devices.managed_apps.services.common import Status
from devices.managed_apps.services.installs import NO_LICENCE_LEFT, licence_event_finished

logger = logging.getLogger(__name__)
KEEP_SEEN = timedelta(days=7)  # Apple re-delivers within minutes; ids older than this go


def apply_notification(*, token: AppsBooksToken, note: appsbooks.Notification) -> str:
    """Apply one notification of `token`'s location; what it did, for the log and the answer.
    A notification seen before is acknowledged and not applied again."""
    if note.notification_type == appsbooks.TEST_NOTIFICATION:
        return "test notification accepted"
    handler = {
        "ASSET_MANAGEMENT": _asset_management,
        "ASSET_COUNT": _asset_count,
        "USER_MANAGEMENT": _user_management,
        "USER_ASSOCIATED": _user_associated,
    }.get(note.notification_type)
    # The id is recorded in the same transaction as the change: a failure applying it rolls
    # both back, so Apple's next delivery of it is applied, not taken for a repeat.
    with transaction.atomic():
        try:
            with transaction.atomic():
                AppsBooksNotification.objects.create(
                    token=token,
                    notification_id=note.notification_id,
                    notification_type=note.notification_type,
                )
        except IntegrityError:
            return "already applied"
        if handler is None:
            return f"{note.notification_type} ignored"
        return handler(token, note)


def _holder(assignment: appsbooks.NotifiedAssignment) -> tuple[str, str]:
    if assignment.serial_number:
        return "device", assignment.serial_number
    return "user", assignment.client_user_id


def _asset_management(token: AppsBooksToken, note: appsbooks.Notification) -> str:
    """An association (or disassociation) finished. Our pending installs of that event whose
    holder the notification lists get their licence, or fail with Apple's reason; anything
    else (another MDM's event, a disassociation we already waited for) changes nothing here:
    licence counts follow from the next sync."""
    if note.action != "ASSOCIATE":
        return f"{note.action.lower()} {note.result.lower()} noted"
    listed = {(a.adam_id, *_holder(a)) for a in note.assignments}
    pending = AppInstall.objects.filter(
        app__token=token, status=Status.LICENCE_PENDING, event_id=note.event_id
    ).values_list("pk", "app__adam_id", "licence", "licence_holder")
    failure = ""
    if note.failed:
        failure = note.failure_text()
        if note.error_number in NO_LICENCE_LEFT:
            failure = f"no licence left: {failure}"
    done = 0
    for pk, adam_id, licence, holder in list(pending):
        if (adam_id, licence, holder) not in listed:
            continue
        if licence_event_finished(install_id=pk, event_id=note.event_id, failure=failure):
            done += 1
    return f"association {note.result.lower()}: {done} install(s) advanced"


def _asset_count(token: AppsBooksToken, note: appsbooks.Notification) -> str:
    """Licences bought, transferred or refunded: the app's counts move by `countDelta`."""
    changed = App.objects.filter(
        token=token,
        kind=App.Kind.STORE,
        adam_id=note.adam_id,
        pricing_param=note.pricing_param,
    ).update(
        licences_total=Greatest(F("licences_total") + note.count_delta, 0),
        licences_available=Greatest(F("licences_available") + note.count_delta, 0),
        updated_at=timezone.now(),
    )
    return f"licence count {note.count_delta:+d} for {changed} app(s)"


def _user_management(token: AppsBooksToken, note: appsbooks.Notification) -> str:
    """A user registration (CREATE) ended: the person is registered and the installs waiting
    for it are due now; a failure lets the next attempt register again. A RETIRE unregisters."""
    ids = [u.client_user_id for u in note.users]
    users = AppsBooksUser.objects.filter(token=token, client_user_id__in=ids)
    if note.action == "RETIRE":
        count = users.update(registered=False, event_id="")
        return f"{count} user(s) retired"
    if note.action != "CREATE":
        return f"user {note.action.lower()} noted"
    mine = users.filter(event_id=note.event_id)
    if note.failed:
        count = mine.update(event_id="")
        return f"registration failed for {count} user(s): {note.failure_text()}"
    count = mine.update(registered=True, event_id="")
    _wake_waiting(token)
    return f"{count} user(s) registered"


def _user_associated(token: AppsBooksToken, note: appsbooks.Notification) -> str:
    """People accepted the invitation: they are registered users of the location."""
    ids = [u.client_user_id for u in note.users if u.status in ("Associated", "Registered")]
    count = AppsBooksUser.objects.filter(
        token=token, client_user_id__in=ids, registered=False
    ).update(registered=True, event_id="")
    if count:
        _wake_waiting(token)
    return f"{count} user(s) associated"


def _wake_waiting(token: AppsBooksToken) -> int:
    """Installs of this location still waiting for a registration are due now."""
    return AppInstall.objects.filter(
        Q(next_attempt_at__isnull=False), app__token=token, status=Status.REQUESTED
    ).update(next_attempt_at=timezone.now(), updated_at=timezone.now())


def forget_old_notifications(*, now: datetime | None = None) -> int:
    """Drop the ids of notifications received long ago (Apple re-delivers within minutes)."""
    cutoff = (now or timezone.now()) - KEEP_SEEN
    deleted, _ = AppsBooksNotification.objects.filter(received_at__lt=cutoff).delete()
    return deleted
