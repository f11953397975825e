"""A WSGI shortcut for the command channel's frequent requests: Idle polls and command results.

Every enrolled device polls the ServerURL with `Status=Idle` after each push, and nearly every
poll finds nothing to do; a command is answered with a result that also fetches the next one.
Django's request cycle (request object, eight middlewares, URL resolution, response object,
signals) costs about as much CPU as a poll's own work (verify the signature, one indexed
query): 0.92 ms against 0.52 ms per poll, measured in one process without an HTTP server
(bench/RESULTS.md). This wrapper answers Idle polls and results (Acknowledged, Error,
CommandFormatError, NotNow) with the very calls the view makes (`identity.identify_meta`, then
`services.serve_report`, whose reads and writes are all in `devices.hotpath`), so the protocol
rules, the inventory updates and the device log live in one place and happen the same way on
both paths. It sends Django's `request_started` and `request_finished` signals around its work,
as Django's handler does, so whatever relies on them (the database connection's age and query
log, the configuration cache of `mdm_server.config_cache`) sees a request either way.

It only answers when the answer is a success. Every other request (check-in messages, anything
that is not a property list, bodies over MDM_MAX_REQUEST_BYTES), and every report it cannot
answer with a 2xx (a bad signature, an unknown enrollment, an expired bearer token, a database
error), goes to Django unchanged, body included, so refusals keep the view's wording, status,
challenge and logging. Handing a request over halfway is safe: an Idle poll changes nothing a
repeat would change (the next pending command is delivered again until the device answers
it), and a result is stored in one transaction with the next command's delivery, so a failure
leaves nothing behind and Django's answer to the same request is the first one.

What a poll repeats is not worked out again (each measured with bench.connect_breakdown): the
receivers of the two request signals are looked up when their list changes rather than on
every send; an Idle body answered once is remembered with its parsed report (a device sends
the same bytes with every poll); the Host header's check against ALLOWED_HOSTS is remembered.

`MDM_CONNECT_SHORTCUT=false` turns it off (every request then goes through Django).
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django import db
from django.conf import settings
from django.core import signals
from django.http.request import split_domain_port, validate_host
from django.urls import get_resolver

from devices import identity, protocol, services
from devices.exceptions import CheckinRejected
from devices.views import CONNECT_TYPE, NO_STORE
from mdm_server import media_types, unavailable, untrusted
from mdm_server.edge import Receivers

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_REASONS = {200: "200 OK", 202: "202 Accepted", 204: "204 No Content"}

_ACCEPTED_TYPES = ("", CONNECT_TYPE)


def _host_allowed(environ: dict[str, Any]) -> bool:
    """Django's ALLOWED_HOSTS check (CommonMiddleware); Django answers a refused host itself."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    return _allowed(host, tuple(settings.ALLOWED_HOSTS))


# A fleet reaches the server by one or two host names: the answer for a (Host, ALLOWED_HOSTS)
# pair never changes. Bounded, for Host headers made up by a client.
@functools.lru_cache(maxsize=64)
def _allowed(host: str, allowed_hosts: tuple[str, ...]) -> bool:
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, list(allowed_hosts))


# Idle bodies of polls this process answered, with their report: a device sends the same bytes
# each time it polls, and parsing them (a property list, its checks, the report) is a tenth of
# an Idle poll's CPU. Parsing is a function of the bytes alone; everything else (the signature,
# the enrollment, its queue) is checked on every poll. Only bodies whose values are all plain
# scalars, so that each poll gets its own copy of them; filled after a successful answer (a
# verified device), so made-up bodies cannot fill it. About 1 kB an entry; cleared when full.
_idle_reports: dict[bytes, protocol.CommandReport] = {}
_IDLE_REPORTS_MAX = 20_000
_SCALARS = (str, bool, int)


def _report(body: bytes) -> protocol.CommandReport | None:
    """The command-channel report of `body`, or None for a check-in message (ProtocolError
    when it is neither)."""
    seen = _idle_reports.get(body)
    if seen is not None:
        return protocol.CommandReport(
            status=seen.status, ids=seen.ids, command_uuid=None, error_chain=[], raw=dict(seen.raw)
        )
    data = protocol.load_plist(body)
    if protocol.is_checkin(data):
        return None
    return protocol.report_from_dict(data)


def _remember(body: bytes, report: protocol.CommandReport) -> None:
    if (
        report.status is not protocol.ReportStatus.IDLE
        or report.error_chain
        or not all(isinstance(value, _SCALARS) for value in report.raw.values())
    ):
        return
    if len(_idle_reports) >= _IDLE_REPORTS_MAX:
        _idle_reports.clear()
    _idle_reports[body] = report


def forget_idle_reports() -> None:
    """Drop the remembered Idle bodies (tests)."""
    _idle_reports.clear()


def _is_secure(environ: dict[str, Any]) -> bool:
    """Django's `HttpRequest.is_secure()` of the request: the trusted proxy's header when it
    sent one (SECURE_PROXY_SSL_HEADER), else the WSGI server's scheme."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        value = environ.get(proxy[0])
        if value is not None:
            return bool(value.split(",", 1)[0].strip() == proxy[1])
    return bool(environ.get("wsgi.url_scheme") == "https")


def security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers the device stack's SecurityMiddleware and XFrameOptionsMiddleware add to an
    answer (nosniff, Referrer-Policy, Cross-Origin-Opener-Policy, X-Frame-Options, and HSTS over
    HTTPS when configured): asked of those middleware themselves, once for each setting."""
    key = (
        secure,
        settings.SECURE_HSTS_SECONDS,
        settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        settings.SECURE_HSTS_PRELOAD,
        settings.SECURE_CONTENT_TYPE_NOSNIFF,
        settings.SECURE_REFERRER_POLICY,
        settings.SECURE_CROSS_ORIGIN_OPENER_POLICY,
        settings.X_FRAME_OPTIONS,
    )
    return _security_headers(key)


@functools.lru_cache(maxsize=8)
def _security_headers(key: tuple[Any, ...]) -> list[tuple[str, str]]:
    from django.http import HttpRequest, HttpResponse
    from django.middleware.clickjacking import XFrameOptionsMiddleware
    from django.middleware.security import SecurityMiddleware

    class Probe(HttpRequest):
        def is_secure(self) -> bool:
            return bool(key[0])

    response = HttpResponse()
    before = set(response.headers)
    for middleware in (SecurityMiddleware, XFrameOptionsMiddleware):
        response = middleware(lambda request: HttpResponse()).process_response(Probe(), response)
    return [(name, value) for name, value in response.headers.items() if name not in before]


class IdlePollShortcut:
    """WSGI middleware: answer authenticated Idle polls and results, pass the rest to `app`."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._path: str | None = None
        self._started = Receivers(signals.request_started, type(self))
        self._finished = Receivers(signals.request_finished, type(self))

    @property
    def path(self) -> str:
        if self._path is None:
            # Without the script prefix: compared with PATH_INFO, as Django's resolver does.
            self._path = "/" + get_resolver().reverse("mdm-connect")
        return self._path

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if (
            environ.get("REQUEST_METHOD") != "PUT"
            or environ.get("PATH_INFO") != self.path
            # Apple's type with or without parameters, or none: the view accepts a property
            # list without a Content-Type, and anything that is not one goes to the view.
            or media_types.essence(environ.get("CONTENT_TYPE")) not in _ACCEPTED_TYPES
        ):
            return self.app(environ, start_response)
        # A length in anything but ASCII digits, or beside a Transfer-Encoding, is Django's to
        # refuse (mdm_server/content_length.py); larger bodies get its 413.
        length = untrusted.natural(environ.get("CONTENT_LENGTH") or "")
        if (
            length is None
            or not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        # Django reads the body again if it takes over.
        environ["wsgi.input"] = io.BytesIO(body)
        if len(body) != length or b"Status" not in body or not _host_allowed(environ):
            return self.app(environ, start_response)
        reply = self.answer(environ, body)
        if reply is None:
            return self.app(environ, start_response)
        headers = [("Content-Length", str(len(reply.body))), ("Cache-Control", NO_STORE)]
        if reply.body:
            headers.append(("Content-Type", reply.content_type))
        headers.extend(security_headers(_is_secure(environ)))
        start_response(_REASONS[reply.status], headers)
        return [reply.body]

    def answer(self, environ: dict[str, Any], body: bytes) -> services.Reply | None:
        """The reply to an Idle poll or a result, or None when Django should answer."""
        # Django's per-request setup and teardown, as its handler sends them: the database
        # (query log, stale connections) and the configuration cache (mdm_server.config_cache)
        # rely on them. Django sends its own pair again when it takes the request over.
        self._started.send(environ=environ)
        # Not the health check's extra round trip (`SELECT 1` before the first statement, for
        # connections kept across requests): on a stale connection the first statement fails,
        # the request goes to Django, and Django's own request start checks and reconnects.
        for connection in db.connections.all(initialized_only=True):
            connection.health_check_done = True  # type: ignore[attr-defined]  # not in the stubs
        try:
            report = _report(body)
            if report is None:
                return None
            device = identity.identify_meta(environ, body)
            reply = services.serve_report(
                identity=device,
                bearer=identity.bearer_token_meta(environ),
                report=report,
                body=body,
            )
        except (identity.IdentityError, protocol.ProtocolError, CheckinRejected):
            return None  # the view refuses it, with its reason, challenge and log line
        except unavailable.DATABASE_ERRORS:
            return None  # the database is down: Django answers 503 (mdm_server.unavailable)
        except Exception:  # a database or programming error: the view gets its own try
            logger.exception("connect shortcut failed; the request goes to Django")
            return None
        finally:
            self._finished.send()
        if reply.status not in _REASONS:
            return None
        _remember(body, report)
        return reply
