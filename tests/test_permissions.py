"""Permission matrix over every console and API URL of every app, found by walking the resolver.

Personas: anonymous, a signed-in user without a role, helpdesk (reads only), administrator.
Routes with parameters are called with real objects where this test knows them (devices,
commands, users) and otherwise with ids that match nothing, which must give 404, never 500.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.url_walk import Route, routes

pytestmark = pytest.mark.django_db

# Public on purpose: sign-in/out; the OpenAPI schema and its docs page (no data in them).
PUBLIC = {"console/login/", "console/logout/", "api/v1/schema/", "api/v1/docs/"}
WRITE_METHODS = ("post", "put", "patch", "delete")


def _surface_routes() -> list[Route]:
    return [
        r
        for r in routes()
        if r.pattern.startswith(("console/", "api/")) and r.pattern not in PUBLIC
    ]


ROUTES = _surface_routes()


def _client(user: User | None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def objects(admin_user: User, helpdesk_user: User) -> dict[str, str]:
    """Real objects for the parameters this test knows: a device, its command, a user."""
    from devices import services
    from tests.devices._rows import bulk_devices

    bulk_devices(1, enrollment_type="device")
    from devices.models import Enrollment

    device = Enrollment.objects.get()
    result = services.enqueue_command(enrollments=[device], request_type="SecurityInfo")
    assert result.command is not None
    return {
        "public_id": str(device.public_id),
        "name": "SecurityInfo",
        "uuid": result.command.uuid,
        "user_id": str(helpdesk_user.pk),
        "username": helpdesk_user.username,
    }


def _call(client: Client, method: str, url: str) -> Any:
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return getattr(client, method)(url, data="{}", content_type="application/json")
    return client.post(url, {})


def _methods(route: Route) -> tuple[str, ...]:
    return ("get", *WRITE_METHODS) if route.pattern.startswith("api/") else ("get", "post")


def _check(user: User | None, objects: dict[str, str], expect: Any) -> list[str]:
    """Call every route with every method; collect what `expect` finds wrong (one report)."""
    problems = []
    client = _client(user)
    for route in ROUTES:
        url = route.url(objects)
        for method in _methods(route):
            response = _call(client, method, url)
            why = expect(route, method, response)
            if why:
                problems.append(f"{method.upper()} {url} -> {response.status_code}: {why}")
    return problems


def _anonymous(route: Route, method: str, response: Any) -> str:
    code = response.status_code
    if code == 405:  # wrong method: refused before anything is looked up
        return ""
    if route.pattern.startswith("console/"):
        if code != 302 or not response["Location"].startswith("/console/login/"):
            return "a console page must send anonymous users to sign in"
        return ""
    return "" if code in (401, 403) else "the API must refuse anonymous requests"


def test_anonymous_is_sent_to_sign_in_or_refused(objects: dict[str, str]) -> None:
    problems = _check(None, objects, _anonymous)
    assert not problems, "\n".join(problems)


def test_user_without_role_is_refused(objects: dict[str, str], outsider_user: User) -> None:
    problems = _check(
        outsider_user,
        objects,
        lambda r, m, resp: "" if resp.status_code in (403, 405) else "no role must mean no access",
    )
    assert not problems, "\n".join(problems)


def _helpdesk(route: Route, method: str, response: Any) -> str:
    code = response.status_code
    if method == "get":
        # Reading: allowed (or not found / not a GET endpoint), or refused for admin-only secrets.
        return "" if code in (200, 302, 400, 403, 404, 405) else "unexpected answer to a read"
    if getattr(getattr(route.view, "cls", route.view), "helpdesk_may_write", False):
        return "" if code < 500 else "server error"
    return "" if code in (403, 405) else "helpdesk must not change anything"


def test_helpdesk_reads_but_never_writes(objects: dict[str, str], helpdesk_user: User) -> None:
    problems = _check(helpdesk_user, objects, _helpdesk)
    assert not problems, "\n".join(problems)


def _admin(route: Route, method: str, response: Any) -> str:
    code = response.status_code
    if code >= 500:
        return "server error (empty or unknown input must give a 4xx or a form error)"
    if code in (401, 403):
        return "an administrator must not be refused: " + response.content[:200].decode(
            errors="replace"
        )
    return ""


def test_administrator_is_never_refused_and_never_crashes(
    objects: dict[str, str], admin_user: User
) -> None:
    problems = _check(admin_user, objects, _admin)
    assert not problems, "\n".join(problems)


def test_the_matrix_covers_every_app() -> None:
    modules = {r.module.split(".")[0] for r in ROUTES}
    assert {"devices", "mdm_server"} <= modules
    assert len(ROUTES) > 20


# Tables any read may still write: the signed-in session itself.
READ_MAY_WRITE = ("django_session",)
# Reads that write on purpose, and what they may write.
READ_WRITES = {
    # Every export is in the audit log (who took which data out), though it changes nothing.
    "console/devices/export.csv": ("core_auditevent",),
    # The first look at the enrollment page creates the default settings and configuration.
    "console/enrollment/": ("enrollment_enrollmentsettings", "enrollment_enrollmentconfiguration"),
}
_WRITE_SQL = ("INSERT", "UPDATE", "DELETE")


def _writes(route: Route, queries: list[dict[str, str]]) -> list[str]:
    allowed = READ_MAY_WRITE + READ_WRITES.get(route.pattern, ())
    out = []
    for q in queries:
        sql = q["sql"].lstrip()
        if sql.upper().startswith(_WRITE_SQL) and not any(f'"{t}"' in sql for t in allowed):
            out.append(sql[:120])
    return out


def test_a_get_never_changes_anything(objects: dict[str, str], admin_user: User) -> None:
    """State changes need POST (or the API's write methods): a GET — a link, an <img src>, a
    prefetch — changes nothing, whatever the URL. Checked as an administrator, with a token."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mdm_server import api_tokens

    api_tokens.create_api_token(user=User.objects.get(pk=objects["user_id"]), actor=None)
    client = _client(admin_user)
    problems = []
    for route in ROUTES:
        url = route.url(objects)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        writes = _writes(route, ctx.captured_queries)
        if writes:
            problems.append(f"GET {url} -> {response.status_code} wrote: {writes}")
    assert not problems, "\n".join(problems)


# Console URLs that only ever change something: a GET is refused before anything is looked up.
POST_ONLY = {
    "console-token-create", "console-token-revoke", "console-security",
    "profiles-ue-mode", "profiles-assign", "profiles-unassign", "profiles-delete",
    "directory-source-test", "directory-source-sync", "directory-source-delete",
    "directory-user-invite", "directory-user-recompute",
    "apns-upload", "apns-csr", "apns-push-all",
    "devices-delivery-cancel",
    "declarations-delete", "declarations-set-assign", "declarations-set-unassign",
    "declarations-set-delete",
    "apps-location-upload", "apps-location-sync", "apps-custom", "apps-assign", "apps-unassign",
    "devices-filter-save", "devices-filter-delete",
}  # fmt: skip
_ACTION_WORDS = ("revoke", "delete", "sync/", "test/", "invite", "recompute", "cancel", "assign/",
                 "push-all", "ue-mode", "security", "certificate/", "csr/$", "tokens/$")  # fmt: skip


def test_state_changing_console_urls_refuse_get(
    objects: dict[str, str], admin_user: User, helpdesk_user: User
) -> None:
    import re

    console = [r for r in ROUTES if r.pattern.startswith("console/")]
    # A new action URL must be listed here (and so be POST-only) to pass.
    looks_like_action = {
        r.name for r in console if any(re.search(re.escape(w).replace(r"\$", "$"), r.pattern)
                                       for w in _ACTION_WORDS)
    }  # fmt: skip
    assert looks_like_action <= POST_ONLY, looks_like_action - POST_ONLY
    assert {r.name for r in console} >= POST_ONLY
    client = _client(admin_user)
    for route in console:
        if route.name in POST_ONLY:
            response = client.get(route.url(objects))
            assert response.status_code == 405, route.pattern
            assert response["Allow"] == "POST", route.pattern
