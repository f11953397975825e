"""Every write of managed apps: content tokens, the catalogue, assignments, licences, installs.

Writes that start installs only record them; the caller (console, API, signal receiver) then
queues `tasks.advance_installs`, which does the network part. Network calls to Apps and Books
happen outside database transactions, and a row changes only after Apple confirmed (an event
COMPLETE): an error or timeout leaves the install where it was, with the reason and a later
attempt (backoff), never a licence half-recorded.

Split by concern: `locations` (tokens, catalogue sync), `assignments` (where apps go, the
licence check), `installs` (the install state machine, results, removal), `notifications`
(Apple's notifications for a location), `common`.
"""

from devices.managed_apps.services.assignments import (
    AssignResult,
    assign_app,
    carry_over_apps,
    enrollment_started,
    licences_needed,
    reconcile_people,
    request_install,
    required_for,
    unassign,
    what_will_not_apply,
)
from devices.managed_apps.services.common import (
    ORIGIN,
    ManagedAppsError,
    assignment_targets,
    client_for,
    notify_secret,
    notify_url,
    person_of,
)
from devices.managed_apps.services.installs import (
    advance,
    advance_due,
    apply_app_list,
    end_installs,
    enrollment_ended,
    push_update,
    record_result,
    refresh_status,
    release_then_advance,
    remove_install,
    status_counts,
)
from devices.managed_apps.services.locations import (
    SyncResult,
    add_custom_app,
    dashboard_alerts,
    sync_token,
    token_warning,
    upload_token,
)
from devices.managed_apps.services.notifications import (
    apply_notification,
    forget_old_notifications,
)

__all__ = [
    "ORIGIN",
    "AssignResult",
    "ManagedAppsError",
    "SyncResult",
    "add_custom_app",
    "advance",
    "advance_due",
    "apply_app_list",
    "apply_notification",
    "assign_app",
    "assignment_targets",
    "carry_over_apps",
    "client_for",
    "dashboard_alerts",
    "end_installs",
    "enrollment_ended",
    "enrollment_started",
    "forget_old_notifications",
    "licences_needed",
    "notify_secret",
    "notify_url",
    "person_of",
    "push_update",
    "reconcile_people",
    "record_result",
    "refresh_status",
    "release_then_advance",
    "remove_install",
    "request_install",
    "required_for",
    "status_counts",
    "sync_token",
    "token_warning",
    "unassign",
    "upload_token",
    "what_will_not_apply",
]
