"""The DeclarativeManagement check-in, as the devices app hands it over (`devices.hooks`), and
the devices app's signals."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.utils import timezone

from devices.hooks import DeclarativeAnswer
from devices.models import Enrollment
from devices.services.queue import CommandRequest
from profiles.declarations import protocol, rules, services
from profiles.declarations.models import SetAssignment
from profiles.models import Profile

logger = logging.getLogger(__name__)
# The origin of the DeclarativeManagement a new channel is sent (it turns declarative management on).
ENROLLMENT_ORIGIN = "enrollment completed"


def handle_declarative(
    enrollment: Enrollment, endpoint: str, data: bytes | None
) -> DeclarativeAnswer:
    if endpoint == "status":
        try:
            report = json.loads(data or b"{}")  # already read safely by the check-in
            kept, withheld = rules.reportable_status(report, services.channel_kind(enrollment))
            services.record_status(enrollment, kept)
        except (ValueError, protocol.StatusError) as exc:
            return DeclarativeAnswer(400, reason=f"DeclarativeManagement status: {exc}"[:300])
        return DeclarativeAnswer(report=kept, withheld=withheld)
    result = services.served(enrollment)
    if endpoint == "tokens":
        services.record_sync(enrollment, result)
        return DeclarativeAnswer(body=protocol.tokens_body(result.items, timezone.now()))
    if endpoint == "declaration-items":
        services.record_sync(enrollment, result)
        return DeclarativeAnswer(body=protocol.items_body(result.items))
    wanted = protocol.parse_endpoint(endpoint)
    if wanted is None:
        return DeclarativeAnswer(
            400, reason=f"unknown DeclarativeManagement endpoint {endpoint[:64]!r}"
        )
    declaration_class, identifier = wanted
    for item in result.items:
        if item.identifier == identifier and item.declaration_class == declaration_class:
            return DeclarativeAnswer(body=protocol.declaration_body(item))
    return DeclarativeAnswer(
        404, reason=f"no {declaration_class} {identifier[:128]!r} for this device"
    )


def first_commands(enrollment: Enrollment) -> list[CommandRequest] | None:
    """A new channel that has declaration sets, or that may report status (the server's own
    status subscriptions), is told to synchronise: that first command turns declarative
    management on for the device. Queued with its inventory (`devices.hooks.set_first_commands`)."""
    kind = services.channel_kind(enrollment)
    # Supervision is known only once DeviceInformation is answered (asked at enrollment too):
    # a device enrollment may be supervised, and a supervised Mac reports status.
    maybe = [kind, replace(kind, kind="supervised")] if kind.kind == "device" else [kind]
    subscribes = any(services.subscribes(k) for k in maybe)
    if subscribes or services.sets_for(enrollment).exists():
        return [CommandRequest("DeclarativeManagement", origin=ENROLLMENT_ORIGIN)]
    return None


def on_enrollment_ended(
    sender: Any, enrollment: Enrollment, replaced_by: Enrollment | None = None, **kwargs: Any
) -> None:
    """An ended channel is served nothing (`services.served` checks its status); a replaced
    device's own sets move to the person's new device."""
    if replaced_by is not None:
        services.carry_over_sets(old=enrollment, new=replaced_by)


def on_profile_saved(sender: Any, instance: Profile, created: bool, **kwargs: Any) -> None:
    if not created:
        services.profile_changed(instance)


def on_group_membership_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """A person joined or left a group: their channels get the sets of their groups now."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # group.members changed: pk_set holds the people (all of them on clear)
        users = list(pk_set) if pk_set else list(instance.members.values_list("pk", flat=True))
        groups = [instance.pk]
    else:  # person.groups changed: pk_set holds the groups
        users = [instance.pk]
        groups = list(pk_set or [])
    if action == "post_clear" and not reverse:
        groups = []  # the groups are gone from the relation: any group assignment may be concerned
    assignments = SetAssignment.objects.filter(kind=SetAssignment.Kind.GROUP)
    if groups:
        assignments = assignments.filter(group__in=groups)
    if not assignments.exists():
        return
    services.notify(
        Enrollment.objects.filter(Q(device__directory_user__in=users)),
        origin="group membership changed",
    )
