"""Apple's Apps and Books notifications: `POST /apps-books/notifications/<notify_id>/`.

Apple POSTs JSON with `Authorization: Bearer <notificationAuthToken>` (the token this server
set in the location's client configuration). Anything else is refused with a 4xx and a
plain-text reason before the body is read as JSON; a body that is not a documented
notification is a 400, never a 500. A 2xx tells Apple the notification was delivered.
"""

from __future__ import annotations

import hmac
import logging
import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from devices.managed_apps import appsbooks, services, tasks
from devices.managed_apps.models import AppsBooksToken
from mdm_server import redis_client, untrusted
from mdm_server.media_types import is_one_of

logger = logging.getLogger(__name__)
MAX_BODY = 1_048_576  # Apple batches assignments (about a hundred a notification)


def _text(status: int, reason: str) -> HttpResponse:
    response = HttpResponse(reason + "\n", status=status, content_type="text/plain")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="apps-books-notifications"'
    return response


@csrf_exempt
def notification(request: HttpRequest, notify_id: uuid.UUID) -> HttpResponse:
    if request.method != "POST":
        response = _text(405, "notifications are POSTed")
        response["Allow"] = "POST"
        return response
    auth = request.headers.get("Authorization", "")
    given = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    # Checked against the secret derived for this URL, whether or not it names a location, in
    # constant time: neither the token nor which ids exist can be learnt by probing.
    if not given or not hmac.compare_digest(
        given.encode(), services.notify_secret(str(notify_id)).encode()
    ):
        return _text(401, "a notification carries this location's bearer token")
    if not is_one_of(request.headers.get("Content-Type"), "application/json"):
        return _text(415, "a notification is application/json")
    length = untrusted.natural(request.headers.get("Content-Length", ""))
    if length is None:
        return _text(411, "a notification gives its Content-Length")
    if length > MAX_BODY:
        return _text(413, f"a notification is at most {MAX_BODY} bytes")
    try:
        note = appsbooks.parse_notification(untrusted.load_json(request.body))
    except (untrusted.UntrustedDataError, appsbooks.NotificationError) as exc:
        return _text(400, f"not an Apps and Books notification: {exc}"[:300])
    token = AppsBooksToken.objects.filter(notify_id=notify_id).first()
    if token is None:
        # Apple tests the URL while the location is being uploaded (not stored yet).
        if note.notification_type == appsbooks.TEST_NOTIFICATION:
            return _text(200, "test notification accepted")
        return _text(404, "no such Apps and Books location")
    done = services.apply_notification(token=token, note=note)
    logger.info("Apps and Books notification %s (%s): %s", note.notification_id, token, done)
    transaction.on_commit(_advance)
    return _text(200, done)


def _advance() -> None:
    try:
        redis_client.publish(tasks.advance_installs)
    except redis_client.Unavailable:  # the beat's advance_installs takes over
        pass
    except Exception:
        logger.exception("queueing advance_installs after a notification failed")
