"""Device protocol requests skip the console's middleware: one place that knows which paths they are.

A device never signs in to the console: it has no session, no CSRF token, no user, no second
factor and no flash messages, and its password checks (none: a device proves itself with a
certificate, a signature or a bearer token) are not django-axes'. Yet Django runs every request
through the whole of MIDDLEWARE: each of its thirteen classes a call and a frame or two, some of
them objects made for the request (a lazy session, user and OTP wrapper, a message store); for
`GET /scep?operation=GetCACert`, which returns a stored certificate, about a tenth of its CPU
(README, "Device protocol"; bench/RESULTS.md).

`DeviceStackMiddleware`, first in MIDDLEWARE, sends the requests whose path is in `DEVICE_PATH`
through `MDM_DEVICE_MIDDLEWARE` instead (settings, beside MIDDLEWARE): the middleware that acts
on a device's request or response. The security headers (SecurityMiddleware, the CSP of HTML
pages, X-Frame-Options), the 503 of an unreachable database or Redis, and CommonMiddleware's
host check stay; sessions, CSRF, users, OTP, the sign-in gate, messages, WhiteNoise and axes do
not run there. The short stack is a second Django handler with its own URL resolution, view
and exception middleware (the very `_get_response` of Django's handler), so everything else
about the request is Django's, in the WSGI server and in the test client alike.

Only routes whose views are device endpoints match: the enrollment pages people see (the
account sign-in page, the portal, the privacy pages, OAuth authorisation, the Entra callback,
the portal's profile download) are not in `DEVICE_PATH`. Of those, the web sheet's two sign-in
forms (`WEB_SHEET_PATH`) go through `MDM_WEB_SHEET_MIDDLEWARE` (the device's, with the session,
CSRF and the user); the rest keep the full stack. A request
that asks for HTML (a browser, never a device) keeps it too, on any path: its error pages are
the console's, whose forms need the CSRF cookie.
tests/mdm_server/test_device_stack.py classifies every route of the URLconf and compares each
device request's answer through both stacks.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch, URLResolver, get_resolver
from django.utils.module_loading import import_string

from mdm_server.error_pages import asks_for_html

# Matched against the whole `path_info` (as Django's resolver sees it). Each alternative is one
# device route of the URLconf: the MDM check-in and command channel (devices/urls.py), the
# declarations' legacy profiles and assets (profiles/declarations/urls.py), SCEP
# (mdm_server/pki/urls.py), service discovery and the enrollment endpoints a device POSTs its
# MachineInfo or OAuth token request to (enrollment/urls.py, enrollment/abm/urls.py), and Apple's
# Apps and Books notifications (devices/managed_apps/urls.py). `/enroll/account/<slug>/<kind>`
# is the device's endpoint; its `/authenticate` page is for people.
DEVICE_PATH = re.compile(
    r"""
      /mdm/(?:checkin|connect|declarations/.+)
    | /scep
    | /\.well-known/com\.apple\.remotemanagement
    | /enroll/(?:discovery/[^/]+|account/[^/]+/[^/]+|oauth2/[^/]+/token|ade/[^/]+)
    | /apps-books/notifications/[^/]+/
    """,
    re.VERBOSE,
)


def is_device_path(path_info: str) -> bool:
    return DEVICE_PATH.fullmatch(path_info) is not None


# The web sheet's sign-in pages: the account sign-in form a device shows before it enrolls
# (enrollment.views.authenticate) and the OAuth 2 authorisation form (oauth_authorize). People
# type their directory password there, never a console one, and a browser opens them (HTML):
# they go through MDM_WEB_SHEET_MIDDLEWARE, which keeps the session, CSRF and the user, but not
# the console's static files, second factor, sign-in gate, messages or axes (about 0.15 ms of
# each such request, two an enrollment; bench/RESULTS.md).
WEB_SHEET_PATH = re.compile(
    r"/enroll/(?:account/[^/]+/[^/]+/authenticate|oauth2/[^/]+/[^/]+/authorize)"
)


def is_web_sheet_path(path_info: str) -> bool:
    return WEB_SHEET_PATH.fullmatch(path_info) is not None


# The stacks a request goes through (`stack_for`): the device's, the web sheet's; else MIDDLEWARE.
DEVICE = "device"
WEB_SHEET = "web sheet"


def stack_for(path_info: str, accept: str) -> str | None:
    """DEVICE, WEB_SHEET or None (MIDDLEWARE) for a request's path and Accept header. A browser
    on a device path gets the console's HTML error page (error_pages, unavailable), which sets
    the CSRF cookie of the layout's forms: the whole stack."""
    if DEVICE_PATH.fullmatch(path_info) is not None and not asks_for_html(accept):
        return DEVICE
    if WEB_SHEET_PATH.fullmatch(path_info) is not None:
        return WEB_SHEET
    return None


class _ShortStack(BaseHandler):
    """Django's handler with `middleware` as its MIDDLEWARE (synchronous middleware only, as
    this server runs under WSGI): `chain(request)` is what `MIDDLEWARE` would do to it."""

    def __init__(self, middleware: Sequence[str]) -> None:
        super().__init__()
        # What BaseHandler.load_middleware does for synchronous middleware, from this list.
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        self._resolved = ResolvedPaths()
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(middleware):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:  # as Django's load_middleware: left out of the chain
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def chain(self, request: HttpRequest) -> HttpResponse:
        return self._middleware_chain(request)  # type: ignore[return-value]

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        """Django's, with each device path's match kept (`ResolvedPaths`): walking the URLconf's
        includes to a device route costs 10-20 µs in a loop, 30-60 µs inside a request."""
        if (
            hasattr(request, "urlconf")  # a middleware chose another URLconf: Django's way
            or len(request.path_info) > ResolvedPaths.LONGEST
        ):
            return super().resolve_request(request)
        match = self._resolved.get(get_resolver(), request.path_info)
        if self._view_middleware:
            # A view middleware (the web sheet's CSRF check) is handed the match's kwargs, and
            # may change them as it may a match Django made for the request: each request gets
            # a match of its own, with dictionaries of its own.
            match = own_copy(match)
        request.resolver_match = match
        return match


def own_copy(match: ResolverMatch) -> ResolverMatch:
    """A copy of a kept `match` for one request: the same values, its own dictionaries and
    lists (kwargs, captured_kwargs, extra_kwargs, app_names, namespaces, tried)."""
    copy = ResolverMatch.__new__(ResolverMatch)
    copy.__dict__.update(
        {k: v.copy() if isinstance(v, dict | list) else v for k, v in match.__dict__.items()}
    )
    return copy


class ResolvedPaths:
    """Device paths' resolver matches, the `MAX` used last, for one resolver (tests change the
    URLconf: another resolver starts afresh). A path that does not resolve raises Resolver404
    each time and is not kept, nor is one longer than `LONGEST` (a device's paths are under 100
    characters; a path's match holds it about three times, and anyone may send paths that
    resolve: `/enroll/discovery/<anything>`). A match is shared by the requests of its path: Django's handler
    only reads it (its view, args and kwargs, which it unpacks into the view's call), as does
    everything of ours."""

    MAX = 1024
    LONGEST = 256

    def __init__(self) -> None:
        self._resolver: URLResolver | None = None
        self._matches: OrderedDict[str, ResolverMatch] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, resolver: URLResolver, path: str) -> ResolverMatch:
        with self._lock:
            if resolver is self._resolver:
                match = self._matches.get(path)
                if match is not None:
                    self._matches.move_to_end(path)
                    return match
        match = resolver.resolve(path)
        with self._lock:
            if resolver is not self._resolver:
                self._resolver, self._matches = resolver, OrderedDict()
            self._matches[path] = match
            if len(self._matches) > self.MAX:
                self._matches.popitem(last=False)
        return match


class DeviceStackMiddleware:
    """First in MIDDLEWARE: device paths go through MDM_DEVICE_MIDDLEWARE, the rest on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.chains = {
            DEVICE: _ShortStack(settings.MDM_DEVICE_MIDDLEWARE).chain,
            WEB_SHEET: _ShortStack(settings.MDM_WEB_SHEET_MIDDLEWARE).chain,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        stack = stack_for(request.path_info, request.META.get("HTTP_ACCEPT", ""))
        if stack is None:
            return self.get_response(request)
        return self.chains[stack](request)
