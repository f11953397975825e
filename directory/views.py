"""Public page behind an invitation link: who is invited and how to enroll (nothing is used up)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from directory import services
from mdm_server.cache_control import never_cache


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    # Viewing does not redeem: mail scanners open links too. Enrollment redeems the token.
    try:
        found = services.find_invitation(token=token)
    except services.InvitationError as exc:
        return render(request, "directory/invitation.html", {"error": exc.message}, status=404)
    user = found.user
    context = {
        "portal_url": _portal_url(token),
        "name": user.display_name or user.username,
        "account": user.managed_apple_id or user.email,
        "expires_at": found.expires_at,
        "settings": services.enrollment_settings_for(user),
    }
    return render(request, "directory/invitation.html", context)


def _portal_url(token: str) -> str:
    """The enrollment portal with this invitation, when the enrollment app provides one."""
    try:
        return f"{reverse('enrollment:portal')}?{urlencode({'invitation': token})}"
    except NoReverseMatch:
        return ""
