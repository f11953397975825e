"""Console and API roles: administrators change things, helpdesk staff only look."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ADMINISTRATOR = "administrator"
HELPDESK = "helpdesk"
ROLES = (ADMINISTRATOR, HELPDESK)

F = TypeVar("F", bound=Callable[..., HttpResponse])


def role_of(user: AbstractBaseUser | AnonymousUser) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "is_superuser", False):
        return ADMINISTRATOR
    cached = getattr(user, "_mdm_role", "unset")
    if cached != "unset":
        return cached  # type: ignore[no-any-return]
    names = set(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
    role = ADMINISTRATOR if ADMINISTRATOR in names else HELPDESK if HELPDESK in names else None
    user._mdm_role = role  # type: ignore[union-attr]
    return role


def is_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return role_of(user) == ADMINISTRATOR


def can_view(user: AbstractBaseUser | AnonymousUser) -> bool:
    return role_of(user) in ROLES


def console_view(*, admin: bool = False, own_account: bool = False) -> Callable[[F], F]:
    """Login required; helpdesk may read (GET/HEAD), only administrators may change anything.

    With admin=True the page itself is for administrators only (for example secrets). With
    own_account=True the page changes only the signed-in user's own account (password, second
    factor), which every role may do.
    """

    def decorate(view: F) -> F:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            role = role_of(request.user)
            if role is None:
                raise PermissionDenied("Your account has no console role.")
            writes = request.method not in ("GET", "HEAD", "OPTIONS") and not own_account
            if (admin or writes) and role != ADMINISTRATOR:
                raise PermissionDenied("This needs the administrator role.")
            return view(request, *args, **kwargs)

        wrapper.helpdesk_may_write = own_account  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
