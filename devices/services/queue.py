"""The command queue: one command for many enrollments (capability filter, fan-out by
reference), and cancelling.
"""

from __future__ import annotations

import functools
import hashlib
import json
import plistlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from devices import capabilities, commands, hooks, hotpath, protocol, signals
from devices.models import Command, DeviceEvent, Enrollment, QueuedCommand
from devices.services.common import Actor, target_from
from mdm_server import bulk, untrusted
from mdm_server.pki import cms, signing

# --- enqueue ---------------------------------------------------------------------------------------


@dataclass
class EnqueueResult:
    """What enqueue_command did: the stored command(s), who got it and who was refused, and why."""

    commands: list[Command] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)
    # The command (its pk) each queued enrollment got: callers need not read the queue rows again.
    command_of: dict[int, int] = field(default_factory=dict)

    @property
    def command(self) -> Command | None:
        return self.commands[0] if self.commands else None


@dataclass(frozen=True)
class _Variant:
    request_type: str
    payload: dict[str, Any]
    summary: tuple[dict[str, Any], ...] = ()
    key_paths: tuple[str, ...] = ()
    # The command's console copy (`Command.display`), made once per variant: a kept one serves
    # every new enrollment, and its commands share it (nothing changes a stored command's).
    display: dict[str, Any] = field(default_factory=dict, compare=False)

    @functools.cached_property
    def _template(self) -> tuple[bytes, bytes] | None:
        return protocol.command_template(self.request_type, self.payload)

    @functools.cached_property
    def key(self) -> str:
        """What tells its payload from another variant's: encoded once per variant (a kept
        one, `_Decisions`, serves every new enrollment)."""

        def default(value: Any) -> str:
            if isinstance(value, bytes):
                return hashlib.sha256(value).hexdigest()
            return str(value)

        return json.dumps(self.payload, sort_keys=True, default=default)

    def body(self, command_uuid: str) -> bytes:
        """The command's plist: rendered once per variant, only the CommandUUID differs."""
        template = self._template
        if template is None:
            return protocol.render_command(command_uuid, self.request_type, self.payload)
        return protocol.fill_command_template(template, command_uuid)


@functools.lru_cache(maxsize=32)
def _signed_content(data: bytes) -> bytes:
    """What a CMS-signed profile signs. Kept per signed payload: the profiles app installs the
    same signed bytes on every new enrollment, and reading them back took most of the time
    of queueing them. Raises CMSError."""
    return cms.verify_signed_data(data).content


def _profile_from_bytes(key: str, data: bytes) -> dict[str, Any]:
    """The configuration profile a command carries under `key` (InstallProfile's Payload),
    plain or CMS-signed."""
    raw = data
    if not data.lstrip().startswith((b"<?xml", b"<plist", b"bplist")):
        try:
            raw = _signed_content(data)
        except cms.CMSError as exc:
            raise commands.CommandInputError(key, f"not a profile: {exc}") from None
    try:
        # Bounded: an XML plist of any depth parses, and the walks after it would overflow.
        profile = untrusted.load_plist(raw)
    except untrusted.UntrustedDataError as exc:
        raise commands.CommandInputError(key, f"not a profile: {exc}") from None
    if not isinstance(profile, dict) or not isinstance(profile.get("PayloadContent"), list):
        raise commands.CommandInputError(key, "not a configuration profile")
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
    body = spec.body_for(base, target)
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
    if profile is None:
        variant = _Variant(
            spec.request_type,
            payload,
            key_paths=decision.key_paths,
            display=_display(spec, payload),
        )
        return variant, "", notes
    result, document = capabilities.check_profile_document(profile, target, strip=strip_forbidden)
    if not result.allowed or document is None:
        return None, result.reason, notes
    for part in ([result.top_level] if result.top_level else []) + result.payloads:
        notes += list(part.notes)
        notes += [f"{part.payload_type}: {k} removed: {r}" for k, r in part.forbidden_keys.items()]
        if not part.allowed:
            notes.append(f"{part.payload_type} left out: {part.reason}")
    if document != profile:
        # What this device may not receive was taken out: the profile is signed again, with the
        # server's signing identity, for the device to trust it.
        signed = signing.sign_profile(plistlib.dumps(document))
        payload = {**payload, spec.profile_key: signed}
    summary = _payload_summary(document)
    display = _display(spec, payload)
    return (
        _Variant(spec.request_type, payload, summary, decision.key_paths, display),
        "",
        notes,
    )


def _display(spec: commands.CommandSpec, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": spec.name,
        "title": spec.title,
        "params": commands.display_params(spec, payload),
    }


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


@dataclass(frozen=True)
class CommandRequest:
    """One command of a multi-command enqueue: its registry name, parameters, priority (None:
    the command's own), origin (None: the enqueue's) and whether what a device may not receive
    is taken out instead of refusing it (None: the enqueue's `strip_forbidden`).

    `on_queued`, when given, is called with this request's result once the whole enqueue is
    written, inside its transaction: the caller records what it sent (a profile's delivery
    rows) with the commands, without enqueueing or reading the queue again."""

    request_type: str
    payload: dict[str, Any] | None = None
    priority: int | None = None
    origin: str | None = None
    strip_forbidden: bool | None = None
    on_queued: Callable[[EnqueueResult], None] | None = field(default=None, compare=False)


@dataclass
class _Prepared:
    """A request with its spec and built body, and what enqueueing it decided and wrote."""

    spec: commands.CommandSpec
    base: dict[str, Any]
    profile: dict[str, Any] | None
    priority: int
    strip_forbidden: bool
    origin: str | None = None
    result: EnqueueResult = field(default_factory=EnqueueResult)
    # What the built command and its decisions depend on, when they can be kept (`_Decisions`).
    key: tuple[str, str, str, bool] | None = None


class _Decisions:
    """The built commands and the capability filter's decisions, kept per process for requests
    of plain parameters (no profile, nothing but JSON values): every new enrollment is asked the
    same inventory, and building, judging and rendering it was most of a first TokenUpdate.

    They depend only on the command's registry entry, its parameters, the public URL, whether
    forbidden keys are stripped and the class of enrollment (platform, OS version, enrollment
    type, supervision, channel, status): the builders and the filter are pure functions of
    these and of Apple's schema (the generated `capability_table`), which changes only with the
    code. So the key holds all of them and nothing needs invalidating; the size is bounded."""

    MAX_ENTRIES = 2048

    def __init__(self) -> None:
        self.bases: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.variants: dict[tuple[Any, ...], tuple[_Variant | None, str, tuple[str, ...]]] = {}

    def key(
        self, spec: commands.CommandSpec, payload: dict[str, Any] | None, strip: bool
    ) -> tuple[str, str, str, bool] | None:
        if spec.profile_key:
            return None  # signed again per device when trimmed: never kept
        if not payload:
            params = "{}"  # most requests (the inventory's): no encoding
        else:
            try:
                params = json.dumps(payload, sort_keys=True, allow_nan=False)
            except (TypeError, ValueError):  # bytes, dates...: built and judged every time
                return None
        if len(params) > 4096:
            return None
        return (spec.name, params, settings.PUBLIC_URL, strip)

    def base(
        self, spec: commands.CommandSpec, payload: dict[str, Any] | None, key: tuple[Any, ...]
    ) -> dict[str, Any]:
        found = self.bases.get(key[:3])
        if found is None:
            # Raises CommandInputError for invalid parameters (never kept).
            found = spec.build_payload(payload or {}, public_url=settings.PUBLIC_URL)
            self._bound(self.bases)[key[:3]] = found
        return found

    def variant(self, one: _Prepared, kind: _Class) -> tuple[_Variant | None, str, list[str]]:
        if one.key is None:
            return _variant_for(
                one.spec, one.base, kind, profile=one.profile, strip_forbidden=one.strip_forbidden
            )
        found = self.variants.get((one.key, kind))
        if found is None:
            variant, reason, notes = _variant_for(
                one.spec, one.base, kind, profile=None, strip_forbidden=one.strip_forbidden
            )
            found = (variant, reason, tuple(notes))
            self._bound(self.variants)[(one.key, kind)] = found
        return found[0], found[1], list(found[2])

    def _bound(self, entries: dict[Any, Any]) -> dict[Any, Any]:
        if len(entries) >= self.MAX_ENTRIES:
            entries.clear()
        return entries


_DECISIONS = _Decisions()


def _prepare(request: CommandRequest, strip_forbidden: bool) -> _Prepared:
    spec = commands.get_spec(request.request_type)
    priority = spec.priority if request.priority is None else request.priority
    strip = strip_forbidden if request.strip_forbidden is None else request.strip_forbidden
    key = _DECISIONS.key(spec, request.payload, strip)
    if key is not None:
        base = _DECISIONS.base(spec, request.payload, key)
        return _Prepared(spec, base, None, priority, strip, request.origin, key=key)
    base = spec.build_payload(request.payload or {}, public_url=settings.PUBLIC_URL)
    profile_key = spec.profile_key
    profile = _profile_from_bytes(profile_key, base[profile_key]) if profile_key else None
    return _Prepared(spec, base, profile, priority, strip, request.origin)


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
    (result,) = _enqueue_requests(
        enrollments,
        [CommandRequest(request_type, payload, priority)],
        actor,
        origin,
        strip_forbidden,
    )
    return result


def enqueue_commands(
    *,
    enrollments: Iterable[Enrollment] | QuerySet[Enrollment],
    requests: list[CommandRequest],
    actor: Actor = None,
    origin: str = "",
    strip_forbidden: bool = False,
    savepoint: bool = True,
    token_update: hotpath.TokenUpdateWrite | None = None,
) -> list[EnqueueResult]:
    """Several commands for the same enrollments at once (the inventory asked at enrollment):
    as `enqueue_command` for each, in order, but the commands are one INSERT, the queue rows
    one INSERT ... SELECT per group of enrollments that got the same decision, and the pushes
    one outbox write. Each command's rows get that command's priority. Returns one result per
    request, in order, after calling each request's `on_queued` with its result. Raises
    CommandInputError (before anything is written) for invalid parameters.

    Atomic; inside a caller's transaction, in a savepoint of its own unless `savepoint` is
    False (the caller's savepoint then undoes it, as for the first commands). `token_update`:
    a channel's first TokenUpdate, written before anything else, with the commands when they
    are written by one statement (`hotpath.insert_commands_and_queue`)."""
    with transaction.atomic(savepoint=savepoint):
        results = _enqueue_requests(
            enrollments, requests, actor, origin, strip_forbidden, token_update
        )
        for request, result in zip(requests, results, strict=True):
            if request.on_queued is not None:
                request.on_queued(result)
    return results


def _enqueue_requests(
    enrollments: Iterable[Enrollment] | QuerySet[Enrollment],
    requests: list[CommandRequest],
    actor: Actor,
    origin: str,
    strip_forbidden: bool,
    token_update: hotpath.TokenUpdateWrite | None = None,
) -> list[EnqueueResult]:
    # Not atomic by itself: each public function is, once (a nested one would add a savepoint).
    prepared = [_prepare(request, strip_forbidden) for request in requests]
    if isinstance(enrollments, QuerySet):
        if token_update is not None:
            token_update.save()
        with bulk.snapshot(enrollments, _CLASS_PATHS, name="devices_enqueue_targets") as rows:
            _enqueue(_Selected(rows), prepared, actor, origin)
    else:
        listed = _Listed(enrollments)
        _enqueue(listed, prepared, actor, origin, token_update)
        for one in prepared:
            one.result.queued.sort(key=listed.position.__getitem__)
    return [one.result for one in prepared]


_Given = tuple[int, tuple[str, ...]]  # a command (its index among the new ones) and its notes


def _decide(
    one: _Prepared, targets: _Targets
) -> tuple[
    dict[str, tuple[_Variant, dict[tuple[str, ...], list[_Class]]]],
    dict[str, tuple[list[str], list[_Class]]],
]:
    """For one request, per class: the payloads (each with its classes by notes) and the
    refusals (by reason)."""
    variants: dict[str, tuple[_Variant, dict[tuple[str, ...], list[_Class]]]] = {}
    by_reason: dict[str, tuple[list[str], list[_Class]]] = {}
    for kind in targets.counts:
        variant, reason, notes = _DECISIONS.variant(one, kind)
        if variant is None:
            by_reason.setdefault(reason, (notes, []))[1].append(kind)
            continue
        groups = variants.setdefault(variant.key, (variant, {}))[1]
        groups.setdefault(tuple(notes), []).append(kind)
    return variants, by_reason


def _enqueue(
    targets: _Targets,
    prepared: list[_Prepared],
    actor: Actor,
    origin: str,
    token_update: hotpath.TokenUpdateWrite | None = None,
) -> None:
    # Per request and class: the decision. Then one command per (request, payload), one queue
    # write per group of classes that get the same commands with the same notes (every command
    # at once), and one device-log write per refusal reason.
    user = actor if actor is not None and actor.is_authenticated else None
    now = timezone.now()
    new_commands: list[Command] = []
    owner: list[_Prepared] = []  # the request of each new command
    given_to: dict[_Class, list[_Given]] = {}  # what each class gets
    refusals: list[tuple[_Prepared, str, list[str], list[_Class]]] = []
    for one in prepared:
        variants, by_reason = _decide(one, targets)
        refusals += [(one, reason, n, kinds) for reason, (n, kinds) in by_reason.items()]
        for variant, groups in variants.values():
            for note_key, kinds in groups.items():
                for kind in kinds:
                    given_to.setdefault(kind, []).append((len(new_commands), note_key))
            command = _new_command(one, variant, origin, user)
            command.target_count = sum(targets.counts[k] for ks in groups.values() for k in ks)
            new_commands.append(command)
            owner.append(one)
            one.result.commands.append(command)
    pushed: list[int] = []
    if new_commands:
        pushed = _write_queue(targets, new_commands, owner, given_to, now, token_update)
    elif token_update is not None:
        token_update.save()
    _write_refusals(targets, refusals, actor, now)
    if new_commands:
        # In this transaction: the push outbox rows are written with the commands, one push for
        # them all. Listed enrollments (a few, already in Python) go as their ids; a fan-out as
        # a QuerySet of the queue rows, which the receivers use as a subquery.
        enrollment_ids: Any = (
            sorted({pk for one in prepared for pk in one.result.queued})
            if isinstance(targets, _Listed)
            else QueuedCommand.objects.filter(command__in=new_commands)
            .order_by()
            .values_list("enrollment_id", flat=True)
        )
        # `pushed`: those whose outbox row the statement that wrote the commands wrote already
        # (a first TokenUpdate's, `hooks.first_push`).
        signals.commands_enqueued.send(
            sender=Command, command=new_commands[0], enrollment_ids=enrollment_ids, pushed=pushed
        )


def _new_command(one: _Prepared, variant: _Variant, origin: str, user: Any) -> Command:
    uuid = commands.new_uuid()
    spec = one.spec
    # Every column given (`hotpath.new_instance`); `created_at` is set when it is written.
    command = hotpath.new_instance(
        Command,
        {
            "id": None,
            "uuid": uuid,
            "request_type": spec.request_type,
            "spec": spec.name,
            "channel": spec.channel,
            "priority": one.priority,
            "body": variant.body(uuid),
            "command_keys": list(variant.key_paths),
            "payload_summary": list(variant.summary),
            "display": variant.display,
            "origin": (origin if one.origin is None else one.origin)[:120],
            "created_by_id": None,
            "created_at": None,
            "target_count": 0,
        },
    )
    if user is not None:
        command.created_by = user
    return command


def _write_queue(
    targets: _Targets,
    new_commands: list[Command],
    owner: list[_Prepared],
    given_to: dict[_Class, list[_Given]],
    now: Any,
    token_update: hotpath.TokenUpdateWrite | None = None,
) -> list[int]:
    """The commands, then their queue rows: the classes that get the same commands with the same
    notes share one INSERT ... SELECT (each of their members times each command). Listed
    enrollments that all get every command (the first commands of a new enrollment) have the
    commands and their queue rows written by one statement (with `token_update`, the first
    TokenUpdate's channel and log row too, and its push outbox row: then the channel's id is
    returned, else nothing)."""
    pushed: list[int] = []
    deliveries: dict[tuple[_Given, ...], list[_Class]] = {}
    for kind, received in given_to.items():
        deliveries.setdefault(tuple(received), []).append(kind)
    written = [0] * len(new_commands)
    together = (
        isinstance(targets, _Listed)
        and len(deliveries) == 1
        and [i for i, _ in next(iter(deliveries))] == list(range(len(new_commands)))
        and hotpath.queues_with_commands()
    )
    if together:
        assert isinstance(targets, _Listed)  # noqa: S101 (for the type checker)
        ((given, kinds),) = deliveries.items()
        ids = [pk for kind in kinds for pk in targets.ids[kind]]
        outbox = None
        if token_update is not None:
            outbox = hooks.first_push(token_update.enrollment.pk, hotpath.WRITTEN_CHANNEL)
        written_pairs = [
            (
                given,
                hotpath.insert_commands_and_queue(
                    new_commands, list(dict.fromkeys(ids)), now, token_update, outbox
                ),
            )
        ]
        if outbox is not None and outbox.ran and token_update is not None:
            pushed.append(token_update.enrollment.pk)
    else:
        if token_update is not None:
            token_update.save()
        # One INSERT for every command (PostgreSQL and SQLite return the keys).
        hotpath.insert_commands(new_commands)
        written_pairs = [
            (given, _insert_queue_rows(targets.members(kinds), new_commands, given, now))
            for given, kinds in deliveries.items()
        ]
    index_of = {command.pk: i for i, command in enumerate(new_commands)}
    for given, pairs in written_pairs:
        notes_of = dict(given)
        for enrollment_id, command_pk in pairs:
            i = index_of[command_pk]
            written[i] += 1
            result = owner[i].result
            result.queued.append(enrollment_id)
            result.command_of[enrollment_id] = command_pk
            if notes_of[i]:
                result.notes[enrollment_id] = list(notes_of[i])
    for command, count in zip(new_commands, written, strict=True):
        if count != command.target_count:  # a listed enrollment was deleted meanwhile
            command.target_count = count
            command.save(update_fields=["target_count"])
    return pushed


def _insert_queue_rows(
    members: bulk.Sql, new_commands: list[Command], given: tuple[_Given, ...], now: Any
) -> list[tuple[Any, ...]]:
    return bulk.insert_product(
        QueuedCommand,
        column="enrollment",
        source=members,
        varying=("command", "priority"),
        rows=[(new_commands[i].pk, new_commands[i].priority) for i, _ in given],
        values={
            "status": QueuedCommand.Status.QUEUED,
            "created_at": now,
            "not_now_count": 0,
            "status_reason": "",
        },
    )


def _write_refusals(
    targets: _Targets,
    refusals: list[tuple[_Prepared, str, list[str], list[_Class]]],
    actor: Actor,
    now: Any,
) -> None:
    by = actor.get_username() if actor else "system"
    for one, reason, notes, kinds in refusals:
        ids = bulk.insert_select(
            DeviceEvent,
            column="enrollment",
            source=targets.members(kinds),
            values={
                "created_at": now,
                "kind": DeviceEvent.Kind.FILTER,
                "action": one.spec.request_type,
                "status": "refused",
                "command_uuid": "",
                "detail": {"reason": reason, "by": by},
            },
        )
        one.result.refused.update(dict.fromkeys(ids, reason))
        if notes:
            one.result.notes.update(dict.fromkeys(ids, notes))


@transaction.atomic
def cancel_queued_command(*, delivery: QueuedCommand, reason: str = "canceled by an admin") -> bool:
    updated = QueuedCommand.objects.filter(pk=delivery.pk, status__in=QueuedCommand.PENDING).update(
        status=QueuedCommand.Status.CANCELED, status_reason=reason, completed_at=timezone.now()
    )
    return bool(updated)
