"""The command queue: one command for many enrollments (capability filter, fan-out by
reference), and cancelling.
"""

from __future__ import annotations

import hashlib
import json
import logging
import plistlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from devices import capabilities, commands, hooks, protocol, signals
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from devices.services.common import Actor, target_from
from mdm_server import bulk

logger = logging.getLogger(__name__)


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
    key_paths: tuple[str, ...] = ()


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


def _payload_summary(profile: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The shape of the profile's payloads and of its own keys (last, as a `Configuration`
    payload): what the delivery-time filter judges, without the values."""
    envelope = {k: v for k, v in profile.items() if k != "PayloadContent"}
    parts = [p for p in profile["PayloadContent"] if isinstance(p, dict)]
    envelope["PayloadType"] = capabilities.PROFILE_PAYLOAD_TYPE
    return tuple(capabilities.outline(p) for p in [*parts, envelope])


def _variant_for(
    spec: commands.CommandSpec,
    base: dict[str, Any],
    kind: _Class,
    *,
    profile: dict[str, Any] | None,
    strip_forbidden: bool,
) -> tuple[_Variant | None, str, list[str]]:
    """Decide for one class of enrollment: the payload it gets (None: refused), reason, notes."""
    if not kind.platform:
        return None, "the device has not reported its platform yet", []
    target = target_from(
        platform=kind.platform,
        os_version=kind.os_version,
        enrollment_type=kind.enrollment_type,
        supervised=kind.supervised,
        channel=kind.channel,
    )
    if kind.status == Enrollment.Status.UNENROLLED:
        return None, "the device is unenrolled", []
    body = base
    if spec.request_type == "DeviceInformation" and "Queries" not in base:
        # Without explicit queries: every key this device may be asked.
        body = {**base, "Queries": capabilities.allowed_query_keys("DeviceInformation", target)}
    decision = capabilities.check_command_payload(
        spec.request_type, body, target, strip=strip_forbidden
    )
    if not decision.allowed and decision.removed and set(decision.removed) <= spec.default_keys:
        # Only keys the builder adds by itself are forbidden here: send without them.
        decision = capabilities.check_command_payload(spec.request_type, body, target, strip=True)
    notes = list(decision.notes)
    if not decision.allowed or decision.payload is None:
        return None, decision.reason, notes
    payload = decision.payload
    if spec.request_type == "DeviceInformation":
        payload["Queries"] = sorted(payload["Queries"])
    if profile is None:
        return _Variant(payload, key_paths=decision.key_paths), "", notes
    result, document = capabilities.check_profile_document(profile, target, strip=strip_forbidden)
    if not result.allowed or document is None:
        return None, result.reason, notes
    for part in ([result.top_level] if result.top_level else []) + result.payloads:
        notes += list(part.notes)
        notes += [f"{part.payload_type}: {k} removed: {r}" for k, r in part.forbidden_keys.items()]
        if not part.allowed:
            notes.append(f"{part.payload_type} left out: {part.reason}")
    if document != profile:
        signed = hooks.sign_profile(plistlib.dumps(document))
        payload = {**payload, "Payload": signed}
    return _Variant(payload, _payload_summary(document), decision.key_paths), "", notes


def _variant_key(variant: _Variant) -> str:
    def default(value: Any) -> str:
        if isinstance(value, bytes):
            return hashlib.sha256(value).hexdigest()
        return str(value)

    return json.dumps(variant.payload, sort_keys=True, default=default)


# What the capability filter judges an enrollment by: the filter decides once per distinct
# combination (a fleet has few), never per enrollment.
_CLASS_FIELDS = ("platform", "os_version", "enrollment_type", "supervised", "channel", "status")
# The same, as the channel's query paths (the first ones are its Device's).
_CLASS_PATHS = (
    "device__platform",
    "device__os_version",
    "enrollment_type",
    "device__supervised",
    "channel",
    "status",
)


@dataclass(frozen=True)
class _Class:
    platform: str
    os_version: str
    enrollment_type: str
    supervised: bool
    channel: str
    status: str

    @classmethod
    def of(cls, enrollment: Enrollment) -> _Class:
        device = enrollment.device
        return cls(
            platform=device.platform,
            os_version=device.os_version,
            enrollment_type=enrollment.enrollment_type,
            supervised=device.supervised,
            channel=enrollment.channel,
            status=enrollment.status,
        )


class _Targets:
    """The enrollments of one enqueue, by class, and the SQL that selects a class's members."""

    def __init__(self, counts: dict[_Class, int]) -> None:
        self.counts = counts

    def members(self, kinds: list[_Class]) -> bulk.Sql:
        raise NotImplementedError


class _Listed(_Targets):
    """Model instances the caller holds: judged as they are, written by id (one parameter)."""

    def __init__(self, enrollments: Iterable[Enrollment]) -> None:
        self.ids: dict[_Class, list[int]] = {}
        self.position: dict[int, int] = {}  # the caller's order
        rows = list(enrollments)
        # Their Devices (platform, OS, supervision) in one query for those read without them.
        device = Enrollment._meta.get_field("device")
        prefetch_related_objects([e for e in rows if not device.is_cached(e)], "device")
        for enrollment in rows:
            self.ids.setdefault(_Class.of(enrollment), []).append(enrollment.pk)
            self.position.setdefault(enrollment.pk, len(self.position))
        super().__init__({kind: len(ids) for kind, ids in self.ids.items()})

    def members(self, kinds: list[_Class]) -> bulk.Sql:
        chosen = [pk for kind in kinds for pk in self.ids[kind]]
        return bulk.existing(Enrollment, bulk.ids(list(dict.fromkeys(chosen))))


class _Selected(_Targets):
    """A QuerySet: its rows are read once into a temporary table and never leave SQL."""

    def __init__(self, snapshot: bulk.Snapshot) -> None:
        self.snapshot = snapshot
        super().__init__({_Class(*row[:-1]): row[-1] for row in snapshot.classes()})

    def members(self, kinds: list[_Class]) -> bulk.Sql:
        return self.snapshot.where_in(
            [[getattr(kind, name) for name in _CLASS_FIELDS] for kind in kinds]
        )


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

    The capability filter decides once per class of enrollment (platform, OS version, enrollment
    type, supervision, channel, status); refused ones are reported with the reason and logged.
    The queue rows, the refusals and the pushes are a few INSERT ... SELECT statements whatever
    the number of enrollments; a QuerySet is never read into Python. Raises CommandInputError for
    invalid parameters.
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
    if isinstance(enrollments, QuerySet):
        with bulk.snapshot(enrollments, _CLASS_PATHS, name="devices_enqueue_targets") as rows:
            return _enqueue(
                _Selected(rows), spec, base, profile, actor, priority, origin, strip_forbidden
            )
    listed = _Listed(enrollments)
    result = _enqueue(listed, spec, base, profile, actor, priority, origin, strip_forbidden)
    result.queued.sort(key=listed.position.__getitem__)
    return result


def _enqueue(
    targets: _Targets,
    spec: commands.CommandSpec,
    base: dict[str, Any],
    profile: dict[str, Any] | None,
    actor: Actor,
    priority: int | None,
    origin: str,
    strip_forbidden: bool,
) -> EnqueueResult:
    result = EnqueueResult()
    # Per class: the decision. Then one command per payload, one write per (command, notes)
    # and one per refusal reason.
    variants: dict[str, tuple[_Variant, dict[tuple[str, ...], list[_Class]]]] = {}
    refusals: dict[str, tuple[list[str], list[_Class]]] = {}
    notes_of: dict[_Class, list[str]] = {}
    for kind in targets.counts:
        variant, reason, notes = _variant_for(
            spec, base, kind, profile=profile, strip_forbidden=strip_forbidden
        )
        notes_of[kind] = notes
        if variant is None:
            refusals.setdefault(reason, (notes, []))[1].append(kind)
            continue
        groups = variants.setdefault(_variant_key(variant), (variant, {}))[1]
        groups.setdefault(tuple(notes), []).append(kind)
    user = actor if actor is not None and actor.is_authenticated else None
    prio = spec.priority if priority is None else priority
    now = timezone.now()
    for variant, groups in variants.values():
        uuid = commands.new_uuid()
        command = Command.objects.create(
            uuid=uuid,
            request_type=spec.request_type,
            channel=spec.channel,
            priority=prio,
            body=protocol.render_command(uuid, spec.request_type, variant.payload),
            command_keys=list(variant.key_paths),
            payload_summary=list(variant.summary),
            display={
                "name": spec.name,
                "title": spec.title,
                "params": commands.display_params(spec, variant.payload),
            },
            origin=origin[:120],
            created_by=user,
            target_count=sum(targets.counts[k] for kinds in groups.values() for k in kinds),
        )
        written = 0
        for note_key, kinds in groups.items():
            ids = bulk.insert_select(
                QueuedCommand,
                column="enrollment",
                source=targets.members(kinds),
                values={
                    "command": command.pk,
                    "status": QueuedCommand.Status.QUEUED,
                    "priority": prio,
                    "created_at": now,
                    "not_now_count": 0,
                    "status_reason": "",
                },
            )
            written += len(ids)
            result.queued += ids
            if note_key:
                notes = list(note_key)
                result.notes.update(dict.fromkeys(ids, notes))
        if written != command.target_count:  # a listed enrollment was deleted meanwhile
            command.target_count = written
            command.save(update_fields=["target_count"])
        result.commands.append(command)
    by = actor.get_username() if actor else "system"
    for reason, (notes, kinds) in refusals.items():
        ids = bulk.insert_select(
            DeviceEvent,
            column="enrollment",
            source=targets.members(kinds),
            values={
                "created_at": now,
                "kind": DeviceEvent.Kind.FILTER,
                "action": spec.request_type,
                "status": "refused",
                "command_uuid": "",
                "detail": {"reason": reason, "by": by},
            },
        )
        result.refused.update(dict.fromkeys(ids, reason))
        if notes:
            result.notes.update(dict.fromkeys(ids, notes))
    if result.commands:
        # In this transaction: the push outbox rows are written with the commands, from the
        # queue rows (a QuerySet the receivers use as a subquery).
        signals.commands_enqueued.send(
            sender=Command,
            command=result.commands[0],
            enrollment_ids=QueuedCommand.objects.filter(command__in=result.commands)
            .order_by()
            .values_list("enrollment_id", flat=True),
        )
    return result


@transaction.atomic
def cancel_queued_command(*, delivery: QueuedCommand, reason: str = "canceled by an admin") -> bool:
    updated = QueuedCommand.objects.filter(pk=delivery.pk, status__in=QueuedCommand.PENDING).update(
        status=QueuedCommand.Status.CANCELED, status_reason=reason, completed_at=timezone.now()
    )
    return bool(updated)
