"""Console sign-in policy at the HTTP edge: django-axes hooks and the sign-in gate middleware.

django-axes counts failed console sign-ins per account and per source address (in the database)
and answers a locked-out attempt with `lockout_response`. `SignInGateMiddleware` keeps a
signed-in session away from the console, the admin site and the session-authenticated API
until its password has been changed (when that is required) and its second factor verified.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from mdm_server import accounts, proxies

# --- django-axes ---------------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    return proxies.client_ip(request.META)


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """One account, however it is typed: "Alice " and "alice" are counted together."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username", "")
    return str(name).strip().lower()


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """429 with when to try again (the pause restarts with every attempt made during it)."""
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    until = timezone.localtime(timezone.now() + cooloff)
    minutes = max(1, round(cooloff.total_seconds() / 60))
    response = render(
        request,
        "console/locked_out.html",
        {"until": until, "minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response


# --- the gate ------------------------------------------------------------------------------------

_GATED_PREFIXES = ("/console/", "/admin/", "/api/")


@cache
def _path(name: str) -> str:
    return reverse(name)


class SignInGateMiddleware:
    """After AuthenticationMiddleware and django-otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_GATED_PREFIXES):
            blocked = self._gate(request)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or request.path == _path("console-logout"):
            return None
        step, reason = self._pending_step(request)
        # Only the pending step's own page is open: a session that has only the password may
        # not reach the pages that replace the second factor or change the password.
        if step is None or request.path == _path(step):
            return None
        if request.path.startswith("/api/"):
            # A session that has not finished signing in is not signed in for the API either.
            return JsonResponse(
                {"error": {"code": "sign_in_incomplete", "message": reason, "fields": {}}},
                status=403,
            )
        return redirect(f"{_path(step)}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _pending_step(request: HttpRequest) -> tuple[str | None, str]:
        user = request.user
        state = accounts.sign_in_state(user)  # type: ignore[arg-type]
        verified = user.is_verified()  # type: ignore[union-attr]
        if state.has_second_factor and not verified:
            return "console-verify", "Enter your one-time code in the console first."
        if state.must_change_password:
            return "console-password", "Change your one-time password in the console first."
        if state.second_factor_required and not verified:
            return "console-two-factor", "Set up a second factor in the console first."
        return None, ""


def audit_lockout(
    sender: Any, *, request: HttpRequest, username: str, ip_address: str, **_: Any
) -> None:
    """A refused sign-in (the attempt that starts a pause, and each one during it) is audited."""
    from mdm_server import audit

    audit.record(
        actor=None,
        action="console.sign_in_paused",
        details={"username": username or "", "address": ip_address or ""},
    )
