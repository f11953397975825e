"""Device paths go through the short middleware stack (mdm_server/device_stack.py), console and
enrollment pages through the whole of MIDDLEWARE; a device's answer is the same either way."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.wsgi import get_wsgi_application
from django.db import OperationalError
from django.test import Client, RequestFactory, override_settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from mdm_server import device_stack
from mdm_server.pki import services as pki
from tests.simulator import WSGITransport

ROUTER = "mdm_server.device_stack.DeviceStackMiddleware"
FULL_STACK = [m for m in settings.MIDDLEWARE if m != ROUTER]

# The views devices (and Apple) call; every other route of the URLconf is for people or programs
# that may sign in, and must keep the whole stack.
DEVICE_VIEWS = {
    "devices.views.checkin",
    "devices.views.connect",
    "mdm_server.pki.views.scep_endpoint",
    "enrollment.views.service_discovery",
    "enrollment.views.configuration_discovery",
    "enrollment.views.enroll",
    "enrollment.views.oauth_token",
    "enrollment.abm.views.enroll",
    "devices.managed_apps.views.notification",
    "profiles.declarations.views.legacy_profile",
    "profiles.declarations.views.asset_data",
}

# A value for each kind of path parameter, to turn a route into a path.
_SAMPLES = {
    "int": "7",
    "uuid": str(uuid.UUID(int=7)),
    "slug": "some-slug",
    "str": "value",
    "path": "a/b",
}


def _routes(patterns: list[Any] | None = None, prefix: str = "/") -> Iterator[tuple[str, str]]:
    """(a path of the route, dotted name of its view) for every route of the URLconf made with
    path(); regular-expression routes (the admin's) are given by their literal prefix."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = str(entry.pattern)
        if route.startswith("^"):  # re_path: its literal start is enough to place it
            route = re.split(r"[(\[\\$?*+.]", route[1:], maxsplit=1)[0]
        route = re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES.get(m.group(1) or "str", "value"), route
        )
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        else:
            assert isinstance(entry, URLPattern)
            view = entry.callback
            view = getattr(view, "view_class", view)
            yield prefix + route, f"{view.__module__}.{view.__qualname__}"


# The web sheet's sign-in forms, which take MDM_WEB_SHEET_MIDDLEWARE.
WEB_SHEET_VIEWS = {"enrollment.views.authenticate", "enrollment.views.oauth_authorize"}


def test_the_web_sheet_s_forms_and_only_they_take_its_stack() -> None:
    routes = list(_routes())
    wrong = [
        (path, view)
        for path, view in routes
        if device_stack.is_web_sheet_path(path) != (view in WEB_SHEET_VIEWS)
    ]
    assert wrong == []
    assert {view for _, view in routes} >= WEB_SHEET_VIEWS
    assert not any(device_stack.is_device_path(p) for p, v in routes if v in WEB_SHEET_VIEWS)


def test_the_device_routes_and_only_they_take_the_short_stack() -> None:
    routes = list(_routes())
    assert len(routes) > 100  # the console, the API and the admin are walked
    wrong = [
        (path, view)
        for path, view in routes
        if device_stack.is_device_path(path) != (view in DEVICE_VIEWS)
    ]
    assert wrong == []
    assert {view for _, view in routes} >= DEVICE_VIEWS


@pytest.mark.parametrize(
    "path",
    [
        "/enroll/account/default/byod/authenticate",  # the sign-in page of a device's web sheet
        "/enroll/",
        "/enroll/privacy/",
        "/enroll/oauth2/default/byod/authorize",
        "/enroll/profile/token",
        "/console/",
        "/console/login/",
        "/admin/",
        "/api/v1/devices/",
        "/scep/",
        "/mdm/checkin/",
        "/mdm/connectx",
    ],
)
def test_pages_for_people_are_not_device_paths(path: str) -> None:
    assert not device_stack.is_device_path(path)


def test_every_middleware_is_placed_on_one_side_or_the_other() -> None:
    """A middleware added to MIDDLEWARE is either in MDM_DEVICE_MIDDLEWARE, in the same order,
    or one of these, which device requests skip: adding one makes this fail until it is placed."""
    assert settings.MIDDLEWARE[0] == ROUTER
    assert [m for m in FULL_STACK if m in settings.MDM_DEVICE_MIDDLEWARE] == (
        settings.MDM_DEVICE_MIDDLEWARE
    )
    assert set(FULL_STACK) - set(settings.MDM_DEVICE_MIDDLEWARE) == {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "mdm_server.signin.SignInGateMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "axes.middleware.AxesMiddleware",
    }
    web_sheet = settings.MDM_WEB_SHEET_MIDDLEWARE
    assert [m for m in FULL_STACK if m in web_sheet] == web_sheet
    assert set(FULL_STACK) - set(web_sheet) == {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "mdm_server.signin.SignInGateMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "axes.middleware.AxesMiddleware",
    }


@pytest.mark.django_db
def test_the_enrollment_sign_in_page_keeps_csrf_and_the_console_its_gate(
    server_pki: pki.PkiStatus,
) -> None:
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/enroll/account/default/byod/authenticate", {"username": "x"})
    assert refused.status_code == 403
    assert "CSRF" in refused.content.decode()
    assert client.get("/console/").status_code == 302  # to the sign-in page
    page = client.get("/console/login/")
    assert "csrftoken" in page.cookies
    assert "Content-Security-Policy" in page


def _requests() -> list[tuple[str, str, dict[str, Any]]]:
    notify = f"/apps-books/notifications/{uuid.UUID(int=11)}/"
    return [
        ("GET", "/scep?operation=GetCACert", {}),
        ("GET", "/scep?operation=GetCACaps", {}),
        ("POST", "/scep?operation=PKIOperation", {"data": b"\x30\x03\x02\x01\x01"}),
        ("POST", "/scep?operation=PKIOperation", {"data": b"", "content_type": "text/plain"}),
        ("GET", "/scep", {}),
        ("DELETE", "/scep?operation=GetCACert", {}),
        ("GET", "/scep?operation=GetCACert", {"HTTP_HOST": "not-ours.example"}),
        ("GET", "/.well-known/com.apple.remotemanagement?user-identifier=a%40b.example", {}),
        ("GET", "/.well-known/com.apple.remotemanagement", {}),
        ("GET", "/enroll/discovery/unknown", {}),
        ("GET", "/enroll/discovery/unknown", {"HTTP_ACCEPT": "text/html"}),
        ("POST", "/enroll/account/default/byod", {"data": b"<plist/>"}),
        ("POST", "/enroll/account/default/byod", {"data": b"", "HTTP_ACCEPT": "text/html"}),
        ("GET", "/enroll/account/default/byod", {}),
        ("POST", "/enroll/oauth2/default/token", {"data": b"grant_type=x"}),
        ("POST", f"/enroll/ade/{uuid.UUID(int=12)}", {"data": b"x"}),
        ("PUT", "/mdm/checkin", {"data": b"<plist/>"}),
        ("PUT", "/mdm/connect", {"data": b"not a plist", "content_type": "text/plain"}),
        ("GET", "/mdm/connect", {}),
        ("GET", "/mdm/declarations/asset/7/abc", {}),
        ("GET", "/mdm/declarations/profile/nothing", {}),
        ("POST", notify, {"data": b"{}", "content_type": "application/json"}),
    ]


def _answer(client: Client, method: str, path: str, extra: dict[str, Any]) -> tuple[Any, ...]:
    extra = dict(extra)
    data = extra.pop("data", b"")
    content_type = extra.pop("content_type", "application/octet-stream")
    response = client.generic(method, path, data=data, content_type=content_type, **extra)
    # A CSRF token is new on every answer (the HTML error pages a browser gets carry one).
    content = re.sub(
        rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', rb"\1-", response.content
    )
    cookies = sorted(response.cookies)
    # never_cache's Expires is the time of the answer, to the second: the two answers may fall
    # on either side of a second.
    headers = sorted((k, "-" if k in ("Expires", "Date") else v) for k, v in response.items())
    return response.status_code, headers, content, cookies


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "extra"), _requests())
def test_a_device_request_is_answered_as_the_whole_stack_answers_it(
    server_pki: pki.PkiStatus, method: str, path: str, extra: dict[str, Any]
) -> None:
    assert device_stack.is_device_path(path.split("?")[0])
    short = _answer(Client(), method, path, extra)
    with override_settings(MIDDLEWARE=FULL_STACK):
        full = _answer(Client(), method, path, extra)
    assert short == full
    assert short[0] != 500


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["", "text/html"])
def test_an_unreachable_database_is_a_503_on_device_paths(
    server_pki: pki.PkiStatus, monkeypatch: pytest.MonkeyPatch, accept: str
) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(pki, "active_identity", down)
    request = ("GET", "/scep?operation=GetCACert", {"HTTP_ACCEPT": accept})
    short = _answer(Client(), *request)
    with override_settings(MIDDLEWARE=FULL_STACK):
        full = _answer(Client(), *request)
    assert short == full
    headers = dict(short[1])
    assert short[0] == 503
    assert headers["Retry-After"] == "30"
    assert headers["Content-Type"].startswith("text/html" if accept else "text/plain")


@pytest.mark.django_db(transaction=True)
def test_the_wsgi_application_takes_the_same_stacks(server_pki: pki.PkiStatus) -> None:
    """The deployed entry point builds its handler from the same settings: a device path's
    answer is the whole stack's, and a console page still gets its session and CSRF cookie."""
    short = WSGITransport(get_wsgi_application())
    with override_settings(MIDDLEWARE=FULL_STACK):
        full = WSGITransport(get_wsgi_application())
    for method, url in [
        ("GET", "http://localhost/scep?operation=GetCACert"),
        ("PUT", "http://localhost/mdm/checkin"),
        ("GET", "http://localhost/.well-known/com.apple.remotemanagement"),
    ]:
        assert short.request(method, url, headers={}) == full.request(method, url, headers={})
    status, headers, _ = short.request("GET", "http://localhost/console/login/", headers={})
    assert status == 200
    assert "csrftoken=" in headers.get("set-cookie", "")


@pytest.mark.django_db
def test_device_requests_skip_the_console_middleware_and_pages_do_not(
    server_pki: pki.PkiStatus,
) -> None:
    client = Client()
    device = client.get("/scep?operation=GetCACert").wsgi_request
    assert not hasattr(device, "session")
    assert not hasattr(device, "user")
    browser = client.get("/scep?operation=GetCACert", HTTP_ACCEPT="text/html").wsgi_request
    assert hasattr(browser, "session")
    page = client.get("/enroll/account/default/byod/authenticate").wsgi_request
    assert hasattr(page, "session")
    assert hasattr(page, "user")
    assert not hasattr(page, "_messages")  # the web sheet's stack, not the console's
    console = client.get("/console/login/").wsgi_request
    assert hasattr(console, "_messages")


class _NotHere:
    def __init__(self, get_response: Any) -> None:
        raise MiddlewareNotUsed


def test_a_middleware_that_opts_out_is_left_out_of_the_short_stack() -> None:
    """As Django's own handler does with MiddlewareNotUsed: the others still run."""
    stack = device_stack._ShortStack(
        [f"{__name__}._NotHere", "django.middleware.clickjacking.XFrameOptionsMiddleware"]
    )
    response = stack.chain(RequestFactory().get("/no-such-route"))
    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"


def _match(match: Any) -> tuple[Any, ...]:
    return (match.func, match.args, match.kwargs, match.url_name, match.route, match.namespaces)


def test_device_paths_resolve_as_djangos_resolver_and_each_match_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stack = device_stack._ShortStack(settings.MDM_DEVICE_MIDDLEWARE)
    resolver = get_resolver()
    walked: list[str] = []
    resolve = resolver.resolve
    monkeypatch.setattr(resolver, "resolve", lambda path: walked.append(path) or resolve(path))
    paths = [path for path, view in _routes() if view in DEVICE_VIEWS]
    factory = RequestFactory()
    for path in paths:
        first, again = factory.get(path), factory.get(path)
        made, kept = stack.resolve_request(first), stack.resolve_request(again)
        assert _match(made) == _match(resolve(path))
        assert kept is made and again.resolver_match is made
    assert walked == paths  # each walked once, then read from what was kept
    with pytest.raises(Resolver404):
        stack.resolve_request(factory.get("/mdm/connectx"))
    with pytest.raises(Resolver404):
        stack.resolve_request(factory.get("/mdm/connectx"))
    assert walked[len(paths) :] == ["/mdm/connectx"] * 2  # a path that does not resolve: not kept


def test_kept_matches_are_bounded_and_belong_to_one_urlconf() -> None:
    stack = device_stack._ShortStack(settings.MDM_DEVICE_MIDDLEWARE)
    resolved = stack._resolved
    factory = RequestFactory()
    paths = [f"/enroll/discovery/{n}" for n in range(resolved.MAX + 10)]
    for path in paths:
        stack.resolve_request(factory.get(path))
    kept = list(resolved._matches)
    assert kept == paths[-resolved.MAX :]  # the ones used last
    with override_settings(ROOT_URLCONF="mdm_server.pki.urls"):  # another resolver
        match = stack.resolve_request(factory.get("/scep"))
        assert list(resolved._matches) == ["/scep"]
        assert match.url_name == resolve("/scep", urlconf="mdm_server.pki.urls").url_name


def test_long_paths_are_resolved_each_time() -> None:
    """A path longer than any device's is not kept (anyone may send paths that resolve)."""
    stack = device_stack._ShortStack(settings.MDM_DEVICE_MIDDLEWARE)
    factory = RequestFactory()
    long_path = "/enroll/discovery/" + "x" * device_stack.ResolvedPaths.LONGEST
    first, again = (stack.resolve_request(factory.get(long_path)) for _ in range(2))
    assert first is not again and first.kwargs == again.kwargs
    assert stack._resolved._matches == {}


def test_with_view_middleware_each_request_has_a_match_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The web sheet's stack (CSRF's process_view is handed the match's kwargs): its paths are
    resolved once, and each request gets a copy whose dictionaries and lists are its own, so
    what one request's middleware changes there never reaches the next."""
    stack = device_stack._ShortStack(settings.MDM_WEB_SHEET_MIDDLEWARE)
    assert stack._view_middleware
    resolver = get_resolver()
    walked: list[str] = []
    resolve = resolver.resolve
    monkeypatch.setattr(resolver, "resolve", lambda path: walked.append(path) or resolve(path))
    factory = RequestFactory()
    path = "/enroll/account/some-slug/byod/authenticate"
    first = stack.resolve_request(factory.post(path))
    first.kwargs["slug"] = "changed"
    first.captured_kwargs["slug"] = "changed"
    first.namespaces.append("changed")
    again = stack.resolve_request(factory.post(path))
    assert walked == [path]
    assert first is not again
    assert _match(again) == _match(resolve(path))
    assert again.kwargs == again.captured_kwargs == {"slug": "some-slug", "kind": "byod"}
    assert (again.view_name, again.url_name) == (resolve(path).view_name, resolve(path).url_name)


def _web_sheet_answers(client: Client, slug: str) -> list[tuple[Any, ...]]:
    """A web sheet's requests, in order (the form, its POSTs with and without the CSRF token,
    unknown addresses, a browser's and a device's Accept), answered as `_answer` shows them."""
    sign_in = f"/enroll/account/{slug}/byod/authenticate"
    answers = [
        _answer(client, "GET", sign_in + "?user-identifier=a%40example.com", {}),
        _answer(client, "GET", sign_in, {"HTTP_ACCEPT": "text/html"}),
        _answer(client, "POST", sign_in, {"data": b"identifier=a&password=b"}),
    ]
    token = client.cookies["csrftoken"].value
    form = f"identifier=nobody%40example.com&password=x&csrfmiddlewaretoken={token}".encode()
    form_type = "application/x-www-form-urlencoded"
    answers += [
        _answer(client, "POST", sign_in, {"data": form, "content_type": form_type}),
        _answer(client, "GET", "/enroll/account/nowhere/byod/authenticate", {}),
        _answer(
            client, "GET", "/enroll/account/nowhere/byod/authenticate", {"HTTP_ACCEPT": "text/html"}
        ),
        _answer(client, "GET", f"/enroll/account/{slug}/other/authenticate", {}),
        _answer(client, "PUT", sign_in, {}),
        _answer(client, "GET", f"/enroll/oauth2/{slug}/byod/authorize?response_type=x", {}),
        _answer(client, "GET", sign_in, {"HTTP_HOST": "not-ours.example"}),
    ]
    return answers


@pytest.mark.django_db
def test_the_web_sheet_is_answered_as_the_whole_stack_answers_it(
    server_pki: pki.PkiStatus,
) -> None:
    from enrollment import services

    slug = services.default_configuration().slug
    short = _web_sheet_answers(Client(enforce_csrf_checks=True), slug)
    with override_settings(MIDDLEWARE=FULL_STACK):
        full = _web_sheet_answers(Client(enforce_csrf_checks=True), slug)
    assert short == full
    statuses = [answer[0] for answer in short]
    assert statuses == [200, 200, 403, 200, 404, 404, 404, 403, 400, 400]
    assert "csrftoken" in short[0][3]  # the form sets the CSRF cookie its POST needs
    assert b"CSRF" in short[2][2]  # a POST without the token is refused
