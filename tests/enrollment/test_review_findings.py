"""Review of b75a667..0938906 (the cheaper enrollment requests): defects reproduced, not fixed.

Each test states what should hold and is marked xfail(strict=True) with the reason it does not:
once the defect is fixed the test passes, and strict xfail makes that a failure to notice.
"""

from __future__ import annotations

import plistlib
import sys
from collections import OrderedDict
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils.deprecation import MiddlewareMixin

from enrollment import machine_info, services
from enrollment.machine_info import parse_machine_info
from mdm_server.edge import Edge
from mdm_server.pki import cms
from tests.enrollment import test_edge as edge_tests
from tests.simulator import enrollment_flow as flow

# --- 1. MachineInfo's property lists kept per process (enrollment/machine_info.py) -------------


def _crafted_body(device: Any) -> tuple[bytes, bytes]:
    """A signed MachineInfo of at most `_VERIFIED_MAX_BODY` bytes (so it is kept) whose
    property list holds as many distinct keys as fit (a binary plist spends ~11 bytes a key)."""
    keys = 2000
    while True:
        info: dict[str, Any] = {"PRODUCT": "iPhone17,2", "VERSION": "22C152"}
        info.update({f"{n:x}": True for n in range(keys)})
        content = plistlib.dumps(info, fmt=plistlib.FMT_BINARY, sort_keys=False)
        body = cms.sign_attached(content, certificate=device.certificate, key=device.key, chain=[])
        if len(body) <= machine_info._VERIFIED_MAX_BODY:
            return body, content
        keys -= 50


def _kept_bytes(values: dict[str, Any]) -> int:
    """What one kept dictionary holds: itself, its keys and its values (each object once)."""
    seen: set[int] = set()
    total = sys.getsizeof(values)
    for item in (*values.keys(), *values.values()):
        if id(item) not in seen:
            seen.add(id(item))
            total += sys.getsizeof(item)
    return total


@pytest.mark.xfail(
    strict=True,
    reason=(
        "machine_info._READ is bounded by its number of entries only (1024, as _VERIFIED), not "
        "by what they hold: a signed body of at most 8 kB (any self-signed one when no Apple "
        "device CA is set, the first POST being unauthenticated) keeps a dictionary ~6x its "
        "size (7.7 kB -> 47 kB: 650 keys), ~48 MB per process once 1024 are sent, where "
        "_VERIFIED's comment promises ~10 MB"
    ),
)
def test_the_kept_property_lists_stay_within_the_bound_of_the_bodies_they_come_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(machine_info, "_VERIFIED", OrderedDict())
    monkeypatch.setattr(machine_info, "_READ", OrderedDict())
    body, content = _crafted_body(flow.throwaway_apple_identity())
    parse_machine_info(body)  # no trusted roots: what an account-driven server without them does
    kept = machine_info._READ[content]
    per_entry = _kept_bytes(kept)
    # The bound the cache's comment refers to: _VERIFIED_MAX bodies of _VERIFIED_MAX_BODY bytes.
    assert per_entry * machine_info._VERIFIED_MAX <= (
        machine_info._VERIFIED_MAX * machine_info._VERIFIED_MAX_BODY
    ), f"{len(body)} bytes of body keep {per_entry} bytes ({len(kept)} keys)"


# --- 2. The profile POST answered at the edge (mdm_server/edge.py) ------------------------------

pytestmark_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slug(org: dict[str, Any]) -> str:
    return services.default_configuration().slug


def _failing_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """XFrameOptionsMiddleware.process_response (the device stack's last hook, after the view
    committed) raises the first time it is called, then works: a failure after the commit."""
    from django.middleware.clickjacking import XFrameOptionsMiddleware

    real = XFrameOptionsMiddleware.process_response
    calls: list[int] = []

    def failing_once(self: Any, request: Any, response: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("failed after the view committed")
        return real(self, request, response)

    monkeypatch.setattr(XFrameOptionsMiddleware, "process_response", failing_once)
    return calls


@pytestmark_db
@pytest.mark.xfail(
    strict=True,
    reason=(
        "edge.Edge.answer hands to Django any request that raised in its try block, also after "
        "the profile POST's view committed (a process_response, log_response, request.close, or "
        "a COMMIT that failed after the server committed): Django runs the view again, finds the "
        "token used and answers 401 with the challenge, where Django alone answers 500 (503 for "
        "the COMMIT) and logs the traceback; the failure is logged nowhere"
    ),
)
def test_a_failure_after_the_profile_post_committed_is_answered_as_django_answers_it(
    slug: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enrollment.models import EnrollmentToken

    alone, at_edge = edge_tests._bearer(), edge_tests._bearer()
    calls = _failing_once(monkeypatch)
    status_alone, _, _ = edge_tests._call(
        edge_tests.CountingApp().django, edge_tests._profile_post(slug, alone)
    )
    calls.clear()
    django_app = edge_tests.CountingApp()
    status, _, _ = edge_tests._call(Edge(django_app), edge_tests._profile_post(slug, at_edge))
    assert status_alone == "500 Internal Server Error"
    # Both tokens were stamped by their first (committed) run.
    assert EnrollmentToken.objects.filter(profile_issued_at__isnull=False).count() == 2
    assert (status, django_app.calls) == (status_alone, 0)


# --- 3. The edge and the kept resolver matches (mdm_server/device_stack.py, edge.py) -----------

_SEEN: list[dict[str, Any]] = []


class KwargsChanging(MiddlewareMixin):
    """A view middleware that changes the kwargs it is handed (as `_ShortStack.resolve_request`
    now allows for: "each request gets a match of its own")."""

    def process_view(self, request: Any, view: Any, args: Any, kwargs: dict[str, Any]) -> None:
        _SEEN.append(dict(kwargs))
        kwargs["slug"] = "changed-by-an-earlier-request"


@pytestmark_db
@pytest.mark.xfail(
    strict=True,
    reason=(
        "the edge hands the web sheet stack's process_view the kept match's own kwargs "
        "(Edge.answer -> FlatStack.run, no _own_copy): what one request's view middleware "
        "changes there reaches the next request of that path, which Django's path now prevents"
    ),
)
def test_a_view_middleware_s_change_never_reaches_the_next_request_at_the_edge(slug: str) -> None:
    _SEEN.clear()
    middleware = [*settings.MDM_WEB_SHEET_MIDDLEWARE, f"{__name__}.KwargsChanging"]
    path = f"/enroll/account/{slug}/byod/authenticate"
    with override_settings(MDM_WEB_SHEET_MIDDLEWARE=middleware):
        edge = Edge(edge_tests.CountingApp())
        for _ in range(2):
            edge_tests._call(edge, edge_tests._environ("GET", path))
    assert _SEEN and all(kwargs["slug"] == slug for kwargs in _SEEN), _SEEN


@pytestmark_db
@pytest.mark.xfail(
    strict=True,
    reason=(
        "the same hand-over when the profile POST's COMMIT raised after the server committed "
        "(a connection lost on the reply): its view raised having written, Django runs it again "
        "and refuses the used token (401) where Django alone answers the 503 of an unreachable "
        "database; edge.py's premise 'a view that raises has written nothing' does not hold"
    ),
)
def test_a_profile_post_whose_commit_raised_after_committing_is_answered_as_django_answers_it(
    slug: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError, connection

    from enrollment.models import EnrollmentToken

    alone, at_edge = edge_tests._bearer(), edge_tests._bearer()
    real = connection._commit
    failed: list[int] = []

    def committed_then_lost() -> None:
        real()
        if not failed:
            failed.append(1)
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "_commit", committed_then_lost)
    status_alone, _, _ = edge_tests._call(
        edge_tests.CountingApp().django, edge_tests._profile_post(slug, alone)
    )
    failed.clear()
    django_app = edge_tests.CountingApp()
    status, _, _ = edge_tests._call(Edge(django_app), edge_tests._profile_post(slug, at_edge))
    assert status_alone.startswith("503")
    assert EnrollmentToken.objects.filter(profile_issued_at__isnull=False).count() == 2
    assert status == status_alone, (status, django_app.calls)
