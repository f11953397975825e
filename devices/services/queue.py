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
from django.db.models import QuerySet
from django.utils import timezone

from devices import capabilities, commands, hooks, protocol, signals
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from devices.services.common import (
    Actor,
    target_for,
)

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
    body = base
    if spec.request_type == "DeviceInformation" and "Queries" not in base:
        # Without explicit queries: every key this device may be asked.
        body = {**base, "Queries": capabilities.allowed_query_keys("DeviceInformation", target)}
    decision = capabilities.check_command_payload(
        spec.request_type, body, target, strip=strip_forbidden
    )
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
            command_keys=list(variant.key_paths),
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
        # In this transaction: the push outbox rows are written with the commands.
        signals.commands_enqueued.send(
            sender=Command, command=result.commands[0], enrollment_ids=list(result.queued)
        )
    return result


@transaction.atomic
def cancel_queued_command(*, delivery: QueuedCommand, reason: str = "canceled by an admin") -> bool:
    updated = QueuedCommand.objects.filter(pk=delivery.pk, status__in=QueuedCommand.PENDING).update(
        status=QueuedCommand.Status.CANCELED, status_reason=reason, completed_at=timezone.now()
    )
    return bool(updated)
