"""DRF permission mirroring the console roles."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from mdm_server import roles


class ConsoleRolePermission(BasePermission):
    """Helpdesk reads, administrators read and write; everyone else is refused."""

    message = "This needs the administrator role."

    def has_permission(self, request: Request, view: Any) -> bool:
        role = roles.role_of(request.user)
        if role is None:
            self.message = "Authentication with a console role is required."
            return False
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "helpdesk_may_write", False):
            return True
        self.message = "This needs the administrator role."
        return role == roles.ADMINISTRATOR
