"""Apple Business Manager write paths: links and server tokens, device sync, Setup Assistant
profiles and their assignment, account-driven registration, ADE enrollment and GetToken."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from devices.models import Device, fit
from enrollment.abm import client as abm_client
from enrollment.abm import hooks, protocol
from enrollment.abm import token as abm_token
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from mdm_server import apple, audit, encryption

logger = logging.getLogger(__name__)

TOKEN_WARNING_DAYS = 30
ADE_REFERENCE_PREFIX = hooks.ADE_REFERENCE_PREFIX
AbmApiError = abm_client.AbmApiError
ServerTokenError = abm_token.ServerTokenError


class AbmError(Exception):
    """An ABM operation cannot be done; the text is for the admin (a 4xx or a form error)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def check_typed(values: Sequence[str], what: str) -> None:
    """An AbmError for typed serial numbers or names holding a control character (PostgreSQL
    refuses NUL in a query; Apple has no such serial number)."""
    if any(ord(c) < 32 or ord(c) == 127 for value in values for c in value):
        raise AbmError(f"{what} have no control characters: check what was typed.")


# --- links and server tokens -----------------------------------------------------------------


@transaction.atomic
def create_link(
    *, name: str, actor: Any, api_url: str = abm_client.DEFAULT_URL, ca_pem: str = ""
) -> AbmLink:
    """A new link: its own RSA key and self-signed certificate, to upload to ABM."""
    name = name.strip()
    if not name:
        raise AbmError("A link needs a name.")
    if AbmLink.objects.filter(name=name).exists():
        raise AbmError(f"A link named {name!r} exists already.")
    if not api_url.startswith("https://"):
        raise AbmError("The Apple Business Manager API address must be https://.")
    if ca_pem.strip():
        from cryptography import x509

        try:
            x509.load_pem_x509_certificates(ca_pem.strip().encode())
        except ValueError:
            raise AbmError("The extra CA must be one or more PEM certificates.") from None
    identity = abm_token.new_link_identity(name=name)
    link = AbmLink.objects.create(
        name=name,
        api_url=api_url.rstrip("/"),
        ca_pem=ca_pem,
        encrypted_key=encryption.encrypt(identity.key_pem),
        certificate_pem=identity.certificate_pem.decode(),
    )
    audit.record(actor=actor, action="abm.link_created", target=link)
    return link


def _identity(link: AbmLink) -> abm_token.LinkIdentity:
    return abm_token.LinkIdentity(
        key_pem=encryption.decrypt(link.encrypted_key),
        certificate_pem=link.certificate_pem.encode(),
    )


def upload_server_token(*, link: AbmLink, data: bytes, actor: Any) -> AbmLink:
    """Decrypt the `.p7m` ABM returned (encrypted to this link's certificate) and keep it,
    encrypted; a renewal replaces the token and keeps the link, its devices and profiles."""
    try:
        server_token = abm_token.decrypt_server_token(data, _identity(link))
    except ServerTokenError as exc:
        raise AbmError(str(exc)) from None
    if server_token.access_token_expiry <= timezone.now():
        raise AbmError(
            "This server token has already expired "
            f"({server_token.access_token_expiry:%Y-%m-%d}). Download a new one in Apple "
            "Business Manager."
        )
    renewal = link.has_token
    with transaction.atomic():
        link.encrypted_token = encryption.encrypt(server_token.to_json().encode())
        link.token_expires_at = server_token.access_token_expiry
        link.token_uploaded_at = timezone.now()
        link.consumer_key = server_token.consumer_key[:255]
        link.last_error = link.last_error_code = ""
        link.last_error_at = None
        link.save()
        audit.record(
            actor=actor,
            action="abm.token_renewed" if renewal else "abm.token_uploaded",
            target=link,
            details={"expires": server_token.access_token_expiry.isoformat()},
        )
    return link


def _server_token(link: AbmLink) -> abm_token.ServerToken:
    if not link.has_token or link.encrypted_token is None:
        raise AbmError(f"Upload the server token of {link.name} first.", status=409)
    try:
        text = encryption.decrypt(link.encrypted_token).decode()
        return abm_token.ServerToken.from_json(text)
    except (encryption.DecryptionError, ServerTokenError):
        raise AbmError(
            f"The stored server token of {link.name} cannot be read; upload it again.",
            status=409,
        ) from None


def client_for(link: AbmLink) -> abm_client.AbmClient:
    return abm_client.AbmClient(
        token=_server_token(link), base_url=link.api_url, ca_pem=link.ca_pem
    )


def _failed(link: AbmLink, exc: AbmApiError) -> AbmError:
    """Keep Apple's refusal on the link (the dashboard shows it) and turn it into an AbmError."""
    now = timezone.now()
    fields = {"last_error": str(exc)[:2000], "last_error_code": exc.code, "last_error_at": now}
    if exc.retry_after is not None:
        fields["retry_after"] = now + dt.timedelta(seconds=exc.retry_after)
    AbmLink.objects.filter(pk=link.pk).update(**fields)
    for key, value in fields.items():
        setattr(link, key, value)
    status = 503 if exc.is_transient else 502
    return AbmError(str(exc), status=status)


def _succeeded(link: AbmLink) -> None:
    if link.last_error or link.retry_after:
        AbmLink.objects.filter(pk=link.pk).update(
            last_error="", last_error_code="", last_error_at=None, retry_after=None
        )
        link.last_error = link.last_error_code = ""
        link.last_error_at = link.retry_after = None


def refresh_account(*, link: AbmLink) -> dict[str, Any]:
    """Account Detail: the server_uuid (the maid JWT's issuer), names of server and org."""
    api = client_for(link)
    try:
        account = api.account()
    except AbmApiError as exc:
        raise _failed(link, exc) from None
    link.server_uuid = str(account.get("server_uuid") or "")[:64]
    link.server_name = str(account.get("server_name") or "")[:255]
    link.org_name = str(account.get("org_name") or "")[:255]
    link.org_email = str(account.get("org_email") or "")[:255]
    link.save(update_fields=["server_uuid", "server_name", "org_name", "org_email"])
    _succeeded(link)
    return account


def expiring_links(days: int = TOKEN_WARNING_DAYS) -> list[AbmLink]:
    """Links whose token expires within `days` (or has expired): the dashboard warns."""
    limit = timezone.now() + dt.timedelta(days=days)
    return list(AbmLink.objects.filter(token_expires_at__lte=limit))


def dashboard_alerts() -> list[str]:
    """What the dashboard warns about: no Apple device CA to verify ADE devices with, tokens
    expiring or expired, Apple's last refusal."""
    from django.conf import settings

    from enrollment.models import EnrollmentSettings

    alerts = []
    now = timezone.now()
    links = list(AbmLink.objects.all())
    if links and not (
        settings.MDM_ADE_ACCEPT_UNSIGNED_MACHINE_INFO
        or EnrollmentSettings.current().apple_device_ca_pem.strip()
    ):
        alerts.append(
            "Automated Device Enrollment is refused until Apple's device CA is set in the "
            "enrollment settings: without it a device's MachineInfo cannot be verified."
        )
    for link in links:
        if not link.has_token:
            alerts.append(
                f"Apple Business Manager link {link.name}: upload the server token ABM gives "
                "for this link's public key."
            )
            continue
        if link.token_expires_at is not None and link.token_expires_at <= now:
            alerts.append(
                f"The Apple Business Manager server token of {link.name} has expired: devices "
                "no longer sync. Download a new one in ABM and upload it (the link stays)."
            )
        elif link.token_expires_at is not None and link.token_expires_at <= now + dt.timedelta(
            days=TOKEN_WARNING_DAYS
        ):
            days = (link.token_expires_at - now).days
            alerts.append(
                f"The Apple Business Manager server token of {link.name} expires in {days} "
                "day(s): download a new one in ABM and upload it here."
            )
        if link.last_error:
            alerts.append(f"Apple Business Manager ({link.name}): {link.last_error}")
    return alerts


# --- device sync -----------------------------------------------------------------------------

_DEVICE_FIELDS = (
    "model",
    "description",
    "color",
    "os",
    "device_family",
    "asset_tag",
    "profile_status",
    "profile_uuid",
    "profile_assign_time",
    "profile_push_time",
)


def known_device(record: protocol.DeviceRecord) -> Device:
    """The Device of an ABM record: the enrolled (or already known) one with its serial number,
    else a new corporate Device, known before it enrolls."""
    found = (
        Device.objects.filter(serial_number=record.serial_number, user_enrollment=False)
        .order_by("-pk")
        .first()
    )
    if found is not None:
        return found
    return Device.objects.create(
        serial_number=record.serial_number,
        model_name=fit(Device, "model_name", record.model),
        platform=apple.platform_of(record.device_family) or "",
        ownership=Device.Ownership.CORPORATE,
    )


def _apply_records(link: AbmLink, records: list[protocol.DeviceRecord]) -> tuple[int, int]:
    """Upsert one page; `deleted` marks the device removed (never deletes what we know). In
    the page's transaction, the link's row is locked first: two syncs of one link at once (an
    administrator's and the scheduled one) apply their pages in turn, each reading what the
    other wrote (they would both have created a new device's row: the second on its key)."""
    AbmLink.objects.select_for_update().filter(pk=link.pk).first()
    now = timezone.now()
    known = {
        d.serial_number: d
        for d in AbmDevice.objects.filter(
            link=link, serial_number__in=[r.serial_number for r in records]
        )
    }
    changed = removed = 0
    for record in records:
        device = known.get(record.serial_number) or AbmDevice(
            link=link, serial_number=record.serial_number
        )
        if record.op_type == "deleted":
            if device.pk and device.removed_at is None:
                device.removed_at = record.op_date or now
                device.save(update_fields=["removed_at", "synced_at"])
                removed += 1
            continue
        for name in _DEVICE_FIELDS:
            setattr(device, name, getattr(record, name))
        device.assigned_by = record.device_assigned_by
        device.assigned_at = record.device_assigned_date
        device.removed_at = None
        if device.device_id is None:
            device.device = known_device(record)
        device.save()
        # Apple's sync lists a device once per change: a later record of this page updates it.
        known[record.serial_number] = device
        changed += 1
    return changed, removed


def sync_devices(*, link: AbmLink, max_pages: int = 200) -> dict[str, int]:
    """Full fetch with a cursor the first time (or when Apple drops the cursor), then
    incremental syncs from the saved cursor; then profiles are assigned by rule."""
    if link.retry_after and link.retry_after > timezone.now():
        raise AbmError(
            f"Apple Business Manager asked to wait until {link.retry_after:%H:%M:%S} UTC.",
            status=503,
        )
    api = client_for(link)
    totals = {"changed": 0, "removed": 0, "pages": 0}
    full = not link.cursor
    cursor = link.cursor
    try:
        for _ in range(max_pages):
            try:
                page = api.fetch_devices(cursor) if full else api.sync_devices(cursor)
            except AbmApiError as exc:
                if exc.is_cursor_error and not full:
                    full, cursor = True, ""
                    continue
                raise
            records = [r for r in map(protocol.parse_device, page.devices) if r is not None]
            with transaction.atomic():
                changed, removed = _apply_records(link, records)
                cursor = page.cursor
                # The cursor is saved with the page it follows: a crash repeats one page at most.
                AbmLink.objects.filter(pk=link.pk).update(
                    cursor=cursor[:1000], fetched_until=page.fetched_until[:64]
                )
            totals["changed"] += changed
            totals["removed"] += removed
            totals["pages"] += 1
            if not page.more_to_follow:
                break
    except AbmApiError as exc:
        raise _failed(link, exc) from None
    link.cursor = cursor[:1000]
    link.last_sync_at = timezone.now()
    link.save(update_fields=["last_sync_at"])
    _succeeded(link)
    totals["assigned"] = assign_by_rule(link=link, api=api)
    return totals


# --- Setup Assistant profiles ----------------------------------------------------------------


def enrollment_url(profile: AbmProfile) -> str:
    from enrollment.services.core import public_url

    return public_url(reverse("abm:enroll", args=[profile.public_id]))


def _options(profile: AbmProfile) -> protocol.ProfileOptions:
    return protocol.ProfileOptions(
        name=profile.name,
        url=enrollment_url(profile),
        supervised=profile.supervised,
        await_device_configured=profile.await_device_configured,
        mdm_removable=profile.mdm_removable,
        skip_setup_items=tuple(profile.skip_setup_items),
        department=profile.department,
        support_phone_number=profile.support_phone_number,
        support_email_address=profile.support_email_address,
        anchor_certs_pem=profile.anchor_certs_pem,
        language=profile.language,
        region=profile.region,
    )


# Commands an administrator may have sent while Setup Assistant waits: the registry's, except
# what Setup Assistant does itself (DeviceConfigured), what has its own option (configuration
# profiles) and what would end or wipe the enrollment being set up.
_NOT_FIRST_COMMANDS = frozenset({"DeviceConfigured", "InstallProfile", "Unenroll"})
MAX_FIRST_COMMANDS = 20


def first_command_names() -> list[str]:
    from devices import commands

    return sorted(
        name
        for name, spec in commands.REGISTRY.items()
        if not spec.destructive and name not in _NOT_FIRST_COMMANDS
    )


def check_first_commands(items: Any) -> list[dict[str, Any]]:
    """The profile's first commands, each built once by the command registry to refuse bad
    parameters now rather than at a device's Setup Assistant (an AbmError saying which)."""
    from devices import commands

    if not isinstance(items, list) or len(items) > MAX_FIRST_COMMANDS:
        raise AbmError(f"First commands are a list of at most {MAX_FIRST_COMMANDS} commands.")
    allowed = set(first_command_names())
    checked = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) - {"request_type", "params"}:
            raise AbmError(f"First command {number}: give request_type and params only.")
        name, params = item.get("request_type"), item.get("params") or {}
        if name not in allowed:
            raise AbmError(
                f"First command {number}: {str(name)[:64]!r} cannot be sent while Setup "
                f"Assistant waits; one of: {', '.join(sorted(allowed))}."
            )
        if not isinstance(params, dict):
            raise AbmError(f"First command {number}: params must be a dictionary.")
        try:
            commands.build_command(str(name), params)
        except commands.CommandInputError as exc:
            raise AbmError(f"First command {number} ({name}): {exc}") from None
        checked.append({"request_type": name, "params": params})
    return checked


def define_profile(
    *, profile: AbmProfile, actor: Any, groups: Sequence[Any] | None = None
) -> AbmProfile:
    """Save the profile (and its groups, when given) and define it in ABM (Define Profile): a
    changed profile is a new profile_uuid there, which the devices assigned to it get again."""
    try:
        body = protocol.build_profile(_options(profile))
    except protocol.ProfileError as exc:
        raise AbmError(str(exc)) from None
    profile.first_commands = check_first_commands(profile.first_commands)
    api = client_for(profile.link)  # no token: refused before anything is saved
    with transaction.atomic():
        if profile.is_default:
            AbmProfile.objects.filter(link=profile.link, is_default=True).exclude(
                pk=profile.pk
            ).update(is_default=False)
        profile.save()
        if groups is not None:
            profile.groups.set(groups)
    try:
        result = api.define_profile(body)
    except AbmApiError as exc:
        raise _failed(profile.link, exc) from None
    previous = profile.profile_uuid
    profile.profile_uuid = str(result["profile_uuid"])[:64]
    profile.defined_at = timezone.now()
    profile.save(update_fields=["profile_uuid", "defined_at"])
    audit.record(
        actor=actor,
        action="abm.profile_defined",
        target=profile,
        details={"profile_uuid": profile.profile_uuid},
    )
    if previous and previous != profile.profile_uuid:
        serials = list(
            AbmDevice.objects.filter(profile=profile, removed_at__isnull=True).values_list(
                "serial_number", flat=True
            )
        )
        if serials:
            _assign(profile.link, api, profile, serials)
    return profile


def _rule_matches(profile: AbmProfile, device: AbmDevice) -> bool:
    wanted = {str(m).strip().lower() for m in profile.models_rule}
    return bool(wanted & {device.model.lower(), device.device_family.lower()})


def profile_for(
    device: AbmDevice,
    profiles: list[AbmProfile],
    *,
    person_groups: Sequence[int] = (),
    group_profiles: dict[int, AbmProfile] | None = None,
) -> AbmProfile | None:
    """The rule, first match wins: (1) the device's person's groups, in the groups' priority
    order (lower number first, then name: the order enrollment uses), the first group that has
    a profile of this link; (2) the first profile, by name, whose model list names the device's
    model or family; (3) the link's default profile. Only profiles defined in ABM count."""
    for group_id in person_groups:
        chosen = (group_profiles or {}).get(group_id)
        if chosen is not None and chosen.profile_uuid:
            return chosen
    defined = [p for p in profiles if p.profile_uuid]
    for profile in defined:
        if profile.models_rule and _rule_matches(profile, device):
            return profile
    return next((p for p in defined if p.is_default), None)


def _group_rules(link: AbmLink) -> tuple[dict[int, AbmProfile], dict[int, list[int]]]:
    """(group id -> its profile of this link, person id -> their group ids in priority order)
    for the persons of this link's devices: three queries whatever the number of devices."""
    from directory.models import DirectoryUser

    group_profiles: dict[int, AbmProfile] = {}
    through = AbmProfile.groups.through
    for row in (
        through.objects.filter(abmprofile__link=link, abmprofile__profile_uuid__gt="")
        .select_related("abmprofile")
        .order_by("abmprofile__name", "abmprofile_id")
    ):
        group_profiles.setdefault(row.directorygroup_id, row.abmprofile)
    person_groups: dict[int, list[int]] = defaultdict(list)
    if group_profiles:
        members = DirectoryUser.groups.through
        for person_id, group_id in (
            members.objects.filter(directoryuser__abm_devices__link=link)
            .order_by("directorygroup__priority", "directorygroup__name", "directorygroup_id")
            .values_list("directoryuser_id", "directorygroup_id")
            .distinct()
        ):
            if group_id not in person_groups[person_id]:
                person_groups[person_id].append(group_id)
    return group_profiles, person_groups


def _assign(
    link: AbmLink, api: abm_client.AbmClient, profile: AbmProfile, serials: list[str]
) -> int:
    try:
        results = api.assign_profile(profile.profile_uuid, serials)
    except AbmApiError as exc:
        raise _failed(link, exc) from None
    ok = [s for s, outcome in results.items() if outcome == "SUCCESS"]
    AbmDevice.objects.filter(link=link, serial_number__in=ok).update(
        profile=profile,
        profile_uuid=profile.profile_uuid,
        profile_status="assigned",
        profile_assign_time=timezone.now(),
    )
    refused = {s: o for s, o in results.items() if o != "SUCCESS"}
    if refused:
        logger.warning("ABM refused to assign %s: %s", profile.profile_uuid, refused)
    return len(ok)


def assign_by_rule(*, link: AbmLink, api: abm_client.AbmClient | None = None) -> int:
    """Assign every present device the profile the rule picks when it has none of ours, and
    a device whose person's group has a profile that one (the group rule wins over a profile
    given by hand)."""
    profiles = list(AbmProfile.objects.filter(link=link))
    ours = {p.profile_uuid for p in profiles if p.profile_uuid}
    group_profiles, person_groups = _group_rules(link)
    pending: dict[int, list[str]] = defaultdict(list)
    by_id = {p.pk: p for p in profiles}
    for device in AbmDevice.objects.filter(link=link, removed_at__isnull=True):
        groups = person_groups.get(device.person_id or 0, [])
        chosen = profile_for(device, profiles, person_groups=groups, group_profiles=group_profiles)
        if chosen is None:
            continue
        has_ours = device.profile_uuid in ours and device.profile_status in ("assigned", "pushed")
        by_group = any(g in group_profiles for g in groups)
        if has_ours and not (by_group and device.profile_uuid != chosen.profile_uuid):
            continue
        pending[chosen.pk].append(device.serial_number)
    if not pending:
        return 0
    api = api or client_for(link)
    return sum(_assign(link, api, by_id[pk], serials) for pk, serials in pending.items())


def person_named(username: str) -> Any:
    """The directory user of this user name (any source); an AbmError when none or several."""
    from directory.models import DirectoryUser

    check_typed([username], "User names")
    found = list(DirectoryUser.objects.filter(username__iexact=username.strip())[:2])
    if not found:
        raise AbmError(f"No directory user is named {username[:255]!r}.")
    if len(found) > 1:
        raise AbmError(f"Several directory users are named {username[:255]!r}.")
    return found[0]


def set_device_person(*, device: AbmDevice, person: Any, actor: Any) -> AbmDevice:
    """Name the person a company device is for (None: nobody); their groups' profile, if any,
    is assigned to it in ABM at once."""
    if person is not None and not person.enabled:
        raise AbmError(f"{person} is disabled in the directory.")
    device.person = person
    device.save(update_fields=["person", "synced_at"])
    audit.record(
        actor=actor,
        action="abm.device_person",
        target=device.link,
        details={"serial": device.serial_number, "person": str(person) if person else None},
    )
    if device.link.has_token:
        assign_by_rule(link=device.link)
        device.refresh_from_db()
    return device


def assign_profile(*, profile: AbmProfile, serials: list[str], actor: Any) -> int:
    """Assign a defined profile to the listed devices by hand."""
    if not profile.profile_uuid:
        raise AbmError("Define the profile in Apple Business Manager first.", status=409)
    check_typed(serials, "Serial numbers")
    known = list(
        AbmDevice.objects.filter(
            link=profile.link, serial_number__in=serials, removed_at__isnull=True
        ).values_list("serial_number", flat=True)
    )
    if not known:
        raise AbmError("None of these serial numbers is a device of this link.")
    count = _assign(profile.link, client_for(profile.link), profile, known)
    audit.record(
        actor=actor, action="abm.profile_assigned", target=profile, details={"devices": known}
    )
    return count


def remove_profile(*, link: AbmLink, serials: list[str], actor: Any) -> dict[str, str]:
    """Remove Profile: the devices keep no Setup Assistant profile in ABM."""
    if not serials:
        raise AbmError("Name at least one device.")
    check_typed(serials, "Serial numbers")
    try:
        results = client_for(link).remove_profile(serials)
    except AbmApiError as exc:
        raise _failed(link, exc) from None
    ok = [s for s, outcome in results.items() if outcome == "SUCCESS"]
    AbmDevice.objects.filter(link=link, serial_number__in=ok).update(
        profile=None, profile_uuid="", profile_status="removed"
    )
    audit.record(actor=actor, action="abm.profile_removed", target=link, details=results)
    return results


# --- account-driven enrollment registration --------------------------------------------------


def discovery_link() -> AbmLink | None:
    """The link that speaks for the organisation (account-driven enrollment, GetToken)."""
    return (
        AbmLink.objects.filter(encrypted_token__isnull=False)
        .order_by("-discovery_url", "pk")
        .first()
    )


def register_discovery_url(*, link: AbmLink, url: str, actor: Any) -> dict[str, Any]:
    if not url.startswith("https://"):
        raise AbmError("Apple requires an https:// service discovery URL.")
    try:
        result = client_for(link).register_discovery_url(url)
    except AbmApiError as exc:
        raise _failed(link, exc) from None
    link.discovery_url = url
    link.save(update_fields=["discovery_url"])
    _succeeded(link)
    audit.record(actor=actor, action="abm.discovery_registered", target=link, details={"url": url})
    return result


def fetch_discovery_registration(*, link: AbmLink) -> dict[str, Any]:
    try:
        result = client_for(link).get_discovery_registration()
    except AbmApiError as exc:
        raise _failed(link, exc) from None
    url = str(result.get("mdm_service_discovery_url") or "")
    if url != link.discovery_url:
        link.discovery_url = url[:500]
        link.save(update_fields=["discovery_url"])
    _succeeded(link)
    return result


def delete_discovery_registration(*, link: AbmLink, actor: Any) -> dict[str, Any]:
    try:
        result = client_for(link).delete_discovery_registration()
    except AbmApiError as exc:
        raise _failed(link, exc) from None
    link.discovery_url = ""
    link.save(update_fields=["discovery_url"])
    _succeeded(link)
    audit.record(actor=actor, action="abm.discovery_removed", target=link)
    return result


# --- Automated Device Enrollment -------------------------------------------------------------


def enroll_ade_device(*, profile_id: str, body: bytes) -> bytes:
    """The enrollment URL of a Setup Assistant profile: the device's (signed) MachineInfo names
    a serial number ABM assigned to us; the answer is a signed Device Enrollment profile."""
    from enrollment.models import EnrollmentSettings
    from enrollment.services.core import EnrollmentError, read_machine_info

    profile = AbmProfile.objects.select_related("link").filter(public_id=profile_id).first()
    if profile is None:
        raise EnrollmentError(404, "unknown enrollment profile")
    options = EnrollmentSettings.current()
    _require_apple_signature(options)
    info = read_machine_info(body, options)
    serial = str(info.values.get("SERIAL") or "").strip().upper()
    if not serial:
        raise EnrollmentError(400, "MachineInfo has no SERIAL: not an Automated Device Enrollment")
    with transaction.atomic():
        device = (
            AbmDevice.objects.select_for_update()
            .filter(link=profile.link, serial_number=serial, removed_at__isnull=True)
            .first()
        )
        if device is None:
            raise EnrollmentError(
                403,
                "This device is not assigned to this organisation's MDM server in Apple "
                "Business Manager.",
            )
        changed = []
        if not device.enrollment_reference:
            # One reference per ABM device, kept across enrollments: a device erased and set up
            # again presents a new certificate under the same reference, which the takeover
            # rules (devices.binding) accept for its own channel and refuse for any other.
            device.enrollment_reference = ADE_REFERENCE_PREFIX + secrets.token_hex(12)
            changed.append("enrollment_reference")
        vouched = _vouched_udid(info, options)
        if vouched != device.vouched_udid:
            device.vouched_udid = vouched
            changed.append("vouched_udid")
        if changed:
            device.save(update_fields=[*changed, "synced_at"])
        return _ade_profile(device, options)


def _vouched_udid(info: Any, options: Any) -> str:
    """The MachineInfo's UDID when Apple's device CA signed it (checked against the configured
    CA by `read_machine_info`); "" when it was accepted unsigned or unchecked: then it is the
    device's word, as any profile-based enrollment's."""
    from enrollment.services.core import trusted_device_roots

    udid = info.values.get("UDID")
    if not info.signed or not isinstance(udid, str) or not trusted_device_roots(options):
        return ""
    return udid.strip()[:64]


def _require_apple_signature(options: Any) -> None:
    """The serial number in a MachineInfo is believed only when Apple's device CA vouches for
    it: the device signs MachineInfo with the identity Apple's "Apple iPhone Device CA" issued
    it (CMS SignedData), and `read_machine_info` then refuses an unsigned body or a signer that
    does not chain to the configured CA (400). Without a configured CA the server cannot tell
    a company device from anyone who knows its serial number: refused, unless an administrator
    chose to accept that risk (MDM_ADE_ACCEPT_UNSIGNED_MACHINE_INFO)."""
    from django.conf import settings

    from enrollment.services.core import EnrollmentError

    if options.apple_device_ca_pem.strip() or settings.MDM_ADE_ACCEPT_UNSIGNED_MACHINE_INFO:
        return
    raise EnrollmentError(
        403,
        "This server cannot verify that the device is genuine: an administrator sets Apple's "
        'device CA in the enrollment settings (README "Apple Business Manager").',
    )


def _ade_profile(device: AbmDevice, options: Any) -> bytes:
    from enrollment import mdm_profile
    from enrollment.services.core import (
        EnrollmentError,
        _identifier_prefix,
        _push_topic,
        public_url,
    )
    from mdm_server.pki import services as pki
    from mdm_server.pki.certificates import CertificateError
    from mdm_server.pki.signing import sign_profile
    from profiles.builder import to_mobileconfig

    topic = _push_topic()
    subject = f"MDM Automated Device Enrollment {device.enrollment_reference[4:16]}"
    # The challenge carries the subject the payload asks for: the CA signs that one only.
    challenge = pki.create_scep_challenge(reference=device.enrollment_reference, subject=subject)
    identity = mdm_profile.ScepIdentity(
        url=public_url("/scep"), challenge=challenge, subject_cn=subject
    )
    spec = mdm_profile.EnrollmentProfileSpec(
        kind=mdm_profile.ProfileKind.DEVICE,
        identifier=_identifier_prefix(),
        organisation=options.organisation_name,
        server_url=public_url("/mdm/connect"),
        check_in_url=public_url("/mdm/checkin"),
        topic=topic,
        identity=identity,
        access_rights=mdm_profile.ALL_ACCESS_RIGHTS,
    )
    try:
        profile = mdm_profile.build_enrollment_profile(spec)
        return sign_profile(to_mobileconfig(profile))
    except mdm_profile.MdmProfileError as exc:
        raise EnrollmentError(403, str(exc)) from None
    except CertificateError as exc:
        raise EnrollmentError(403, f"The server PKI is not ready: {exc}") from None


def start_device_configuration(enrollment: Any) -> None:
    """First TokenUpdate of an ADE device: link it to its ABM device; while Setup Assistant
    waits (AwaitingConfiguration), queue the profile's first profiles, then DeviceConfigured."""
    from devices.services import enqueue_command

    reference = enrollment.enrollment_reference or ""
    if enrollment.parent_id is not None:
        return
    if not reference.startswith(ADE_REFERENCE_PREFIX):
        # A company device enrolled another way (profile-based Device Enrollment): linked by
        # its serial number. A User Enrollment never reports one. Nobody vouches for that
        # serial, so the ABM record keeps the Device the sync made known for it (what was
        # prepared for the company device): the device Setup Assistant enrolls takes it.
        serial = (enrollment.device.serial_number or "").strip().upper()
        if serial and not enrollment.is_user_enrollment:
            AbmDevice.objects.filter(serial_number=serial, enrollment__isnull=True).update(
                enrollment=enrollment, enrolled_at=timezone.now()
            )
        return
    device = (
        AbmDevice.objects.select_related("profile").filter(enrollment_reference=reference).first()
    )
    if device is None:
        return
    with transaction.atomic():
        device.enrollment = enrollment
        device.device_id = enrollment.device_id
        device.enrolled_at = device.enrolled_at or timezone.now()
        device.save(update_fields=["enrollment", "device", "enrolled_at", "synced_at"])
        if not enrollment.awaiting_configuration:
            return
        profile = device.profile
        if profile is not None and profile.first_profiles:
            from profiles.models import Profile
            from profiles.services import install_profile

            for first in Profile.objects.filter(pk__in=profile.first_profiles):
                install_profile(
                    profile=first, enrollments=[enrollment], actor=None, origin="Setup Assistant"
                )
        for command in profile.first_commands if profile is not None else ():
            result = enqueue_command(
                enrollments=[enrollment],
                request_type=command["request_type"],
                payload=command["params"],
                origin="Setup Assistant",
            )
            for reason in result.refused.values():  # logged on the device too (the filter)
                logger.warning("first command refused for %s: %s", device.serial_number, reason)
        enqueue_command(
            enrollments=[enrollment], request_type="DeviceConfigured", origin="Setup Assistant"
        )
        device.configured_at = timezone.now()
        device.save(update_fields=["configured_at", "synced_at"])


# --- GetToken com.apple.maid -----------------------------------------------------------------


def maid_token_for(enrollment: Any) -> bytes | None:
    """The `com.apple.maid` token: a JWT signed with the key of the ABM link this device came
    through (ADE), else the organisation's link; None when no link knows its server_uuid."""
    link: AbmLink | None = None
    reference = enrollment.enrollment_reference or ""
    if reference.startswith(ADE_REFERENCE_PREFIX):
        device = AbmDevice.objects.select_related("link").filter(enrollment_reference=reference)
        found = device.first()
        link = found.link if found else None
    link = link or discovery_link()
    if link is None or not link.server_uuid:
        return None
    key_pem = encryption.decrypt(link.encrypted_key)
    return abm_token.maid_token(key_pem=key_pem, server_uuid=link.server_uuid).encode()
