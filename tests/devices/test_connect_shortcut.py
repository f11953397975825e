"""The Idle-poll shortcut in front of Django (devices/connect_shortcut.py), through WSGI.

It must answer exactly what the view answers, with one query for an empty queue, and hand every
other request, and every Idle poll it cannot answer with a success, to Django unchanged.
"""

from __future__ import annotations

import base64
import logging
import plistlib
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg import ClientCursor

from devices import commands, hotpath, services
from devices.connect_shortcut import IdlePollShortcut
from devices.models import DeviceEvent, Enrollment, InstalledProfile, QueuedCommand
from mdm_server.pki import services as pki
from tests.devices._rows import later_deliveries, later_events
from tests.devices.conftest import InventoriedDevice
from tests.simulator import SimulatedDevice, WSGITransport, issue_identity

# Django's WSGI handler closes connections that are inside a transaction at the end of each
# request (as in production), so these tests commit instead of rolling back.
pytestmark = pytest.mark.django_db(transaction=True)


class CountingApp:
    """Django's WSGI handler, counting the requests the shortcut passed on."""

    def __init__(self) -> None:
        self.django = get_wsgi_application()
        self.calls: list[str] = []

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        self.calls.append(environ["PATH_INFO"])
        return self.django(environ, start_response)


@pytest.fixture
def django_app() -> CountingApp:
    return CountingApp()


@pytest.fixture
def shortcut(django_app: CountingApp) -> IdlePollShortcut:
    return IdlePollShortcut(django_app)


@pytest.fixture
def wsgi_device(
    server_pki: pki.PkiStatus, shortcut: IdlePollShortcut
) -> Callable[..., SimulatedDevice]:
    ca = pki.active_identity("ca")

    def make(**kwargs: Any) -> SimulatedDevice:
        cert, key = issue_identity(ca)
        kwargs.setdefault("user_enrollment", True)
        return InventoriedDevice(
            transport=WSGITransport(shortcut),
            certificate=cert,
            key=key,
            server_url="https://testserver/mdm/connect",
            checkin_url="https://testserver/mdm/checkin",
            **kwargs,
        )

    return make


def _enrollment(device: SimulatedDevice) -> Enrollment:
    return Enrollment.objects.get(channel_key=f"eid:{device.enrollment_id}")


def test_idle_with_empty_queue_is_answered_without_django_in_one_query(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    device = wsgi_device()
    device.enroll()
    django_app.calls.clear()
    with CaptureQueriesContext(connection) as queries:
        status, headers, body = _idle(device)
    assert (status, body) == (200, b"")
    assert headers["cache-control"].startswith("no-store")
    assert headers["content-length"] == "0"
    assert django_app.calls == []
    # The poll is one query; last_seen_at was set at enrollment a moment ago.
    assert len(queries) == 1, [q["sql"] for q in queries]


def _with_a_queued_command(
    wsgi_device: Callable[..., SimulatedDevice],
) -> tuple[SimulatedDevice, Enrollment]:
    """An enrolled device with ProfileList waiting in its queue."""
    device = wsgi_device()
    device.enroll()
    enrollment = _enrollment(device)
    services.enqueue_command(enrollments=[enrollment], request_type="ProfileList")
    return device, enrollment


def _idle(device: SimulatedDevice, **headers: str) -> tuple[int, dict[str, str], bytes]:
    body = plistlib.dumps({"Status": "Idle", **device.ids()})
    sent = device._headers(body, "application/x-apple-aspen-mdm")
    sent.update(headers)
    return device.transport.request("PUT", device.server_url, headers=sent, body=body)


def test_a_queued_command_is_delivered_and_its_result_taken_without_django(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    device, enrollment = _with_a_queued_command(wsgi_device)
    django_app.calls.clear()

    handled = device.run()

    assert [h.request_type for h in handled] == ["ProfileList"]
    delivery = later_deliveries().get(enrollment=enrollment)
    assert delivery.status == QueuedCommand.Status.ACKNOWLEDGED
    # Idle -> command; Acknowledged -> empty: both answered by the shortcut.
    assert django_app.calls == []


def test_the_shortcut_answers_what_the_view_answers(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    device, enrollment = _with_a_queued_command(wsgi_device)
    body = plistlib.dumps({"Status": "Idle", **device.ids()})
    headers = device._headers(body, "application/x-apple-aspen-mdm")

    via_shortcut = device.transport.request("PUT", device.server_url, headers=headers, body=body)
    later_deliveries().filter(enrollment=enrollment).update(status=QueuedCommand.Status.QUEUED)
    via_django = WSGITransport(django_app.django).request(
        "PUT", device.server_url, headers=headers, body=body
    )

    assert via_shortcut[0] == via_django[0] == 200
    assert via_shortcut[2] == via_django[2]
    assert plistlib.loads(via_shortcut[2])["Command"]["RequestType"] == "ProfileList"
    for name in ("content-type", "cache-control", "x-content-type-options"):
        assert via_shortcut[1][name] == via_django[1][name], name


@pytest.mark.parametrize("hsts_seconds", [0, 3600])
def test_the_shortcut_answers_with_every_header_the_view_answers_with(
    wsgi_device: Callable[..., SimulatedDevice],
    settings: Any,
    hsts_seconds: int,
) -> None:
    """The device stack's security headers (Django's SecurityMiddleware and X-Frame-Options:
    HSTS over HTTPS when configured, Referrer-Policy, Cross-Origin-Opener-Policy) were missing
    from the shortcut's answers: every header, not only three, is the view's."""
    settings.SECURE_HSTS_SECONDS = hsts_seconds
    device = wsgi_device()
    device.enroll()
    body = plistlib.dumps({"Status": "Idle", **device.ids()})
    headers = device._headers(body, "application/x-apple-aspen-mdm")
    # Django's middleware read the settings when its handler is made: a handler made now.
    django = CountingApp()

    via_shortcut = WSGITransport(IdlePollShortcut(django)).request(
        "PUT", device.server_url, headers=headers, body=body
    )
    assert django.calls == []
    via_django = WSGITransport(django.django).request(
        "PUT", device.server_url, headers=headers, body=body
    )

    assert via_shortcut[0] == via_django[0] == 200
    assert via_shortcut[1] == via_django[1]
    assert ("strict-transport-security" in via_django[1]) == bool(hsts_seconds)
    assert "content-type" not in via_django[1]  # an empty answer has no type


def test_refusals_are_left_to_the_view(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    server_pki: pki.PkiStatus,
) -> None:
    device = wsgi_device()
    device.enroll()
    django_app.calls.clear()

    # A signature from another key over the same body.
    stranger = wsgi_device()
    body = plistlib.dumps({"Status": "Idle", **device.ids()})
    forged = stranger._headers(body, "application/x-apple-aspen-mdm")
    status, _, reason = device.transport.request(
        "PUT", device.server_url, headers=forged, body=body
    )
    assert status == 403, reason

    # Garbage in the signature header.
    status, _, reason = _idle(device, **{"Mdm-Signature": base64.b64encode(b"junk").decode()})
    assert status == 403 and reason.startswith(b"Mdm-Signature does not verify")

    # An enrollment this server does not know.
    unknown = wsgi_device()
    status, _, reason = _idle(unknown)
    assert (status, reason) == (404, b"unknown enrollment")

    assert len(django_app.calls) == 3


# An expired bearer token through the shortcut: tests/enrollment/test_account_flow.py (it needs
# a real account-driven enrollment).


def test_other_requests_go_straight_to_django(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    device = wsgi_device()
    # Check-ins: Authenticate, TokenUpdate, and those of the declarative sync the server asks
    # at enrollment (tokens, declaration-items, each declaration, status).
    device.enroll()
    assert set(django_app.calls) == {"/mdm/checkin"} and len(django_app.calls) >= 2
    django_app.calls.clear()

    # A check-in message sent to the ServerURL, a wrong content type, a GET.
    status, _ = device.send(
        device.server_url,
        {"MessageType": "UserAuthenticate", **device.ids()},
        "application/x-apple-aspen-mdm",
    )
    assert status == 410  # no user channels: the view's answer to a UserAuthenticate
    status, _ = device.send(device.server_url, {"Status": "Idle", **device.ids()}, "text/plain")
    assert status == 415
    status, _, _ = device.transport.request("GET", device.server_url, headers={})
    assert status == 405
    assert len(django_app.calls) == 3


def test_an_unexpected_error_hands_the_poll_to_django(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    device, enrollment = _with_a_queued_command(wsgi_device)
    django_app.calls.clear()
    real = services.serve_report
    failures: list[str] = []

    def fails_once(**kwargs: Any) -> services.Reply:
        if not failures:
            failures.append("raised")
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "serve_report", fails_once)
    with caplog.at_level(logging.ERROR, logger="devices.connect_shortcut"):
        status, _, body = _idle(device)

    assert "goes to Django" in caplog.text
    assert django_app.calls == ["/mdm/connect"]
    # Django's view answered the same poll: the command is delivered once, not lost.
    assert status == 200
    assert plistlib.loads(body)["Command"]["RequestType"] == "ProfileList"
    assert later_deliveries().get(enrollment=enrollment).status == QueuedCommand.Status.SENT


@pytest.mark.parametrize(
    "body",
    [
        b"Idle",
        b"<plist><dict><key>Status</key><string>Idle</string></dict>",
        plistlib.dumps({"Status": "Idle"}),
        plistlib.dumps({"Status": "Idle", "UDID": ["not", "a", "string"]}),
        plistlib.dumps({"Status": "Idle", "EnrollmentID": "x" * 20_000}),
        plistlib.dumps({"Status": "Idle", "CommandUUID": "c-1", "EnrollmentID": "E"}),
    ],
)
def test_garbage_idle_bodies_get_the_views_4xx(
    body: bytes, shortcut: IdlePollShortcut, django_app: CountingApp
) -> None:
    def put(app: Any) -> tuple[int, bytes]:
        status, _, reason = WSGITransport(app).request(
            "PUT",
            "https://testserver/mdm/connect",
            headers={"Content-Type": "application/x-apple-aspen-mdm", "Mdm-Signature": "AAAA"},
            body=body,
        )
        return status, reason

    through_shortcut = put(shortcut)
    assert django_app.calls == ["/mdm/connect"]
    # The oracle is Django's own view, asked directly: same status, same reason.
    assert through_shortcut == put(django_app.django)
    assert 400 <= through_shortcut[0] < 500 and through_shortcut[1], through_shortcut


APPLE_TYPES = [
    "application/x-apple-aspen-mdm; charset=UTF-8",
    "Application/X-Apple-Aspen-MDM",
    "  application/x-apple-aspen-mdm ;charset=utf-8",
    None,  # no Content-Type header at all
]


def _idle_request(
    device: SimulatedDevice, content_type: str | None
) -> tuple[dict[str, str], bytes]:
    body = plistlib.dumps({"Status": "Idle", **device.ids()})
    headers = device._headers(body, content_type or "")
    if content_type is None:
        del headers["Content-Type"]
    return headers, body


def _idle_as(
    device: SimulatedDevice, content_type: str | None
) -> tuple[int, dict[str, str], bytes]:
    headers, body = _idle_request(device, content_type)
    return device.transport.request("PUT", device.server_url, headers=headers, body=body)


@pytest.mark.parametrize("content_type", APPLE_TYPES)
def test_idle_polls_with_apples_media_types_take_the_shortcut(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp, content_type: str | None
) -> None:
    device = wsgi_device()
    device.enroll()
    django_app.calls.clear()
    with CaptureQueriesContext(connection) as queries:
        status, _, body = _idle_as(device, content_type)
    assert (status, body) == (200, b"")
    assert django_app.calls == []
    assert len(queries) == 1, [q["sql"] for q in queries]


@pytest.mark.parametrize("content_type", APPLE_TYPES)
def test_the_shortcut_answers_such_polls_what_the_view_answers(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp, content_type: str | None
) -> None:
    device, enrollment = _with_a_queued_command(wsgi_device)
    django_app.calls.clear()

    via_shortcut = _idle_as(device, content_type)
    assert django_app.calls == []
    later_deliveries().filter(enrollment=enrollment).update(status=QueuedCommand.Status.QUEUED)
    headers, body = _idle_request(device, content_type)
    via_django = WSGITransport(django_app.django).request(
        "PUT", device.server_url, headers=headers, body=body
    )

    assert via_shortcut[0] == via_django[0] == 200
    assert via_shortcut[2] == via_django[2]
    assert plistlib.loads(via_shortcut[2])["Command"]["RequestType"] == "ProfileList"
    for name in ("content-type", "cache-control", "x-content-type-options", "content-length"):
        assert via_shortcut[1][name] == via_django[1][name], name


def test_without_content_type_a_body_that_is_no_property_list_gets_the_views_415(
    shortcut: IdlePollShortcut, django_app: CountingApp
) -> None:
    status, _, reason = WSGITransport(shortcut).request(
        "PUT", "https://testserver/mdm/connect", headers={}, body=b"Idle, please"
    )
    assert status == 415
    assert b"without one, the body must be a property list" in reason
    assert django_app.calls == ["/mdm/connect"]


# --- results ---------------------------------------------------------------------------------

PROFILES = [
    {
        "PayloadIdentifier": f"com.example.profile.{n}",
        "PayloadUUID": f"00000000-0000-0000-0000-{n:012d}",
        "PayloadDisplayName": f"Profile {n}",
        "PayloadOrganization": "Example",
        "IsManaged": True,
        "PayloadContent": [{"PayloadType": "com.apple.wifi.managed"}],
    }
    for n in range(30)
]


def _result(
    device: SimulatedDevice, status: str, command_uuid: str, content_type: str, **extra: Any
) -> tuple[int, dict[str, str], bytes]:
    body = plistlib.dumps({"Status": status, "CommandUUID": command_uuid, **device.ids(), **extra})
    headers = device._headers(body, content_type)
    return device.transport.request("PUT", device.server_url, headers=headers, body=body)


def _delivered(device: SimulatedDevice) -> str:
    status, _, body = _idle(device)
    assert status == 200 and body
    return str(plistlib.loads(body)["CommandUUID"])


def _security_info_delivered(
    wsgi_device: Callable[..., SimulatedDevice],
) -> tuple[SimulatedDevice, Enrollment, str]:
    """An enrolled device with SecurityInfo then ProfileList queued, SecurityInfo delivered:
    the device, its enrollment and SecurityInfo's CommandUUID."""
    device = wsgi_device()
    device.enroll()
    enrollment = _enrollment(device)
    for request_type in ("SecurityInfo", "ProfileList"):
        services.enqueue_command(enrollments=[enrollment], request_type=request_type)
    return device, enrollment, _delivered(device)


def _state(enrollment: Enrollment) -> dict[str, Any]:
    """What a result leaves behind: queue rows, device log, inventory."""
    return {
        "queue": sorted(
            (q.command.request_type, q.status, bytes(q.result or b"") != b"", q.not_now_count)
            for q in QueuedCommand.objects.filter(enrollment=enrollment).select_related("command")
        ),
        "log": [
            (e.kind, e.action, e.status, e.detail)
            for e in DeviceEvent.objects.filter(enrollment=enrollment).order_by("id")
        ],
        "profiles": sorted(
            InstalledProfile.objects.filter(enrollment=enrollment).values_list(
                "identifier", "display_name", "payload_types"
            )
        ),
        "security_info": Enrollment.objects.get(pk=enrollment.pk).device.security_info,
    }


@pytest.mark.parametrize(
    ("status", "extra"),
    [
        ("Acknowledged", {"ProfileList": PROFILES}),
        ("Error", {"ErrorChain": [{"ErrorCode": 12021, "ErrorDomain": "MCMDMErrorDomain"}]}),
        ("NotNow", {}),
    ],
)
def test_results_take_the_shortcut_and_leave_what_the_view_leaves(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    status: str,
    extra: dict[str, Any],
) -> None:
    """The same result, once through the shortcut and once through Django alone, gives the
    same reply and leaves the same queue rows, device log and inventory."""
    outcomes = []
    for via in ("shortcut", "django"):
        device, enrollment = _with_a_queued_command(wsgi_device)
        services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
        if via == "django":
            device.transport = WSGITransport(django_app.django)
        uuid = _delivered(device)
        django_app.calls.clear()
        code, headers, body = _result(
            device, status, uuid, "application/x-apple-aspen-mdm; charset=UTF-8", **extra
        )
        assert code == 200, body
        if via == "shortcut":
            assert django_app.calls == []
        next_command = plistlib.loads(body)["Command"]["RequestType"] if body else None
        outcomes.append((next_command, headers.get("content-type"), _state(enrollment)))
    assert outcomes[0] == outcomes[1]
    # Acknowledged and Error fetch the next command; NotNow asks to be left alone until Idle.
    assert outcomes[0][0] == "SecurityInfo"


def test_a_result_with_the_next_command_is_a_handful_of_statements(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    device, enrollment, uuid = _security_info_delivered(wsgi_device)
    django_app.calls.clear()

    with CaptureQueriesContext(connection) as queries:
        status, _, body = _result(
            device,
            "Acknowledged",
            uuid,
            "application/x-apple-aspen-mdm",
            SecurityInfo={"PasscodeCompliant": True, "HardwareEncryptionCaps": 3},
        )

    assert status == 200 and plistlib.loads(body)["Command"]["RequestType"] == "ProfileList"
    assert django_app.calls == []
    sql = [q["sql"].split(" ", 1)[0] for q in queries]
    # No transaction, one statement: this process read the channel when it delivered
    # SecurityInfo; the statement checks it is still so, stores the result (if its row is still
    # pending), its log row and the inventory, and chooses the next command, marks it sent and
    # logs it (devices.hotpath.store_result_and_deliver with `seen`).
    assert sql == ["WITH"], "\n".join(q["sql"][:160] for q in queries)
    stored = QueuedCommand.objects.get(enrollment=enrollment, command__uuid=uuid)
    assert stored.status == QueuedCommand.Status.ACKNOWLEDGED and stored.completed_at
    assert plistlib.loads(bytes(stored.result))["SecurityInfo"]["HardwareEncryptionCaps"] == 3
    results = later_events().filter(enrollment=enrollment, kind=DeviceEvent.Kind.RESULT)
    assert [(e.action, e.status, e.command_uuid) for e in results] == [
        ("SecurityInfo", "acknowledged", uuid)
    ]
    sent = later_events().filter(enrollment=enrollment, status="sent").order_by("id")
    assert [(e.kind, e.action) for e in sent] == [
        ("command", "SecurityInfo"),
        ("command", "ProfileList"),
    ]
    assert (
        later_deliveries().get(enrollment=enrollment, command__request_type="ProfileList").sent_at
        is not None
    )
    enrollment.refresh_from_db()
    assert enrollment.device.security_info == {
        "PasscodeCompliant": True,
        "HardwareEncryptionCaps": 3,
    }


def test_a_list_result_reads_its_queue_row_once_locked_with_the_channel(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    """A result whose handler writes rows (a ProfileList) is taken in a transaction: its keys
    say so before anything is read, so the channel row and its queue row (locked) are one
    statement, not read unlocked first and locked again."""
    device, enrollment, uuid = _security_info_delivered(wsgi_device)
    status, _, body = _result(device, "Acknowledged", uuid, "application/x-apple-aspen-mdm")
    delivered = plistlib.loads(body)
    assert status == 200 and delivered["Command"]["RequestType"] == "ProfileList"
    profile_list = QueuedCommand.objects.get(
        enrollment=enrollment, command__uuid=delivered["CommandUUID"]
    )
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    reported = {
        "PayloadIdentifier": "com.example.wifi",
        "PayloadUUID": "UUID-WIFI",
        "PayloadDisplayName": "Wi-Fi",
        "IsManaged": True,
        "PayloadContent": [{"PayloadType": "com.apple.wifi.managed"}],
    }
    django_app.calls.clear()
    with CaptureQueriesContext(connection) as queries:
        status, _, body = _result(
            device,
            "Acknowledged",
            delivered["CommandUUID"],
            "application/x-apple-aspen-mdm",
            ProfileList=[reported],
        )
    assert status == 200 and plistlib.loads(body)["Command"]["RequestType"] == "SecurityInfo"
    assert django_app.calls == []
    sql = [q["sql"] for q in queries]
    locks = [q for q in sql if "FOR UPDATE" in q]
    assert len(locks) == 1 and "LATERAL" in locks[0], "\n".join(q[:160] for q in sql)
    profile_list.refresh_from_db()
    assert profile_list.status == QueuedCommand.Status.ACKNOWLEDGED
    assert list(
        InstalledProfile.objects.filter(enrollment=enrollment).values_list(
            "identifier", "payload_types"
        )
    ) == [("com.example.wifi", ["com.apple.wifi.managed"])]
    results = later_events().filter(enrollment=enrollment, kind=DeviceEvent.Kind.RESULT)
    assert [(e.action, e.status) for e in results.order_by("id")] == [
        ("SecurityInfo", "acknowledged"),
        ("ProfileList", "acknowledged"),
    ]


def test_an_error_result_with_a_lists_key_takes_no_lock_before_its_checks(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    """Only an Acknowledged result writes a list's rows: an Error carrying a ProfileList key (a
    hostile or odd device) is stored by the one statement without a transaction, as any other
    Error, rather than holding its queue row locked while the pin and bearer checks run (which
    took locks in the opposite order to an administrator's unenroll: a deadlock)."""
    device, enrollment, uuid = _security_info_delivered(wsgi_device)
    status, _, body = _result(device, "Acknowledged", uuid, "application/x-apple-aspen-mdm")
    delivered = plistlib.loads(body)
    assert status == 200 and delivered["Command"]["RequestType"] == "ProfileList"
    with CaptureQueriesContext(connection) as queries:
        status, _, body = _result(
            device,
            "Error",
            delivered["CommandUUID"],
            "application/x-apple-aspen-mdm",
            ErrorChain=[{"ErrorCode": 1, "ErrorDomain": "x"}],
            ProfileList=[{"PayloadIdentifier": "com.example.wifi"}],
        )
    assert status == 200
    sql = [q["sql"] for q in queries]
    assert not [q for q in sql if "FOR UPDATE" in q], "\n".join(q[:160] for q in sql)
    assert (
        QueuedCommand.objects.get(
            enrollment=enrollment, command__uuid=delivered["CommandUUID"]
        ).status
        == QueuedCommand.Status.ERROR
    )
    assert not InstalledProfile.objects.filter(enrollment=enrollment).exists()


def test_the_round_trips_statements_send_their_values_apart(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("server-side binding is PostgreSQL's")
    device = wsgi_device()
    device.enroll()
    enrollment = _enrollment(device)
    for _ in range(3):
        services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    django_app.calls.clear()
    seen: list[tuple[str, bool]] = []

    def watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        # Which psycopg cursor runs it: a ClientCursor quotes the values into the SQL text.
        seen.append((sql.split(" ", 1)[0], isinstance(context["cursor"].cursor, ClientCursor)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch), CaptureQueriesContext(connection) as queries:
        handled = device.run()
    assert [h.request_type for h in handled] == ["SecurityInfo"] * 3
    assert django_app.calls == []
    # Through Django's wrappers like any statement (the query log, statement budgets): the
    # Idle poll's channel row and delivery, then three results, each one statement (the channel
    # as read when its command was delivered).
    assert [verb for verb, _ in seen] == ["SELECT", "WITH"] + ["WITH"] * 3
    assert [q["sql"].split(" ", 1)[0] for q in queries] == [verb for verb, _ in seen]
    assert not any(quoted for _, quoted in seen)
    assert (
        later_deliveries()
        .filter(enrollment=enrollment, status=QueuedCommand.Status.ACKNOWLEDGED)
        .count()
        == 3
    )


def test_a_result_that_fails_halfway_is_stored_once_by_django(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error after the result's UPDATE undoes it all; Django then stores it, once."""
    device, enrollment = _with_a_queued_command(wsgi_device)
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    uuid = _delivered(device)
    real = commands.handle_result
    failures: list[str] = []

    def fails_once(*args: Any) -> dict[str, Any]:
        if not failures:
            failures.append("raised")
            raise RuntimeError("database went away")
        return real(*args)

    monkeypatch.setattr(commands, "handle_result", fails_once)
    django_app.calls.clear()
    with caplog.at_level(logging.ERROR, logger="devices.connect_shortcut"):
        status, _, body = _result(
            device, "Acknowledged", uuid, "application/x-apple-aspen-mdm", ProfileList=PROFILES
        )

    assert failures and "goes to Django" in caplog.text
    assert django_app.calls == ["/mdm/connect"]
    assert status == 200 and plistlib.loads(body)["Command"]["RequestType"] == "SecurityInfo"
    results = later_events().filter(enrollment=enrollment, kind=DeviceEvent.Kind.RESULT)
    results = results.order_by("id")
    assert [(e.action, e.status) for e in results] == [("ProfileList", "acknowledged")]
    sent = later_events().filter(enrollment=enrollment, status="sent").order_by("id")
    assert [e.action for e in sent] == ["ProfileList", "SecurityInfo"]
    assert InstalledProfile.objects.filter(enrollment=enrollment).count() == len(PROFILES)


def test_an_unregistered_bearer_check_refuses_on_both_paths(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hook nobody registered fails closed: the poll is refused (503 with the reason, which a
    device retries), never answered unchecked, by the shortcut or by the view."""
    device, enrollment = _with_a_queued_command(wsgi_device)
    django_app.calls.clear()
    monkeypatch.setattr("devices.hooks._bearer_checker", None)

    status, _, body = _idle(device)

    assert status == 503 and b"bearer tokens" in body
    assert django_app.calls == ["/mdm/connect"]  # the shortcut left the refusal to the view
    assert later_deliveries().get(enrollment=enrollment).status == QueuedCommand.Status.QUEUED


def test_the_shortcut_runs_djangos_request_setup_and_teardown(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    """What relies on Django's request signals (the configuration cache keeps one generation per
    request; the database drops stale connections) sees a request answered by the shortcut."""
    from django.core import signals

    from mdm_server import config_cache

    device = wsgi_device()
    device.enroll()
    seen: list[tuple[str, bool]] = []

    def started(**kwargs: Any) -> None:
        seen.append(("started", config_cache._state.in_request))

    def finished(**kwargs: Any) -> None:
        seen.append(("finished", config_cache._state.in_request))

    signals.request_started.connect(started, dispatch_uid="test-shortcut-started")
    signals.request_finished.connect(finished, dispatch_uid="test-shortcut-finished")
    try:
        django_app.calls.clear()
        status, _, _ = _idle(device)
    finally:
        signals.request_started.disconnect(dispatch_uid="test-shortcut-started")
        signals.request_finished.disconnect(dispatch_uid="test-shortcut-finished")

    assert status == 200 and django_app.calls == []
    # The cache's own receivers ran first: inside the request, then out of it.
    assert seen == [("started", True), ("finished", False)]
    assert config_cache._state.in_request is False


def test_the_shortcut_spends_no_round_trip_on_the_connection_health_check(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stale connection fails the first statement and the request goes to Django, which checks
    and reconnects (tests/faults): the shortcut itself does not send `SELECT 1` first."""
    device = wsgi_device()
    device.enroll()
    from django.db import connections

    default = connections["default"]
    checks: list[str] = []
    real = type(default).is_usable

    def counting(self: Any) -> bool:
        checks.append(self.alias)
        return bool(real(self))

    monkeypatch.setattr(type(default), "is_usable", counting)
    monkeypatch.setattr(default, "health_check_enabled", True)
    django_app.calls.clear()
    status, _, _ = _idle(device)
    assert status == 200 and django_app.calls == [] and checks == []

    # Through Django (the shortcut off for a check-in), the same connection is checked first.
    assert device.token_update() == 200
    assert checks == ["default"]


def test_a_result_sent_twice_at_once_is_stored_once(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    """The channel row and the result's queue row are read (and the queue row locked) by one
    statement: a second copy of the result, arriving while the first is being stored, waits
    for it and is then taken as a repeat: one result row, one inventory update, one log line."""
    import threading

    from django.db import connections

    device, enrollment = _with_a_queued_command(wsgi_device)
    services.enqueue_command(enrollments=[enrollment], request_type="SecurityInfo")
    uuid = _delivered(device)
    first_inside = threading.Event()
    release_first = threading.Event()
    real = commands.handle_result
    answers: dict[str, tuple[int, bytes]] = {}

    def slow_first(*args: Any) -> dict[str, Any]:
        if threading.current_thread().name == "first":
            first_inside.set()
            assert release_first.wait(10)
        return real(*args)

    def send(name: str, installed: list[dict[str, Any]]) -> None:
        try:
            status, _, body = _result(
                device, "Acknowledged", uuid, "application/x-apple-aspen-mdm", ProfileList=installed
            )
            answers[name] = (status, body)
        finally:
            connections.close_all()

    commands.handle_result = slow_first  # type: ignore[assignment]
    try:
        first = threading.Thread(target=send, args=("first", PROFILES), name="first")
        second = threading.Thread(target=send, args=("second", PROFILES[:1]), name="second")
        first.start()
        assert first_inside.wait(10)
        second.start()
        # The second copy is blocked on the queue row's lock while the first holds it.
        second.join(0.5)
        assert second.is_alive()
        release_first.set()
        first.join(10)
        second.join(10)
    finally:
        commands.handle_result = real  # type: ignore[assignment]
        release_first.set()
    assert not first.is_alive() and not second.is_alive()
    # Both get the next command; only the first result is stored.
    for name in ("first", "second"):
        status, body = answers[name]
        assert status == 200 and plistlib.loads(body)["Command"]["RequestType"] == "SecurityInfo"
    results = later_events().filter(enrollment=enrollment, kind=DeviceEvent.Kind.RESULT)
    assert [(e.action, e.status) for e in results] == [("ProfileList", "acknowledged")]
    assert InstalledProfile.objects.filter(enrollment=enrollment).count() == len(PROFILES)


# --- what a poll repeats: receivers, parsed Idle bodies, the Host check ---------------------------


def test_request_signal_receivers_connected_or_disconnected_later_are_honoured(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    """The shortcut looks up the request signals' receivers only when their list changes: one
    connected after polls were answered runs on the next poll (with Django's arguments), and
    runs no more once disconnected; Django's own receivers run every time."""
    from django.core import signals

    from mdm_server import config_cache

    device = wsgi_device()
    device.enroll()
    assert _idle(device)[0] == 200  # the receivers of both signals are looked up by now
    seen: list[tuple[str, type, bool, bool]] = []

    def started(*, signal: Any, sender: type, **kwargs: Any) -> None:
        assert signal is signals.request_started
        seen.append(("started", sender, "environ" in kwargs, config_cache._state.in_request))

    def finished(*, signal: Any, sender: type, **kwargs: Any) -> None:
        assert signal is signals.request_finished
        seen.append(("finished", sender, "environ" in kwargs, config_cache._state.in_request))

    signals.request_started.connect(started, dispatch_uid="test-late-started")
    signals.request_finished.connect(finished, dispatch_uid="test-late-finished")
    try:
        django_app.calls.clear()
        assert _idle(device)[0] == 200
        assert _idle(device)[0] == 200
    finally:
        signals.request_started.disconnect(dispatch_uid="test-late-started")
        signals.request_finished.disconnect(dispatch_uid="test-late-finished")
    assert django_app.calls == []
    assert (
        seen
        == [
            ("started", IdlePollShortcut, True, True),
            ("finished", IdlePollShortcut, False, False),
        ]
        * 2
    )

    seen.clear()
    assert _idle(device)[0] == 200
    assert seen == [] and django_app.calls == []
    assert config_cache._state.in_request is False


def test_a_remembered_idle_body_is_still_verified_and_looked_up_on_every_poll(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    """An Idle body answered once is not parsed again, and nothing else is taken from before:
    the same bytes signed by another key are refused, and so is a poll of a checked-out
    enrollment; each poll's report is its own."""
    from devices import connect_shortcut
    from devices.services.checkin import unenroll

    device = wsgi_device()
    device.enroll()
    enrollment = _enrollment(device)
    body = plistlib.dumps({"Status": "Idle", **device.ids()})
    connect_shortcut.forget_idle_reports()
    assert _idle(device)[0] == 200
    remembered = connect_shortcut._idle_reports[body]
    first = connect_shortcut._report(body)
    second = connect_shortcut._report(body)
    assert first is not None and second is not None
    assert first == second == remembered
    assert first.raw is not second.raw and first.raw is not remembered.raw
    assert first.error_chain is not second.error_chain

    # The same bytes, signed by a key of no enrollment: Django refuses them.
    stranger = wsgi_device()
    forged = stranger._headers(body, "application/x-apple-aspen-mdm")
    django_app.calls.clear()
    status, _, reason = device.transport.request(
        "PUT", device.server_url, headers=forged, body=body
    )
    assert (status, django_app.calls) == (403, ["/mdm/connect"]), reason

    # The enrollment checked out since: refused too, by the view.
    unenroll(enrollment=enrollment, reason="test")
    django_app.calls.clear()
    status, _, reason = _idle(device)
    assert (status, reason) == (403, b"this enrollment was checked out")
    assert django_app.calls == ["/mdm/connect"]


def test_only_idle_bodies_answered_with_a_success_are_remembered(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    from devices import connect_shortcut

    connect_shortcut.forget_idle_reports()
    unknown = wsgi_device()  # never enrolled: 404 from the view
    assert _idle(unknown)[0] == 404
    assert connect_shortcut._idle_reports == {}
    device, _ = _with_a_queued_command(wsgi_device)
    uuid = _delivered(device)
    connect_shortcut.forget_idle_reports()
    status, _, _ = _result(device, "Acknowledged", uuid, "application/x-apple-aspen-mdm")
    assert status == 200
    assert connect_shortcut._idle_reports == {}
    # An Idle body with a value that is not a plain scalar is answered, not remembered.
    body = plistlib.dumps({"Status": "Idle", **device.ids(), "Extra": ["a"]})
    headers = device._headers(body, "application/x-apple-aspen-mdm")
    status, _, _ = device.transport.request("PUT", device.server_url, headers=headers, body=body)
    assert status == 200
    assert connect_shortcut._idle_reports == {}
    assert _idle(device)[0] == 200
    assert list(connect_shortcut._idle_reports) == [
        plistlib.dumps({"Status": "Idle", **device.ids()})
    ]


def test_a_host_outside_allowed_hosts_is_left_to_django_whenever_it_changes(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    settings: Any,
) -> None:
    device = wsgi_device()
    device.enroll()
    django_app.calls.clear()
    assert _idle(device)[0] == 200
    assert django_app.calls == []

    settings.ALLOWED_HOSTS = ["mdm.example.com"]
    status, _, _ = _idle(device)
    assert (status, django_app.calls) == (400, ["/mdm/connect"])  # Django's DisallowedHost

    settings.ALLOWED_HOSTS = ["testserver"]
    django_app.calls.clear()
    assert _idle(device)[0] == 200
    assert django_app.calls == []


def test_a_result_stored_by_one_statement_sent_twice_at_once_is_stored_once(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    """A result whose inventory is Device columns only is read without a lock and stored by
    the statement that delivers the next command, only if its row is still pending then: two
    copies that both read it pending store one result, one log line, and the inventory of the
    copy that was stored; both get the next command."""
    import threading

    from django.db import connections

    device, enrollment, uuid = _security_info_delivered(wsgi_device)
    both_read = threading.Barrier(2, timeout=10)
    real = commands.result_fields
    answers: dict[str, tuple[int, bytes]] = {}

    def after_both_read(*args: Any) -> Any:
        both_read.wait()  # each copy has read the row pending before either stores it
        return real(*args)

    def send(name: str, caps: int) -> None:
        try:
            status, _, body = _result(
                device,
                "Acknowledged",
                uuid,
                "application/x-apple-aspen-mdm",
                SecurityInfo={"HardwareEncryptionCaps": caps},
            )
            answers[name] = (status, body)
        finally:
            connections.close_all()

    django_app.calls.clear()
    commands.result_fields = after_both_read  # type: ignore[assignment]
    try:
        threads = [
            threading.Thread(target=send, args=(name, caps), name=name)
            for name, caps in (("first", 1), ("second", 2))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    finally:
        commands.result_fields = real  # type: ignore[assignment]
    assert not any(thread.is_alive() for thread in threads)
    assert django_app.calls == []
    for name in ("first", "second"):
        status, body = answers[name]
        assert status == 200 and plistlib.loads(body)["Command"]["RequestType"] == "ProfileList"
    results = later_events().filter(enrollment=enrollment, kind=DeviceEvent.Kind.RESULT)
    assert [(e.action, e.status) for e in results] == [("SecurityInfo", "acknowledged")]
    stored = QueuedCommand.objects.get(enrollment=enrollment, command__uuid=uuid)
    kept = plistlib.loads(bytes(stored.result))["SecurityInfo"]
    enrollment.refresh_from_db()
    assert enrollment.device.security_info == kept


@pytest.mark.parametrize(
    "changed",
    [
        {"CONTENT_LENGTH": "+{n}"},  # int() reads it; HTTP does not
        {"CONTENT_LENGTH": " {n}"},
        {"HTTP_TRANSFER_ENCODING": "chunked"},  # beside a Content-Length
    ],
)
def test_a_poll_framed_as_http_does_not_allow_gets_django_s_400(
    wsgi_device: Callable[..., SimulatedDevice],
    shortcut: IdlePollShortcut,
    django_app: CountingApp,
    changed: dict[str, str],
) -> None:
    device = wsgi_device()
    device.enroll()
    django_app.calls.clear()

    def framed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        n = environ["CONTENT_LENGTH"]
        return shortcut(
            {**environ, **{k: v.format(n=n) for k, v in changed.items()}}, start_response
        )

    device.transport = WSGITransport(framed)
    status, _, body = _idle(device)
    assert status == 400, body
    assert django_app.calls == [device.server_url.removeprefix("https://testserver")]


def _next_type(body: bytes) -> str | None:
    return plistlib.loads(body)["Command"]["RequestType"] if body else None


@pytest.mark.parametrize("user_enrollment", [True, False])
@pytest.mark.parametrize(
    ("status", "extra"),
    [
        (
            "Acknowledged",
            {"SecurityInfo": {"PasscodeCompliant": True, "HardwareEncryptionCaps": 3}},
        ),
        ("Error", {"ErrorChain": [{"ErrorCode": 12021, "ErrorDomain": "MCMDMErrorDomain"}]}),
    ],
)
def test_a_result_taken_as_seen_leaves_and_answers_what_a_result_read_again_does(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    user_enrollment: bool,
    status: str,
    extra: dict[str, Any],
) -> None:
    """The same result of two alike devices: one taken as its channel was read when the command
    was delivered (one statement), the other read again (its channel forgotten)."""
    outcomes = []
    for forget in (False, True):
        device = wsgi_device(user_enrollment=user_enrollment)
        device.enroll()
        key = f"eid:{device.enrollment_id}" if user_enrollment else f"udid:{device.udid}"
        enrollment = Enrollment.objects.get(channel_key=key)
        for request_type in ("SecurityInfo", "ProfileList"):
            services.enqueue_command(enrollments=[enrollment], request_type=request_type)
        uuid = _delivered(device)
        if forget:
            hotpath.forget_seen()
        django_app.calls.clear()
        with CaptureQueriesContext(connection) as queries:
            code, headers, body = _result(
                device, status, uuid, "application/x-apple-aspen-mdm", **extra
            )
        assert django_app.calls == []
        assert [q["sql"].split(" ", 1)[0] for q in queries] == (
            ["SELECT", "WITH"] if forget else ["WITH"]
        )
        headers.pop("content-length", None)
        outcomes.append((code, headers, _next_type(body), _state(enrollment)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][2] == "ProfileList"


def _channel_changed(enrollment: Enrollment, change: str, device: SimulatedDevice) -> None:
    from devices.models import Device

    if change == "checked out":
        Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.UNENROLLED)
    elif change == "pinned to another identity":
        Enrollment.objects.filter(pk=enrollment.pk).update(cert_fingerprint="0" * 64)
    elif change == "its device updated":
        Device.objects.filter(pk=enrollment.device_id).update(os_version="99.0")
    elif change == "its result stored meanwhile":
        QueuedCommand.objects.filter(enrollment=enrollment, status="sent").update(
            status=QueuedCommand.Status.ACKNOWLEDGED
        )
    elif change == "not now meanwhile":
        QueuedCommand.objects.filter(enrollment=enrollment, status="sent").update(not_now_count=1)
    else:  # pragma: no cover
        raise AssertionError(change)


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        ("checked out", 403),
        ("pinned to another identity", 403),
        ("its device updated", 200),
        ("its result stored meanwhile", 200),
        ("not now meanwhile", 200),
    ],
)
def test_a_channel_changed_since_it_was_read_is_read_again_and_decided_on_as_it_is(
    wsgi_device: Callable[..., SimulatedDevice],
    django_app: CountingApp,
    change: str,
    answer: int,
) -> None:
    """Written by another process after this one delivered the command: the one statement
    writes nothing, and the result is taken (or refused) as if never seen."""
    device, enrollment, uuid = _security_info_delivered(wsgi_device)
    _channel_changed(enrollment, change, device)
    before = _state(enrollment)
    django_app.calls.clear()
    with CaptureQueriesContext(connection) as queries:
        code, _, body = _result(
            device,
            "Acknowledged",
            uuid,
            "application/x-apple-aspen-mdm",
            SecurityInfo={"PasscodeCompliant": True},
        )
    assert code == answer, body
    sql = [q["sql"] for q in queries]
    assert sql[0].startswith("WITH guard AS"), sql
    if answer == 403:
        # Refused by the view, as a result read again is: nothing of it is stored.
        assert django_app.calls == ["/mdm/connect"]
        assert _state(enrollment) == before
        return
    assert django_app.calls == []
    assert [q.split(" ", 1)[0] for q in sql][:2] == ["WITH", "SELECT"]
    assert not any("guard" in q for q in sql[1:])
    stored = QueuedCommand.objects.get(enrollment=enrollment, command__uuid=uuid)
    if change == "its result stored meanwhile":
        assert stored.result is None  # the first stands
        assert _state(enrollment)["log"] == before["log"] + [("command", "ProfileList", "sent", {})]
    else:
        assert stored.status == QueuedCommand.Status.ACKNOWLEDGED and stored.result
    assert _next_type(body) == "ProfileList"


def test_a_channel_with_an_account_session_has_its_token_checked_when_taken_as_seen(
    wsgi_device: Callable[..., SimulatedDevice], django_app: CountingApp
) -> None:
    """Its bearer token is checked on every result, against the sessions as they are, for the
    reference of the channel as read; the one statement requires that reference still."""
    device, enrollment, _ = _security_info_delivered(wsgi_device)
    Enrollment.objects.filter(pk=enrollment.pk).update(enrollment_reference="REF-1")
    uuid = _delivered(device)  # read again, with its reference
    with CaptureQueriesContext(connection) as queries:
        code, _, body = _result(device, "Acknowledged", uuid, "application/x-apple-aspen-mdm")
    assert code == 200 and _next_type(body) == "ProfileList"
    sql = [q["sql"] for q in queries]
    # The session of its reference (none here: nothing to check), then the one statement.
    assert [q.split(" ", 1)[0] for q in sql] == ["SELECT", "WITH"]
    assert "enrollment_enrollmentsession" in sql[0] and sql[1].startswith("WITH guard AS")

    # Its reference changed since it was read: the statement writes nothing, and the result is
    # read again and its token checked for the reference as it is.
    delivered = str(plistlib.loads(body)["CommandUUID"])  # ProfileList, delivered as seen
    Enrollment.objects.filter(pk=enrollment.pk).update(enrollment_reference="REF-2")
    with CaptureQueriesContext(connection) as queries:
        code, _, body = _result(
            device, "Error", delivered, "application/x-apple-aspen-mdm", ErrorChain=[]
        )
    assert (code, body) == (200, b"")
    sql = [q["sql"] for q in queries]
    assert [q.split(" ", 1)[0] for q in sql] == ["SELECT", "WITH", "SELECT", "SELECT", "WITH"]
    assert sql[1].startswith("WITH guard AS") and not sql[4].startswith("WITH guard")
    assert "'REF-1'" in sql[0] and "'REF-2'" in sql[3]
    stored = later_deliveries().get(command__uuid=delivered)
    assert stored.status == QueuedCommand.Status.ERROR
