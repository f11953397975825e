"""Logging filters for the enrollment protocol (settings.LOGGING)."""

from __future__ import annotations

import logging


class FirstChallenge(logging.Filter):
    """Drops django.request's "Unauthorized" line for the 401 that begins every account-driven
    enrollment: the device POSTs its MachineInfo without a token, is answered 401 with the
    challenge that starts its sign-in (Apple's protocol), and comes back with one. One warning
    per enrollment told an administrator nothing, and cost the request about 0.1 ms. A 401 to
    a request that carried a token (expired, refused) is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if getattr(record, "status_code", None) != 401 or request is None:
            return True
        match = getattr(request, "resolver_match", None)
        first = (
            match is not None
            and match.view_name == "enrollment:account"
            and "HTTP_AUTHORIZATION" not in request.META
        )
        return not first
