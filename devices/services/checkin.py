"""Check-in messages: Authenticate, TokenUpdate, CheckOut, bootstrap tokens, GetToken and
DeclarativeManagement (Apple "Check-in").
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from devices import binding, capabilities, hooks, hotpath, protocol, signals
from devices.exceptions import CheckinRejected
from devices.identity import DeviceIdentity
from devices.models import Device, DeviceEvent, Enrollment
from devices.protocol import MessageType
from devices.services.common import (
    EMPTY,
    KNOWN_TOKEN_SERVICES,
    Actor,
    Reply,
    _cancel_pending,
    _event,
    _find,
    _log,
    _log_repeatable,
    log_window,
    target_for,
)
from devices.services.inventory_queue import FirstCommandsFailed, queue_first_commands
from devices.services.pin import _check_pin, adopt_identity, channel_of, pinned_renews
from mdm_server import apple, audit, encryption, untrusted
from mdm_server.pki import services as pki

logger = logging.getLogger(__name__)

# --- check-in --------------------------------------------------------------------------------------


def _check_bootstrap_token(enrollment: Enrollment, message_type: MessageType) -> bool:
    """Refuse Set/GetBootstrapToken where Apple's schema forbids it (User Enrollment, a Mac that
    is not supervised). Until the device has answered DeviceInformation's `IsSupervised` (asked
    first at enrollment), a Device Enrollment Mac is taken at its word: its first
    SetBootstrapToken often comes before that answer and would otherwise be lost, and the
    answer drops the token if the Mac turns out not to be supervised (`devices.inventory`).
    True when the check assumed supervision."""
    target = target_for(enrollment)
    if target is None:
        return False
    decision = capabilities.check_checkin(message_type, target)
    if decision.allowed:
        return False
    unknown = "IsSupervised" not in enrollment.device.device_information
    if unknown and not enrollment.is_user_enrollment and not target.supervised:
        assumed = capabilities.check_checkin(message_type, replace(target, supervised=True))
        if assumed.allowed:
            return True
    raise CheckinRejected(403, f"{message_type} is not allowed here: {decision.reason}")


class _LoggedRefusal(CheckinRejected):
    """A check-in refused (403) whose attempt the device log of channel `enrollment_id` (if it
    exists) keeps, outside the check-in's transaction, which is undone."""

    def __init__(
        self, reason: str, enrollment_id: int | None, action: str, detail: dict[str, Any]
    ) -> None:
        super().__init__(403, reason)
        self.enrollment_id = enrollment_id
        self.action = action
        self.detail = {"reason": reason, **detail}


class _TakeoverRefused(_LoggedRefusal):
    """An Authenticate refused by the binding rules, for the channel `enrollment_id` if it exists."""

    def __init__(self, reason: str, enrollment_id: int | None, identity: DeviceIdentity) -> None:
        super().__init__(
            reason,
            enrollment_id,
            MessageType.AUTHENTICATE,
            {"certificate": identity.fingerprint, "transport": identity.transport},
        )


def handle_checkin(
    *, identity: DeviceIdentity, message: protocol.CheckinMessage, bearer: str | None = None
) -> Reply:
    """Handle one check-in message; raises CheckinRejected for a 4xx answer."""
    try:
        try:
            return _checkin_once(identity, message, bearer)
        except IntegrityError:
            # Two first check-ins at once that make the same row (an Authenticate, or a user
            # channel's first TokenUpdate, of one new channel; two new channels claiming one
            # device known before enrollment): both read, before one waited for the other,
            # that the row was not there, and this one's INSERT failed on its key once the
            # other committed. Nothing of it was kept; taken once more, it reads what the other
            # made and the binding rules decide, as if the two had come one after the other.
            if not isinstance(message, protocol.Authenticate | protocol.TokenUpdate):
                raise
            return _checkin_once(identity, message, bearer)
    except _LoggedRefusal as exc:
        if exc.enrollment_id is not None:
            # Outside the check-in's transaction, which was undone: the attempt stays logged
            # (one row for the same attempt repeated).
            _log_repeatable(
                exc.enrollment_id,
                DeviceEvent.Kind.CHECKIN,
                exc.action,
                "refused",
                detail=exc.detail,
            )
        raise


def _checkin_once(
    identity: DeviceIdentity, message: protocol.CheckinMessage, bearer: str | None
) -> Reply:
    """`_handle_checkin`, a first TokenUpdate's first commands queued without a savepoint of
    their own (one round trip less; `queue_first_commands(savepoint=False)`). Should they fail,
    the check-in's transaction was undone with them: it is done again from its start, its first
    commands queued as they are after a failure in that savepoint (step by step: the failure
    costs only the commands that failed, as it always did). When the undo itself failed (the
    database is gone), the failure is raised."""
    try:
        return _handle_checkin(identity=identity, message=message, bearer=bearer, savepoint=False)
    except FirstCommandsFailed as failed:
        connection = transaction.get_connection()
        if connection.needs_rollback or connection.connection is None or failed.__cause__ is None:
            # The transaction could not be undone (the connection was dropped, or the
            # caller's transaction is marked for rollback): nothing can go on.
            raise (failed.__cause__ or failed) from None
        # Said here: should the check-in done again succeed, the first attempt's failure (a
        # deadlock, a failover, a provider failing only beside the others) would leave no trace.
        logger.warning(
            "first commands of a TokenUpdate failed (%s: %s); the check-in is done again, "
            "its first commands queued one provider at a time",
            type(failed.__cause__).__name__,
            failed.__cause__,
        )
        return _handle_checkin(
            identity=identity, message=message, bearer=bearer, savepoint=True, step_by_step=True
        )


@transaction.atomic
def _handle_checkin(
    *,
    identity: DeviceIdentity,
    message: protocol.CheckinMessage,
    bearer: str | None,
    savepoint: bool = True,
    step_by_step: bool = False,
) -> Reply:
    """One check-in in its transaction; `savepoint`, `step_by_step`: how a first TokenUpdate
    queues its first commands (`queue_first_commands`, `_checkin_once`)."""
    if isinstance(message, protocol.Authenticate):
        return _authenticate(identity, message, bearer)
    enrollment, device = _locked_channels(message)
    if enrollment is None:
        if isinstance(message, protocol.TokenUpdate) and message.ids.is_user_channel:
            return _token_update_new_user_channel(
                identity, message, bearer, device, savepoint, step_by_step
            )
        if isinstance(message, protocol.CheckOut):
            raise CheckinRejected(404, "unknown enrollment")
        raise CheckinRejected(404, "unknown enrollment: send Authenticate first")
    _check_pin(enrollment, identity)
    if not isinstance(message, protocol.CheckOut):
        if enrollment.status == Enrollment.Status.UNENROLLED and not _user_channel_again(
            enrollment, message
        ):
            # A new enrollment starts with Authenticate; its certificate decides (binding).
            raise CheckinRejected(403, "this enrollment was checked out: enroll again")
        challenge = hooks.check_bearer(enrollment, bearer)
        if challenge is not None:
            raise CheckinRejected(401, "authorization expired", challenge.www_authenticate)
    match message:
        case protocol.TokenUpdate():
            return _token_update(enrollment, message, savepoint, step_by_step)
        case protocol.CheckOut():
            return _check_out(enrollment)
        case protocol.UserAuthenticate():
            _log_repeatable(enrollment, DeviceEvent.Kind.CHECKIN, message.message_type, "gone")
            # Apple: 410 tells the device this server does not authenticate users per channel.
            return Reply(
                status=410,
                body=b"UserAuthenticate is not used by this server",
                content_type="text/plain; charset=utf-8",
            )
        case protocol.SetBootstrapToken():
            return _set_bootstrap_token(enrollment, message)
        case protocol.GetBootstrapToken():
            _check_bootstrap_token(enrollment, message.message_type)
            stored = enrollment.bootstrap_token
            body = {"BootstrapToken": encryption.decrypt(stored)} if stored else {}
            _log_repeatable(enrollment, DeviceEvent.Kind.CHECKIN, message.message_type, "ok")
            return Reply(body=protocol.render_plist(body))
        case protocol.GetToken():
            return _get_token(enrollment, message)
        case protocol.DeclarativeManagement():
            return _declarative_management(enrollment, message)
    raise CheckinRejected(400, f"unhandled MessageType {message.message_type}")  # pragma: no cover


def _locked_channels(
    message: protocol.CheckinMessage,
) -> tuple[Enrollment | None, Enrollment | None]:
    """The channel a check-in names, locked, and for a user channel's TokenUpdate its device
    channel, locked first: that TokenUpdate may enroll the user channel (anew), and a CheckOut
    of the device locks the device channel, then its user channels; in the same order, the two
    wait for each other instead of deadlocking."""
    device = None
    if isinstance(message, protocol.TokenUpdate) and message.ids.is_user_channel:
        device = _find(_device_ids(message.ids), for_update=True)
    return _find(message.ids, for_update=True), device


def _check_binding(
    identity: DeviceIdentity,
    ids: protocol.EnrollmentIds,
    enrollment: Enrollment | None,
    presented: hotpath.Presented,
    context: hooks.EnrollmentContext | None,
) -> tuple[bool, bool]:
    """Refuse an Authenticate that would take a channel with a certificate not bound to it,
    or name itself as another kind of enrollment or another device than its certificate's
    session; (whether the certificate renews the channel's own identity, whether it takes the
    channel from an enrollment Apple did not vouch for) (devices.binding)."""
    issued = presented.issued
    reference = issued.reference if issued is not None else ""
    session = context if context is not None and context.reference else None
    wrong_kind = binding.kind_refusal(
        session.enrollment_type if session is not None else "",
        sends_enrollment_id=ids.is_user_enrollment,
    )
    if wrong_kind is None and context is not None:
        wrong_kind = binding.vouch_refusal(context.vouched_udid, ids.udid)
    if wrong_kind is not None:
        raise _TakeoverRefused(
            wrong_kind, enrollment.pk if enrollment is not None else None, identity
        )
    bound_elsewhere = (
        session is not None
        and session.session_enrollment_id is not None
        and (enrollment is None or session.session_enrollment_id != enrollment.pk)
    )
    certificate = binding.Certificate(
        fingerprint=identity.fingerprint,
        revoked=issued is not None and issued.revoked_at is not None,
        reference=reference,
        session_revoked=session is not None and session.session_revoked,
        session_person=session.directory_user_id if session is not None else None,
        held_elsewhere=bound_elsewhere or presented.other_holder is not None,
        renews=issued.renews if issued is not None else "",
        vouched=context is not None and bool(context.vouched_udid),  # and names it: above
    )
    channel = None
    if enrollment is not None:
        channel = channel_of(
            enrollment,
            pinned_renews=pinned_renews(enrollment, certificate),
            vouched=certificate.vouched and _vouched_channel(ids, enrollment),
        )
    reason = binding.refusal(channel, certificate)
    if reason is not None:
        raise _TakeoverRefused(reason, enrollment.pk if enrollment is not None else None, identity)
    return binding.is_renewal(channel, certificate), binding.takes_over(channel, certificate)


def _vouched_channel(ids: protocol.EnrollmentIds, enrollment: Enrollment) -> bool:
    """Whether Apple vouched for the UDID of the channel's own enrollment (asked only when the
    Authenticate's certificate is vouched for: the channel may then be taken from one that is
    not)."""
    reference = enrollment.enrollment_reference
    if not reference or not ids.udid:
        return False
    own = hooks.resolve_enrollment(ids, reference, None)
    return own is not None and own.vouched_udid == ids.udid


def _channel_device(
    enrollment: Enrollment | None,
    ids: protocol.EnrollmentIds,
    message: protocol.Authenticate,
    context: hooks.EnrollmentContext | None,
    enrollment_type: str,
) -> tuple[Device, Enrollment]:
    """An accepted Authenticate's Device and channel: a new channel's Device (the one ABM made
    known, or a new one), or the channel's own."""
    is_ue = enrollment_type == Enrollment.Type.USER
    if enrollment is not None:
        return enrollment.device, enrollment
    device = _known_device(context, None if is_ue else message.serial_number) or hotpath.new_row(
        Device, user_enrollment=is_ue, ownership=_ownership(enrollment_type, context)
    )
    return device, hotpath.new_row(
        Enrollment, channel_key=ids.key, channel=Enrollment.Channel.DEVICE
    )


# A channel set aside when the device Apple vouches for took its UDID: its key under this
# prefix (no device sends one: a key starts with "udid:" or "eid:", and identifiers hold no "/").
TAKEN_PREFIX = "taken:"
TAKEN_REASON = (
    "the device Apple vouches for as this UDID enrolled (Automated Device Enrollment); this "
    "enrollment had named that UDID on its own word"
)


def _set_aside(enrollment: Enrollment, identity: DeviceIdentity) -> None:
    """The device Apple vouches for takes its UDID's channel from an enrollment that named the
    UDID first on its own word (binding.takes_over), and gets a new enrollment: nothing of the
    other one is its own. That one ends (its identity revoked, its sessions and queue with it,
    its user channels too) and steps aside, under a key no device sends, with all it holds (its
    log, command history, declarations and status, inventory, assignments, user channels) as
    the record of it, on its own Device, which keeps no UDID (one Device of that UDID)."""
    dropped = 0
    if enrollment.status != Enrollment.Status.UNENROLLED:
        dropped = _end_enrollment(enrollment, TAKEN_REASON)
    # The channel and its user channels: their keys are the device's now.
    Enrollment.objects.filter(Q(pk=enrollment.pk) | Q(parent_id=enrollment.pk)).update(
        channel_key=Concat(Value(f"{TAKEN_PREFIX}{enrollment.pk}/"), F("channel_key"))
    )
    Device.objects.filter(pk=enrollment.device_id).update(udid=None)
    _log(
        enrollment,
        DeviceEvent.Kind.ENROLLMENT,
        "Taken over",
        "ok",
        detail={
            "reason": TAKEN_REASON,
            "certificate": identity.fingerprint,
            "dropped_commands": dropped,
        },
    )


def _enrollment_type(
    ids: protocol.EnrollmentIds,
    context: hooks.EnrollmentContext | None,
    enrollment: Enrollment | None,
) -> str:
    if ids.is_user_enrollment:
        return Enrollment.Type.USER
    if enrollment is not None and context is None and enrollment.enrollment_type:
        # Authenticating again without a new enrollment session keeps the original type.
        return enrollment.enrollment_type
    if context is not None and context.enrollment_type != Enrollment.Type.USER:
        return context.enrollment_type
    return Enrollment.Type.DEVICE


# A choices class's `values` is a list built anew on each read (9 µs inside a first Authenticate).
_OWNERSHIPS = frozenset(Device.Ownership.values)


def _ownership(enrollment_type: str, context: hooks.EnrollmentContext | None) -> str:
    """A new Device's ownership: the person's group default when it has one, else the
    enrollment kind's (a User Enrollment is a personal device, any other kind a corporate one)."""
    if context is not None and context.ownership in _OWNERSHIPS:
        return context.ownership
    if enrollment_type == Enrollment.Type.USER:
        return Device.Ownership.PERSONAL
    return Device.Ownership.CORPORATE


def _known_device(context: hooks.EnrollmentContext | None, serial: str | None) -> Device | None:
    """The Device an enrollment session made known before this first Authenticate (an ADE
    device from Apple Business Manager), when the device proves to be it: same serial number,
    and no other device channel holds it. None otherwise (a new Device is made)."""
    if context is None or context.device_id is None or not serial:
        return None
    return hotpath.unclaimed_device(context.device_id, serial)


def _pin_new_identity(enrollment: Enrollment, identity: DeviceIdentity) -> None:
    """A new enrollment of the channel: its identity, and no renewal history yet."""
    enrollment.cert_fingerprint = identity.fingerprint
    enrollment.identity_not_before = identity.not_valid_before
    enrollment.identity_not_after = identity.not_valid_after
    enrollment.renewal_status = ""
    enrollment.renewal_requested_at = None
    enrollment.renewal_command_uuid = ""
    enrollment.renewal_detail = ""


def _store_channel(
    device: Device, enrollment: Enrollment, *, created: bool, detail: dict[str, Any]
) -> tuple[bool, bool | None]:
    """Write an accepted Authenticate's Device and channel; for a new device (nothing
    replaced, dropped or forgotten) with the Authenticate's log row (`detail`) and the binding
    of its session (`hooks.session_bind_statement`), all in one statement. (Whether the log
    row was written, whether the session was bound: None when that is still to do.) Should the
    session turn out taken, the transaction undoes them."""
    if created and device.pk is None:
        event = _event(enrollment, DeviceEvent.Kind.CHECKIN, MessageType.AUTHENTICATE, "ok", detail)
        bind = hooks.session_bind_statement(enrollment, hotpath.NEW_CHANNEL_KEY)
        return True, hotpath.insert_new_channel(device, enrollment, event, bind)
    if device.pk is None:
        hotpath.insert_device(device)
    else:
        device.save()
    if created:
        enrollment.device = device
        hotpath.insert_enrollment(enrollment)
    else:
        enrollment.save()
    return False, None


def _authenticate(
    identity: DeviceIdentity, message: protocol.Authenticate, bearer: str | None
) -> Reply:
    ids = message.ids
    if ids.is_user_channel:
        raise CheckinRejected(400, "Authenticate is sent on the device channel only")
    enrollment, presented = hotpath.channel_and_presented(
        key=ids.key, fingerprint=identity.fingerprint, session_sql=hooks.session_sql()
    )
    issued = presented.issued
    context = hooks.resolve_enrollment(
        ids, issued.reference if issued else "", bearer, presented.session
    )
    renewal, taken_over = _check_binding(identity, ids, enrollment, presented, context)
    if renewal:
        assert enrollment is not None and issued is not None  # noqa: S101 (is_renewal says so)
        # The device installed its renewed enrollment profile: the same enrollment, a new pin.
        adopt_identity(enrollment, identity, issued, via="Authenticate")
        return EMPTY
    if taken_over:
        assert enrollment is not None  # noqa: S101 (binding.takes_over says so)
        _set_aside(enrollment, identity)
        enrollment = None  # a new enrollment, of a new (or the ABM-known) Device
    replaced = ""
    if enrollment is not None and enrollment.cert_fingerprint != identity.fingerprint:
        replaced = enrollment.cert_fingerprint
    enrollment_type = _enrollment_type(ids, context, enrollment)
    is_ue = enrollment_type == Enrollment.Type.USER
    created = enrollment is None
    device, enrollment = _channel_device(enrollment, ids, message, context, enrollment_type)
    enrollment.enrollment_type = enrollment_type
    enrollment.enrollment_id = ids.enrollment_id
    # User Enrollment never keeps hardware identifiers, even if a device sent them.
    device.udid = None if is_ue else ids.udid
    device.set_reported(
        serial_number=None if is_ue else message.serial_number,
        imei=None if is_ue else message.imei,
        meid=None if is_ue else message.meid,
        os_version=message.os_version,
        build_version=message.build_version,
        product_name=message.product_name,
        model=message.model,
        model_name=message.model_name,
        device_name=message.device_name,
    )
    enrollment.set_reported(topic=message.topic or "")
    device.platform = apple.platform_of(message.product_name or message.model) or ""
    _pin_new_identity(enrollment, identity)
    enrollment.status = Enrollment.Status.PENDING
    # No push until the first TokenUpdate of this enrollment.
    enrollment.push_token = ""
    enrollment.push_magic = ""
    enrollment.push_token_dead = False
    enrollment.unlock_token = None
    # A bootstrap token belongs to one installation of macOS: a new enrollment (an erased Mac
    # enrolling again from Setup Assistant, or a reinstalled profile, which escrows it again)
    # must not be handed the old one. A renewal of the identity returned above and keeps it.
    forgot = ["BootstrapToken"] if enrollment.bootstrap_token else []
    enrollment.bootstrap_token = None
    enrollment.last_seen_at = timezone.now()
    if context is not None:
        enrollment.enrollment_reference = context.reference
        device.managed_apple_id = context.managed_apple_id or device.managed_apple_id
        if context.directory_user_id is not None:
            device.directory_user_id = context.directory_user_id
    detail: dict[str, Any] = {
        "os_version": device.os_version,
        "product_name": device.product_name,
        "transport": identity.transport,
    }
    if is_ue and (message.serial_number or message.imei or message.meid or ids.udid):
        detail["discarded"] = "hardware identifiers sent by a User Enrollment were not stored"
    logged, bound = _store_channel(device, enrollment, created=created, detail=detail)
    if replaced:
        # A new enrollment of this channel: the certificate it replaces is of no more use.
        pki.revoke_issued_certificate(
            fingerprint=replaced, reason="replaced by a new enrollment of the device"
        )
    if bound is None:
        bound = hooks.bind_session(enrollment, replaced=bool(replaced))
    if not bound:
        raise CheckinRejected(403, binding.LOST)  # the transaction undoes this Authenticate
    if logged:
        return EMPTY
    dropped = 0 if created else _cancel_pending(enrollment, "device authenticated again")
    if dropped:
        detail["dropped_stale_commands"] = dropped
    if replaced:
        detail["replaced_certificate"] = replaced
    if forgot:
        detail["forgot"] = forgot
    _log(enrollment, DeviceEvent.Kind.CHECKIN, MessageType.AUTHENTICATE, "ok", detail=detail)
    return EMPTY


def _set_token(enrollment: Enrollment, message: protocol.TokenUpdate) -> tuple[bool, bool]:
    """Set what a TokenUpdate sets on the channel (its Device's user names saved when they
    change); the caller writes the channel. (True on the channel's first one, whether it
    changes anything the device log shows: token, push magic, topic, unlock token,
    AwaitingConfiguration, user names, a token APNs had called dead.)"""
    first = enrollment.status != Enrollment.Status.ENROLLED
    token = message.token.hex()
    topic = message.topic or enrollment.topic
    stored = (enrollment.push_token, enrollment.push_magic, enrollment.topic)
    changed = first or enrollment.push_token_dead or stored != (token, message.push_magic, topic)
    enrollment.push_token = token
    enrollment.push_magic = message.push_magic
    enrollment.push_token_dead = False
    enrollment.push_token_dead_reason = ""
    enrollment.topic = topic
    awaiting = message.awaiting_configuration
    if awaiting is not None:
        changed = changed or enrollment.awaiting_configuration != awaiting
        enrollment.awaiting_configuration = awaiting
    if message.user_short_name:
        device = enrollment.device
        names = (device.user_short_name, device.user_long_name)
        device.set_reported(
            user_short_name=message.user_short_name, user_long_name=message.user_long_name
        )
        if (device.user_short_name, device.user_long_name) != names:
            changed = True
            hotpath.save_device_fields(device, ["user_short_name", "user_long_name"])
    unlock = message.unlock_token
    if (
        unlock
        and not enrollment.is_user_enrollment
        and not _same_secret(enrollment.unlock_token, unlock)
    ):
        # Encrypted anew only when it changed (the same one is kept as it is stored).
        changed = True
        enrollment.unlock_token = encryption.encrypt(unlock)
    enrollment.status = Enrollment.Status.ENROLLED
    enrollment.last_seen_at = timezone.now()
    if first:
        enrollment.enrolled_at = enrollment.last_seen_at
        enrollment.unenrolled_at = None
    if changed:
        enrollment.token_update_logged_at = enrollment.last_seen_at
    return first, changed


def _set_bootstrap_token(enrollment: Enrollment, message: protocol.SetBootstrapToken) -> Reply:
    """Escrow (replace, clear) the Mac's bootstrap token. The log tells each kind of change
    apart (escrowed, replaced, cleared, unchanged), counting the repeats of each."""
    provisional = _check_bootstrap_token(enrollment, message.message_type)
    token = message.bootstrap_token
    stored = enrollment.bootstrap_token
    detail: dict[str, Any] = {"supervision": "not yet reported"} if provisional else {}
    if (not token and stored is None) or (token and _same_secret(stored, token)):
        _log_repeatable(
            enrollment,
            DeviceEvent.Kind.CHECKIN,
            message.message_type,
            "stored",
            detail={**detail, "token": "unchanged"},
        )
        return EMPTY
    enrollment.bootstrap_token = encryption.encrypt(token) if token else None
    enrollment.save(update_fields=["bootstrap_token"])
    # Each kind of change has its row (a change that keeps coming back is counted there).
    change = "cleared" if not token else "replaced" if stored is not None else "escrowed"
    _log_repeatable(
        enrollment,
        DeviceEvent.Kind.CHECKIN,
        message.message_type,
        "stored",
        detail={**detail, "token": change},
    )
    return EMPTY


def _same_secret(stored: bytes | memoryview | None, plaintext: bytes) -> bool:
    """Whether the encrypted `stored` is `plaintext` (False when it cannot be read any more)."""
    if stored is None:
        return False
    try:
        return encryption.decrypt(stored) == plaintext
    except encryption.DecryptionError:
        return False


def _token_update(
    enrollment: Enrollment,
    message: protocol.TokenUpdate,
    savepoint: bool = True,
    step_by_step: bool = False,
) -> Reply:
    detail: dict[str, Any] = {"awaiting_configuration": message.awaiting_configuration}
    if message.unlock_token and enrollment.is_user_enrollment:
        detail["discarded"] = "UnlockToken is never kept for a User Enrollment"
    logged_at = enrollment.token_update_logged_at
    first, changed = _set_token(enrollment, message)
    if not changed:
        now = enrollment.token_update_logged_at = enrollment.last_seen_at
        if logged_at is not None and now is not None and now - logged_at < log_window():
            # The same TokenUpdate again (a device repeats them at will): the channel's last
            # seen time moves, its log does not grow. Its first and every change are logged.
            enrollment.token_update_logged_at = logged_at
            hotpath.save_token_update(enrollment)
            return EMPTY
    event = _event(
        enrollment,
        DeviceEvent.Kind.CHECKIN,
        MessageType.TOKEN_UPDATE,
        "ok",
        {"first": first, **detail},
    )
    # Only what a TokenUpdate sets, with its log row: inventory written meanwhile by a command
    # result stays.
    written = hotpath.TokenUpdateWrite(enrollment, event)
    if not first:
        written.save()
        return EMPTY
    # Enrollment completed: the inventory (and what the other apps send a new channel) is
    # queued in this transaction, so a TokenUpdate is never stored without it; the statement
    # that writes those commands writes the channel and its log row too. Also while the device
    # awaits configuration (Setup Assistant): Apple lets the server run commands then, and
    # DeviceInformation tells a Mac's supervision before it escrows its bootstrap token.
    queue_first_commands(
        enrollment=enrollment,
        token_update=written,
        savepoint=savepoint,
        step_by_step=step_by_step,
    )
    transaction.on_commit(
        lambda: signals.enrollment_completed.send(sender=Enrollment, enrollment=enrollment)
    )
    return EMPTY


def _device_ids(ids: protocol.EnrollmentIds) -> protocol.EnrollmentIds:
    """The identifiers of a user channel's device channel."""
    return protocol.EnrollmentIds(udid=ids.udid, enrollment_id=ids.enrollment_id)


def _token_update_new_user_channel(
    identity: DeviceIdentity,
    message: protocol.TokenUpdate,
    bearer: str | None,
    device: Enrollment | None,
    savepoint: bool = True,
    step_by_step: bool = False,
) -> Reply:
    """The first TokenUpdate of a user channel: its enrollment under `device`, its device
    channel (locked by the caller; None when there is none)."""
    ids = message.ids
    if device is None or device.status == Enrollment.Status.UNENROLLED:
        raise CheckinRejected(404, "unknown device channel for this user channel")
    _check_pin(device, identity)
    # Every user channel row of this enrollment of the device channel counts, ended ones too:
    # a CheckOut, then a new UserID, would otherwise make rows without bound. Those that ended
    # with an earlier enrollment (the device checked out, or was unenrolled, and enrolled
    # again) do not: a lab Mac enrolled anew has room for its users. The device channel is
    # locked: the count holds.
    cap = settings.MDM_MAX_USER_CHANNELS
    counted = Enrollment.objects.filter(parent_id=device.pk)
    if device.enrolled_at is not None:
        counted = counted.exclude(
            status=Enrollment.Status.UNENROLLED, unenrolled_at__lt=device.enrolled_at
        )
    if counted.count() >= cap:
        raise _LoggedRefusal(
            f"this device has {cap} user channels, the most this server keeps for one device "
            "(MDM_MAX_USER_CHANNELS)",
            device.pk,
            MessageType.TOKEN_UPDATE,
            {"user_channels": cap},
        )
    user = Enrollment(
        channel_key=ids.key,
        parent=device,
        channel=Enrollment.Channel.USER,
        # The same Device as its device channel: one place for hardware, inventory and person.
        device=device.device,
        enrollment_type=device.enrollment_type,
        enrollment_id=ids.enrollment_id,
        enrollment_user_id=ids.enrollment_user_id,
        user_id=ids.user_id,
        enrollment_reference=device.enrollment_reference,
    )
    challenge = hooks.check_bearer(user, bearer)
    if challenge is not None:
        raise CheckinRejected(401, "authorization expired", challenge.www_authenticate)
    _set_token(user, message)
    hotpath.insert_enrollment(user)
    _log(user, DeviceEvent.Kind.CHECKIN, MessageType.TOKEN_UPDATE, "ok", detail={"first": True})
    queue_first_commands(enrollment=user, savepoint=savepoint, step_by_step=step_by_step)
    transaction.on_commit(
        lambda: signals.enrollment_completed.send(sender=Enrollment, enrollment=user)
    )
    return EMPTY


def _user_channel_again(enrollment: Enrollment, message: protocol.CheckinMessage) -> bool:
    """A TokenUpdate of a user channel that ended with its device channel, which has enrolled
    again since (its pin, checked already, is the new identity's): the user channel's new
    enrollment, under its device channel's enrollment now, as a first TokenUpdate makes one."""
    device = enrollment.parent if enrollment.parent_id is not None else None
    if (
        not isinstance(message, protocol.TokenUpdate)
        or device is None
        or device.status == Enrollment.Status.UNENROLLED
    ):
        return False
    enrollment.enrollment_type = device.enrollment_type
    enrollment.enrollment_reference = device.enrollment_reference
    hotpath.save_enrollment_fields(enrollment, ["enrollment_type", "enrollment_reference"])
    return True


def _end_enrollment(
    enrollment: Enrollment, reason: str, replaced_by: Enrollment | None = None
) -> int:
    """Mark a channel and its user channels unenrolled and drop their queue; for a device
    channel, revoke its identity certificate and end its enrollment sessions and their tokens
    (the device removed its management profile, and its identity with it). The dropped count."""
    now = timezone.now()
    ended = enrollment.status != Enrollment.Status.UNENROLLED  # not a repeated CheckOut
    channels = [enrollment, *enrollment.user_channels.all()]
    dropped = _cancel_pending(enrollment, reason)
    if enrollment.parent_id is None:
        pki.revoke_issued_certificate(fingerprint=enrollment.cert_fingerprint, reason=reason)
        hooks.end_sessions(enrollment, reason)
    for channel in channels:
        if channel.status != Enrollment.Status.UNENROLLED or channel.unenrolled_at is None:
            channel.unenrolled_at = now  # a repeated CheckOut keeps the retention clock
        channel.status = Enrollment.Status.UNENROLLED
        channel.push_token = ""
        channel.push_magic = ""
        channel.save(update_fields=["status", "unenrolled_at", "push_token", "push_magic"])
    if ended:
        signals.enrollment_ended.send(
            sender=Enrollment,
            enrollment=enrollment,
            channel_ids=[channel.pk for channel in channels],
            reason=reason,
            replaced_by=replaced_by,
        )
    return dropped


def _check_out(enrollment: Enrollment) -> Reply:
    dropped = _end_enrollment(enrollment, "the device checked out")
    _log(
        enrollment,
        DeviceEvent.Kind.CHECKIN,
        MessageType.CHECK_OUT,
        "ok",
        detail={"dropped_commands": dropped},
    )
    transaction.on_commit(
        lambda: signals.enrollment_checked_out.send(sender=Enrollment, enrollment=enrollment)
    )
    return EMPTY


@transaction.atomic
def unenroll(
    *,
    enrollment: Enrollment,
    reason: str,
    actor: Actor = None,
    replaced_by: Enrollment | None = None,
) -> bool:
    """Server-side unenroll of a device (and its user channels), as if it had checked out: for a
    lost or wiped device, one whose Unenroll command was acknowledged, or one replaced by the
    person's new device (`replaced_by`, told to `signals.enrollment_ended` receivers so they
    carry assignments over). Its channel is then free for a new enrollment. The device is not
    told; False when it was unenrolled already."""
    device = hotpath.enrollment_for_update(enrollment.parent_id or enrollment.pk)
    if device is None or device.status == Enrollment.Status.UNENROLLED:
        return False
    dropped = _end_enrollment(device, reason, replaced_by)
    _log(
        device,
        DeviceEvent.Kind.ENROLLMENT,
        "Unenroll",
        "ok",
        detail={"reason": reason, "dropped_commands": dropped},
    )
    audit.record(
        actor=actor, action="devices.unenrolled", target=device, details={"reason": reason}
    )
    transaction.on_commit(
        lambda: signals.enrollment_checked_out.send(sender=Enrollment, enrollment=device)
    )
    return True


def _get_token(enrollment: Enrollment, message: protocol.GetToken) -> Reply:
    """Apple "Get Token": an unknown service type is a 400; a known one is answered by the app
    that registered it (com.apple.maid: the ABM link's signed JWT) in `TokenData`."""
    service = message.token_service_type
    if service not in KNOWN_TOKEN_SERVICES:
        raise CheckinRejected(400, f"unknown TokenServiceType {service[:64]!r}")
    token = hooks.provide_token(service, enrollment)
    if token is None:
        _log(enrollment, DeviceEvent.Kind.CHECKIN, MessageType.GET_TOKEN, "not configured")
        if service == "com.apple.maid":
            raise CheckinRejected(
                403,
                "GetToken com.apple.maid is not configured: no Apple Business Manager server "
                "token (with its account's server_uuid) is installed on this server",
            )
        raise CheckinRejected(403, f"GetToken {service} is not supported by this server")
    _log_repeatable(
        enrollment,
        DeviceEvent.Kind.CHECKIN,
        MessageType.GET_TOKEN,
        "ok",
        detail={"service": service},
    )
    return Reply(body=protocol.render_plist({"TokenData": token}))


def _declarative_management(
    enrollment: Enrollment, message: protocol.DeclarativeManagement
) -> Reply:
    endpoint = message.endpoint
    report = _status_report(message.data) if endpoint == "status" else None
    handler = hooks.declarative_handler()
    answer = handler(enrollment, endpoint, message.data) if handler is not None else None
    # The declarations app (profiles.declarations) serves the channel's set and reads status;
    # a report it refuses is not stored either.
    if answer is not None and answer.status != 200:
        raise CheckinRejected(answer.status, answer.reason)
    if report is not None:
        detail: dict[str, Any] = {}
        if answer is not None and answer.report is not None:
            # What the declarations app, which knows Apple's status items, lets the channel keep.
            report = {k: answer.report[k] for k in _STATUS_REPORT_KEYS if k in answer.report}
            if answer.withheld:
                detail["withheld"] = dict(answer.withheld)
        elif enrollment.is_user_enrollment and "StatusItems" in report:
            # Nobody here to tell a User Enrollment's items from those it may not report.
            del report["StatusItems"]
            detail["withheld"] = {"StatusItems": "no judge of status items is installed"}
        enrollment.ddm_status = {**enrollment.ddm_status, **report}
        enrollment.save(update_fields=["ddm_status"])
        _log_repeatable(
            enrollment,
            DeviceEvent.Kind.CHECKIN,
            "DeclarativeManagement/status",
            "stored",
            detail=detail or None,
        )
        return EMPTY
    if answer is not None:
        if answer.body is None:
            return EMPTY
        return Reply(body=answer.body, content_type="application/json")
    token = hashlib.sha256(b"declarations:v1:empty").hexdigest()
    if endpoint == "tokens":
        body: dict[str, Any] = {
            "SyncTokens": {"DeclarationsToken": token, "Timestamp": "2024-01-01T00:00:00Z"}
        }
    elif endpoint == "declaration-items":
        body = {
            "Declarations": {
                "Activations": [],
                "Assets": [],
                "Configurations": [],
                "Management": [],
            },
            "DeclarationsToken": token,
        }
    elif endpoint.startswith("declaration/"):
        raise CheckinRejected(404, "no such declaration")
    else:
        raise CheckinRejected(400, f"unknown DeclarativeManagement endpoint {endpoint[:64]!r}")
    return Reply(body=json.dumps(body).encode(), content_type="application/json")


def _status_report(data: bytes | None) -> dict[str, Any]:
    try:
        report = untrusted.load_json(data or b"{}")
    except untrusted.UntrustedDataError as exc:
        raise CheckinRejected(400, f"DeclarativeManagement status Data: {exc}") from None
    if not isinstance(report, dict):
        raise CheckinRejected(400, "DeclarativeManagement status must be a JSON object")
    # Apple's keys only: the report is merged into the channel's row, and keys a device makes
    # up would pile up there with every report.
    return {key: report[key] for key in _STATUS_REPORT_KEYS if key in report}


# The top-level keys of a status report (Apple "StatusReport").
_STATUS_REPORT_KEYS = ("StatusItems", "Errors", "FullReport")
