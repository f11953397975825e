"""Device protocol endpoints: check-in and connect (the command channel).

Thin: verify the identity, parse, call one service, render. Every refusal is a 4xx with a reason;
a 401 always carries a WWW-Authenticate challenge (a bare 401 unenrolls a device).
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from devices import identity, protocol, services
from devices.exceptions import CheckinRejected
from mdm_server import media_types

logger = logging.getLogger(__name__)

CHECKIN_TYPE = "application/x-apple-aspen-mdm-checkin"
CONNECT_TYPE = "application/x-apple-aspen-mdm"


# Nothing a device is answered may be cached. One constant header instead of never_cache, whose
# date arithmetic is a measurable share of an Idle poll.
NO_STORE = "no-store, no-cache, max-age=0, private"


def _reject(status: int, reason: str, challenge: str | None = None) -> HttpResponse:
    response = HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")
    if challenge:
        response["WWW-Authenticate"] = challenge
    return response


def _reply(reply: services.Reply) -> HttpResponse:
    if not reply.body:
        # An empty answer has no type (Django's default would call it text/html).
        empty = HttpResponse(status=reply.status)
        del empty["Content-Type"]
        return empty
    return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)


def _uncached(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _handle(request: HttpRequest, *, checkin_only: bool) -> HttpResponse:
    # By type and subtype: devices add parameters (`; charset=UTF-8`), tools vary the case.
    content_type = media_types.essence(request.META.get("CONTENT_TYPE"))
    allowed = (CHECKIN_TYPE,) if checkin_only else (CHECKIN_TYPE, CONNECT_TYPE)
    if content_type and content_type not in allowed:
        return _reject(415, f"Content-Type must be {' or '.join(allowed)}")
    try:
        body = request.body
    except RequestDataTooBig:
        return _reject(413, "request body is too large")
    data = None
    if not content_type:
        # Some clients send no Content-Type at all: the body itself says what it is.
        try:
            data = protocol.load_plist(body)
        except protocol.ProtocolError as exc:
            return _reject(
                415,
                f"Content-Type must be {' or '.join(allowed)}; without one, the body must be "
                f"a property list ({exc})",
            )
    try:
        device = identity.identify(request)
        if data is None:
            data = protocol.load_plist(body)
        bearer = identity.bearer_token(request)
        if protocol.is_checkin(data):
            message = protocol.checkin_from_dict(data)
            return _reply(services.handle_checkin(identity=device, message=message, bearer=bearer))
        if checkin_only:
            return _reject(400, "missing MessageType")
        report = protocol.report_from_dict(data)
        # The same call as the WSGI shortcut's (devices.connect_shortcut).
        return _reply(
            services.serve_report(identity=device, bearer=bearer, report=report, body=body)
        )
    except identity.IdentityError as exc:
        logger.warning("device request refused (403): %s", exc)
        return _reject(403, str(exc))
    except protocol.ProtocolError as exc:
        logger.warning("malformed device request (400): %s", exc)
        return _reject(400, str(exc))
    except CheckinRejected as exc:
        logger.warning("device request refused (%s): %s", exc.status, exc.reason)
        return _reject(exc.status, exc.reason, exc.www_authenticate)


@csrf_exempt
@require_http_methods(["PUT"])
def checkin(request: HttpRequest) -> HttpResponse:
    return _uncached(_handle(request, checkin_only=True))


@csrf_exempt
@require_http_methods(["PUT"])
def connect(request: HttpRequest) -> HttpResponse:
    """The ServerURL: command-channel requests, and check-ins when a profile has no CheckInURL."""
    return _uncached(_handle(request, checkin_only=False))
