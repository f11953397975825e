"""Domain errors of the devices app, mapped to HTTP answers by the protocol views."""

from __future__ import annotations


class CheckinRejected(Exception):
    """A check-in or connect request gets a 4xx answer with this reason.

    `www_authenticate` is set for 401 answers: a bare 401 makes a device remove its MDM profile.
    """

    def __init__(self, status: int, reason: str, www_authenticate: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.www_authenticate = www_authenticate
