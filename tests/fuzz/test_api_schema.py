"""Schema-driven fuzzing of the REST API: every operation of `/api/v1/schema/`, called in-process
through Django's WSGI application with an administrator's API token, with requests generated from
the schema, valid ones and ones that break it. No answer may be a 5xx, and an error says why in
the API's error format."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi._hypothesis import _draw_negated_locations

from mdm_server import api_tokens
from tests.fuzz.tally import TALLY

# The schema the server publishes at /api/v1/schema/, generated the same way here.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

# Requests per operation, half valid and half breaking the schema. All operations run in one
# test so that the database and PKI are set up once: per-operation tests spent most of their
# time there (about 4 s each on two busy cores, for ~75 operations). Generating a request costs
# schemathesis ~28 ms of CPU (the schema-breaking ones most), so CI sends 6 per operation.
EXAMPLES_PER_OPERATION = 100 if os.environ.get("HYPOTHESIS_PROFILE") == "explore" else 6
# Schema-breaking requests are drawn by filtering: some operations have little to break.
FILTERING = [HealthCheck.filter_too_much]


@pytest.fixture
def api_token(admin_user: User, server_pki: object) -> Iterator[str]:
    # The WSGI handler would close the test's database connection after each request (Django's
    # test client disconnects the same receivers).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield api_tokens.create_api_token(user=admin_user, actor=None).key
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _call(case: schemathesis.Case, token: str) -> None:
    # Each request in a savepoint that is rolled back: a generated DELETE of the token, or of
    # anything else, does not change what the next request meets.
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {token}"})
        transaction.set_rollback(True)
    TALLY.requests += 1
    if response.status_code >= 500:
        TALLY.server_errors.append(f"{case.method} {case.formatted_path} -> {response.status_code}")
    case.validate_response(response, checks=[not_a_server_error])
    content_type = response.headers.get("content-type", [""])[0]
    if response.status_code >= 400 and content_type.startswith("application/json"):
        error = json.loads(response.content)["error"]
        assert error["message"], error


class _Breakable(Exception):
    """Schemathesis found a part of the request it can break."""


def _something_to_break(operation: schemathesis.APIOperation) -> bool:
    """Can schemathesis make a request of this operation that breaks the schema? Asked of its
    own choice of what to break, which draws only when there is something: an operation with
    nothing (no query, no body, path parameters any string matches) has each of its negative
    requests rejected, ~460 draws before hypothesis gives up, and not one request sent."""

    def draw(strategy: object) -> object:
        raise _Breakable

    explicit: dict[ParameterLocation, dict[str, object] | None] = dict.fromkeys(
        (
            ParameterLocation.PATH,
            ParameterLocation.HEADER,
            ParameterLocation.COOKIE,
            ParameterLocation.QUERY,
        )
    )
    try:
        _draw_negated_locations(
            draw, operation, GenerationMode.NEGATIVE, explicit=explicit, body_is_generated=True
        )
    except _Breakable:
        return True
    return False


@pytest.mark.django_db
def test_every_api_operation(api_token: str) -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    broken = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not _something_to_break(operation):
                continue

            @settings(
                max_examples=EXAMPLES_PER_OPERATION // 2,
                suppress_health_check=[*settings.default.suppress_health_check, *FILTERING],
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: schemathesis.Case) -> None:
                _call(case, api_token)

            try:
                run()
            except Unsatisfiable:
                # A part could be broken, yet no drawn request broke it.
                assert mode is GenerationMode.NEGATIVE, operation.label
            else:
                broken += mode is GenerationMode.NEGATIVE
    assert broken > 30  # most operations were also sent requests that break the schema
