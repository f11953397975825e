"""Every write of the devices app: check-in handling, the command queue, results and inventory.

Sources: Apple "Check-in" messages (Authenticate, TokenUpdate, CheckOut, ...) and "Sending MDM
commands to a device" (the connect loop, NotNow, idempotent results).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import plistlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, router, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from devices import capabilities, commands, hooks, inventory, protocol, signals
from devices.exceptions import CheckinRejected
from devices.identity import DeviceIdentity
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from devices.protocol import MessageType, ReportStatus
from mdm_server import encryption

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None

# How often a connect poll may update last_seen_at: an Idle poll is then a read-only request.
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)
# At most this many commands are dropped by the delivery-time filter in one request.
MAX_DROPS_PER_REQUEST = 20
KNOWN_TOKEN_SERVICES = ("com.apple.maid", "com.apple.watch.pairing")


# --- targets -----------------------------------------------------------------------------------


def platform_for(product_name: str, model: str = "") -> str:
    """The platform of a device from its ProductName / Model (e.g. "iPhone17,2", "Mac15,3")."""
    text = (product_name or model or "").lower()
    if text.startswith(("iphone", "ipad", "ipod")):
        return capabilities.Platform.IOS
    if text.startswith(("mac", "imac", "vmware", "virtualmac")):
        return capabilities.Platform.MACOS
    if text.startswith("appletv"):
        return capabilities.Platform.TVOS
    if text.startswith(("realitydevice", "vision")):
        return capabilities.Platform.VISIONOS
    if text.startswith("watch"):
        return capabilities.Platform.WATCHOS
    return ""


def target_for(enrollment: Enrollment) -> capabilities.Target | None:
    """The capability-filter target of an enrollment; None while its platform is unknown."""
    if not enrollment.platform:
        return None
    return capabilities.Target(
        platform=capabilities.Platform(enrollment.platform),
        os_version=enrollment.os_version,
        enrollment_type=capabilities.EnrollmentType(enrollment.enrollment_type),
        supervised=enrollment.supervised,
        channel=capabilities.Channel(enrollment.channel),
    )


def _log(
    enrollment: Enrollment,
    kind: str,
    action: str,
    status: str = "",
    *,
    command_uuid: str = "",
    detail: dict[str, Any] | None = None,
) -> DeviceEvent:
    return DeviceEvent.objects.create(
        enrollment=enrollment,
        kind=kind,
        action=action,
        status=status,
        command_uuid=command_uuid,
        detail=detail or {},
    )


# --- enqueue ---------------------------------------------------------------------------------------


@dataclass
class EnqueueResult:
    """What enqueue_command did: the stored command(s), who got it and who was refused, and why."""

    commands: list[Command] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)

    @property
    def command(self) -> Command | None:
        return self.commands[0] if self.commands else None


@dataclass(frozen=True)
class _Variant:
    payload: dict[str, Any]
    summary: tuple[dict[str, Any], ...] = ()


def _profile_from_bytes(data: bytes) -> dict[str, Any]:
    """The configuration profile inside InstallProfile's Payload (plain or CMS-signed)."""
    from mdm_server.pki import cms

    raw = data
    if not data.lstrip().startswith((b"<?xml", b"<plist", b"bplist")):
        try:
            raw = cms.verify_signed_data(data).content
        except cms.CMSError as exc:
            raise commands.CommandInputError("Payload", f"not a profile: {exc}") from None
    try:
        profile = plistlib.loads(raw)
    except Exception:  # plistlib raises assorted errors on bad input
        raise commands.CommandInputError("Payload", "not a property list") from None
    if not isinstance(profile, dict) or not isinstance(profile.get("PayloadContent"), list):
        raise commands.CommandInputError("Payload", "not a configuration profile")
    return profile


def _payload_summary(payloads: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Payload types and keys: what the delivery-time filter needs, without the values."""
    return tuple(
        {"PayloadType": p.get("PayloadType", ""), **{k: None for k in p if k != "PayloadType"}}
        for p in payloads
        if isinstance(p, dict)
    )


def _variant_for(
    spec: commands.CommandSpec,
    base: dict[str, Any],
    enrollment: Enrollment,
    *,
    profile: dict[str, Any] | None,
    strip_forbidden: bool,
) -> tuple[_Variant | None, str, list[str]]:
    """Decide for one enrollment: the payload it gets (None: refused), the reason, notes."""
    target = target_for(enrollment)
    if target is None:
        return None, "the device has not reported its platform yet", []
    if enrollment.status == Enrollment.Status.UNENROLLED:
        return None, "the device is unenrolled", []
    decision = capabilities.check_command(spec.request_type, target, keys=base.keys())
    if not decision.allowed:
        return None, decision.reason, []
    notes: list[str] = []
    if spec.request_type == "DeviceInformation":
        if "Queries" in base:
            allowed, removed = capabilities.filter_query_keys(
                "DeviceInformation", base["Queries"], target
            )
            notes += [f"{key} not asked: {why}" for key, why in removed.items()]
            if not allowed:
                return None, "none of the requested queries is allowed for this device", notes
        else:
            allowed = capabilities.allowed_query_keys("DeviceInformation", target)
        return _Variant({**base, "Queries": sorted(allowed)}), "", notes
    if profile is not None:
        result, kept = capabilities.check_profile(
            profile["PayloadContent"], target, strip=strip_forbidden
        )
        if not result.allowed:
            return None, result.reason, notes
        for pd in result.payloads:
            notes += list(pd.notes)
            notes += [f"{pd.payload_type}: {k} removed: {r}" for k, r in pd.forbidden_keys.items()]
            if not pd.allowed:
                notes.append(f"{pd.payload_type} left out: {pd.reason}")
        if kept != profile["PayloadContent"]:
            body = plistlib.dumps({**profile, "PayloadContent": kept})
            signed = hooks.sign_profile(body)
            return _Variant({**base, "Payload": signed}, _payload_summary(kept)), "", notes
        return _Variant(base, _payload_summary(kept)), "", notes
    return _Variant(base), "", notes


def _variant_key(variant: _Variant) -> str:
    def default(value: Any) -> str:
        if isinstance(value, bytes):
            return hashlib.sha256(value).hexdigest()
        return str(value)

    return json.dumps(variant.payload, sort_keys=True, default=default)


@transaction.atomic
def enqueue_command(
    *,
    enrollments: Iterable[Enrollment] | QuerySet[Enrollment],
    request_type: str,
    payload: dict[str, Any] | None = None,
    actor: Actor = None,
    priority: int | None = None,
    origin: str = "",
    strip_forbidden: bool = False,
) -> EnqueueResult:
    """Queue a registry command for many enrollments: one Command per distinct payload.

    The capability filter is asked for every enrollment; refused ones are reported with the
    reason and logged. Raises CommandInputError for invalid parameters.
    """
    spec = commands.get_spec(request_type)
    if spec.name == "Unenroll":
        payload = {"public_url": settings.PUBLIC_URL}
    base = spec.build(payload or {})
    profile = (
        _profile_from_bytes(base["Payload"]) if spec.request_type == "InstallProfile" else None
    )
    if profile is not None and not hooks.has_profile_signer():
        logger.warning("no profile signer registered: profiles are delivered as given")
    result = EnqueueResult()
    groups: dict[str, tuple[_Variant, list[Enrollment]]] = {}
    refused_rows: list[DeviceEvent] = []
    for enrollment in enrollments:
        variant, reason, notes = _variant_for(
            spec, base, enrollment, profile=profile, strip_forbidden=strip_forbidden
        )
        if notes:
            result.notes[enrollment.pk] = notes
        if variant is None:
            result.refused[enrollment.pk] = reason
            refused_rows.append(
                DeviceEvent(
                    enrollment=enrollment,
                    kind=DeviceEvent.Kind.FILTER,
                    action=spec.request_type,
                    status="refused",
                    detail={"reason": reason, "by": actor.get_username() if actor else "system"},
                )
            )
            continue
        key = _variant_key(variant)
        groups.setdefault(key, (variant, []))[1].append(enrollment)
    user = actor if actor is not None and actor.is_authenticated else None
    rows: list[QueuedCommand] = []
    prio = spec.priority if priority is None else priority
    for variant, members in groups.values():
        uuid = commands.new_uuid()
        command = Command.objects.create(
            uuid=uuid,
            request_type=spec.request_type,
            channel=spec.channel,
            priority=prio,
            body=protocol.render_command(uuid, spec.request_type, variant.payload),
            command_keys=sorted(variant.payload.keys()),
            payload_summary=list(variant.summary),
            display={
                "name": spec.name,
                "title": spec.title,
                "params": commands.display_params(spec, variant.payload),
            },
            origin=origin[:120],
            created_by=user,
            target_count=len(members),
        )
        result.commands.append(command)
        rows += [QueuedCommand(enrollment=e, command=command, priority=prio) for e in members]
        result.queued += [e.pk for e in members]
    QueuedCommand.objects.bulk_create(rows, batch_size=2000)
    DeviceEvent.objects.bulk_create(refused_rows, batch_size=2000)
    if result.commands:
        first = result.commands[0]
        queued = list(result.queued)
        transaction.on_commit(
            lambda: signals.commands_enqueued.send(
                sender=Command, command=first, enrollment_ids=queued
            )
        )
    return result


@transaction.atomic
def cancel_queued_command(*, delivery: QueuedCommand, reason: str = "canceled by an admin") -> bool:
    updated = QueuedCommand.objects.filter(pk=delivery.pk, status__in=QueuedCommand.PENDING).update(
        status=QueuedCommand.Status.CANCELED, status_reason=reason, completed_at=timezone.now()
    )
    return bool(updated)


# --- check-in --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What the view sends back: a status, and a plist or JSON body."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/xml"


EMPTY = Reply()


def _find(ids: protocol.EnrollmentIds, *, for_update: bool = False) -> Enrollment | None:
    qs = Enrollment.objects.all()
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.filter(channel_key=ids.key).select_related("parent").first()


def _check_pin(enrollment: Enrollment, identity: DeviceIdentity) -> None:
    device = enrollment.parent or enrollment
    if device.cert_fingerprint and device.cert_fingerprint != identity.fingerprint:
        raise CheckinRejected(403, "this identity certificate belongs to another enrollment")


def _cancel_pending(enrollment: Enrollment, reason: str) -> int:
    return QueuedCommand.objects.filter(
        enrollment__in=[enrollment, *enrollment.user_channels.all()],
        status__in=QueuedCommand.PENDING,
    ).update(
        status=QueuedCommand.Status.CANCELED, status_reason=reason, completed_at=timezone.now()
    )


def _refuse_for_user_enrollment(enrollment: Enrollment, message_type: MessageType) -> None:
    target = target_for(enrollment)
    if target is None:
        return
    decision = capabilities.check_checkin(message_type, target)
    if not decision.allowed:
        raise CheckinRejected(403, f"{message_type} is not allowed here: {decision.reason}")


@transaction.atomic
def handle_checkin(
    *, identity: DeviceIdentity, message: protocol.CheckinMessage, bearer: str | None = None
) -> Reply:
    """Handle one check-in message; raises CheckinRejected for a 4xx answer."""
    if isinstance(message, protocol.Authenticate):
        return _authenticate(identity, message, bearer)
    enrollment = _find(message.ids, for_update=True)
    if enrollment is None:
        if isinstance(message, protocol.TokenUpdate) and message.ids.is_user_channel:
            return _token_update_new_user_channel(identity, message, bearer)
        if isinstance(message, protocol.CheckOut):
            raise CheckinRejected(404, "unknown enrollment")
        raise CheckinRejected(404, "unknown enrollment: send Authenticate first")
    _check_pin(enrollment, identity)
    if not isinstance(message, protocol.CheckOut):
        challenge = hooks.check_bearer(enrollment, bearer)
        if challenge is not None:
            raise CheckinRejected(401, "authorization expired", challenge.www_authenticate)
    match message:
        case protocol.TokenUpdate():
            return _token_update(enrollment, message)
        case protocol.CheckOut():
            return _check_out(enrollment)
        case protocol.UserAuthenticate():
            _log(enrollment, DeviceEvent.Kind.CHECKIN, message.message_type, "gone")
            return Reply(status=410)
        case protocol.SetBootstrapToken():
            _refuse_for_user_enrollment(enrollment, message.message_type)
            token = message.bootstrap_token
            enrollment.bootstrap_token = encryption.encrypt(token) if token else None
            enrollment.save(update_fields=["bootstrap_token"])
            _log(enrollment, DeviceEvent.Kind.CHECKIN, message.message_type, "stored")
            return EMPTY
        case protocol.GetBootstrapToken():
            _refuse_for_user_enrollment(enrollment, message.message_type)
            stored = enrollment.bootstrap_token
            body = {"BootstrapToken": encryption.decrypt(stored)} if stored else {}
            _log(enrollment, DeviceEvent.Kind.CHECKIN, message.message_type, "ok")
            return Reply(body=protocol.render_plist(body))
        case protocol.GetToken():
            return _get_token(enrollment, message)
        case protocol.DeclarativeManagement():
            return _declarative_management(enrollment, message)
    raise CheckinRejected(400, f"unhandled MessageType {message.message_type}")  # pragma: no cover


def _authenticate(
    identity: DeviceIdentity, message: protocol.Authenticate, bearer: str | None
) -> Reply:
    ids = message.ids
    if ids.is_user_channel:
        raise CheckinRejected(400, "Authenticate is sent on the device channel only")
    other = (
        Enrollment.objects.filter(cert_fingerprint=identity.fingerprint, parent__isnull=True)
        .exclude(channel_key=ids.key)
        .exclude(status=Enrollment.Status.UNENROLLED)
        .exists()
    )
    if other:
        raise CheckinRejected(403, "this identity certificate belongs to another enrollment")
    context = hooks.resolve_enrollment(ids, identity.fingerprint, bearer)
    if ids.is_user_enrollment:
        enrollment_type = Enrollment.Type.USER
    elif context is not None and context.enrollment_type != Enrollment.Type.USER:
        enrollment_type = context.enrollment_type
    else:
        enrollment_type = Enrollment.Type.DEVICE
    enrollment = _find(ids, for_update=True)
    created = enrollment is None
    if enrollment is None:
        enrollment = Enrollment(channel_key=ids.key, channel=Enrollment.Channel.DEVICE)
    elif not ids.is_user_enrollment and context is None:
        # Authenticating again without a new enrollment session keeps the original type.
        enrollment_type = enrollment.enrollment_type or enrollment_type
    is_ue = enrollment_type == Enrollment.Type.USER
    enrollment.enrollment_type = enrollment_type
    enrollment.udid = None if is_ue else ids.udid
    enrollment.enrollment_id = ids.enrollment_id
    # User Enrollment never keeps hardware identifiers, even if a device sent them.
    enrollment.serial_number = None if is_ue else message.serial_number
    enrollment.imei = None if is_ue else message.imei
    enrollment.meid = None if is_ue else message.meid
    enrollment.platform = platform_for(message.product_name, message.model)
    enrollment.os_version = message.os_version
    enrollment.build_version = message.build_version
    enrollment.product_name = message.product_name
    enrollment.model = message.model
    enrollment.model_name = message.model_name
    enrollment.device_name = message.device_name
    enrollment.topic = message.topic or ""
    enrollment.cert_fingerprint = identity.fingerprint
    enrollment.status = Enrollment.Status.PENDING
    # No push until the first TokenUpdate of this enrollment.
    enrollment.push_token = ""
    enrollment.push_magic = ""
    enrollment.push_token_dead = False
    enrollment.unlock_token = None
    enrollment.last_seen_at = timezone.now()
    if context is not None:
        enrollment.enrollment_reference = context.reference
        enrollment.managed_apple_id = context.managed_apple_id or enrollment.managed_apple_id
        if context.directory_user_id is not None:
            enrollment.directory_user_id = context.directory_user_id
    enrollment.save()
    dropped = 0 if created else _cancel_pending(enrollment, "device authenticated again")
    detail: dict[str, Any] = {
        "os_version": message.os_version,
        "product_name": message.product_name,
        "transport": identity.transport,
    }
    if dropped:
        detail["dropped_stale_commands"] = dropped
    if is_ue and (message.serial_number or message.imei or message.meid or ids.udid):
        detail["discarded"] = "hardware identifiers sent by a User Enrollment were not stored"
    _log(enrollment, DeviceEvent.Kind.CHECKIN, MessageType.AUTHENTICATE, "ok", detail=detail)
    return EMPTY


def _apply_token(enrollment: Enrollment, message: protocol.TokenUpdate) -> bool:
    first = enrollment.status != Enrollment.Status.ENROLLED
    enrollment.push_token = message.token.hex()
    enrollment.push_magic = message.push_magic
    enrollment.push_token_dead = False
    enrollment.push_token_dead_reason = ""
    enrollment.topic = message.topic or enrollment.topic
    enrollment.awaiting_configuration = message.awaiting_configuration
    if message.user_short_name:
        enrollment.user_short_name = message.user_short_name
        enrollment.user_long_name = message.user_long_name
    if message.unlock_token and not enrollment.is_user_enrollment:
        enrollment.unlock_token = encryption.encrypt(message.unlock_token)
    enrollment.status = Enrollment.Status.ENROLLED
    enrollment.last_seen_at = timezone.now()
    if first:
        enrollment.enrolled_at = enrollment.last_seen_at
        enrollment.unenrolled_at = None
    enrollment.save()
    return first


def _token_update(enrollment: Enrollment, message: protocol.TokenUpdate) -> Reply:
    first = _apply_token(enrollment, message)
    detail = {"first": first, "awaiting_configuration": message.awaiting_configuration}
    if message.unlock_token and enrollment.is_user_enrollment:
        detail["discarded"] = "UnlockToken is never kept for a User Enrollment"
    _log(enrollment, DeviceEvent.Kind.CHECKIN, MessageType.TOKEN_UPDATE, "ok", detail=detail)
    if first:
        transaction.on_commit(
            lambda: signals.enrollment_completed.send(sender=Enrollment, enrollment=enrollment)
        )
    return EMPTY


def _token_update_new_user_channel(
    identity: DeviceIdentity, message: protocol.TokenUpdate, bearer: str | None
) -> Reply:
    ids = message.ids
    device_ids = protocol.EnrollmentIds(udid=ids.udid, enrollment_id=ids.enrollment_id)
    device = _find(device_ids, for_update=True)
    if device is None or device.status == Enrollment.Status.UNENROLLED:
        raise CheckinRejected(404, "unknown device channel for this user channel")
    _check_pin(device, identity)
    user = Enrollment(
        channel_key=ids.key,
        parent=device,
        channel=Enrollment.Channel.USER,
        enrollment_type=device.enrollment_type,
        platform=device.platform,
        os_version=device.os_version,
        build_version=device.build_version,
        product_name=device.product_name,
        model=device.model,
        supervised=device.supervised,
        enrollment_id=ids.enrollment_id,
        enrollment_user_id=ids.enrollment_user_id,
        udid=ids.udid,
        user_id=ids.user_id,
        managed_apple_id=device.managed_apple_id,
        directory_user_id=device.directory_user_id,
        enrollment_reference=device.enrollment_reference,
    )
    challenge = hooks.check_bearer(user, bearer)
    if challenge is not None:
        raise CheckinRejected(401, "authorization expired", challenge.www_authenticate)
    _apply_token(user, message)
    _log(user, DeviceEvent.Kind.CHECKIN, MessageType.TOKEN_UPDATE, "ok", detail={"first": True})
    transaction.on_commit(
        lambda: signals.enrollment_completed.send(sender=Enrollment, enrollment=user)
    )
    return EMPTY


def _check_out(enrollment: Enrollment) -> Reply:
    now = timezone.now()
    channels = [enrollment, *enrollment.user_channels.all()]
    dropped = _cancel_pending(enrollment, "device checked out")
    for channel in channels:
        channel.status = Enrollment.Status.UNENROLLED
        channel.unenrolled_at = now
        channel.push_token = ""
        channel.push_magic = ""
        channel.save(update_fields=["status", "unenrolled_at", "push_token", "push_magic"])
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


def _get_token(enrollment: Enrollment, message: protocol.GetToken) -> Reply:
    service = message.token_service_type
    if service not in KNOWN_TOKEN_SERVICES:
        raise CheckinRejected(400, f"unknown TokenServiceType {service[:64]!r}")
    _log(enrollment, DeviceEvent.Kind.CHECKIN, MessageType.GET_TOKEN, "not configured")
    if service == "com.apple.maid":
        raise CheckinRejected(
            403,
            "GetToken com.apple.maid is not configured: no Apple Business Manager server key "
            "(DEP token) is installed on this server",
        )
    raise CheckinRejected(403, f"GetToken {service} is not supported by this server")


def _declarative_management(
    enrollment: Enrollment, message: protocol.DeclarativeManagement
) -> Reply:
    endpoint = message.endpoint
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
    elif endpoint == "status":
        try:
            report = json.loads(message.data or b"{}")
        except ValueError:
            raise CheckinRejected(400, "DeclarativeManagement status Data is not JSON") from None
        if not isinstance(report, dict):
            raise CheckinRejected(400, "DeclarativeManagement status must be a JSON object")
        enrollment.ddm_status = {**enrollment.ddm_status, **report}
        enrollment.save(update_fields=["ddm_status"])
        _log(enrollment, DeviceEvent.Kind.CHECKIN, "DeclarativeManagement/status", "stored")
        return EMPTY
    elif endpoint.startswith("declaration/"):
        raise CheckinRejected(404, "no such declaration")
    else:
        raise CheckinRejected(400, f"unknown DeclarativeManagement endpoint {endpoint[:64]!r}")
    return Reply(body=json.dumps(body).encode(), content_type="application/json")


# --- connect ------------------------------------------------------------------------------------


# What an Idle poll needs of its enrollment: the pin, the status, the capability target, the
# bearer-check inputs and last_seen_at. The other fields stay deferred (loaded on access).
_CONNECT_FIELDS = (
    "id",
    "parent_id",
    "channel",
    "enrollment_type",
    "platform",
    "status",
    "os_version",
    "supervised",
    "cert_fingerprint",
    "enrollment_reference",
    "last_seen_at",
)


@functools.cache
def _columns_of(model: Any, attnames: tuple[str, ...]) -> tuple[tuple[Any, Any], ...]:
    """(field, column expression) pairs in the model's field order (what from_db() expects)."""
    table = model._meta.db_table
    return tuple(
        (f, f.get_col(table)) for f in model._meta.concrete_fields if f.attname in attnames
    )


def _from_row(model: Any, columns: Sequence[tuple[Any, Any]], row: Sequence[Any], db: str) -> Any:
    """A model instance from a hand-written SELECT, with the same conversions the ORM applies
    (backend converters such as SQLite datetimes and booleans, then the fields' own)."""
    connection = connections[db]
    values = []
    for (f, col), value in zip(columns, row, strict=True):
        converted = value
        for convert in (
            *connection.ops.get_db_converters(col),
            *f.get_db_converters(connection),
        ):
            converted = convert(converted, col, connection)
        values.append(converted)
    return model.from_db(db, [f.attname for f, _col in columns], values)


# Set on an enrollment loaded for an Idle poll: the id of its next pending queue row, or None.
_NEXT_PENDING = "_mdm_next_pending_id"


def _pending_in_list(statuses: Sequence[str]) -> str:
    allowed = set(QueuedCommand.Status.values)
    if not statuses or not set(statuses) <= allowed:
        raise ValueError(f"unknown queue statuses {statuses!r}")
    # Our own constants, inlined so that the planner can match the partial index's condition.
    return ", ".join(f"'{s}'" for s in sorted(statuses))


@functools.cache
def _connect_query() -> tuple[tuple[tuple[Any, Any], ...], str]:
    columns = _columns_of(Enrollment, _CONNECT_FIELDS)
    selected = ", ".join(f"e.{f.column}" for f, _col in columns)
    queue = QueuedCommand._meta.db_table
    # The next pending command comes along in the same round trip (a correlated subquery on
    # the partial index), so an Idle poll with an empty queue is a single query.
    query = (
        f"SELECT {selected}, ("  # noqa: S608 - model names and constants
        f"SELECT q.id FROM {queue} q WHERE q.enrollment_id = e.id "
        f"AND q.status IN ({_pending_in_list(QueuedCommand.PENDING)}) "
        "ORDER BY q.priority DESC, q.id LIMIT 1"
        f") FROM {Enrollment._meta.db_table} e WHERE e.channel_key = %s"
    )
    return columns, query


def _find_for_connect_fast(key: str) -> Enrollment | None:
    """One indexed lookup by channel_key, without compiling an ORM query.

    The ORM spends ~1-2 ms of CPU compiling `filter(...).select_related(...).first()` on this
    wide model; the poll loop of every device runs it, so it is written out once here.
    """
    columns, query = _connect_query()
    db = router.db_for_read(Enrollment)
    with connections[db].cursor() as cursor:
        cursor.execute(query, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    enrollment: Enrollment = _from_row(Enrollment, columns, row[:-1], db)
    setattr(enrollment, _NEXT_PENDING, row[-1])
    return enrollment


def find_for_connect(
    ids: protocol.EnrollmentIds, identity: DeviceIdentity, *, full: bool = False
) -> Enrollment:
    """The enrollment of a command-channel request, pinned to the identity and not checked out.

    `full` loads every field (a result is about to update inventory); otherwise only what an
    Idle poll reads is loaded.
    """
    if full:
        enrollment = Enrollment.objects.filter(channel_key=ids.key).order_by().first()
    else:
        enrollment = _find_for_connect_fast(ids.key)
    if enrollment is None:
        raise CheckinRejected(404, "unknown enrollment")
    _check_pin(enrollment, identity)
    if enrollment.status == Enrollment.Status.UNENROLLED:
        raise CheckinRejected(403, "this enrollment was checked out")
    return enrollment


def handle_report(*, enrollment: Enrollment, report: protocol.CommandReport, body: bytes) -> Reply:
    """Store a command result (if any) and answer with the next command, or an empty body."""
    if report.command_uuid is not None:
        _record_result(enrollment, report, body)
    now = timezone.now()
    if enrollment.last_seen_at is None or now - enrollment.last_seen_at > LAST_SEEN_RESOLUTION:
        _touch_last_seen(enrollment.pk, now)
        enrollment.last_seen_at = now
    if report.status is ReportStatus.IDLE:
        if report.command_uuid is None and getattr(enrollment, _NEXT_PENDING, 0) is None:
            return EMPTY  # the lookup found the queue empty a moment ago
        return _next_command(enrollment, QueuedCommand.PENDING)
    return _next_command(enrollment, (QueuedCommand.Status.QUEUED, QueuedCommand.Status.SENT))


def _touch_last_seen(enrollment_id: int, now: dt.datetime) -> None:
    """UPDATE last_seen_at, written out: most polls of a device are more than a minute apart,
    so this runs on most of them in production, and the ORM update costs ~0.5 ms of CPU."""
    db = router.db_for_write(Enrollment)
    connection = connections[db]
    field = Enrollment._meta.get_field("last_seen_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Enrollment._meta.db_table} SET {field.column} = %s WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now), enrollment_id],
        )


# The command fields delivery needs (the body and what the delivery-time filter reads).
_DELIVERY_COMMAND_FIELDS = (
    "id",
    "uuid",
    "request_type",
    "body",
    "command_keys",
    "payload_summary",
)


@functools.cache
def _next_delivery_query(statuses: tuple[str, ...]) -> tuple[tuple[tuple[Any, Any], ...], str]:
    columns = _columns_of(Command, _DELIVERY_COMMAND_FIELDS)
    selected = ", ".join(f"c.{f.column}" for f, _col in columns)
    query = (
        f"SELECT q.id, {selected} "  # noqa: S608 - model names and constants
        f"FROM {QueuedCommand._meta.db_table} q "
        f"JOIN {Command._meta.db_table} c ON c.id = q.command_id "
        f"WHERE q.enrollment_id = %s AND q.status IN ({_pending_in_list(statuses)}) "
        "ORDER BY q.priority DESC, q.id LIMIT 1"
    )
    return columns, query


def _next_delivery(enrollment_id: int, statuses: Sequence[str]) -> tuple[int, Command] | None:
    """(queue row id, command) of the next command, or None: one query on the partial index.

    Written out because it runs on every poll: the ORM spends ~1 ms of CPU compiling this
    ordered join, the database answers it from `devices_queue_pending` in microseconds.
    """
    columns, query = _next_delivery_query(tuple(sorted(statuses)))
    db = router.db_for_read(QueuedCommand)
    with connections[db].cursor() as cursor:
        cursor.execute(query, [enrollment_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return int(row[0]), _from_row(Command, columns, row[1:], db)


def _next_command(enrollment: Enrollment, statuses: Sequence[str]) -> Reply:
    target = None
    for _ in range(MAX_DROPS_PER_REQUEST + 1):
        found = _next_delivery(enrollment.pk, statuses)
        if found is None:
            return EMPTY
        delivery_id, command = found
        if target is None:
            target = target_for(enrollment)
        reason = _delivery_refusal(command, target)
        if reason:
            with transaction.atomic():
                QueuedCommand.objects.filter(pk=delivery_id).update(
                    status=QueuedCommand.Status.DROPPED,
                    status_reason=reason,
                    completed_at=timezone.now(),
                )
                _log(
                    enrollment,
                    DeviceEvent.Kind.FILTER,
                    command.request_type,
                    "dropped",
                    command_uuid=command.uuid,
                    detail={"reason": reason},
                )
            continue
        with transaction.atomic():
            QueuedCommand.objects.filter(pk=delivery_id).update(
                status=QueuedCommand.Status.SENT, sent_at=timezone.now()
            )
            _log(
                enrollment,
                DeviceEvent.Kind.COMMAND,
                command.request_type,
                "sent",
                command_uuid=command.uuid,
            )
        return Reply(body=bytes(command.body))
    return EMPTY


def _delivery_refusal(command: Command, target: capabilities.Target | None) -> str:
    """Check again at delivery: the enrollment may have changed since the command was queued."""
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


def _record_result(enrollment: Enrollment, report: protocol.CommandReport, body: bytes) -> None:
    with transaction.atomic():
        delivery = (
            QueuedCommand.objects.select_for_update()
            .select_related("command")
            .filter(enrollment=enrollment, command__uuid=report.command_uuid)
            .first()
        )
        if delivery is None:
            _log(
                enrollment,
                DeviceEvent.Kind.RESULT,
                "unknown",
                str(report.status),
                command_uuid=report.command_uuid or "",
                detail={"note": "result for a command this enrollment was never sent; ignored"},
            )
            return
        request_type = delivery.command.request_type
        if delivery.status not in QueuedCommand.PENDING:
            # A repeated result (the device may resend): the first one stands.
            return
        if report.status is ReportStatus.NOT_NOW:
            QueuedCommand.objects.filter(pk=delivery.pk).update(
                status=QueuedCommand.Status.NOT_NOW, not_now_count=F("not_now_count") + 1
            )
            _log(
                enrollment,
                DeviceEvent.Kind.RESULT,
                request_type,
                "notnow",
                command_uuid=delivery.command.uuid,
            )
            return
        delivery.status = _FINAL[report.status]
        delivery.result = body
        delivery.error_chain = report.error_chain or None
        delivery.completed_at = timezone.now()
        delivery.save(update_fields=["status", "result", "error_chain", "completed_at"])
        detail: dict[str, Any] = {}
        if report.error_chain:
            detail["error_chain"] = report.error_chain
        if report.status is ReportStatus.ACKNOWLEDGED:
            detail.update(inventory.apply_result(enrollment, request_type, report.raw))
        _log(
            enrollment,
            DeviceEvent.Kind.RESULT,
            request_type,
            str(delivery.status),
            command_uuid=delivery.command.uuid,
            detail=detail,
        )
        transaction.on_commit(
            lambda: signals.command_result.send(
                sender=QueuedCommand, delivery=delivery, report=report
            )
        )
