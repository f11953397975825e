"""What a device is asked for its inventory, at enrollment and on the refresh schedule.

The commands go through the normal queue (`enqueue_commands`, all five at once) and so through the capability
filter: a User Enrollment is asked only what Apple allows it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from devices import hooks, hotpath
from devices.models import Enrollment
from devices.services.queue import CommandRequest, enqueue_commands

logger = logging.getLogger(__name__)

INVENTORY_ORIGIN = "inventory"
REFRESH_ORIGIN = "inventory refresh"
# DeviceInformation goes before anything else queued with it: a Device Enrollment's supervision
# is then known before the Mac sends SetBootstrapToken or gets commands that need it.
DEVICE_INFORMATION_PRIORITY = 60


def inventory_commands(*, user_enrollment: bool) -> list[tuple[str, dict[str, Any]]]:
    """What a device is asked for its inventory. DeviceInformation without `Queries` asks what
    the capability filter allows for that device (for a User Enrollment: never a hardware
    identifier); a User Enrollment lists only the apps the organisation manages."""
    apps: dict[str, Any] = {"ManagedAppsOnly": True} if user_enrollment else {}
    return [
        ("DeviceInformation", {}),
        ("SecurityInfo", {}),
        ("ProfileList", {}),
        ("CertificateList", {}),
        ("InstalledApplicationList", apps),
    ]


def _inventory_requests(*, user_enrollment: bool) -> list[CommandRequest]:
    return [
        CommandRequest(
            request_type,
            payload,
            DEVICE_INFORMATION_PRIORITY if request_type == "DeviceInformation" else None,
        )
        for request_type, payload in inventory_commands(user_enrollment=user_enrollment)
    ]


def queue_inventory(enrollments: QuerySet[Enrollment] | list[Enrollment], origin: str) -> int:
    """Queue the inventory commands for these device channels; User Enrollments and the others
    each get their set. The enqueue service applies the capability filter. Queued count."""
    queued: set[int] = set()
    if isinstance(enrollments, list):
        groups = [
            [e for e in enrollments if e.is_user_enrollment],
            [e for e in enrollments if not e.is_user_enrollment],
        ]
    else:
        kind = Q(enrollment_type=Enrollment.Type.USER)
        # Instances, not a QuerySet: a run's slice is small, and each enqueue then writes by id
        # instead of selecting the slice again.
        # With their Device: the capability filter classes each by its platform and OS.
        rows = enrollments.select_related("device")
        groups = [list(rows.filter(kind)), list(rows.filter(~kind))]
    for user_enrollment, members in zip((True, False), groups, strict=True):
        if not members:
            continue
        # One multi-command enqueue: the five commands are written together, pushed once.
        results = enqueue_commands(
            enrollments=members,
            requests=_inventory_requests(user_enrollment=user_enrollment),
            origin=origin,
        )
        for result in results:
            queued.update(result.queued)
    return len(queued)


class FirstCommandsFailed(Exception):
    """The first commands, queued without a savepoint of their own
    (`queue_first_commands(savepoint=False)`), failed (the exception's `__cause__`): what they
    wrote is in the caller's transaction, which must be undone; the caller then does its work
    again with `step_by_step=True`, where the failure costs only those commands."""


def queue_first_commands(
    *,
    enrollment: Enrollment,
    token_update: hotpath.TokenUpdateWrite | None = None,
    savepoint: bool = True,
    step_by_step: bool = False,
) -> int:
    """Enrollment completed (a channel's first TokenUpdate): ask the device for its inventory,
    with what the other apps send a new channel (`hooks.set_first_commands`: the declarations'
    first synchronisation, the assigned profiles), all in one enqueue and one push; each
    request's `on_queued` is called with its result, in this transaction. User channels are
    not asked an inventory: what they may tell is known through their device. Runs inside the
    caller's transaction, so the TokenUpdate and these commands commit together. Returns the
    queued commands.

    Usually nothing fails: the providers and the enqueue run in one savepoint. Should anything
    in it raise, that savepoint is undone and they run again step by step
    (`_queue_step_by_step`), where a failing provider or a refused request costs the
    enrollment only those commands.

    `token_update`: the TokenUpdate's write of its channel and log row, made by the statement
    that writes the commands (one statement less); the providers, which read, run before it
    and read nothing of the channel's row but what they are given. Written on its own
    whenever the commands are not written that way, and again after the savepoint was undone.

    `savepoint=False`: no savepoint (its SAVEPOINT is one of a first TokenUpdate's round trips,
    and it is almost never used); should anything fail, FirstCommandsFailed is raised for the
    caller to undo its whole transaction and do it again with `step_by_step=True` (the
    check-in, `checkin._checkin_once`), which goes straight to what follows a failure here:
    the TokenUpdate's write, then `_queue_step_by_step`."""
    inventory: list[CommandRequest] = []
    if enrollment.parent_id is None and enrollment.device.platform:
        inventory = _inventory_requests(user_enrollment=enrollment.is_user_enrollment)
    providers = hooks.first_commands_providers()
    if not inventory and not providers:
        if token_update is not None:
            token_update.save()
        return 0
    if step_by_step:
        if token_update is not None:
            token_update.save()
        return _queue_step_by_step(enrollment, inventory, providers)
    if not savepoint:
        try:
            return _queue_together(enrollment, inventory, providers, token_update)
        except Exception as exc:
            raise FirstCommandsFailed from exc
    try:
        # Its savepoint is released by the TokenUpdate's COMMIT: one statement less.
        with hotpath.savepoint_kept_until_commit():
            return _queue_together(enrollment, inventory, providers, token_update)
    except Exception:
        if connection.needs_rollback:  # the savepoint could not be undone: nor can we go on
            raise
        if token_update is not None:
            token_update.save()  # undone with the savepoint, or never written
        return _queue_step_by_step(enrollment, inventory, providers)


def _queue_together(
    enrollment: Enrollment,
    inventory: list[CommandRequest],
    providers: list[tuple[str, hooks.FirstCommandsProvider]],
    token_update: hotpath.TokenUpdateWrite | None,
) -> int:
    """The providers, then one enqueue of the inventory and their requests (with the
    TokenUpdate's write); the queued count. Raises whatever fails."""
    requests = list(inventory)
    for _name, provider in providers:
        requests += provider(enrollment) or []
    if not requests:
        if token_update is not None:
            token_update.save()
        return 0
    results = enqueue_commands(
        enrollments=[enrollment],
        requests=requests,
        origin=INVENTORY_ORIGIN,
        savepoint=False,
        token_update=token_update,
    )
    return sum(len(result.queued) for result in results)


def _queue_step_by_step(
    enrollment: Enrollment,
    inventory: list[CommandRequest],
    providers: list[tuple[str, hooks.FirstCommandsProvider]],
) -> int:
    """`queue_first_commands` when something failed: each provider in a savepoint of its own
    (one that raises is logged and left out), then the enqueue in its own savepoint (should it
    refuse a provider's request, the inventory is queued alone)."""
    requests = list(inventory)
    for name, answer in _initial_commands(enrollment, providers):
        if isinstance(answer, Exception):
            # The providers read (their writes wait for `on_queued`); the enrollment completes
            # without that command (the admin can send it), rather than failing the TokenUpdate.
            logger.error(
                "first commands of %s for enrollment %s failed: %r", name, enrollment.pk, answer
            )
        elif answer:
            requests += answer
    if not requests:
        return 0
    try:
        # Atomic by itself (a savepoint here): a failure leaves the transaction usable.
        results = enqueue_commands(
            enrollments=[enrollment], requests=requests, origin=INVENTORY_ORIGIN
        )
    except Exception:
        if connection.needs_rollback or len(requests) == len(inventory):
            raise  # the database is gone, or the inventory itself failed: the TokenUpdate fails
        # A provider's request was refused (its parameters, its `on_queued`): the enrollment
        # completes with its inventory, as when a provider raises.
        logger.exception("first commands of enrollment %s: the others' refused", enrollment.pk)
        if not inventory:
            return 0
        results = enqueue_commands(
            enrollments=[enrollment], requests=inventory, origin=INVENTORY_ORIGIN
        )
    return sum(len(result.queued) for result in results)


def _initial_commands(
    enrollment: Enrollment, providers: list[tuple[str, hooks.FirstCommandsProvider]]
) -> list[tuple[str, Any]]:
    """The first-commands providers, each in a savepoint of the TokenUpdate's transaction: a
    statement failing in one (PostgreSQL then refuses every later statement of the
    transaction) is undone with it, and the TokenUpdate goes on without its commands.
    (provider's name, its answer or the exception it raised), in registration order."""
    answers: list[tuple[str, Any]] = []
    for name, provider in providers:
        try:
            with transaction.atomic():
                answer: Any = provider(enrollment)
        except Exception as exc:
            if connection.needs_rollback:  # the savepoint could not be undone: nor can we go on
                raise
            answer = exc
        answers.append((name, answer))
    return answers
