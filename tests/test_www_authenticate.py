"""A 401 anywhere carries WWW-Authenticate: a bare 401 makes an Apple device drop its MDM
profile, and RFC 9110 requires the challenge. Every route, anonymously, with a wrong API token
and with a wrong Bearer token."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.url_walk import routes

pytestmark = pytest.mark.django_db

CREDENTIALS = [
    {},
    {"HTTP_AUTHORIZATION": "Token not-a-token"},
    {"HTTP_AUTHORIZATION": "Bearer not-a-token"},
]


def test_every_401_carries_a_challenge(server_pki: object) -> None:
    paths = sorted({r.url() for r in routes() if not r.pattern.startswith(("admin/", "static"))})
    bare, challenged = [], 0
    for headers in CREDENTIALS:
        client = Client(**headers)
        for path in paths:
            for method in ("get", "post"):  # authentication comes before the method check
                response = getattr(client, method)(path, data=b"", content_type="text/plain")
                if response.status_code != 401:
                    continue
                if response.has_header("WWW-Authenticate"):
                    challenged += 1
                else:
                    bare.append(f"{method.upper()} {path} {headers}")
    assert not bare, "bare 401s:\n" + "\n".join(bare)
    assert challenged > 20  # the API's 401s were among the answers
