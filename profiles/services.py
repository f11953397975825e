"""Every write of the profiles app: create/upload/update profiles, assign them, install and remove.

Everything sent to devices goes through `devices.services.enqueue_command`, which applies the
User-Enrollment capability filter; the per-profile UE report comes from `devices.capabilities`.
"""

from __future__ import annotations

import hashlib
import logging
import plistlib
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any, cast

from cryptography.hazmat.primitives import hashes
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Exists, Field, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from devices import capabilities
from devices.models import Enrollment, InstalledProfile, QueuedCommand
from devices.services import EnqueueResult, enqueue_command
from devices.services.queue import CommandRequest, enqueue_commands
from directory.models import DirectoryGroup, DirectoryUser
from mdm_server import audit
from mdm_server.pki import certificates, signing
from mdm_server.pki import services as pki
from mdm_server.prepared import PreparedQuery
from profiles import builder, schema
from profiles import ue_report as ue
from profiles.exceptions import ProfileError
from profiles.mobileconfig import parse_mobileconfig
from profiles.models import Assignment, Delivery, Profile

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None

# --- creating and changing profiles ------------------------------------------------------------


@dataclass(frozen=True)
class PayloadInput:
    """One payload as the console or API gives it: JSON content, checked against the schema."""

    payload_type: str
    content: Mapping[str, Any]
    identifier: str = ""
    uuid: str = ""
    display_name: str = ""


def _scope_of(profile: Mapping[str, Any]) -> str:
    return Profile.Scope.USER if profile.get("PayloadScope") == "User" else Profile.Scope.DEVICE


def _summary(payloads: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "type": str(p.get("PayloadType", "")),
            "identifier": str(p.get("PayloadIdentifier", "")),
            "uuid": str(p.get("PayloadUUID", "")),
            "display_name": str(p.get("PayloadDisplayName", "")),
        }
        for p in payloads
    ]


def _fill(row: Profile, profile: dict[str, Any]) -> bool:
    """Copy a profile dict into the row; True when the delivered content changed."""
    for key, column in (("PayloadIdentifier", "identifier"), ("PayloadUUID", "uuid")):
        # Kept whole or refused: cut to the column, they would name another profile.
        limit = Profile._meta.get_field(column).max_length  # type: ignore[union-attr]
        if limit is not None and len(str(profile.get(key, ""))) > limit:
            raise ProfileError(
                f"The profile's {key} is longer than {limit} characters.",
                {key: [f"At most {limit} characters."]},
            )
    content = builder.to_mobileconfig(profile)
    changed = bytes(row.content or b"") != content
    row.identifier = profile["PayloadIdentifier"]
    row.display_name = str(profile.get("PayloadDisplayName") or row.identifier)[:255]
    row.description = str(profile.get("PayloadDescription", ""))
    row.organization = str(profile.get("PayloadOrganization", ""))[:255]
    row.uuid = str(profile.get("PayloadUUID", ""))
    row.scope = _scope_of(profile)
    removal = profile.get("PayloadRemovalDisallowed")
    row.removal_disallowed = removal if isinstance(removal, bool) else None
    row.content = content
    row.payload_summary = _summary(profile["PayloadContent"])
    return changed


def _check_identifier_free(identifier: str, *, exclude: int | None = None) -> None:
    qs = Profile.objects.filter(identifier=identifier)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise ProfileError(
            f"A profile with the identifier {identifier} already exists.",
            {"identifier": ["A profile with this identifier already exists."]},
        )


@transaction.atomic
def upload_profile(
    *, data: bytes, actor: Actor, ue_mode: str = Profile.UserEnrollmentMode.SKIP
) -> Profile:
    """Store an uploaded `.mobileconfig` (plain or signed); nothing is saved when it is refused."""
    parsed = parse_mobileconfig(data)
    _check_identifier_free(parsed.profile["PayloadIdentifier"])
    row = Profile(
        source=Profile.Source.UPLOADED,
        ue_mode=ue_mode,
        upload_signer=parsed.signer[:512],
        warnings=list(parsed.warnings),
        created_by=_user(actor),
    )
    _fill(row, parsed.profile)
    row.save()
    audit.record(
        actor=actor,
        action="profiles.upload",
        target=row,
        details={"signed_by": parsed.signer, "payloads": len(row.payload_summary)},
    )
    return row


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _prefixed(report: schema.Report, prefix_map: Mapping[str, str]) -> dict[str, list[str]]:
    """Rename schema paths ("PayloadContent[0].x") to the input's names ("payloads[0].x")."""
    out: dict[str, list[str]] = {}
    for path, messages in report.error_map().items():
        for old, new in prefix_map.items():
            if path.startswith(old):
                path = new + path[len(old) :]
                break
        out.setdefault(path, []).extend(messages)
    return out


def build_profile_dict(
    *,
    identifier: str,
    display_name: str,
    payloads: Sequence[PayloadInput],
    scope: str = Profile.Scope.DEVICE,
    description: str = "",
    organization: str = "",
    removal_disallowed: bool | None = None,
    uuid: str | None = None,
    keep_payloads: Sequence[Mapping[str, Any]] | None = None,
    unknown_keys_are_errors: bool = True,
) -> dict[str, Any]:
    """Build and validate a profile from console/API input; ProfileError with field paths.

    `keep_payloads` (already stored payload dicts) are used as they are instead of `payloads`.
    """
    if not identifier:
        raise ProfileError("The identifier is required.", {"identifier": ["This is required."]})
    if not payloads and not keep_payloads:
        raise ProfileError(
            "A profile needs at least one payload.", {"payloads": ["Add a payload."]}
        )
    built: list[dict[str, Any]] = [dict(p) for p in keep_payloads or ()]
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(payloads):
        content = schema.from_json(item.payload_type, item.content)
        try:
            built.append(
                builder.build_payload(
                    item.payload_type,
                    item.identifier or f"{identifier}.{item.payload_type}.{index + 1}",
                    content,
                    uuid=item.uuid or None,
                    display_name=item.display_name or None,
                )
            )
        except builder.BuilderError as exc:
            errors.setdefault(f"payloads[{index}]", []).append(str(exc))
    if errors:
        raise ProfileError("Some payloads are not valid.", errors)
    try:
        profile = builder.build_configuration_profile(
            identifier=identifier,
            display_name=display_name,
            payloads=built,
            uuid=uuid,
            organization=organization,
            description=description,
            removal_disallowed=removal_disallowed,
            scope=scope,
        )
    except builder.BuilderError as exc:
        raise ProfileError(str(exc), {"payloads": [str(exc)]}) from None
    report = schema.validate_profile(profile, unknown_keys_are_errors=unknown_keys_are_errors)
    if not report.ok:
        fields = _prefixed(report, {"PayloadContent": "payloads"})
        first = report.errors[0]
        raise ProfileError(f"Not valid: {first}", fields)
    return profile


@transaction.atomic
def create_profile(
    *,
    identifier: str,
    display_name: str,
    payloads: Sequence[PayloadInput],
    actor: Actor,
    scope: str = Profile.Scope.DEVICE,
    description: str = "",
    organization: str = "",
    removal_disallowed: bool | None = None,
    ue_mode: str = Profile.UserEnrollmentMode.SKIP,
) -> Profile:
    """Build a profile from the payload catalogue; validated against Apple's schema."""
    _check_identifier_free(identifier)
    profile = build_profile_dict(
        identifier=identifier,
        display_name=display_name,
        payloads=payloads,
        scope=scope,
        description=description,
        organization=organization,
        removal_disallowed=removal_disallowed,
    )
    row = Profile(source=Profile.Source.BUILT, ue_mode=ue_mode, created_by=_user(actor))
    _fill(row, profile)
    row.save()
    audit.record(actor=actor, action="profiles.create", target=row)
    return row


@transaction.atomic
def update_profile(
    profile: Profile,
    *,
    actor: Actor,
    display_name: str | None = None,
    payloads: Sequence[PayloadInput] | None = None,
    scope: str | None = None,
    description: str | None = None,
    organization: str | None = None,
    removal_disallowed: bool | None = None,
    ue_mode: str | None = None,
    data: bytes | None = None,
) -> Profile:
    """Change a profile; a content change bumps its version and re-installs where assigned."""
    row = Profile.objects.select_for_update().get(pk=profile.pk)
    current = row.as_dict()
    if data is not None:
        parsed = parse_mobileconfig(data)
        if parsed.profile["PayloadIdentifier"] != row.identifier:
            raise ProfileError(
                "The uploaded profile has another PayloadIdentifier "
                f"({parsed.profile['PayloadIdentifier']}); upload it as a new profile.",
                {"file": ["The identifier differs from this profile's."]},
            )
        new = parsed.profile
        row.upload_signer = parsed.signer[:512]
        row.warnings = list(parsed.warnings)
        row.source = Profile.Source.UPLOADED
    else:
        built = build_profile_dict(
            identifier=row.identifier,
            display_name=display_name if display_name is not None else row.display_name,
            # Without new payloads the stored ones are kept exactly as they are (values and
            # keys newer than the schema included): only the envelope changes.
            payloads=payloads if payloads is not None else [],
            keep_payloads=current.get("PayloadContent", []) if payloads is None else None,
            scope=scope or row.scope,
            description=description if description is not None else row.description,
            organization=organization if organization is not None else row.organization,
            removal_disallowed=(
                removal_disallowed if removal_disallowed is not None else row.removal_disallowed
            ),
            uuid=row.uuid,
            unknown_keys_are_errors=row.source == Profile.Source.BUILT,
        )
        # Envelope keys the console does not edit (ConsentText, PayloadExpirationDate, ...)
        # stay as they were.
        edited = {"PayloadDescription", "PayloadOrganization", "PayloadRemovalDisallowed"}
        new = {**{k: v for k, v in current.items() if k not in edited}, **built}
    changed = _fill(row, new)
    mode_changed = ue_mode is not None and ue_mode != row.ue_mode
    if ue_mode is not None:
        row.ue_mode = ue_mode
    if changed:
        row.version += 1
    row.save()
    audit.record(
        actor=actor,
        action="profiles.update",
        target=row,
        details={"version": row.version, "content_changed": changed},
    )
    if changed or mode_changed:
        sync_profile(profile=row, actor=actor, origin="profile changed")
    return row


@transaction.atomic
def delete_profile(profile: Profile, *, actor: Actor) -> int:
    """Remove the profile from every device that has it, then delete it."""
    holders = _enrollments_holding(profile)
    removed = 0
    if holders:
        result = _enqueue_remove(profile, holders, actor=actor)
        removed = len(result.queued)
    audit.record(
        actor=actor,
        action="profiles.delete",
        target=profile,
        details={"identifier": profile.identifier, "remove_commands": removed},
    )
    profile.delete()
    return removed


# --- User-Enrollment report --------------------------------------------------------------------


def ue_report(profile: Profile) -> list[ue.PlatformReport]:
    """Which payloads and keys won't apply on UE devices, per platform (see profiles.ue_report)."""
    document = profile.as_dict()
    top_level = {key: value for key, value in document.items() if key != "PayloadContent"}
    return ue.build_report(profile.payloads, scope=profile.scope, top_level=top_level)


def ue_report_json(profile: Profile) -> list[dict[str, Any]]:
    return ue.report_json(ue_report(profile))


# --- who should have a profile -----------------------------------------------------------------


def _channel_filter(profile: Profile) -> Q:
    """Enrollments of the profile's channel; non-macOS devices have only the device channel."""
    if profile.scope == Profile.Scope.USER:
        return Q(channel=Enrollment.Channel.USER) | (
            Q(channel=Enrollment.Channel.DEVICE) & ~Q(device__platform=capabilities.Platform.MACOS)
        )
    return Q(channel=Enrollment.Channel.DEVICE)


def _group_members_filter(group_ids: Any) -> Q:
    """Channels whose device's person is in one of the groups (a user channel shares its device
    channel's Device)."""
    return Q(device__directory_user__groups__in=group_ids)


def desired_enrollments(profile: Profile) -> QuerySet[Enrollment]:
    """Enrolled channels that should have the profile, from all of its assignments."""
    assignments = Assignment.objects.filter(profile=profile)
    direct = assignments.filter(kind=Assignment.Kind.ENROLLMENT).values("enrollment_id")
    types = list(
        assignments.filter(kind=Assignment.Kind.ENROLLMENT_TYPE).values_list(
            "enrollment_type", flat=True
        )
    )
    groups = list(assignments.filter(kind=Assignment.Kind.GROUP).values_list("group_id", flat=True))
    wanted = Q(pk__in=direct)
    if types:
        wanted |= Q(enrollment_type__in=types) & _channel_filter(profile)
    if groups:
        in_groups = Enrollment.objects.filter(_group_members_filter(groups)).values("pk")
        wanted |= Q(pk__in=in_groups) & _channel_filter(profile)
    # With their Device: the capability filter classes each by its platform and OS.
    return Enrollment.objects.filter(wanted, status=Enrollment.Status.ENROLLED).select_related(
        "device"
    )


def _enrollments_holding(profile: Profile) -> list[Enrollment]:
    """Enrollments that have (or are getting) the profile, so removal makes sense."""
    ids = Delivery.objects.filter(
        profile=profile,
        status__in=(Delivery.Status.QUEUED, Delivery.Status.INSTALLED, Delivery.Status.MISSING),
    ).values("enrollment_id")
    return list(
        Enrollment.objects.filter(pk__in=ids)
        .exclude(status=Enrollment.Status.UNENROLLED)
        .select_related("device")
    )


# --- sending -----------------------------------------------------------------------------------


def signed_profile(profile: Profile) -> bytes:
    """The `.mobileconfig` as delivered: signed with the active signing certificate."""
    return signing.sign_profile(bytes(profile.content))


# The signed `.mobileconfig` per profile content and signing certificate (digests), for the
# installs of one enrollment at a time (`_Batch`): every first TokenUpdate installs the assigned
# profiles, and signing each again, to have the enqueue read the signature back, was most of
# that request's CPU. A new version or a new signing certificate is a new key; the oldest
# entries go first past the bound.
_SIGNED: dict[tuple[bytes, bytes], bytes] = {}
_SIGNED_MAX = 32
_SIGNED_LOCK = threading.Lock()  # a threaded server's requests share it


def _signed_for_install(profile: Profile, identity: certificates.Identity) -> bytes:
    content = bytes(profile.content)
    key = (
        hashlib.sha256(content).digest(),
        identity.certificate.fingerprint(hashes.SHA256()),
    )
    data = _SIGNED.get(key)
    if data is None:
        data = signing.sign_with_identity(content, identity)
        with _SIGNED_LOCK:
            while len(_SIGNED) >= _SIGNED_MAX:
                del _SIGNED[next(iter(_SIGNED))]
            _SIGNED[key] = data
    return data


def _upsert(rows: list[Delivery]) -> None:
    Delivery.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["profile", "enrollment"],
        update_fields=[
            "status",
            "version",
            "partial",
            "reason",
            "command_uuid",
            "error_chain",
            "updated_at",
        ],
    )


@dataclass(frozen=True)
class InstallOutcome:
    """What an install did: how many queued, and why the others were not."""

    queued: list[int]
    skipped: dict[int, str]
    command_uuids: list[str]


def install_profile(
    *, profile: Profile, enrollments: Iterable[Enrollment], actor: Actor, origin: str = ""
) -> InstallOutcome:
    """Queue InstallProfile for many enrollments with ONE enqueue call (fan-out by reference)."""
    members = list(enrollments)
    if not members:
        return InstallOutcome([], {}, [])
    data = signed_profile(profile)
    result = enqueue_command(
        enrollments=members,
        request_type="InstallProfile",
        payload={"Payload": data},
        actor=actor,
        origin=_install_origin(profile, origin),
        strip_forbidden=_strips(profile),
    )
    _upsert(_install_rows(profile, result, data))
    return _install_outcome(result)


def _install_origin(profile: Profile, origin: str) -> str:
    return f"profile {profile.identifier} v{profile.version}: {origin}"[:120]


def _strips(profile: Profile) -> bool:
    """A SUBSET profile goes to a User Enrollment without what it may not receive (re-signed
    for that device by the enqueue) instead of being refused."""
    return profile.ue_mode == Profile.UserEnrollmentMode.SUBSET


def _install_outcome(result: EnqueueResult) -> InstallOutcome:
    return InstallOutcome(
        queued=list(result.queued),
        skipped=dict(result.refused),
        command_uuids=[c.uuid for c in result.commands],
    )


def _install_rows(profile: Profile, result: EnqueueResult, data: bytes) -> list[Delivery]:
    """The Delivery rows of an InstallProfile enqueue, from its result alone."""
    full_commands = set()
    for command in result.commands:
        # A command whose Payload differs from the full signed profile carries a reduced copy.
        body = plistlib.loads(bytes(command.body))
        if body.get("Command", {}).get("Payload") == data:
            full_commands.add(command.pk)
    uuids = {c.pk: c.uuid for c in result.commands}
    rows = []
    for enrollment_id in result.queued:
        command_id = result.command_of.get(enrollment_id)
        notes = result.notes.get(enrollment_id, [])
        rows.append(
            Delivery(
                profile=profile,
                enrollment_id=enrollment_id,
                status=Delivery.Status.QUEUED,
                version=profile.version,
                partial=command_id not in full_commands,
                reason="; ".join(notes)[:4000],
                command_uuid=uuids.get(command_id, "") if command_id else "",
                error_chain=None,
            )
        )
    for enrollment_id, reason in result.refused.items():
        rows.append(
            Delivery(
                profile=profile,
                enrollment_id=enrollment_id,
                status=Delivery.Status.SKIPPED,
                version=profile.version,
                partial=False,
                reason=reason[:4000],
                command_uuid="",
                error_chain=None,
            )
        )
    return rows


def _enqueue_remove(
    profile: Profile, enrollments: list[Enrollment], *, actor: Actor
) -> EnqueueResult:
    result = enqueue_command(
        enrollments=enrollments,
        request_type="RemoveProfile",
        payload={"Identifier": profile.identifier},
        actor=actor,
        origin=_remove_origin(profile),
    )
    _upsert(_remove_rows(profile, result))
    return result


def _remove_origin(profile: Profile) -> str:
    return f"profile {profile.identifier} unassigned"[:120]


def _remove_rows(profile: Profile, result: EnqueueResult) -> list[Delivery]:
    uuids = {c.pk: c.uuid for c in result.commands}
    return [
        Delivery(
            profile=profile,
            enrollment_id=eid,
            status=Delivery.Status.REMOVING,
            version=profile.version,
            partial=False,
            reason="",
            command_uuid=uuids.get(result.command_of.get(eid, 0), ""),
            error_chain=None,
        )
        for eid in result.queued
    ]


@dataclass
class _Batch:
    """The profile commands of one enrollment's enqueue (`CommandRequest`s, one per profile)
    and their Delivery rows, written in ONE statement once the enqueue has called back for
    each of them (`CommandRequest.on_queued`, in request order, inside its transaction)."""

    requests: list[CommandRequest] = field(default_factory=list)
    rows: list[Delivery] = field(default_factory=list)
    outcomes: list[InstallOutcome] = field(default_factory=list)
    _answered: int = 0
    _identity: certificates.Identity | None = None

    def install(self, profile: Profile, origin: str) -> None:
        if self._identity is None:  # the active signing identity, read once for the batch
            self._identity = pki.active_identity("signing")
        data = _signed_for_install(profile, self._identity)
        self.requests.append(
            CommandRequest(
                "InstallProfile",
                {"Payload": data},
                origin=_install_origin(profile, origin),
                strip_forbidden=_strips(profile),
                on_queued=partial(self._installed, profile, data),
            )
        )

    def remove(self, profile: Profile) -> None:
        self.requests.append(
            CommandRequest(
                "RemoveProfile",
                {"Identifier": profile.identifier},
                origin=_remove_origin(profile),
                on_queued=partial(self._removed, profile),
            )
        )

    def _installed(self, profile: Profile, data: bytes, result: EnqueueResult) -> None:
        self.rows += _install_rows(profile, result, data)
        self.outcomes.append(_install_outcome(result))
        self._answer()

    def _removed(self, profile: Profile, result: EnqueueResult) -> None:
        self.rows += _remove_rows(profile, result)
        self._answer()

    def _answer(self) -> None:
        self._answered += 1
        if self._answered == len(self.requests) and self.rows:
            _upsert(self.rows)


@dataclass(frozen=True)
class SyncOutcome:
    installed: InstallOutcome
    removed: list[int]


def sync_profile(*, profile: Profile, actor: Actor, origin: str = "") -> SyncOutcome:
    """Install where the profile is wanted and not current; remove where it is no longer wanted."""
    wanted = list(desired_enrollments(profile))
    wanted_ids = {e.pk for e in wanted}
    current = {
        d.enrollment_id: d
        for d in Delivery.objects.filter(profile=profile).only("enrollment_id", "status", "version")
    }
    up_to_date = (Delivery.Status.QUEUED, Delivery.Status.INSTALLED)
    to_install = [
        e
        for e in wanted
        if not (
            (d := current.get(e.pk)) is not None
            and d.status in up_to_date
            and d.version == profile.version
        )
    ]
    installed = install_profile(profile=profile, enrollments=to_install, actor=actor, origin=origin)
    stale = [e for e in _enrollments_holding(profile) if e.pk not in wanted_ids]
    removed: list[int] = []
    if stale:
        removed = _enqueue_remove(profile, stale, actor=actor).queued
    return SyncOutcome(installed=installed, removed=removed)


# --- assignments -------------------------------------------------------------------------------


@transaction.atomic
def assign_profile(
    *,
    profile: Profile,
    actor: Actor,
    enrollments: Iterable[Enrollment] = (),
    enrollment_types: Iterable[str] = (),
    groups: Iterable[DirectoryGroup] = (),
) -> SyncOutcome:
    """Assign a profile to enrollments, user groups and/or enrollment types; install where
    allowed (one InstallProfile command fanned out to every enrollment that gets it)."""
    user = _user(actor)
    members = list(enrollments)
    Assignment.objects.bulk_create(
        [
            Assignment(
                profile=profile, kind=Assignment.Kind.ENROLLMENT, enrollment=e, created_by=user
            )
            for e in members
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    types = list(enrollment_types)
    valid_types = set(Enrollment.Type.values)
    for value in types:
        if value not in valid_types:
            raise ProfileError(
                f"Unknown enrollment type {value!r}.",
                {"enrollment_types": [f"Choose from {', '.join(sorted(valid_types))}."]},
            )
        Assignment.objects.get_or_create(
            profile=profile,
            kind=Assignment.Kind.ENROLLMENT_TYPE,
            enrollment_type=value,
            defaults={"created_by": user},
        )
    group_list = list(groups)
    Assignment.objects.bulk_create(
        [
            Assignment(profile=profile, kind=Assignment.Kind.GROUP, group=g, created_by=user)
            for g in group_list
        ],
        ignore_conflicts=True,
    )
    outcome = sync_profile(profile=profile, actor=actor, origin="assigned")
    audit.record(
        actor=actor,
        action="profiles.assign",
        target=profile,
        details={
            "enrollments": len(members),
            "enrollment_types": types,
            "groups": [g.name for g in group_list],
            "queued": len(outcome.installed.queued),
            "skipped": len(outcome.installed.skipped),
        },
    )
    return outcome


@transaction.atomic
def unassign_profile(*, assignment: Assignment, actor: Actor) -> SyncOutcome:
    """Delete an assignment; RemoveProfile goes to devices no other assignment still covers."""
    profile = assignment.profile
    audit.record(
        actor=actor,
        action="profiles.unassign",
        target=profile,
        details={"assignment": assignment.target_label},
    )
    assignment.delete()
    return sync_profile(profile=profile, actor=actor, origin="unassigned")


# --- reacting to devices -----------------------------------------------------------------------


_HOLDING = (Delivery.Status.QUEUED, Delivery.Status.INSTALLED, Delivery.Status.MISSING)


@dataclass(frozen=True)
class _Standing:
    """One profile as one enrollment stands with it: covered by an assignment or not (then it
    is held: queued, installed or reported missing there), and its delivery there, if any."""

    profile: Profile
    covered: bool
    status: str | None
    version: int | None

    @property
    def current(self) -> bool:
        return (
            self.status in (Delivery.Status.QUEUED, Delivery.Status.INSTALLED)
            and self.version == self.profile.version
        )


def _scopes_for(enrollment: Enrollment) -> list[str]:
    """The profile scopes a channel takes (as `_channel_filter`, from the channel's side)."""
    if enrollment.channel == Enrollment.Channel.USER:
        return [Profile.Scope.USER]
    if enrollment.device.platform == capabilities.Platform.MACOS:
        return [Profile.Scope.DEVICE]
    return [Profile.Scope.DEVICE, Profile.Scope.USER]  # no user channel: the device takes both


def _names(model: type[Model], *fields: str) -> tuple[str, ...]:
    """A model's quoted table name, then its fields' quoted column names."""
    quote = connection.ops.quote_name
    columns = [cast("Field[Any, Any]", model._meta.get_field(f)).column for f in fields]
    # A concrete field always has a column.
    return (quote(model._meta.db_table), *(quote(cast("str", c)) for c in columns))


# The shape of `_covering`'s condition: None (not enrolled: nothing covers it), or the number of
# scopes the channel takes and whether its device has a person.
_Shape = tuple[int, bool] | None


def _covering(enrollment: Enrollment) -> tuple[_Shape, list[Any]]:
    """Whether profile `p`'s assignments cover this enrollment (as `desired_enrollments`, from
    the enrollment's side): the shape of that SQL condition on `p` (`_covering_sql`), and its
    parameters. Every value is a parameter."""
    if enrollment.status != Enrollment.Status.ENROLLED:
        return None, []
    scopes = _scopes_for(enrollment)
    params: list[Any] = [
        Assignment.Kind.ENROLLMENT,
        enrollment.pk,
        *scopes,
        Assignment.Kind.ENROLLMENT_TYPE,
        enrollment.enrollment_type,
    ]
    person = enrollment.device.directory_user_id
    if person is not None:  # a user channel shares its device channel's Device (and person)
        params += [Assignment.Kind.GROUP, person]
    return (len(scopes), person is not None), params


def _covering_sql(shape: _Shape) -> str:
    """`_covering`'s condition on `p`. Table and column names come from the models."""
    if shape is None:
        return "1 = 0"
    scopes, person = shape
    table, profile, kind, target, type_, group = _names(
        Assignment, "profile", "kind", "enrollment", "enrollment_type", "group"
    )
    mine = f"SELECT 1 FROM {table} a WHERE a.{profile} = p.id AND "  # noqa: S608 - quoted names
    broad = f"(a.{kind} = %s AND a.{type_} = %s)"
    if person:
        members, member, member_group = _names(
            DirectoryUser.groups.through, "directoryuser", "directorygroup"
        )
        broad += (
            f" OR (a.{kind} = %s AND a.{group} IN"  # noqa: S608 - quoted names
            f" (SELECT m.{member_group} FROM {members} m WHERE m.{member} = %s))"
        )
    _, scope = _names(Profile, "scope")
    return (
        f"EXISTS ({mine}a.{kind} = %s AND a.{target} = %s)"
        f" OR (p.{scope} IN ({', '.join(['%s'] * scopes)}) AND EXISTS ({mine}({broad})))"
    )


@cache
def _standing_sql(vendor: str, shape: _Shape) -> str:
    """`_standing`'s statement: the profile's columns in field order (what `Profile.from_db`
    takes), then whether it is covered and its delivery there. Written once per shape and
    database kind (the names are quoted by it)."""
    _, *names = _names(Profile, *(f.name for f in Profile._meta.concrete_fields))
    columns = ", ".join(f"p.{name}" for name in names)
    profiles, order, identifier = _names(Profile, "display_name", "identifier")
    deliveries, profile, target, status, version = _names(
        Delivery, "profile", "enrollment", "status", "version"
    )
    return (
        f"SELECT * FROM (SELECT {columns}, CASE WHEN {_covering_sql(shape)} THEN 1 ELSE 0 END"  # noqa: S608 - quoted names
        f" AS covered, d.{status} AS delivery_status, d.{version} AS delivery_version"
        f" FROM {profiles} p LEFT JOIN {deliveries} d ON d.{profile} = p.id AND d.{target} = %s"
        ") s WHERE s.covered = 1 OR s.delivery_status IN (%s, %s, %s)"
        f" ORDER BY s.{order}, s.{identifier}"
    )


class _ProfileRows(threading.local):
    """How a row of `_standing_sql` becomes a Profile, as `Profile.objects.raw` makes it (the
    same converters), worked out once per thread (a converter may belong to its connection)."""

    connection: Any = None
    attnames: list[str]
    converters: list[tuple[int, Any, list[Any]]]

    def convert(self) -> tuple[list[str], list[tuple[int, Any, list[Any]]]]:
        current = connections[DEFAULT_DB_ALIAS]
        if self.connection is not current:
            fields = Profile._meta.concrete_fields
            table = Profile._meta.db_table
            self.attnames = [f.attname for f in fields]
            self.converters = []
            for n, f in enumerate(fields):
                col = f.get_col(table)
                found = [*current.ops.get_db_converters(col), *col.get_db_converters(current)]
                if found:
                    self.converters.append((n, col, found))
            self.connection = current
        return self.attnames, self.converters


_PROFILE_ROWS = _ProfileRows()


def _standing(enrollment: Enrollment) -> list[_Standing]:
    """The profiles that cover this enrollment and those it holds, each with its delivery
    there: ONE query, whatever the number of profiles and assignments.

    Written in SQL (portable: PostgreSQL and SQLite) because every first TokenUpdate runs it:
    the same query through the ORM (Exists, Case and Subquery annotations) took about 3.5 ms
    of CPU to compile, this about 0.3 ms. Its text is written once per shape, and its rows read
    through a cursor: `Profile.objects.raw` worked out the columns and their converters again
    on every call (0.44 ms of CPU a call with no profile to find, this 0.20 ms).
    `desired_enrollments` states the rule from the profile's side; a test keeps the two equal."""
    shape, params = _covering(enrollment)
    attnames, converters = _PROFILE_ROWS.convert()
    width = len(attnames)
    with connection.cursor() as cursor:
        cursor.execute(_standing_sql(connection.vendor, shape), [*params, enrollment.pk, *_HOLDING])
        rows = cursor.fetchall()
    standing = []
    for row in rows:
        values = list(row[:width])
        for n, col, functions in converters:
            for function in functions:
                values[n] = function(values[n], col, connection)
        covered, status, version = row[width:]
        profile = Profile.from_db(connection.alias, attnames, values)
        standing.append(_Standing(profile, bool(covered), status, version))
    return standing


def profiles_for_enrollment(enrollment: Enrollment) -> list[Profile]:
    """Profiles whose assignments cover this enrollment."""
    return [s.profile for s in _standing(enrollment) if s.covered]


def sync_enrollment(*, enrollment: Enrollment, origin: str = "enrollment") -> list[InstallOutcome]:
    """Bring one enrollment in line with the assignments: install what it should have (new, or
    an older version), remove what no assignment covers any more (e.g. after a group change).
    One query decides; the commands are one enqueue (one push), their Delivery rows one write."""
    standing = _standing(enrollment)
    batch = _Batch()
    for stale in standing:
        if not stale.covered:
            batch.remove(stale.profile)
    for wanted in standing:
        if wanted.covered and not wanted.current:
            batch.install(wanted.profile, origin)
    if not batch.requests:
        return []  # nothing to queue: no transaction needed
    enqueue_commands(enrollments=[enrollment], requests=batch.requests, origin=origin)
    return batch.outcomes


def first_commands(*, enrollment: Enrollment) -> list[CommandRequest]:
    """What a channel is sent at its first TokenUpdate (`devices.hooks.set_first_commands`,
    inside that transaction): InstallProfile for every profile that covers it, queued with its
    inventory; their Delivery rows are written from that enqueue's result.

    Unlike `sync_enrollment`, nothing the enrollment held is kept or removed by command: a first
    TokenUpdate follows a newly installed enrollment (MDM) profile, and the profiles a device
    got through a previous one went with it. A channel enrolled again (the same row) therefore
    gets every covering profile again, and what it held and is no longer covered is recorded
    as removed (a statement only in that rare case; a new channel holds nothing)."""
    standing = _standing(enrollment)
    gone = [s.profile.pk for s in standing if not s.covered]
    if gone:
        Delivery.objects.filter(enrollment=enrollment.pk, profile__in=gone).update(
            status=Delivery.Status.REMOVED,
            reason="the device enrolled again without it",
            command_uuid="",
        )
    batch = _Batch()
    for wanted in standing:
        if wanted.covered:
            batch.install(wanted.profile, "enrollment completed")
    return batch.requests


# The results `record_command_result` reads.
RESULT_TYPES = ("ProfileList", "InstallProfile", "RemoveProfile")


def record_command_result(*, delivery: QueuedCommand) -> int:
    """Update Delivery rows from an InstallProfile / RemoveProfile / ProfileList result."""
    request_type = delivery.command.request_type
    if request_type not in RESULT_TYPES:
        return 0  # every other result: no transaction to open (one runs for each result)
    if request_type == "ProfileList":
        # One read that usually finds nothing to change: it opens its transaction only when it
        # has something to write.
        if delivery.status != QueuedCommand.Status.ACKNOWLEDGED:
            return 0
        return reconcile_profile_list(enrollment_id=delivery.enrollment_id)
    return _record_profile_result(delivery)


@transaction.atomic
def _record_profile_result(delivery: QueuedCommand) -> int:
    request_type = delivery.command.request_type
    ok = delivery.status == QueuedCommand.Status.ACKNOWLEDGED
    if request_type not in ("InstallProfile", "RemoveProfile"):
        return 0
    rows = Delivery.objects.filter(
        enrollment_id=delivery.enrollment_id, command_uuid=delivery.command.uuid
    )
    error = _error_text(delivery.error_chain)
    if request_type == "InstallProfile":
        if ok:
            return rows.update(status=Delivery.Status.INSTALLED, error_chain=None)
        return rows.update(
            status=Delivery.Status.FAILED,
            reason=error or f"the device answered {delivery.status}",
            error_chain=delivery.error_chain,
        )
    if ok:
        return rows.update(status=Delivery.Status.REMOVED, error_chain=None, reason="")
    return rows.update(
        status=Delivery.Status.FAILED,
        reason="removal failed: " + (error or str(delivery.status)),
        error_chain=delivery.error_chain,
    )


def _error_text(chain: Any) -> str:
    if not isinstance(chain, list):
        return ""
    parts = []
    for item in chain:
        if isinstance(item, Mapping):
            text = item.get("USEnglishDescription") or item.get("LocalizedDescription") or ""
            code = item.get("ErrorCode")
            parts.append(f"{text} ({item.get('ErrorDomain', '')} {code})".strip())
    return "; ".join(parts)[:4000]


# What a reported ProfileList changes, by a delivery's status: whether the change is due when
# the profile is reported (or when it is not), the status after and the reason. Keyed by the
# stored values (an enum member hashes by its name).
_RECONCILED: dict[str, tuple[bool, str, str]] = {
    Delivery.Status.INSTALLED.value: (
        False,
        Delivery.Status.MISSING.value,
        "not in the device's ProfileList",
    ),
    Delivery.Status.MISSING.value: (
        True,
        Delivery.Status.INSTALLED.value,
        "reported by ProfileList",
    ),
    Delivery.Status.REMOVING.value: (
        False,
        Delivery.Status.REMOVED.value,
        "absent from ProfileList",
    ),
}


def _contradicted(enrollment_id: int) -> QuerySet[Delivery, tuple[int, str]]:
    """(id, status) of the enrollment's deliveries that its InstalledProfile rows (the last
    ProfileList) contradict."""
    reported = Exists(
        InstalledProfile.objects.filter(
            enrollment_id=enrollment_id, identifier=OuterRef("profile__identifier")
        )
    )
    changing = Q()
    for status, (when_reported, _after, _reason) in _RECONCILED.items():
        changing |= Q(reported if when_reported else ~reported, status=status)
    return (
        Delivery.objects.filter(enrollment_id=enrollment_id)
        .filter(changing)
        .values_list("id", "status")
    )


# Every ProfileList result runs it. Compiled by the ORM on each call (an Exists subquery for each
# of three states) it cost 3.2-3.6 ms of CPU against 0.33-0.51 ms prepared (30 deliveries, 200
# calls, 7 December, `tests/profiles/test_services.py` checks its rows): more than the rest of
# storing the list.
_CONTRADICTED = PreparedQuery(_contradicted, int)


def reconcile_profile_list(*, enrollment_id: int) -> int:
    """Compare the device's reported ProfileList (its InstalledProfile rows) with what we believe
    is installed. One statement finds the deliveries whose state changes (usually none); only
    those are written, each only if its status is still the one read, all in one transaction
    (none is opened for a list that contradicts nothing)."""
    contradicted = _CONTRADICTED.all(enrollment_id)
    if not contradicted:
        return 0
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        for pk, status in contradicted:
            _when, after, reason = _RECONCILED[status]
            changed += Delivery.objects.filter(pk=pk, status=status).update(
                status=after, reason=reason, updated_at=now
            )
    return changed


def sync_directory_users(*, user_ids: Iterable[int]) -> int:
    """After a group membership change: re-evaluate every enrollment of these users."""
    ids = list(user_ids)
    if not ids:
        return 0
    enrollments = Enrollment.objects.filter(
        Q(device__directory_user_id__in=ids),
        status=Enrollment.Status.ENROLLED,
    )
    count = 0
    for enrollment in enrollments:
        sync_enrollment(enrollment=enrollment, origin="group membership changed")
        count += 1
    return count


def record_checkout(*, enrollment: Enrollment) -> int:
    """The device left management: its managed profiles are gone with it."""
    return Delivery.objects.filter(enrollment=enrollment).update(
        status=Delivery.Status.REMOVED, reason="the device unenrolled", command_uuid=""
    )


def carry_over_assignments(*, old: Enrollment, new: Enrollment) -> int:
    """The person's new device replaces `old`: the profiles assigned to the old device itself
    are assigned to the new one, and installed there (group and enrollment-type assignments
    follow the person and the type already). The number of assignments carried over."""
    rows = [
        Assignment(profile_id=profile_id, kind=Assignment.Kind.ENROLLMENT, enrollment=new)
        for profile_id in Assignment.objects.filter(
            kind=Assignment.Kind.ENROLLMENT, enrollment=old
        ).values_list("profile_id", flat=True)
    ]
    if not rows:
        return 0
    Assignment.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(
        lambda: sync_enrollment(enrollment=new, origin="carried over from the replaced device")
    )
    return len(rows)
