"""Device-facing enrollment views: service discovery, account-driven enrollment, web sign-in,
OAuth 2 endpoints and the enrollment portal. HTTP only; decisions live in services."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment import directory_access, discovery, services
from enrollment.models import EnrollmentConfiguration
from enrollment.services import EnrollmentError, OAuthError, SignInFailed
from mdm_server import apple
from mdm_server.cache_control import never_cache
from mdm_server.edge import answerable
from mdm_server.paths import path_for

logger = logging.getLogger(__name__)

PROFILE_CONTENT_TYPE = "application/x-apple-aspen-config"
# Sign-in failures the user can fix by typing again keep the form open (a 4xx ends the web sheet).
RETRYABLE = {"wrong_password", "unknown_user", "missing", "unreachable", "locked"}


# A 401 always names how to authenticate (RFC 9110 §15.5.2); the token endpoint authenticates
# OAuth clients (RFC 6749 §5.2), the portal signs people in with its own form.
OAUTH_CLIENT_CHALLENGE = 'Basic realm="MDM enrollment OAuth 2 client"'
PORTAL_CHALLENGE = 'FormBased realm="MDM enrollment portal"'


def _json(document: object, status: int = 200) -> HttpResponse:
    return _json_bytes(discovery.to_json(document), status)


def _json_bytes(body: bytes, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status)
    response["Content-Type"] = "application/json"
    response["Cache-Control"] = "no-store"
    return response


def _discovery_response(
    request: HttpRequest, configuration: EnrollmentConfiguration | None
) -> HttpResponse:
    try:
        result = services.discover(
            user_identifier=request.GET.get("user-identifier"),
            model_family=request.GET.get("model-family"),
            configuration=configuration,
        )
    except discovery.DiscoveryRejected as exc:
        logger.info("service discovery refused: %s", exc.description)
        return _json(discovery.build_well_known_failed(exc.message, exc.description), 403)
    return _json_bytes(result.body)


def _any_request(request: HttpRequest) -> bool:
    return True


def _page_request(request: HttpRequest) -> bool:
    """The sign-in page (or the redirect to Microsoft), not the sign-in."""
    return request.method == "GET"


# Discovery reads configuration (creating the default one, once, when there is none).
@answerable(when=_any_request)
@require_GET
def service_discovery(request: HttpRequest) -> HttpResponse:
    """GET /.well-known/com.apple.remotemanagement (Apple: service discovery)."""
    return _discovery_response(request, None)


@require_GET
def configuration_discovery(request: HttpRequest, slug: str) -> HttpResponse:
    """The same document at a per-configuration URL, for organisations that redirect to us."""
    config = services.configuration_by_slug(slug)
    if config is None:
        return _json(discovery.build_well_known_failed("Unknown enrollment address."), 404)
    return _discovery_response(request, config)


def _configuration(slug: str) -> EnrollmentConfiguration:
    config = services.configuration_by_slug(slug)
    if config is None:
        raise Http404("unknown enrollment configuration")
    return config


def _error_response(exc: EnrollmentError) -> HttpResponse:
    if exc.challenge:
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = exc.challenge
        return response
    return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")


def _without_token(request: HttpRequest) -> bool:
    """The first POST of MachineInfo: answered with the 401 challenge, nothing written.

    The second (its bearer token) is Django's: it writes (the token's stamp, its session, the
    SCEP challenge), and a failure after its commit (a middleware's process_response, a COMMIT
    whose reply was lost) must be answered as Django answers it, not by running the view again,
    which would refuse the used token."""
    return "HTTP_AUTHORIZATION" not in request.META


@answerable(when=_without_token)
@csrf_exempt
@never_cache
@require_POST
def enroll(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """POST <BaseURL>: signed MachineInfo; 401 challenge, then the profile with a Bearer token."""
    config = _configuration(slug)
    # request.body, never request.POST: iOS 15 labels this CMS body as form-encoded.
    body = request.body
    try:
        version = services.version_of_slug(kind)
        profile, _session = services.issue_account_profile(
            configuration=config,
            version=version,
            authorization=request.headers.get("Authorization"),
            body=body,
        )
    except EnrollmentError as exc:
        return _error_response(exc)
    return HttpResponse(profile, content_type=PROFILE_CONTENT_TYPE)


SIGN_IN_TEMPLATE = "enrollment/sign_in.html"


def _sign_in_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    # The privacy page's path is kept per process (mdm_server.paths), unlike {% url %}'s.
    context["privacy_url"] = path_for("enrollment:privacy")
    if context.get("oauth") or settings.DEBUG:  # DEBUG: an edited template shows at once
        return render(request, SIGN_IN_TEMPLATE, context, status=status)
    pieces = _sign_in_pieces(context["privacy_url"], bool(context["error"]))
    values = {
        "identifier": conditional_escape(context["identifier"]),
        "error": conditional_escape(context["error"]),
        # What {% csrf_token %} asks for: the masked token, and the CSRF cookie on the response.
        "csrf": conditional_escape(get_token(request)),
    }
    page = pieces.copy()
    page[1::2] = [values[slot] for slot in pieces[1::2]]
    return HttpResponse("".join(page), status=status)


# The web sheet's sign-in page, rendered once per process (for each script prefix, with an error
# or without) with marks where the request's values go: the identifier typed, the error, the CSRF
# token. Django rendered the whole template, its base and the context processors for each
# request (a quarter of the page's CPU under cProfile, 7 December); the page is now those pieces
# with the values escaped as the template escapes them. The OAuth form (hidden fields from the
# request) is rendered by Django. The same page as `render()` gives:
# tests/enrollment/test_sign_in_page.py.
_PAGE_MARK = f"SIGNINPAGE{secrets.token_hex(12)}"
_PAGE_SLOT = re.compile(f"{_PAGE_MARK}(identifier|error|csrf)")
_kept_pages: dict[tuple[str, str, bool], list[str]] = {}
_KEPT_PAGES_MAX = 64


def _sign_in_pieces(privacy_url: str, error: bool) -> list[str]:
    key = (get_script_prefix(), privacy_url, error)
    pieces = _kept_pages.get(key)
    if pieces is None:
        html = get_template(SIGN_IN_TEMPLATE).render(
            {
                "identifier": f"{_PAGE_MARK}identifier",
                "error": f"{_PAGE_MARK}error" if error else "",
                "csrf_token": f"{_PAGE_MARK}csrf",
                "privacy_url": privacy_url,
            }
        )
        pieces = _PAGE_SLOT.split(html)
        if len(_kept_pages) >= _KEPT_PAGES_MAX:
            _kept_pages.clear()
        _kept_pages[key] = pieces
    return pieces


@answerable(when=_page_request)
@never_cache
@require_http_methods(["GET", "POST"])
def authenticate(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The web sheet's sign-in page; success is a 308 to the callback scheme with the token."""
    config = _configuration(slug)
    try:
        version = services.version_of_slug(kind)
    except EnrollmentError as exc:
        return _error_response(exc)
    identifier = (
        request.POST.get("identifier", "")
        if request.method == "POST"
        else request.GET.get("user-identifier", "")
    )[:255]
    context: dict[str, Any] = {"identifier": identifier, "error": "", "configuration": config}
    external = _maybe_entra(request, config, version, identifier, oauth=None)
    if external is not None:
        return external
    if request.method == "GET":
        return _sign_in_page(request, context)
    try:
        _session, token = services.sign_in_account_user(
            configuration=config,
            version=version,
            identifier=identifier,
            password=request.POST.get("password", ""),
        )
    except SignInFailed as exc:
        context["error"] = exc.message
        return _sign_in_page(request, context, 200 if exc.code in RETRYABLE else 403)
    response = HttpResponse(status=308)
    response["Location"] = discovery.authentication_result_url(token)
    return response


# --- Entra ID (the password is typed at Microsoft) --------------------------------------------

ENTRA_SESSION_KEY = "enrollment_entra"


def _maybe_entra(
    request: HttpRequest,
    config: EnrollmentConfiguration,
    version: str,
    identifier: str,
    *,
    oauth: dict[str, str] | None,
) -> HttpResponse | None:
    """Send the web sheet to Microsoft when an Entra ID source signs this account in."""
    if not identifier:
        return None
    source = services.entra_source_for(config, identifier)
    if source is None:
        return None
    try:
        url, flow = directory_access.begin_entra(
            source=source,
            redirect_uri=services.public_url(reverse("enrollment:entra-callback")),
            login_hint=identifier,
        )
    except SignInFailed as exc:
        context = {"identifier": identifier, "error": exc.message, "configuration": config}
        return _sign_in_page(request, context, 403)
    # The web sheet keeps cookies, so the pending sign-in waits in the Django session.
    request.session[ENTRA_SESSION_KEY] = {
        "flow": flow,
        "source": source.pk,
        "slug": config.slug,
        "version": version,
        "identifier": identifier,
        "oauth": oauth,
    }
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def entra_callback(request: HttpRequest) -> HttpResponse:
    """Microsoft's redirect back: finish the sign-in, then answer like our own sign-in page."""
    pending = request.session.pop(ENTRA_SESSION_KEY, None)
    if not isinstance(pending, dict):
        return HttpResponse("No sign-in is in progress.", status=400, content_type="text/plain")
    config = _configuration(pending["slug"])
    context: dict[str, Any] = {
        "identifier": pending["identifier"],
        "error": "",
        "configuration": config,
    }
    params = {k: v[:4000] for k, v in request.GET.items()}
    try:
        person = directory_access.finish_entra(
            source_id=pending["source"], flow=pending["flow"], params=params
        )
        oauth = pending.get("oauth")
        if oauth:
            code = services.issue_oauth_code(
                configuration=config,
                version=pending["version"],
                person=person,
                identifier=person.identifier,
                redirect_uri=oauth["redirect_uri"],
            )
            location = (
                f"{oauth['redirect_uri']}?{urlencode({'code': code, 'state': oauth['state']})}"
            )
        else:
            _session, token = services.start_account_session(
                configuration=config,
                version=pending["version"],
                person=person,
                identifier=person.identifier,
            )
            location = discovery.authentication_result_url(token)
    except SignInFailed as exc:
        context["error"] = exc.message
        return _sign_in_page(request, context, 403)
    response = HttpResponse(status=308)
    response["Location"] = location
    return response


# --- apple-oauth2 ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def oauth_authorize(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """OAuth 2 authorization endpoint (code flow, public client); 308 to redirect_uri."""
    config = _configuration(slug)
    data = request.POST if request.method == "POST" else request.GET
    params = {
        k: data.get(k, "")[:500]
        for k in ("response_type", "client_id", "redirect_uri", "state", "login_hint")
    }
    try:
        version = services.version_of_slug(kind)
        if params["response_type"] != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code")
        services.check_oauth_client(
            config, client_id=params["client_id"], redirect_uri=params["redirect_uri"]
        )
    except EnrollmentError as exc:
        return _error_response(exc)
    except OAuthError as exc:
        # Never redirect to an unchecked redirect_uri: show the error instead.
        return HttpResponse(
            f"{exc.error}: {exc.description}", status=400, content_type="text/plain"
        )
    identifier = data.get("identifier", "") or params["login_hint"]
    context: dict[str, Any] = {
        "identifier": identifier[:255],
        "error": "",
        "configuration": config,
        "oauth": params,
    }
    external = _maybe_entra(request, config, version, context["identifier"], oauth=params)
    if external is not None:
        return external
    if request.method == "GET":
        return _sign_in_page(request, context)
    try:
        code = services.oauth_authorize(
            configuration=config,
            version=version,
            identifier=identifier,
            password=request.POST.get("password", ""),
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
        )
    except SignInFailed as exc:
        context["error"] = exc.message
        return _sign_in_page(request, context, 200 if exc.code in RETRYABLE else 403)
    except OAuthError as exc:
        return HttpResponse(f"{exc.error}: {exc.description}", status=400)
    query = urlencode({"code": code, "state": params["state"]})
    response = HttpResponse(status=308)
    response["Location"] = f"{params['redirect_uri']}?{query}"
    return response


@csrf_exempt
@never_cache
@require_POST
def oauth_token(request: HttpRequest, slug: str) -> HttpResponse:
    """OAuth 2 token endpoint (form-encoded body; JSON answer, errors per RFC 6749 §5.2)."""
    config = services.configuration_by_slug(slug)
    if config is None:
        return _oauth_error(OAuthError("invalid_client", "unknown endpoint", 401))
    # The token request is a plain form post (RFC 6749 §4.1.3), unlike the enrollment POST.
    form = {k: v[:2000] for k, v in request.POST.items()}
    try:
        tokens = services.oauth_token(configuration=config, form=form)
    except OAuthError as exc:
        return _oauth_error(exc)
    return _json(tokens)


def _oauth_error(exc: OAuthError) -> HttpResponse:
    response = _json({"error": exc.error, "error_description": exc.description}, exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = OAUTH_CLIENT_CHALLENGE
    return response


# --- enrollment portal -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest) -> HttpResponse:
    """The enrollment portal: sign in, accept the terms, choose ownership, download."""
    from enrollment.models import EnrollmentSettings

    options = EnrollmentSettings.current()
    detected, os_version = apple.platform_of_user_agent(request.headers.get("User-Agent"))
    platform = detected or ""
    data = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {
        "options": options,
        "error": "",
        "identifier": data.get("identifier", "")[:255],
        "platform": data.get("platform", platform)[:16],
        "os_version": data.get("os_version", os_version)[:16],
        "ownership": data.get("ownership", "personal"),
        "reenroll": data.get("reenroll", "")[:400],
        "invitation": data.get("invitation", "")[:200],
        "platforms": ["iOS", "macOS"],
    }
    if request.method == "GET":
        if context["invitation"]:
            try:
                context["identifier"] = directory_access.invitation_email(context["invitation"])
            except SignInFailed as exc:
                context["error"] = exc.message
                context["invitation"] = ""
                return render(request, "enrollment/portal.html", context, status=410)
        return render(request, "enrollment/portal.html", context)
    if not request.POST.get("accept_terms"):
        context["error"] = "Accept the terms to continue."
        return render(request, "enrollment/portal.html", context, status=400)
    if context["platform"] not in ("iOS", "macOS"):
        context["error"] = "Choose the device type (iPhone/iPad or Mac)."
        return render(request, "enrollment/portal.html", context, status=400)
    try:
        if context["invitation"]:
            # The one-time invitation link stands in for the password.
            person = directory_access.redeem_invitation(context["invitation"])
            context["identifier"] = person.identifier
        else:
            person = directory_access.authenticate(
                identifier=context["identifier"], password=request.POST.get("password", "")
            )
        decision, session, token = services.start_portal_enrollment(
            person=person,
            identifier=context["identifier"],
            platform=context["platform"],
            os_version=context["os_version"],
            personal=context["ownership"] != "corporate",
            reenroll=context["reenroll"],
        )
    except SignInFailed as exc:
        context["error"] = exc.message
        if exc.code not in RETRYABLE:
            return render(request, "enrollment/portal.html", context, status=403)
        response = render(request, "enrollment/portal.html", context, status=401)
        response["WWW-Authenticate"] = PORTAL_CHALLENGE
        return response
    context.update({"decision": decision, "session": session, "token": token})
    return render(request, "enrollment/portal_result.html", context)


@never_cache
@require_GET
def portal_profile(request: HttpRequest, token: str) -> HttpResponse:
    """One-time download of the portal's signed enrollment profile."""
    try:
        profile, _session = services.download_portal_profile(token=token)
    except EnrollmentError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    response = HttpResponse(profile, content_type=PROFILE_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="enroll.mobileconfig"'
    return response
