"""The command channel: find the enrollment, store results, deliver the next command
(Apple "Sending MDM commands to a device": the connect loop, NotNow, idempotent results).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

from django.db import router, transaction
from django.utils import timezone

from devices import capabilities, commands, hooks, hotpath, protocol, signals
from devices.exceptions import CheckinRejected
from devices.identity import DeviceIdentity
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from devices.protocol import ReportStatus
from devices.services.checkin import unenroll
from devices.services.common import (
    EMPTY,
    LAST_SEEN_RESOLUTION,
    MAX_DROPS_PER_REQUEST,
    Reply,
    _log,
    _log_repeatable,
    target_for,
)
from devices.services.pin import _check_pin

# --- connect ------------------------------------------------------------------------------------


def find_for_connect(
    ids: protocol.EnrollmentIds,
    identity: DeviceIdentity,
    *,
    command_uuid: str | None = None,
    lock: bool = True,
) -> hotpath.ConnectRow:
    """The enrollment of a command-channel request, pinned to the identity and not checked out
    (with a result's `command_uuid`: that command's queue row too, locked in the result's
    transaction unless `lock` is false).

    Only what a poll and a result read is loaded; the other fields load when first used (an
    inventory update of DeviceInformation reads and writes a few of them).
    """
    found = hotpath.connect_row(ids.key, command_uuid=command_uuid, lock=lock)
    if found is None:
        raise CheckinRejected(404, "unknown enrollment")
    _check_pin(found.enrollment, identity)
    if found.enrollment.status == Enrollment.Status.UNENROLLED:
        raise CheckinRejected(403, "this enrollment was checked out")
    return found


def serve_report(
    *, identity: DeviceIdentity, bearer: str | None, report: protocol.CommandReport, body: bytes
) -> Reply:
    """A command-channel request (an Idle poll or a result) of a verified device identity, to
    its reply: the one call of the Django view and of the WSGI shortcut. Raises CheckinRejected
    (a 401 with its challenge when the bearer token of an account-driven enrollment is due)."""
    if report.command_uuid is None:
        found = find_for_connect(report.ids, identity)
        _check_bearer(found, bearer)
        return handle_report(connect=found, report=report, body=body)
    if (
        report.status is not ReportStatus.NOT_NOW
        and hotpath.stores_results_in_one_statement()
        and not (
            # Only an Acknowledged result writes a list's rows; an Error with such keys is
            # stored as any other Error.
            report.status is ReportStatus.ACKNOWLEDGED and commands.may_write_rows(report.raw)
        )
    ):
        # The channel as this process read it when it sent the command, if it did: stored by
        # one statement, only if the channel and the queue row are still as read.
        reply = _result_as_seen(identity, bearer, report, body)
        if reply is not None:
            return reply
        # The channel row and the result's queue row as they are, without a transaction: most
        # results are then stored, with their inventory, by the one statement that delivers the
        # next command, and only if their row is still pending then.
        found = find_for_connect(report.ids, identity, command_uuid=report.command_uuid, lock=False)
        _check_bearer(found, bearer)
        reply = _result_in_one_statement(found, report, body)
        if reply is not None:
            return reply
        # The others (a repeat, an unknown command, inventory rows, Unenroll): in a
        # transaction, their queue row locked first.
        with transaction.atomic(using=router.db_for_write(QueuedCommand)):
            locked = hotpath.relock_delivery(found.result_delivery)
            found = replace(found, result_delivery=locked, result_locked=True)
            return handle_report(connect=found, report=report, body=body)
    # A NotNow, a result that by its keys writes rows of its own (a list of profiles, apps or
    # certificates: taken in a transaction anyway, so its queue row is not read twice), and any
    # result elsewhere (SQLite): its transaction starts first, so the channel row and the
    # result's queue row (locked) are one statement on PostgreSQL.
    with transaction.atomic(using=router.db_for_write(QueuedCommand)):
        found = find_for_connect(report.ids, identity, command_uuid=report.command_uuid)
        _check_bearer(found, bearer)
        return handle_report(connect=found, report=report, body=body)


def _result_in_one_statement(
    connect: hotpath.ConnectRow, report: protocol.CommandReport, body: bytes
) -> Reply | None:
    """A result (not NotNow) whose every write is its queue row, its log row and its Device's
    columns, stored by the statement that delivers the next command (atomic by itself); None
    for the others, which `handle_report` takes in a transaction."""
    delivery = connect.result_delivery
    if delivery is None or delivery.status not in QueuedCommand.PENDING:
        return None
    if report.status is ReportStatus.ACKNOWLEDGED and (
        commands.writes_rows_on_result(delivery.command.request_type)
        or _ends_enrollment(delivery.command)
    ):
        return None
    enrollment = connect.enrollment
    return _after_result(enrollment, _stored_result(enrollment, delivery, report, body), report)


def _result_as_seen(
    identity: DeviceIdentity, bearer: str | None, report: protocol.CommandReport, body: bytes
) -> Reply | None:
    """A result (not NotNow, no rows of its own) of the command this process last delivered on
    the channel, decided on the channel as it read it then (`hotpath.seen_result`) and written
    by one statement only if the channel, its Device and the queue row are still so; None, with
    nothing written, for every other case: the caller then reads the channel again. Only where
    the lookup's checks are a function of that row alone: a device channel, pinned to this
    identity, not checked out, its last-seen time recent. An account-driven channel's bearer
    token is checked now, as a result read again has it checked: against the sessions and
    tokens as they are, for the reference, channel and platform of the row as read, which the
    statement then requires to be still so. A refusal writes nothing here: the result is read
    again, and refused (or not) on the channel as it is."""
    seen = hotpath.seen_result(report.ids.key, report.command_uuid or "")
    if seen is None:
        return None
    guard, found = seen
    enrollment = found.enrollment
    delivery = found.result_delivery
    if (
        delivery is None
        or enrollment.parent_id is not None
        or not enrollment.cert_fingerprint
        or enrollment.cert_fingerprint != identity.fingerprint
        or enrollment.status == Enrollment.Status.UNENROLLED
        or enrollment.last_seen_at is None
        or timezone.now() - enrollment.last_seen_at > LAST_SEEN_RESOLUTION
        or not delivery.command.spec
        or hooks.check_bearer(enrollment, bearer) is not None
    ):
        return None
    if report.status is ReportStatus.ACKNOWLEDGED and (
        commands.writes_rows_on_result(delivery.command.request_type)
        or _ends_enrollment(delivery.command)
    ):
        return None
    stored = _stored_result(enrollment, delivery, report, body)
    try:
        return _next_command(
            enrollment,
            (QueuedCommand.Status.QUEUED, QueuedCommand.Status.SENT),
            result=stored,
            report=report,
            seen=guard,
        )
    except _NotAsSeen:
        return None


class _NotAsSeen(Exception):
    """The statement of a result taken as seen wrote nothing: the channel or its queue row
    is not as read (or the result was stored meanwhile)."""


def _check_bearer(found: hotpath.ConnectRow, bearer: str | None) -> None:
    challenge = hooks.check_bearer(found.enrollment, bearer)
    if challenge is not None:
        raise CheckinRejected(401, "authorization expired", challenge.www_authenticate)


def handle_report(
    *, connect: hotpath.ConnectRow, report: protocol.CommandReport, body: bytes
) -> Reply:
    """Store a command result (if any) and answer with the next command, or an empty body.

    A result and the delivery of the next command are one transaction: a failure anywhere
    leaves both undone, and the device's resent result is then taken as the first.
    """
    enrollment = connect.enrollment
    if report.command_uuid is None:
        _touch_if_stale(enrollment)
        if connect.queue_empty:
            return EMPTY  # the lookup found the queue empty a moment ago
        return _next_command(enrollment, QueuedCommand.PENDING)
    # A result (an Idle report carries no CommandUUID): a NotNow'd command waits for Idle.
    # Inside serve_report's transaction, no savepoint: a failure fails the whole request.
    with transaction.atomic(using=router.db_for_write(QueuedCommand), savepoint=False):
        return _after_result(enrollment, _record_result(connect, report, body), report)


def _after_result(
    enrollment: Enrollment, stored: hotpath.StoredResult | None, report: protocol.CommandReport
) -> Reply:
    """What a result's answer does after the result itself: the channel's last-seen time, then
    the next command (queued or sent), with the result if it is still to be stored."""
    _touch_if_stale(enrollment)
    return _next_command(
        enrollment,
        (QueuedCommand.Status.QUEUED, QueuedCommand.Status.SENT),
        result=stored,
        report=report,
    )


def _touch_if_stale(enrollment: Enrollment) -> None:
    now = timezone.now()
    if enrollment.last_seen_at is None or now - enrollment.last_seen_at > LAST_SEEN_RESOLUTION:
        hotpath.touch_last_seen(enrollment.pk, now)
        enrollment.last_seen_at = now


def _next_command(
    enrollment: Enrollment,
    statuses: Sequence[str],
    *,
    result: hotpath.StoredResult | None = None,
    report: protocol.CommandReport | None = None,
    seen: hotpath.Seen | None = None,
) -> Reply:
    """The next command (marked sent), or an empty reply; `result`, a result (`report`) still
    to write, is written by the first statement if its row is still pending. With `seen`
    (`_result_as_seen`), the first statement writes only if the channel is still as seen and
    the result is stored: _NotAsSeen when it wrote nothing."""
    target = None
    for _ in range(MAX_DROPS_PER_REQUEST + 1):
        # Chosen, marked sent and logged in one statement (atomic by itself).
        now = timezone.now()
        if result is not None and report is not None:
            stored, delivery = hotpath.store_result_and_deliver(
                enrollment,
                statuses,
                now=now,
                kind=DeviceEvent.Kind.COMMAND,
                result=result,
                seen=seen,
            )
            if stored:
                _announce(result.delivery, result.report or report)
            elif seen is not None:
                raise _NotAsSeen
        else:
            delivery = hotpath.deliver_next(
                enrollment, statuses, now=now, kind=DeviceEvent.Kind.COMMAND
            )
        result = None
        if delivery is None:
            return EMPTY
        if target is None:
            target = target_for(enrollment)
        reason = _delivery_refusal(delivery.command, target)
        if not reason:
            return Reply(body=bytes(delivery.command.body))
        # Left pending if this fails: the next poll delivers and filters it again.
        with transaction.atomic(savepoint=False):
            hotpath.refuse_delivery(delivery, reason=reason, now=now, kind=DeviceEvent.Kind.FILTER)
    return EMPTY


def _delivery_refusal(command: Command, target: capabilities.Target | None) -> str:
    """Check again at delivery: the enrollment may have changed since the command was queued.

    `command_keys` holds the schema path of every key and query value the queue stored
    (nested ones and Settings items too), `payload_summary` the shape of a profile's payloads
    and of its own keys: judging them costs microseconds, parsing the body would not."""
    if target is None:
        return "the device has not reported its platform"
    decision = capabilities.check_command(command.request_type, target, keys=command.command_keys)
    if not decision.allowed:
        return decision.reason
    if command.payload_summary:
        result, _ = capabilities.check_profile(command.payload_summary, target, strip=False)
        if not result.allowed:
            return result.reason
    return ""


_FINAL = {
    ReportStatus.ACKNOWLEDGED: QueuedCommand.Status.ACKNOWLEDGED,
    ReportStatus.ERROR: QueuedCommand.Status.ERROR,
    ReportStatus.COMMAND_FORMAT_ERROR: QueuedCommand.Status.FORMAT_ERROR,
}


def _record_result(
    connect: hotpath.ConnectRow, report: protocol.CommandReport, body: bytes
) -> hotpath.StoredResult | None:
    """Take a result in the caller's transaction: inventory now; the queue row and its log row
    returned, for the statement that fetches the next command to write (None: nothing to write
    or already written)."""
    enrollment = connect.enrollment
    with transaction.atomic(savepoint=False):
        if connect.result_read and connect.result_locked:
            delivery = connect.result_delivery  # read and locked with the channel row
        else:
            delivery = hotpath.locked_delivery(enrollment.pk, report.command_uuid or "")
        if delivery is None:
            # A device may send these at will: one log row counts them (the first's UUID).
            _log_repeatable(
                enrollment,
                DeviceEvent.Kind.RESULT,
                "unknown",
                str(report.status),
                command_uuid=report.command_uuid or "",
                detail={"note": "result for a command this enrollment was never sent; ignored"},
            )
            return None
        request_type = delivery.command.request_type
        if delivery.status not in QueuedCommand.PENDING:
            # A repeated result (the device may resend): the first one stands.
            return None
        if report.status is ReportStatus.NOT_NOW:
            hotpath.update_queue_row(
                delivery.pk, status=QueuedCommand.Status.NOT_NOW, increment="not_now_count"
            )
            _log(
                enrollment,
                DeviceEvent.Kind.RESULT,
                request_type,
                "notnow",
                command_uuid=delivery.command.uuid,
            )
            return None
        stored = _stored_result(enrollment, delivery, report, body)
        if report.status is ReportStatus.ACKNOWLEDGED and _ends_enrollment(delivery.command):
            hotpath.store_result(stored)
            _announce(delivery, stored.report or report)
            unenroll(
                enrollment=enrollment,
                reason="the device removed its enrollment profile (Unenroll acknowledged)",
            )
            return None
        return stored


def _stored_result(
    enrollment: Enrollment,
    delivery: QueuedCommand,
    report: protocol.CommandReport,
    body: bytes,
) -> hotpath.StoredResult:
    """A result (not NotNow) of a pending queue row, to write: the row's final status and the
    response, its log row, and its inventory (the Device columns with it; other rows, such as
    a list of profiles, written now: the caller holds the row's lock then)."""
    request_type = delivery.command.request_type
    raw, discarded = report.raw, cast(dict[str, Any], {})
    target = target_for(enrollment) if enrollment.is_user_enrollment else None
    kept: protocol.CommandReport | None = None
    if target is not None:
        # What a User Enrollment may not tell (or cannot be) is not stored, not even raw, nor
        # handed to the apps that follow results.
        raw, discarded = capabilities.user_enrollment_result(request_type, report.raw, target)
        if discarded:
            body = protocol.render_plist(raw)
            kept = replace(report, raw=raw)
    delivery.status = _FINAL[report.status]
    delivery.result = body
    delivery.error_chain = report.error_chain or None
    delivery.completed_at = timezone.now()
    detail: dict[str, Any] = {}
    if report.error_chain:
        detail["error_chain"] = report.error_chain
    device_fields: tuple[str, ...] = ()
    if report.status is ReportStatus.ACKNOWLEDGED:
        change = commands.result_fields(enrollment, request_type, raw)
        if change is None:
            detail.update(commands.handle_result(enrollment, request_type, raw))
        else:
            detail.update(change.summary)
            device_fields = change.fields
    if discarded:
        detail["discarded"] = dict(sorted(discarded.items()))  # each key with why
    return hotpath.StoredResult(
        delivery=delivery,
        log=hotpath.LogRow(
            enrollment=enrollment,
            kind=DeviceEvent.Kind.RESULT,
            action=request_type,
            status=str(delivery.status),
            command_uuid=delivery.command.uuid,
            detail=detail,
        ),
        device_fields=device_fields,
        report=kept,
    )


def _announce(delivery: QueuedCommand, report: protocol.CommandReport) -> None:
    """`signals.command_result` for a stored result, once its transaction (if any) commits;
    nothing for a request type no receiver follows."""
    if signals.command_result.receivers(delivery.command.request_type):
        transaction.on_commit(
            lambda: signals.command_result.send(
                sender=QueuedCommand, delivery=delivery, report=report
            )
        )


def _ends_enrollment(command: Command) -> bool:
    """Whether this acknowledged command ends the enrollment (`CommandSpec.ends_enrollment`)."""
    name: Any = command.spec  # loaded with the delivery
    if not name:
        # Stored without it by a server older than `Command.spec` (an upgrade in progress): its
        # console copy names it, read only then. Its RequestType must be that command's too.
        display = Command.objects.filter(pk=command.pk).values_list("display", flat=True).first()
        name = display.get("name") if isinstance(display, dict) else None
    spec = commands.REGISTRY.get(name) if isinstance(name, str) else None
    return spec is not None and spec.ends_enrollment and spec.request_type == command.request_type
