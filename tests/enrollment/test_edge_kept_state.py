"""What the cheaper enrollment requests must not give up: the kept MachineInfo values stay
about the size of their bodies, a profile POST that failed after its commit is answered as
Django answers it, and a view middleware's change to a kept URL match never reaches the next
request."""

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


def test_only_machine_infos_of_a_few_keys_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(machine_info, "_VERIFIED", OrderedDict())
    monkeypatch.setattr(machine_info, "_READ", OrderedDict())
    body, content = _crafted_body(flow.throwaway_apple_identity())
    info = parse_machine_info(body)  # no trusted roots: an account-driven server without them
    assert len(info.values) > machine_info._READ_MAX_KEYS
    assert content not in machine_info._READ  # read every time, never kept
    # A real MachineInfo's handful of keys is kept, and stays about the size of its body.
    device = flow.throwaway_apple_identity()
    real = {"PRODUCT": "iPhone17,2", "VERSION": "22C152", "UDID": "0" * 40, "SERIAL": "F2LX"}
    real_content = plistlib.dumps(real)
    parse_machine_info(
        cms.sign_attached(real_content, certificate=device.certificate, key=device.key, chain=[])
    )
    kept = machine_info._READ[real_content]
    assert kept == real
    assert _kept_bytes(kept) <= machine_info._VERIFIED_MAX_BODY


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
    assert (status, django_app.calls) == (status_alone, 1)  # Django's, from its start


# --- 3. The edge and the kept resolver matches (mdm_server/device_stack.py, edge.py) -----------

_SEEN: list[dict[str, Any]] = []


class KwargsChanging(MiddlewareMixin):
    """A view middleware that changes the kwargs it is handed (as `_ShortStack.resolve_request`
    now allows for: "each request gets a match of its own")."""

    def process_view(self, request: Any, view: Any, args: Any, kwargs: dict[str, Any]) -> None:
        _SEEN.append(dict(kwargs))
        kwargs["slug"] = "changed-by-an-earlier-request"


@pytestmark_db
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
