"""Assignments: where apps go, the licence check before anything is stored, what will not
apply on which device, and requests for installs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from devices import capabilities, commands
from devices.managed_apps import rules
from devices.managed_apps.models import (
    App,
    AppAssignment,
    AppInstall,
    AppsBooksUser,
)
from devices.managed_apps.services.common import (
    CLAIM,
    HOLDING,
    ManagedAppsError,
    Status,
    _params,
    assignment_targets,
    person_of,
)
from devices.managed_apps.services.installs import remove_install
from devices.models import Enrollment
from devices.services.common import Actor
from mdm_server import audit
from mdm_server.config_cache import CachedValue

_PREVIEW = (
    ("iOS", "18.0", "user"),
    ("macOS", "15.0", "user"),
    ("iOS", "18.0", "device"),
    ("macOS", "15.0", "device"),
)


def what_will_not_apply(assignment: AppAssignment) -> list[str]:
    """Per kind of device, what of the install command Apple's schema leaves out there."""
    out: list[str] = []
    for platform, version, kind in _PREVIEW:
        if assignment.app.platforms and platform not in assignment.app.platforms:
            continue
        target = capabilities.Target(
            platform=capabilities.Platform(platform),
            os_version=version,
            enrollment_type=capabilities.EnrollmentType(kind),
        )
        label = f"{platform} {'User' if kind == 'user' else 'Device'} Enrollment"
        out += [f"{label}: {line}" for line in will_not_apply_on(assignment, target)]
    return out


def will_not_apply_on(assignment: AppAssignment, target: capabilities.Target) -> list[str]:
    """What of this assignment's install command one kind of device will not get, and why
    (empty: all of it applies); "not installed: …" when the command itself is refused."""
    person = rules.Person("", platform=target.platform.value)
    request_type, params = _params(assignment, person)
    try:
        payload = commands.build_command(request_type, params)
    except commands.CommandInputError as exc:
        raise ManagedAppsError(str(exc)) from None
    decision = capabilities.check_command_payload(request_type, payload, target, strip=True)
    out: list[str] = []
    if not decision.allowed:
        out.append(f"not installed: {decision.reason}")
    out += [f"{key} left out: {why}" for key, why in decision.removed.items()]
    out += [f"{key} has no effect: {why}" for key, why in decision.ignored.items()]
    attributes = assignment.vpn_uuid or assignment.associated_domains
    if request_type == rules.INSTALL_ENTERPRISE:
        if attributes or assignment.removable is not None:
            out.append(
                "Attributes (per-app VPN, associated domains, removable) not sent: "
                "InstallEnterpriseApplication has no app attributes"
            )
        if "InstallAsManaged" in decision.removed:
            out.append("installed unmanaged: the package stays on the Mac when the enrollment ends")
    return out


def licences_needed(app: App, enrollments: Iterable[Enrollment]) -> int:
    """New licences an assignment to these enrollments takes (held ones are reused)."""
    if app.kind != App.Kind.STORE:
        return 0
    holders: set[str] = set()
    for enrollment in enrollments:
        person = person_of(enrollment)
        holder = (
            f"user:{person.managed_apple_id.lower()}"
            if enrollment.enrollment_type == "user"
            else f"serial:{person.serial_number}"
        )
        holders.add(holder)
    held = AppInstall.objects.filter(app=app, status__in=HOLDING).values_list(
        "licence", "licence_holder"
    )
    held_keys = {f"{'user' if k == 'user' else 'serial'}:{h}" for k, h in held}
    users = AppsBooksUser.objects.filter(token=app.token_id).values_list(
        "managed_apple_id", "client_user_id"
    )
    by_cid = {cid: f"user:{mail.lower()}" for mail, cid in users}
    held_keys |= {by_cid.get(k.removeprefix("user:"), k) for k in held_keys}
    return len(holders - held_keys)


@dataclass
class AssignResult:
    assignment: AppAssignment
    requested: int = 0
    warnings: list[str] = field(default_factory=list)


def assign_app(
    *,
    app: App,
    scope: str,
    enrollment: Enrollment | None = None,
    group: Any = None,
    enrollment_type: str = "",
    mode: str = AppAssignment.Mode.REQUIRED,
    configuration: dict[str, Any] | None = None,
    vpn_uuid: str = "",
    associated_domains: list[str] | None = None,
    removable: bool | None = None,
    actor: Actor = None,
) -> AssignResult:
    """Assign an app. A licence shortage or bad configuration refuses it before anything is
    stored; what will not apply on some devices is returned as warnings."""
    assignment = AppAssignment(
        app=app,
        scope=scope,
        enrollment=enrollment,
        group=group,
        enrollment_type=enrollment_type,
        mode=mode,
        configuration=configuration or {},
        vpn_uuid=vpn_uuid,
        associated_domains=associated_domains or [],
        removable=removable,
        created_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
    )
    problem = commands.plist_problem(assignment.configuration)
    if problem:
        raise ManagedAppsError(f"configuration: {problem}")
    unknown = rules.unknown_variables(assignment.configuration)
    if unknown:
        raise ManagedAppsError(
            f"unknown variable(s) {', '.join(unknown)}; known: {', '.join(rules.VARIABLES)}"
        )
    warnings = what_will_not_apply(assignment)
    targets = list(assignment_targets(assignment).select_related("device__directory_user"))
    if mode == AppAssignment.Mode.REQUIRED and app.kind == App.Kind.STORE:
        if app.token_id is None:
            raise ManagedAppsError("this App Store app has no Apps and Books location")
        needed = licences_needed(app, targets)
        if needed > app.licences_available:
            raise ManagedAppsError(
                f"not enough licences for {app.name}: {needed} needed, "
                f"{app.licences_available} free of {app.licences_total}; buy more in Apple "
                "Business Manager and sync, or assign to fewer devices"
            )
    with transaction.atomic():
        assignment.save()
        audit.record(
            actor=actor,
            action="apps.assigned",
            target=assignment,
            details={"app": app.name, "scope": scope, "mode": mode, "warnings": warnings},
        )
        requested = _request_many(targets, assignment) if mode == AppAssignment.Mode.REQUIRED else 0
    return AssignResult(assignment=assignment, requested=requested, warnings=warnings)


def _request_many(targets: list[Enrollment], assignment: AppAssignment) -> int:
    """_request for many devices in three statements (an assignment to every enrollment of a
    type reaches thousands): new installs, and again the removed or failed ones."""
    now = timezone.now()
    ids = [t.pk for t in targets]
    mine = AppInstall.objects.filter(app=assignment.app, enrollment__in=ids)
    existing = set(mine.values_list("enrollment_id", flat=True))
    created = AppInstall.objects.bulk_create(
        [
            AppInstall(enrollment=t, app=assignment.app, assignment=assignment, next_attempt_at=now)
            for t in targets
            if t.pk not in existing
        ],
        ignore_conflicts=True,
    )
    again = mine.filter(
        enrollment__in=existing, status__in=(Status.REMOVED, Status.FAILED, Status.REMOVING)
    ).update(
        assignment=assignment,
        status=Status.REQUESTED,
        reason="",
        attempts=0,
        next_attempt_at=now,
        updated_at=now,
    )
    return len(created) + again


def _request(enrollment: Enrollment, assignment: AppAssignment) -> AppInstall | None:
    install, created = AppInstall.objects.get_or_create(
        enrollment=enrollment,
        app=assignment.app,
        defaults={"assignment": assignment, "next_attempt_at": timezone.now()},
    )
    if created:
        return install
    if install.status in (Status.REMOVED, Status.FAILED, Status.REMOVING):
        install.assignment = assignment
        install.status = Status.REQUESTED
        install.reason = ""
        install.attempts = 0
        install.next_attempt_at = timezone.now()
        install.save()
        return install
    return None


def request_install(
    *, enrollment: Enrollment, assignment: AppAssignment, actor: Actor = None
) -> AppInstall:
    """Install an available (or required) app on one device now, on request (audited)."""
    if not assignment_targets(assignment).filter(pk=enrollment.pk).exists():
        raise ManagedAppsError("this app is not assigned to that device")
    if (
        assignment.mode == AppAssignment.Mode.AVAILABLE
        and assignment.app.kind == App.Kind.STORE
        and licences_needed(assignment.app, [enrollment]) > assignment.app.licences_available
    ):
        raise ManagedAppsError(f"no licence left for {assignment.app.name}")
    with transaction.atomic():
        install = _request(enrollment, assignment)
        audit.record(
            actor=actor,
            action="apps.install_requested",
            target=assignment,
            details={
                "app": assignment.app.name,
                "device": str(enrollment.public_id),
                "already_requested": install is None,
            },
        )
    return install or AppInstall.objects.get(enrollment=enrollment, app=assignment.app)


def unassign(*, assignment: AppAssignment, actor: Actor = None) -> int:
    """Remove the assignment; its apps are removed from devices no other assignment covers."""
    audit.record(actor=actor, action="apps.unassigned", target=assignment)
    installs = list(
        AppInstall.objects.filter(assignment=assignment).select_related("enrollment__device", "app")
    )
    assignment.delete()
    removed = 0
    for install in installs:
        install.assignment = None  # the database set it NULL with the delete
        other = AppAssignment.objects.filter(app=install.app_id, mode=AppAssignment.Mode.REQUIRED)
        if any(assignment_targets(a).filter(pk=install.enrollment_id).exists() for a in other):
            continue
        remove_install(install=install)
        removed += 1
    return removed


def required_for(enrollment: Enrollment) -> list[AppAssignment]:
    """The required assignments that reach this enrollment now (as `assignment_targets`, from
    the enrollment's side), newest first, with their app: ONE query, whatever their number."""
    if (
        enrollment.channel != Enrollment.Channel.DEVICE
        or enrollment.status != Enrollment.Status.ENROLLED
    ):
        return []
    reaching = Q(scope=AppAssignment.Scope.DEVICE, enrollment=enrollment.pk) | Q(
        scope=AppAssignment.Scope.ENROLLMENT_TYPE, enrollment_type=enrollment.enrollment_type
    )
    person = enrollment.device.directory_user_id
    if person is not None:
        # One row per assignment: a person is in a group once (the m2m's unique pair).
        reaching |= Q(scope=AppAssignment.Scope.GROUP, group__members=person)
    return list(
        AppAssignment.objects.filter(reaching, mode=AppAssignment.Mode.REQUIRED).select_related(
            "app"
        )
    )


def _request_for(enrollment: Enrollment, assignments: list[AppAssignment]) -> int:
    """_request for many apps on one device in a few statements whatever their number: new
    installs in one INSERT, the removed or failed ones requested again in one UPDATE. The
    first (newest) assignment of an app wins, as one `_request` after the other would."""
    first: dict[int, AppAssignment] = {}
    for assignment in assignments:
        first.setdefault(assignment.app_id, assignment)
    if not first:
        return 0
    now = timezone.now()
    existing = list(AppInstall.objects.filter(enrollment=enrollment, app__in=list(first)))
    again = [i for i in existing if i.status in (Status.REMOVED, Status.FAILED, Status.REMOVING)]
    for install in again:
        install.assignment = first[install.app_id]
        install.status = Status.REQUESTED
        install.reason = ""
        install.attempts = 0
        install.next_attempt_at = now
        install.updated_at = now
    have = {i.app_id for i in existing}
    created = AppInstall.objects.bulk_create(
        [
            AppInstall(enrollment=enrollment, app=a.app, assignment=a, next_attempt_at=now)
            for app_id, a in first.items()
            if app_id not in have
        ],
        ignore_conflicts=True,  # a concurrent request of the same app: it stays requested once
    )
    if again:
        AppInstall.objects.bulk_update(
            again,
            ["assignment", "status", "reason", "attempts", "next_attempt_at", "updated_at"],
        )
    return len(created) + len(again)


# Whether any app is required anywhere: every enrollment asks (`enrollment_started`), and most
# organisations have no required app, or change their assignments a few times a month. Kept per
# process (mdm_server.config_cache): assignments are written through save() and delete() (the
# cascades of an app, a group or an enrollment too), which replace the generation. A stale
# True only costs the decision's query.
_ANY_REQUIRED = CachedValue(
    "managed_apps.any_required",
    lambda: AppAssignment.objects.filter(mode=AppAssignment.Mode.REQUIRED).exists(),
    models=[AppAssignment],
)


def enrollment_started(*, enrollment: Enrollment) -> int:
    """A new enrollment: request every required app whose assignment reaches it. One query
    decides (none while no app is required anywhere), a few statements request (not per
    assignment)."""
    if not _ANY_REQUIRED.get():
        return 0
    required = required_for(enrollment)
    if not required:
        return 0  # no transaction to open
    with transaction.atomic():
        return _request_for(enrollment, required)


def carry_over_apps(*, old: Enrollment, new: Enrollment, hold: bool = False) -> int:
    """The person's new device replaces `old` (inside the replacement's transaction): the apps
    assigned to the old device itself are assigned to the new one, with the same settings, and
    the required ones requested there (group and enrollment-type assignments follow the person
    and the type already, at the new enrollment). With `hold`, the new installs wait (CLAIM)
    until the old device's licences are released (`release_then_advance`): the person's user
    licence must not be disassociated while the new device is getting it. The number of
    assignments carried over."""
    carried = 0
    own = AppAssignment.objects.filter(
        scope=AppAssignment.Scope.DEVICE, enrollment=old
    ).select_related("app")
    for assignment in own:
        if AppAssignment.objects.filter(
            scope=AppAssignment.Scope.DEVICE, enrollment=new, app=assignment.app_id
        ).exists():
            continue
        copy = AppAssignment.objects.create(
            app=assignment.app,
            scope=AppAssignment.Scope.DEVICE,
            enrollment=new,
            mode=assignment.mode,
            configuration=assignment.configuration,
            vpn_uuid=assignment.vpn_uuid,
            associated_domains=assignment.associated_domains,
            removable=assignment.removable,
            created_by=assignment.created_by,
        )
        audit.record(
            actor=None,
            action="apps.assigned",
            target=copy,
            details={"app": assignment.app.name, "carried_over_from": str(old.public_id)},
        )
        if copy.mode == AppAssignment.Mode.REQUIRED:
            install = _request(new, copy)
            if install is not None and hold:
                AppInstall.objects.filter(pk=install.pk).update(
                    next_attempt_at=timezone.now() + CLAIM
                )
        carried += 1
    return carried


def reconcile_people(*, user_ids: Iterable[int]) -> tuple[int, int]:
    """After group changes: request the required apps these people's devices now fall under,
    and remove the ones no assignment reaches any more. Returns (requested, removed)."""
    enrollments = Enrollment.objects.filter(
        device__directory_user__in=list(user_ids),
        channel=Enrollment.Channel.DEVICE,
        status=Enrollment.Status.ENROLLED,
    )
    requested = removed = 0
    for enrollment in enrollments.select_related("device"):
        required = required_for(enrollment)
        if required:
            with transaction.atomic():
                requested += _request_for(enrollment, required)
        installs = AppInstall.objects.filter(
            enrollment=enrollment, assignment__scope=AppAssignment.Scope.GROUP
        ).select_related("app", "app__token", "assignment", "enrollment")
        for install in installs.exclude(status__in=(Status.REMOVED, Status.REMOVING)):
            reaching = [a for a in required if a.app_id == install.app_id]
            if reaching:
                if install.assignment not in reaching:
                    install.assignment = reaching[0]
                    install.save(update_fields=["assignment", "updated_at"])
                continue
            remove_install(install=install)
            removed += 1
    return requested, removed
