"""The privacy page for the people who enroll (`/enroll/privacy/`).

A person signs in with the enrollment sign-in (local or LDAP password, throttled the same way;
an Entra ID account at Microsoft, with the authorization-code flow and its state, nonce and PKCE
checked as at enrollment) and sees each of their enrolled devices: what the organisation can and cannot see and do there
(worded from the capability table for that device), what it installed, and when the device last
checked in; on a personal device (User Enrollment) they can remove management. The person's
session holds only their directory user id and sign-in name: it is not a console sign-in.
HTTP only; reads come from `devices.selectors`, the write is `devices.services.remove_management`.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devices import selectors
from devices import services as device_services
from enrollment import directory_access
from enrollment.services import SignInFailed
from enrollment.services.core import public_url
from mdm_server.cache_control import never_cache

SESSION_KEY = "privacy_person"
SESSION_SECONDS = 30 * 60  # a signed-in privacy page lasts this long without being used
FLASH_KEY = "privacy_flash"
# A Microsoft sign-in under way: its own key, so a pending enrollment sign-in (which waits under
# another key, for another redirect URI) can never be finished here, nor this one there.
ENTRA_KEY = "privacy_entra"
NOT_ENROLLED = "This account has no devices enrolled with this server."
CHALLENGE = 'FormBased realm="MDM privacy page"'
RETRYABLE = {"wrong_password", "unknown_user", "missing", "unreachable", "locked"}
OUTCOMES = {
    "queued": "Removal requested. Your device removes management, with the work apps and data, "
    "the next time it connects (usually within a minute when it is online).",
    "already requested": "Removal was already requested; waiting for your device to connect.",
    "ended": "Management ended on the server. If the device still shows the profile, remove it "
    "in Settings → General → VPN & Device Management.",
}


def _person(request: HttpRequest) -> dict[str, Any] | None:
    """The signed-in person (still enabled in the directory), or None; refreshes the session."""
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict) or not isinstance(held.get("id"), int):
        return None
    if time.time() - float(held.get("at", 0)) > SESSION_SECONDS:
        request.session.pop(SESSION_KEY, None)
        return None
    person = directory_access.get_person(held["id"])
    if person is None or not person.enabled:
        request.session.pop(SESSION_KEY, None)
        return None
    request.session[SESSION_KEY] = {**held, "at": time.time()}
    return held


def _sign_in_page(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    context = {**context, "entra": directory_access.entra_enabled()}
    response = render(request, "enrollment/privacy_sign_in.html", context, status=status)
    if status == 401:
        response["WWW-Authenticate"] = CHALLENGE
    return response


def _signed_in(request: HttpRequest, *, user_id: int, name: str) -> HttpResponse:
    request.session.cycle_key()  # a new session id for the signed-in person
    request.session[SESSION_KEY] = {"id": user_id, "name": name, "at": time.time()}
    return HttpResponseRedirect(reverse("enrollment:privacy"), status=303)


def _maybe_entra(request: HttpRequest, identifier: str) -> HttpResponse | None:
    """Send the person to Microsoft when an Entra ID source signs this account in."""
    source = directory_access.entra_source(configured="", identifier=identifier)
    if source is None:
        return None
    try:
        url, flow = directory_access.begin_entra(
            source=source,
            redirect_uri=public_url(reverse("enrollment:privacy-entra-callback")),
            login_hint=identifier,
        )
    except SignInFailed as exc:
        context = {"identifier": identifier, "error": exc.message}
        return _sign_in_page(request, context, 503 if exc.code == "unreachable" else 403)
    request.session[ENTRA_KEY] = {"flow": flow, "source": source.pk, "identifier": identifier}
    return HttpResponseRedirect(url)


def _devices_page(
    request: HttpRequest, person: dict[str, Any], error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "person": person,
        "devices": selectors.devices_of_person(person["id"]),
        "error": error,
        "flash": request.session.pop(FLASH_KEY, ""),
    }
    return render(request, "enrollment/privacy.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def privacy(request: HttpRequest) -> HttpResponse:
    """GET: the person's devices, or the sign-in form; POST: sign in."""
    person = _person(request)
    if request.method == "GET":
        if person is not None:
            return _devices_page(request, person)
        return _sign_in_page(request, {"identifier": "", "error": ""}, 200)
    identifier = request.POST.get("identifier", "").strip()[:255]
    context = {"identifier": identifier, "error": ""}
    if not identifier:
        context["error"] = "Enter your account."
        return _sign_in_page(request, context, 400)
    # A Microsoft account's password is typed at Microsoft, never here (one typed is ignored).
    external = _maybe_entra(request, identifier)
    if external is not None:
        return external
    if not request.POST.get("password"):
        context["error"] = "Enter your account and password."
        return _sign_in_page(request, context, 400)
    try:
        signed_in = directory_access.authenticate(
            identifier=identifier, password=request.POST.get("password", "")
        )
    except SignInFailed as exc:
        context["error"] = exc.message
        if exc.code == "throttled":
            return _sign_in_page(request, context, 429)
        return _sign_in_page(request, context, 401 if exc.code in RETRYABLE else 403)
    if signed_in.id is None:
        context["error"] = NOT_ENROLLED
        return _sign_in_page(request, context, 403)
    return _signed_in(request, user_id=signed_in.id, name=identifier)


@never_cache
@require_GET
def entra_callback(request: HttpRequest) -> HttpResponse:
    """Microsoft's redirect back: finish the sign-in started on this page, in this session."""
    pending = request.session.pop(ENTRA_KEY, None)
    if (
        not isinstance(pending, dict)
        or not isinstance(pending.get("source"), int)
        or not isinstance(pending.get("flow"), dict)
    ):
        context = {"identifier": "", "error": "No Microsoft sign-in is under way here. Sign in."}
        return _sign_in_page(request, context, 400)
    identifier = str(pending.get("identifier", ""))
    context = {"identifier": identifier, "error": ""}
    params = {k: str(v)[:4000] for k, v in request.GET.items()}
    try:
        person = directory_access.finish_entra(
            source_id=pending["source"], flow=pending["flow"], params=params, known_only=True
        )
    except SignInFailed as exc:
        context["error"] = NOT_ENROLLED if exc.code == "unknown_user" else exc.message
        return _sign_in_page(request, context, 503 if exc.code == "unreachable" else 403)
    if person.id is None:
        context["error"] = NOT_ENROLLED
        return _sign_in_page(request, context, 403)
    return _signed_in(request, user_id=person.id, name=person.identifier)


@never_cache
@require_POST
def remove(request: HttpRequest, public_id: str) -> HttpResponse:
    """Remove management from one of the person's personal devices (after a confirmation)."""
    person = _person(request)
    if person is None:
        context = {"identifier": "", "error": "Your sign-in has ended. Sign in again."}
        return _sign_in_page(request, context, 401)
    if request.POST.get("confirm") != "yes":
        error = "Tick the box to confirm that you want to remove management from this device."
        return _devices_page(request, person, error, 400)
    try:
        outcome = device_services.remove_management(
            directory_user_id=person["id"],
            public_id=public_id,
            person=person["name"],
            at_once=request.POST.get("at_once") == "yes",
        )
    except device_services.OwnerActionRefused as exc:
        return _devices_page(request, person, exc.message, exc.status)
    request.session[FLASH_KEY] = OUTCOMES[outcome]
    return HttpResponseRedirect(reverse("enrollment:privacy"), status=303)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    return HttpResponseRedirect(reverse("enrollment:privacy"), status=303)
