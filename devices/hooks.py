"""Extension points the enrollment app fills in, so the devices app never imports it.

- The enrollment resolver tells, at Authenticate, which kind of enrollment a new device channel is
  and which enrollment session it came from (from its identity certificate's issuance reference),
  with what the takeover rules (`devices.binding`) need to know of that session.
- The session binder binds a channel to its session at Authenticate (and, on a re-enrollment,
  ends the sessions of the enrollment it replaces); the session ender ends them at CheckOut.
- The bearer checker validates the `Authorization: Bearer` token of account-driven enrollments on
  later check-in and connect requests; an expired session gets a 401 *with* a challenge.

They fail closed: a security hook nobody registered refuses (`HookMissing`, answered 503 with the
reason, which a device retries later, never a bare 401) rather than letting a request through
unchecked. The enrollment app registers them all in its `AppConfig.ready()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from devices.exceptions import CheckinRejected

if TYPE_CHECKING:
    from devices.capabilities import Target
    from devices.hotpath import FirstPush, OutboxPart, SessionRead, SessionSql
    from devices.models import Enrollment
    from devices.protocol import EnrollmentIds
    from devices.services.queue import CommandRequest


@dataclass(frozen=True)
class EnrollmentContext:
    enrollment_type: str  # an Enrollment.Type value
    reference: str = ""  # enrollment session id ("" when the certificate came from no session)
    managed_apple_id: str = ""
    directory_user_id: int | None = None
    session_revoked: bool = False
    session_enrollment_id: int | None = None  # the device channel the session is bound to
    # The person's group default ownership of a new Device ("" when no group sets it).
    ownership: str = ""
    # A Device known before enrollment (an ADE device from Apple Business Manager) that the
    # new channel should belong to, if its serial number matches.
    device_id: int | None = None
    # The UDID Apple's signature vouched for when this identity was issued (an ADE profile
    # request's signed MachineInfo); "" when the UDID is only the device's word.
    vouched_udid: str = ""


@dataclass(frozen=True)
class AuthChallenge:
    """Answer 401 with this WWW-Authenticate value (never a bare 401: it unenrolls the device)."""

    www_authenticate: str


# (channel ids, issuance reference of the identity certificate, bearer token, the session's row
# when the certificate's statement read it: `hotpath.SessionRead`)
EnrollmentResolver = Callable[
    ["EnrollmentIds", str, str | None, "SessionRead | None"], EnrollmentContext | None
]
BearerChecker = Callable[["Enrollment", str | None], AuthChallenge | None]
# (device channel, whether it replaced another certificate's enrollment of the same channel)
# -> False when the session was bound to another channel meanwhile (a concurrent Authenticate)
SessionBinder = Callable[["Enrollment", bool], bool]
# (a new device channel, the SQL of its key in the statement that inserts it) -> the UPDATE that
# binds its session, without RETURNING, and its parameters, for that statement to run; None
# when the binder must be asked instead (after the channel is written)
SessionBindStatement = Callable[["Enrollment", str], tuple[str, list[Any]] | None]
SessionEnder = Callable[["Enrollment", str], None]


class HookMissing(CheckinRejected):
    """A security hook is not registered: the request is refused, not let through unchecked."""

    def __init__(self, name: str) -> None:
        super().__init__(503, f"this server is not set up to check {name} (hook not registered)")


_resolver: EnrollmentResolver | None = None
_session_sql: SessionSql | None = None
_bearer_checker: BearerChecker | None = None
_session_binder: SessionBinder | None = None
_session_bind_statement: SessionBindStatement | None = None
_session_ender: SessionEnder | None = None


def set_enrollment_resolver(
    fn: EnrollmentResolver | None, *, session_sql: SessionSql | None = None
) -> None:
    global _resolver, _session_sql  # one process-wide registration from AppConfig.ready()
    _resolver, _session_sql = fn, session_sql


def session_sql() -> SessionSql | None:
    """How the resolver's read of a session is run by another statement (None: not at all)."""
    return _session_sql if _resolver is not None else None


def set_bearer_checker(fn: BearerChecker | None) -> None:
    global _bearer_checker
    _bearer_checker = fn


def set_session_hooks(
    *,
    binder: SessionBinder | None,
    ender: SessionEnder | None,
    bind_statement: SessionBindStatement | None = None,
) -> None:
    global _session_binder, _session_ender, _session_bind_statement
    _session_binder, _session_ender = binder, ender
    _session_bind_statement = bind_statement


def resolve_enrollment(
    ids: EnrollmentIds, reference: str, bearer: str | None, read: SessionRead | None = None
) -> EnrollmentContext | None:
    """`read`: the session's row, when the statement that read the certificate read it too
    (`session_sql`); else the resolver reads it."""
    if _resolver is None:
        raise HookMissing("enrollment sessions")
    return _resolver(ids, reference, bearer, read)


def bind_session(enrollment: Enrollment, *, replaced: bool) -> bool:
    """Authenticate accepted: the channel's session (its `enrollment_reference`) is bound to it.
    False when another channel got the session first (the Authenticate is then refused)."""
    if _session_binder is None:
        raise HookMissing("enrollment sessions")
    return _session_binder(enrollment, replaced)


def session_bind_statement(
    enrollment: Enrollment, channel_key: str
) -> tuple[str, list[Any]] | None:
    """What `bind_session(enrollment, replaced=False)` of a new channel writes, as an UPDATE (and
    its parameters) whose channel key is the SQL `channel_key`, for the statement that inserts
    the channel to run: bound when it updates a row, taken by another channel when it updates
    none. None when there is no such UPDATE (no session, or none registered):
    `bind_session` then, once the channel is written."""
    if _session_bind_statement is None or _session_binder is None:
        return None
    return _session_bind_statement(enrollment, channel_key)


def end_sessions(enrollment: Enrollment, reason: str) -> None:
    """The device channel's enrollment ended (`reason`: a check-out, an administrator's
    unenroll, a takeover): its sessions and their tokens stop working."""
    if _session_ender is None:
        raise HookMissing("enrollment sessions")
    _session_ender(enrollment, reason)


def check_bearer(enrollment: Enrollment, bearer: str | None) -> AuthChallenge | None:
    """None when the request may go on, a challenge to answer with 401 otherwise."""
    if _bearer_checker is None:
        raise HookMissing("bearer tokens")
    return _bearer_checker(enrollment, bearer)


@dataclass(frozen=True)
class DeclarativeAnswer:
    """What a DeclarativeManagement check-in gets: 200 with a JSON body (None: empty), or a
    refusal status with its reason."""

    status: int = 200
    body: bytes | None = None
    reason: str = ""
    # For a status report: the report as it may be kept for the channel (None: as sent), and
    # each status item not kept with why (a User Enrollment reports no device identifier).
    report: Mapping[str, Any] | None = None
    withheld: Mapping[str, str] = field(default_factory=dict)


# (channel, Endpoint, Data) -> the answer; the declarations app registers it.
DeclarativeHandler = Callable[["Enrollment", str, bytes | None], DeclarativeAnswer]
_declarative_handler: DeclarativeHandler | None = None


def set_declarative_handler(fn: DeclarativeHandler | None) -> None:
    """The declarations app serves `tokens`, `declaration-items`, `declaration/...` and `status`."""
    global _declarative_handler
    _declarative_handler = fn


def declarative_handler() -> DeclarativeHandler | None:
    return _declarative_handler


# (declaration type, target) -> why that declaration may not reach the target, None when it may;
# the declarations app registers it, so the privacy page can tell whether a declaration still
# does what a command Apple removed did (devices.disclosure).
DeclarationCheck = Callable[[str, "Target"], str | None]
_declaration_check: DeclarationCheck | None = None


def set_declaration_check(fn: DeclarationCheck | None) -> None:
    global _declaration_check
    _declaration_check = fn


def declaration_check() -> DeclarationCheck | None:
    return _declaration_check


class RenewalUnavailable(Exception):
    """The renewal profile of a device cannot be built (the message says why)."""


# (device channel) -> the signed enrollment profile that renews its identity
RenewalProfileBuilder = Callable[["Enrollment"], bytes]
_renewal_builder: RenewalProfileBuilder | None = None


def set_renewal_profile_builder(fn: RenewalProfileBuilder | None) -> None:
    """The enrollment app builds the profiles: it registers the renewal profile builder."""
    global _renewal_builder
    _renewal_builder = fn


def build_renewal_profile(enrollment: Enrollment) -> bytes:
    """The updated enrollment profile that renews this channel's identity (RenewalUnavailable)."""
    if _renewal_builder is None:
        raise RenewalUnavailable("no enrollment app is installed to build the renewal profile")
    return _renewal_builder(enrollment)


def _register(registry: dict[str, Any], name: str, fn: Any) -> None:
    """Put `fn` in a registry under `name`, or take the entry out when `fn` is None."""
    if fn is None:
        registry.pop(name, None)
    else:
        registry[name] = fn


# GetToken providers by TokenServiceType: the device channel -> the token (None: not configured).
TokenProvider = Callable[["Enrollment"], bytes | None]
_token_providers: dict[str, TokenProvider] = {}


def set_token_provider(service_type: str, fn: TokenProvider | None) -> None:
    """The app that can answer a GetToken service type registers here (com.apple.maid: abm)."""
    _register(_token_providers, service_type, fn)


def provide_token(service_type: str, enrollment: Enrollment) -> bytes | None:
    provider = _token_providers.get(service_type)
    return provider(enrollment) if provider else None


# What the other apps send a channel at its first TokenUpdate, INSIDE its transaction, queued
# with its inventory in one enqueue and one push (`services.inventory_queue.queue_first_commands`).
# A provider returns a list of `devices.services.queue.CommandRequest` (or None). Providers read;
# what they record about their commands they write from the enqueue's result
# (`CommandRequest.on_queued`), in the same transaction. They run with the enqueue in a savepoint,
# and again each in its own once anything there raises: one that raises (even on failed SQL) is
# logged and left out; a database lost under it fails the TokenUpdate (503). Should the enqueue refuse a provider's request, the inventory is queued alone (logged).
FirstCommandsProvider = Callable[["Enrollment"], "list[CommandRequest] | None"]
_first_commands: dict[str, FirstCommandsProvider] = {}


def set_first_commands(name: str, fn: FirstCommandsProvider | None) -> None:
    """An app registers (or, with None, removes) what it sends a channel at enrollment."""
    _register(_first_commands, name, fn)


def first_commands_providers() -> list[tuple[str, FirstCommandsProvider]]:
    """The registered providers, in registration order (apps' ready() order)."""
    return list(_first_commands.items())


# A channel's first TokenUpdate asks its push in the push outbox as every enqueue does
# (`signals.commands_enqueued`), but by the statement that writes the TokenUpdate and its first
# commands (`hotpath.OutboxPart`): one statement fewer for every enrollment. The apns app
# registers how; unregistered, or when it answers None, the receivers write it as for any
# enqueue.
_first_push: list[FirstPush] = []


def set_first_push(fn: FirstPush | None) -> None:
    _first_push[:] = [fn] if fn is not None else []


def first_push(enrollment_id: int, written_channel: str) -> OutboxPart | None:
    """The outbox part of channel `enrollment_id`'s first TokenUpdate, reading the channel's row
    as written from the WITH part `written_channel`; None to leave it to the receivers."""
    return _first_push[0](enrollment_id, written_channel) if _first_push else None


# Console device page: a nested app (managed apps) shows what it holds of a device in a panel of
# its own. The provider gets the device channel and returns the panel (None: nothing to show).
@dataclass(frozen=True)
class DevicePanel:
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


DevicePanelProvider = Callable[["Enrollment"], DevicePanel | None]
_device_panels: dict[str, DevicePanelProvider] = {}


def set_device_panel(name: str, fn: DevicePanelProvider | None) -> None:
    """An app registers (or, with None, removes) its panel on the console's device page."""
    _register(_device_panels, name, fn)


def device_panels(enrollment: Enrollment) -> list[DevicePanel]:
    """The registered panels for this device, in registration order. A failing provider is
    logged and left out: the device page still shows everything else."""
    panels = []
    for name, provider in list(_device_panels.items()):
        try:
            panel = provider(enrollment)
        except Exception:
            logging.getLogger(__name__).exception("device panel %s failed", name)
            continue
        if panel is not None:
            panels.append(panel)
    return panels
