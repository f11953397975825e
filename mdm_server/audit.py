"""Recording admin actions in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from mdm_server.models import AuditEvent


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """`actor_name` names an actor without a console account (a person on the privacy page)."""
    user = actor if actor is not None and actor.is_authenticated else None
    name = user.get_username() if user is not None else actor_name or "system"
    return AuditEvent.objects.create(
        actor_id=user.pk if user is not None else None,
        actor_name=name[:150],
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        details=details or {},
    )
