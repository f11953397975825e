"""Every write of declarations, sets and assignments, and what one channel is served.

A change to a declaration, a set or an assignment queues the `DeclarativeManagement` command
(no Data: the device then asks for its tokens) with a push, for the channels it concerns only,
in one set-based enqueue (`devices.services.enqueue_command`).
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from devices.models import Enrollment
from devices.services import enqueue_command
from mdm_server import apple, audit, untrusted
from profiles import services as profile_services
from profiles.declarations import protocol, rules
from profiles.declarations.declaration_table import DECLARATIONS
from profiles.declarations.models import (
    ChannelStatus,
    Declaration,
    DeclarationSet,
    DeclarationState,
    ManagedAppState,
    SetAssignment,
)
from profiles.models import Profile

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
LEGACY = "com.apple.configuration.legacy"
ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"
ACTIVATION = "com.apple.activation.simple"
# The activation the server adds for the configurations no activation of the set names.
AUTO_ACTIVATION = "mdm.server.activation.assigned"
# The server's own status subscriptions: every channel that may have them gets them.
SUBSCRIPTIONS = rules.STATUS_SUBSCRIPTIONS
AUTO_SUBSCRIPTIONS = "mdm.server.status-subscriptions"
RESERVED = frozenset({AUTO_ACTIVATION, AUTO_SUBSCRIPTIONS})
_LEGACY_SALT = "declarations.legacy-profile"
# Payloads Apple's LegacyProfile documentation excludes from a legacy declaration's profile.
_NOT_IN_LEGACY = frozenset({"com.apple.mdm", "com.apple.declarations"})


class DeclarationError(ValueError):
    """Input that does not make a valid declaration, set or assignment: field -> messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in self.errors.items()))


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _new_token() -> str:
    return secrets.token_hex(16)


# --- declarations ------------------------------------------------------------------------------


def _payload_problems(declaration_type: str, payload: Any, checked: Any) -> list[str]:
    """What PostgreSQL's JSON refuses (NUL, a lone surrogate, NaN) or no walk survives (too
    deep), else how `checked` (the payload as the device gets it) departs from Apple's schema."""
    try:
        untrusted.check(payload, "the payload")
    except untrusted.UntrustedDataError as exc:
        return [str(exc)]
    return rules.validate_payload(declaration_type, checked)


def _validate(
    *,
    declaration_type: str,
    identifier: str,
    payload: Any,
    profile: Profile | None,
    exclude: int | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if declaration_type not in DECLARATIONS:
        return {"declaration_type": [f"{declaration_type!r} is not in Apple's declarative schema"]}
    if not identifier or len(identifier) > 255 or "/" in identifier:
        errors["identifier"] = ["1 to 255 characters, no '/'"]
    elif identifier in RESERVED:
        errors["identifier"] = ["this identifier is one of the server's own declarations"]
    elif Declaration.objects.filter(identifier=identifier).exclude(pk=exclude or 0).exists():
        errors["identifier"] = [f"a declaration {identifier!r} exists already"]
    checked = payload
    if declaration_type == LEGACY:
        if profile is None:
            errors["profile"] = ["a legacy declaration delivers a configuration profile: pick one"]
        # ProfileURL is the server's, made per channel at delivery.
        checked = {**payload, "ProfileURL": "https://server/"} if isinstance(payload, dict) else {}
        types = {str(p.get("PayloadType")) for p in profile.payloads} if profile else set()
        banned = types & _NOT_IN_LEGACY
        if banned:
            errors["profile"] = [
                f"Apple does not install {', '.join(sorted(banned))} through a legacy declaration"
            ]
    elif profile is not None:
        errors["profile"] = ["only a legacy declaration delivers a profile"]
    if _awaits_data(declaration_type, payload):
        # Its data is uploaded next (upload_asset_data fills the Reference).
        checked = {**payload, "Reference": {"DataURL": "https://server/"}}
    problems = _payload_problems(declaration_type, payload, checked)
    if problems:
        errors["payload"] = problems
    if (
        isinstance(payload, dict)
        and not problems
        and (extra := _text_rules(declaration_type, payload))
    ):
        errors["payload"] = extra
    if declaration_type == ACTIVATION and isinstance(payload, dict) and not problems:
        wanted = set(payload.get("StandardConfigurations", []))
        known = set(
            Declaration.objects.filter(
                identifier__in=wanted, declaration_class=Declaration.Class.CONFIGURATION
            ).values_list("identifier", flat=True)
        )
        if missing := sorted(wanted - known):
            errors.setdefault("payload", []).append(
                "StandardConfigurations names no configuration " + ", ".join(missing)
            )
    return errors


MANAGED_APP = "com.apple.configuration.app.managed"
_APP_SOURCES = ("AppStoreID", "BundleID", "ManifestURL")


def _text_rules(declaration_type: str, payload: Mapping[str, Any]) -> list[str]:
    """What Apple's text (not its schema's types) asks of a payload: an enforcement's dotted
    OS version and zone-less local date and time; one and only one source of a managed app."""
    problems: list[str] = []
    if declaration_type == MANAGED_APP:
        given = [k for k in _APP_SOURCES if payload.get(k)]
        if len(given) != 1:
            problems.append(
                f"{(given or ['AppStoreID'])[-1]}: one and only one of AppStoreID, BundleID "
                f"or ManifestURL (Apple), not {len(given)}"
            )
    if declaration_type != ENFORCEMENT:
        return problems
    if apple.parse_os_version(payload.get("TargetOSVersion")) is None:
        problems.append("TargetOSVersion: an OS version such as 18.3")
    try:
        datetime.strptime(str(payload.get("TargetLocalDateTime")), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        problems.append("TargetLocalDateTime: use yyyy-mm-ddThh:mm:ss (local time, no zone)")
    return problems


@transaction.atomic
def create_declaration(
    *,
    declaration_type: str,
    identifier: str,
    display_name: str,
    payload: Any,
    description: str = "",
    profile: Profile | None = None,
    actor: Actor = None,
) -> Declaration:
    errors = _validate(
        declaration_type=declaration_type, identifier=identifier, payload=payload, profile=profile
    )
    if errors:
        raise DeclarationError(errors)
    row = Declaration.objects.create(
        identifier=identifier,
        declaration_type=declaration_type,
        declaration_class=DECLARATIONS[declaration_type]["class"],
        display_name=display_name or identifier,
        description=description,
        payload=payload,
        profile=profile,
        server_token=_new_token(),
        created_by=_user(actor),
    )
    audit.record(actor=actor, action="declarations.create", target=row)
    return row


@transaction.atomic
def update_declaration(
    declaration: Declaration,
    *,
    payload: Any,
    display_name: str | None = None,
    description: str | None = None,
    profile: Profile | None = None,
    actor: Actor = None,
) -> Declaration:
    """A new content gives a new ServerToken, and the channels that have it are told."""
    row = Declaration.objects.select_for_update().get(pk=declaration.pk)
    errors = _validate(
        declaration_type=row.declaration_type,
        identifier=row.identifier,
        payload=payload,
        profile=profile,
        exclude=row.pk,
    )
    if errors:
        raise DeclarationError(errors)
    changed = payload != row.payload or (profile.pk if profile else None) != row.profile_id
    row.payload, row.profile = payload, profile
    if display_name is not None:
        row.display_name = display_name or row.identifier
    if description is not None:
        row.description = description
    if changed:
        row.server_token = _new_token()
        row.version += 1
    row.save()
    audit.record(
        actor=actor, action="declarations.update", target=row, details={"version": row.version}
    )
    if changed:
        notify(channels_of_sets(row.sets.all()), origin=f"declaration {row.identifier} changed")
    return row


@transaction.atomic
def delete_declaration(declaration: Declaration, *, actor: Actor = None) -> None:
    users = [
        a for a in Declaration.objects.filter(declaration_type=ACTIVATION) if _names(a, declaration)
    ]
    if users:
        raise DeclarationError(
            {"declaration": [f"activation {users[0].identifier} names it: change that first"]}
        )
    channels = list(channels_of_sets(declaration.sets.all()).values_list("pk", flat=True))
    audit.record(actor=actor, action="declarations.delete", target=declaration)
    declaration.delete()
    notify(Enrollment.objects.filter(pk__in=channels), origin="declaration deleted")


def server_keys(declaration_type: str) -> frozenset[str]:
    """Top-level payload keys the server fills (not the admin's fields): a legacy declaration's
    ProfileURL, and a hosted asset's Reference and Authentication (set by its upload)."""
    if declaration_type == LEGACY:
        return frozenset({"ProfileURL"})
    if rules.hosts_data(declaration_type):
        return frozenset({"Reference", "Authentication"})
    return frozenset()


def _awaits_data(declaration_type: str, payload: Any) -> bool:
    """An asset the server will host, created before its file is uploaded (no Reference yet)."""
    return (
        rules.hosts_data(declaration_type)
        and isinstance(payload, dict)
        and "Reference" not in payload
    )


def _names(activation: Declaration, declaration: Declaration) -> bool:
    return declaration.identifier in (activation.payload or {}).get("StandardConfigurations", [])


def profile_changed(profile: Profile) -> None:
    """A profile legacy declarations deliver changed: its ProfileURL (made per version) changes,
    so the channels that get it see a new ServerToken; tell them."""
    sets = DeclarationSet.objects.filter(declarations__profile=profile)
    if sets.exists():
        notify(channels_of_sets(sets), origin=f"profile {profile.identifier} changed")


# --- sets and assignments ----------------------------------------------------------------------


@transaction.atomic
def create_set(
    *,
    name: str,
    declarations: Iterable[Declaration] = (),
    description: str = "",
    actor: Actor = None,
) -> DeclarationSet:
    if not name.strip():
        raise DeclarationError({"name": ["a set needs a name"]})
    if DeclarationSet.objects.filter(name=name).exists():
        raise DeclarationError({"name": [f"a set named {name!r} exists already"]})
    row = DeclarationSet.objects.create(name=name, description=description)
    row.declarations.set(list(declarations))
    audit.record(actor=actor, action="declarations.set_create", target=row)
    return row


@transaction.atomic
def set_members(
    declaration_set: DeclarationSet, *, declarations: Iterable[Declaration], actor: Actor = None
) -> None:
    before = set(declaration_set.declarations.values_list("pk", flat=True))
    members = list(declarations)
    if before == {d.pk for d in members}:
        return
    declaration_set.declarations.set(members)
    audit.record(
        actor=actor,
        action="declarations.set_members",
        target=declaration_set,
        details={"declarations": sorted(d.identifier for d in members)},
    )
    notify(channels_of_sets([declaration_set]), origin=f"set {declaration_set.name} changed")


@transaction.atomic
def delete_set(declaration_set: DeclarationSet, *, actor: Actor = None) -> None:
    channels = list(channels_of_sets([declaration_set]).values_list("pk", flat=True))
    audit.record(actor=actor, action="declarations.set_delete", target=declaration_set)
    declaration_set.delete()
    notify(Enrollment.objects.filter(pk__in=channels), origin="set deleted")


@transaction.atomic
def assign_set(
    *,
    declaration_set: DeclarationSet,
    kind: str,
    enrollment: Enrollment | None = None,
    group: Any = None,
    enrollment_type: str = "",
    actor: Actor = None,
) -> SetAssignment:
    if kind == SetAssignment.Kind.ENROLLMENT and enrollment is not None:
        lookup: dict[str, Any] = {"enrollment": enrollment}
    elif kind == SetAssignment.Kind.GROUP and group is not None:
        lookup = {"group": group}
    elif kind == SetAssignment.Kind.ENROLLMENT_TYPE and enrollment_type in set(
        apple.EnrollmentType
    ):
        lookup = {"enrollment_type": enrollment_type}
    else:
        raise DeclarationError({"kind": ["name a device, a group or an enrollment type"]})
    row, created = SetAssignment.objects.get_or_create(
        declaration_set=declaration_set, kind=kind, **lookup
    )
    if created:
        audit.record(
            actor=actor,
            action="declarations.assign",
            target=declaration_set,
            details={"kind": kind},
        )
        notify(channels_of_assignment(row), origin=f"set {declaration_set.name} assigned")
    return row


@transaction.atomic
def unassign_set(assignment: SetAssignment, *, actor: Actor = None) -> None:
    channels = list(channels_of_assignment(assignment).values_list("pk", flat=True))
    audit.record(actor=actor, action="declarations.unassign", target=assignment.declaration_set)
    assignment.delete()
    notify(Enrollment.objects.filter(pk__in=channels), origin="set unassigned")


# --- who gets what -----------------------------------------------------------------------------


def enrolled() -> QuerySet[Enrollment]:
    """The channels whose enrollment has not ended."""
    return Enrollment.objects.filter(status=Enrollment.Status.ENROLLED)


def _assignment_filter(assignments: QuerySet[SetAssignment]) -> Q:
    direct = assignments.filter(kind=SetAssignment.Kind.ENROLLMENT).values("enrollment_id")
    types = assignments.filter(kind=SetAssignment.Kind.ENROLLMENT_TYPE).values("enrollment_type")
    groups = assignments.filter(kind=SetAssignment.Kind.GROUP).values("group_id")
    return (
        Q(pk__in=direct)
        | Q(enrollment_type__in=types)
        | Q(device__directory_user__groups__in=groups)
    )


def channels_of_sets(
    sets: Iterable[DeclarationSet] | QuerySet[DeclarationSet],
) -> QuerySet[Enrollment]:
    """Enrolled channels that get any of these sets (a QuerySet: never read into Python)."""
    ids = [s.pk for s in sets]
    matched = Enrollment.objects.filter(
        _assignment_filter(SetAssignment.objects.filter(declaration_set__in=ids))
    ).values("pk")
    return enrolled().filter(pk__in=matched)


def channels_of_assignment(assignment: SetAssignment) -> QuerySet[Enrollment]:
    matched = Enrollment.objects.filter(
        _assignment_filter(SetAssignment.objects.filter(pk=assignment.pk))
    ).values("pk")
    return enrolled().filter(pk__in=matched)


def sets_for(enrollment: Enrollment) -> QuerySet[DeclarationSet]:
    """The sets this channel gets: none once its enrollment ended (whatever ended it), so it is
    served nothing; its last status and declaration states stay for the record (retention)."""
    if enrollment.status != Enrollment.Status.ENROLLED:
        return DeclarationSet.objects.none()
    # A user channel shares its device channel's Device, and so its person.
    user_ids = [u for u in (enrollment.device.directory_user_id,) if u]
    wanted = Q(assignments__enrollment=enrollment) | Q(
        assignments__kind=SetAssignment.Kind.ENROLLMENT_TYPE,
        assignments__enrollment_type=enrollment.enrollment_type,
    )
    if user_ids:
        wanted |= Q(assignments__group__members__in=user_ids)
    return DeclarationSet.objects.filter(wanted).distinct()


def notify(channels: QuerySet[Enrollment], *, origin: str) -> int:
    """Queue `DeclarativeManagement` (sync tokens) with a push for these channels, after commit."""
    targets = enrolled().filter(pk__in=channels.values("pk"))

    def send() -> None:
        try:
            enqueue_command(
                enrollments=targets, request_type="DeclarativeManagement", origin=origin[:120]
            )
        except Exception:  # the change is saved; the devices sync at their next status anyway
            logger.exception("queueing DeclarativeManagement (%s) failed", origin)

    transaction.on_commit(send)
    return 1


def carry_over_sets(*, old: Enrollment, new: Enrollment) -> int:
    """The person's new device replaces `old` (inside the replacement's transaction): the sets
    assigned to the old device itself are assigned to the new one, which is told to sync."""
    rows = [
        SetAssignment(declaration_set_id=set_id, kind=SetAssignment.Kind.ENROLLMENT, enrollment=new)
        for set_id in SetAssignment.objects.filter(
            kind=SetAssignment.Kind.ENROLLMENT, enrollment=old
        ).values_list("declaration_set_id", flat=True)
    ]
    if not rows:
        return 0
    SetAssignment.objects.bulk_create(rows, ignore_conflicts=True)
    notify(Enrollment.objects.filter(pk=new.pk), origin="carried over from the replaced device")
    return len(rows)


# --- what one channel is served ----------------------------------------------------------------


@dataclass
class Served:
    items: list[protocol.Item] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)  # identifier -> reason
    enforcements: dict[str, Mapping[str, Any]] = field(default_factory=dict)


def channel_kind(enrollment: Enrollment) -> rules.ChannelKind:
    device = enrollment.device  # shared by the device channel and its user channels
    return rules.channel_kind(
        platform=device.platform,
        os_version=device.os_version,
        enrollment_type=(enrollment.parent or enrollment).enrollment_type,
        supervised=device.supervised,
        user_channel=enrollment.channel == Enrollment.Channel.USER,
    )


def person_of(enrollment: Enrollment) -> dict[str, str] | None:
    user = enrollment.device.directory_user  # shared by the device and user channels
    if user is None:
        return None
    return {
        "email": user.email,
        "full_name": user.display_name or user.username,
        "username": user.username,
        "upn": user.upn,
        "managed_apple_id": user.managed_apple_id or enrollment.device.managed_apple_id,
    }


def _legacy_url(enrollment: Enrollment, profile: Profile) -> str:
    value = signing.Signer(salt=_LEGACY_SALT).sign_object(
        {"e": str(enrollment.public_id), "p": profile.pk, "v": profile.version}
    )
    return f"{settings.PUBLIC_URL.rstrip('/')}/mdm/declarations/profile/{value}"


def _legacy_refusal(
    enrollment: Enrollment, profile: Profile, kind: rules.ChannelKind
) -> str | None:
    if (profile.scope == Profile.Scope.USER) != (kind.scope == "user") and kind.platform == "macOS":
        return f"profile {profile.identifier} is for the {profile.scope} channel"
    if kind.kind != "user":
        return None
    # As the InstallProfile command (capabilities.check_profile_document): a profile with a
    # payload or key Apple forbids under User Enrollment is not sent, on macOS either (which
    # would skip such payloads, but never gets them from this server).
    for report in profile_services.ue_report(profile):
        if report.platform == kind.platform and not report.installs_unchanged:
            return f"profile {profile.identifier} on User Enrollment: {report.summary}"
    return None


def served(enrollment: Enrollment) -> Served:
    """The declarations this channel gets from its sets, each filled for its person, and why
    the others are withheld (Apple's allowed enrollments and scopes, a missing person)."""
    kind = channel_kind(enrollment)
    person = person_of(enrollment)
    out = Served()
    declarations = list(
        Declaration.objects.filter(sets__in=sets_for(enrollment))
        .distinct()
        .select_related("profile")
    )
    by_id = {d.identifier: d for d in declarations}
    # Assets a configuration names come with it (an admin needn't put them in the set).
    referenced = {ref for d in declarations for ref in _asset_refs(d.payload)} - set(by_id)
    for asset in Declaration.objects.filter(
        identifier__in=referenced, declaration_class=Declaration.Class.ASSET
    ):
        by_id[asset.identifier] = asset
    accepted: dict[str, Declaration] = {}
    payloads: dict[str, Any] = {}
    for identifier, row in sorted(by_id.items()):
        reason = rules.refusal(row.declaration_type, kind) or rules.payload_refusal(
            row.declaration_type, row.payload, kind
        )
        payload: Any = row.payload
        if reason is None and _awaits_data(row.declaration_type, payload):
            reason = "its data has not been uploaded yet"
        if reason is None and row.declaration_type == LEGACY and row.profile is not None:
            reason = _legacy_refusal(enrollment, row.profile, kind)
            payload = {**row.payload, "ProfileURL": _legacy_url(enrollment, row.profile)}
        if reason is None and (needed := rules.placeholders(payload)):
            if person is None:
                reason = "it is filled with the person's details and no person is linked"
            elif missing := sorted(n for n in needed if not person.get(n)):
                reason = "the person has no " + ", ".join(rules.PLACEHOLDERS[n] for n in missing)
            else:
                payload = rules.fill(payload, person)
        if reason is not None:
            out.withheld[identifier] = reason
            continue
        accepted[identifier] = row
        payloads[identifier] = payload
    # A configuration whose assets were withheld would fail on the device: withhold it too.
    for identifier, row in list(accepted.items()):
        missing_assets = [ref for ref in _asset_refs(row.payload) if ref not in accepted]
        if missing_assets:
            out.withheld[identifier] = f"its asset {missing_assets[0]} is not delivered"
            del accepted[identifier]
    activations = [
        r for r in accepted.values() if r.declaration_class == Declaration.Class.ACTIVATION
    ]
    activated: set[str] = set()
    for row in activations:
        names = [
            n for n in payloads[row.identifier].get("StandardConfigurations", []) if n in accepted
        ]
        activated.update(names)
        if not names:
            out.withheld[row.identifier] = "none of the configurations it activates is delivered"
            del accepted[row.identifier]
            continue
        payloads[row.identifier] = {**payloads[row.identifier], "StandardConfigurations": names}
    for identifier, row in accepted.items():
        payload = payloads[identifier]
        out.items.append(
            protocol.Item(
                row.declaration_class,
                row.declaration_type,
                identifier,
                protocol.served_token(row.server_token, payload),
                payload,
            )
        )
        if row.declaration_type == ENFORCEMENT:
            out.enforcements[identifier] = payload
    rest = sorted(
        i
        for i, r in accepted.items()
        if r.declaration_class == Declaration.Class.CONFIGURATION and i not in activated
    )
    out.items.extend(_server_items(enrollment, kind, rest))
    return out


def _server_items(
    enrollment: Enrollment, kind: rules.ChannelKind, unactivated: list[str]
) -> list[protocol.Item]:
    """The server's own declarations: its status subscriptions, and the activation of the
    configurations no activation of the sets names."""
    items: list[protocol.Item] = []
    if enrollment.status == Enrollment.Status.ENROLLED and (own := server_subscriptions(kind)):
        items.append(own)
        unactivated = [*unactivated, own.identifier]
    if unactivated:
        payload = {"StandardConfigurations": unactivated}
        items.append(
            protocol.Item(
                "activation",
                ACTIVATION,
                AUTO_ACTIVATION,
                protocol.served_token("auto", payload),
                payload,
            )
        )
    return items


@functools.lru_cache(maxsize=256)
def _subscribed_items(kind: rules.ChannelKind) -> tuple[str, ...]:
    """The status items of `server_subscriptions` (none where the declaration is not allowed):
    a function of the kind and Apple's tables only, worked out once per kind and process (every
    new channel asks at its first TokenUpdate, `receivers.first_commands`)."""
    if rules.refusal(SUBSCRIPTIONS, kind) is not None:
        return ()
    return tuple(rules.server_subscriptions(kind))


def subscribes(kind: rules.ChannelKind) -> bool:
    """Whether the server subscribes a kind of channel to any status item."""
    return bool(_subscribed_items(kind))


def server_subscriptions(kind: rules.ChannelKind) -> protocol.Item | None:
    """The server's `management.status-subscriptions` for a kind of channel: the status items
    it reads that Apple lets that channel report (none where the declaration is not allowed)."""
    names = _subscribed_items(kind)
    if not names:
        return None
    payload = {"StatusItems": [{"Name": name} for name in names]}
    return protocol.Item(
        "configuration",
        SUBSCRIPTIONS,
        AUTO_SUBSCRIPTIONS,
        protocol.served_token("status-subscriptions", payload),
        payload,
    )


def _asset_refs(value: Any) -> list[str]:
    """Identifiers of the assets a payload names (Apple's `...AssetReference` keys)."""
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("AssetReference") and isinstance(item, str):
                out.append(item)
            else:
                out.extend(_asset_refs(item))
    elif isinstance(value, list):
        for item in value:
            out.extend(_asset_refs(item))
    return out


def verify_legacy_url(value: str) -> tuple[Enrollment, Profile] | None:
    """The channel and profile a legacy ProfileURL was made for, while it still gets them."""
    try:
        data = signing.Signer(salt=_LEGACY_SALT).unsign_object(value)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str | int) for k in "epv"):
        return None
    enrollment = enrolled().filter(public_id=str(data["e"])).first()
    profile = Profile.objects.filter(pk=int(data["p"]), version=int(data["v"])).first()
    if enrollment is None or profile is None:
        return None
    result = served(enrollment)
    held = {i.identifier for i in result.items}
    legacy = Declaration.objects.filter(identifier__in=held, profile=profile).exists()
    return (enrollment, profile) if legacy else None


# --- the check-in --------------------------------------------------------------------------------


def record_sync(enrollment: Enrollment, result: Served) -> None:
    ChannelStatus.objects.update_or_create(
        enrollment=enrollment,
        defaults={
            "declarations_token": protocol.declarations_token(result.items),
            "synced_at": timezone.now(),
            "withheld": result.withheld,
        },
    )


@transaction.atomic
def record_status(enrollment: Enrollment, report: Mapping[str, Any]) -> ChannelStatus:
    """Store what a status report says (a partial report changes only what it names)."""
    summary = protocol.parse_status(report)
    status, _ = ChannelStatus.objects.select_for_update().get_or_create(enrollment=enrollment)
    status.reported_at = timezone.now()
    for name in ("os_version", "build_version", "install_state", "failure_reason"):
        value = getattr(summary, name)
        if value is not None:
            setattr(status, name, value)
    if summary.pending_version is not None or summary.full_report:
        status.pending_version = summary.pending_version or ""
        status.pending_build = summary.pending_build or ""
        status.pending_deadline = _deadline(enrollment, status.pending_version)
    for name in ("passcode_compliant", "passcode_present"):
        value = getattr(summary, name)
        if value is not None:
            setattr(status, name, value)
    status.errors = summary.errors
    status.save()
    if summary.declarations is not None:
        _record_states(enrollment, summary.declarations)
    if summary.managed_apps is not None:
        _record_apps(enrollment, summary.managed_apps, full=summary.full_report)
    return status


def _record_apps(enrollment: Enrollment, apps: list[protocol.ManagedApp], *, full: bool) -> None:
    """`app.managed.list`: a full report is the whole list; otherwise it names the apps that
    changed, an app with `_removed` being gone."""
    present = [a for a in apps if not a.removed]
    gone = ManagedAppState.objects.filter(enrollment=enrollment)
    if full:
        gone = gone.exclude(bundle_id__in=[a.identifier for a in present])
    else:
        gone = gone.filter(bundle_id__in=[a.identifier for a in apps if a.removed])
    gone.delete()
    if not full:
        # An incremental report adds apps to those kept: no more than a full report can list.
        kept = set(
            ManagedAppState.objects.filter(enrollment=enrollment).values_list(
                "bundle_id", flat=True
            )
        )
        room = max(protocol.MAX_MANAGED_APPS - len(kept), 0)
        new = [a for a in present if a.identifier not in kept][:room]
        present = [a for a in present if a.identifier in kept] + new
    ManagedAppState.objects.bulk_create(
        [
            ManagedAppState(
                enrollment=enrollment,
                bundle_id=a.identifier,
                declaration_identifier=a.declaration_identifier,
                name=a.name,
                version=a.version,
                short_version=a.short_version,
                state=a.state,
                update_state=a.update_state,
                reasons=list(a.reasons),
                updated_at=timezone.now(),
            )
            for a in present
        ],
        update_conflicts=True,
        unique_fields=["enrollment", "bundle_id"],
        update_fields=[
            "declaration_identifier",
            "name",
            "version",
            "short_version",
            "state",
            "update_state",
            "reasons",
            "updated_at",
        ],
    )


def _deadline(enrollment: Enrollment, pending: str) -> str:
    """TargetLocalDateTime of the enforcement this channel has for the pending version."""
    if not pending:
        return ""
    for payload in served(enrollment).enforcements.values():
        if payload.get("TargetOSVersion") == pending:
            return str(payload.get("TargetLocalDateTime", ""))[:32]
    return ""


def _record_states(enrollment: Enrollment, states: list[protocol.DeclarationState]) -> None:
    ids = {
        d.identifier: d.pk
        for d in Declaration.objects.filter(identifier__in=[s.identifier for s in states])
    }
    DeclarationState.objects.filter(enrollment=enrollment).exclude(
        identifier__in=[s.identifier for s in states]
    ).delete()
    DeclarationState.objects.bulk_create(
        [
            DeclarationState(
                enrollment=enrollment,
                declaration_id=ids.get(s.identifier),
                identifier=s.identifier,
                declaration_class=s.declaration_class,
                server_token=s.server_token,
                active=s.active,
                valid=s.valid,
                reasons=list(s.reasons),
                updated_at=timezone.now(),
            )
            for s in states
        ],
        update_conflicts=True,
        unique_fields=["enrollment", "identifier"],
        update_fields=[
            "declaration",
            "declaration_class",
            "server_token",
            "active",
            "valid",
            "reasons",
            "updated_at",
        ],
    )


def is_stale(status: ChannelStatus | None, *, now: Any = None) -> bool:
    """No status report within MDM_DDM_STATUS_STALE_HOURS, or none since the last change."""
    if status is None or status.reported_at is None:
        return True
    now = now or timezone.now()
    return status.reported_at < now - timedelta(hours=settings.DDM_STATUS_STALE_HOURS)
