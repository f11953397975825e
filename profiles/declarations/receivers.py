"""The DeclarativeManagement check-in, as the devices app hands it over (`devices.hooks`), and
the devices app's signals."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.utils import timezone

from devices.hooks import DeclarativeAnswer
from devices.models import Enrollment
from profiles.declarations import protocol, services
from profiles.models import Profile

logger = logging.getLogger(__name__)


def handle_declarative(
    enrollment: Enrollment, endpoint: str, data: bytes | None
) -> DeclarativeAnswer:
    if endpoint == "status":
        try:
            report = json.loads(data or b"{}")  # already read safely by the check-in
            services.record_status(enrollment, report)
        except (ValueError, protocol.StatusError) as exc:
            return DeclarativeAnswer(400, reason=f"DeclarativeManagement status: {exc}"[:300])
        return DeclarativeAnswer()
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


def on_enrollment_completed(sender: Any, enrollment: Enrollment, **kwargs: Any) -> None:
    """A new channel with declaration sets is told to synchronise them."""
    try:
        if services.sets_for(enrollment).exists():
            services.notify(
                Enrollment.objects.filter(pk=enrollment.pk), origin="enrollment completed"
            )
    except Exception:
        logger.exception("queueing declarations for enrollment %s failed", enrollment.pk)


def on_profile_saved(sender: Any, instance: Profile, created: bool, **kwargs: Any) -> None:
    if not created:
        services.profile_changed(instance)
