"""Results of account-driven channels taken as their channel was read when the command was
delivered (devices.services.connect._result_as_seen): the bearer token is still checked on
every result against the sessions and tokens as they are, and everything is as when the
channel is read again (its remembered row forgotten)."""

from __future__ import annotations

import datetime as dt
import plistlib
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from devices import hotpath
from devices import services as devices
from devices.models import Enrollment, QueuedCommand
from enrollment import services
from enrollment.models import EnrollmentSession, EnrollmentToken
from tests.devices._rows import drain_inventory, later_deliveries, later_events
from tests.enrollment._devices import account_device
from tests.enrollment.conftest import DOMAIN, PASSWORD
from tests.simulator import SimulatedDevice
from tests.simulator import enrollment_flow as flow

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SERVER = "http://127.0.0.1:8000"
SECURITY_INFO = {"SecurityInfo": {"PasscodeCompliant": True, "HardwareEncryptionCaps": 3}}
ERROR = {"ErrorChain": [{"ErrorCode": 12021, "ErrorDomain": "MCMDMErrorDomain"}]}


@pytest.fixture(autouse=True)
def _fresh_device_ca_cache() -> None:
    # Every test has its own server CA; the devices app caches the trusted CAs for a minute.
    from devices import identity

    identity.forget_cached_state()


def _account_device(transport: Any, *, mac: bool = False) -> tuple[SimulatedDevice, Enrollment]:
    """An account-driven User Enrollment (`mac`: an account-driven Device Enrollment of a Mac,
    whose device channel carries no token) whose device answered its first commands, with
    SecurityInfo then ProfileList queued."""
    kwargs = {"model_family": "Mac", "product": "Mac15,3", "os_version": "15.2"} if mac else {}
    result = flow.enroll_account_driven(
        transport, SERVER, user_identifier=f"alice@{DOMAIN}", password=PASSWORD, **kwargs
    )
    device = account_device(transport, result, platform="macOS" if mac else "iOS")
    if mac:
        device.bearer = None
    device.enroll()
    drain_inventory(device)
    fingerprint = result.identity_certificate.fingerprint(hashes.SHA256()).hex()
    enrollment = Enrollment.objects.get(cert_fingerprint=fingerprint)
    assert enrollment.enrollment_type == ("adde" if mac else "user")
    assert enrollment.parent_id is None and enrollment.enrollment_reference
    for request_type in ("SecurityInfo", "ProfileList"):
        devices.enqueue_command(enrollments=[enrollment], request_type=request_type)
    return device, enrollment


def _delivered(device: SimulatedDevice) -> str:
    status, body = device.connect("Idle")
    assert status == 200 and body
    return str(plistlib.loads(body)["CommandUUID"])


def _result(
    device: SimulatedDevice, status: str, uuid: str, extra: dict[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    body = plistlib.dumps({"Status": status, "CommandUUID": uuid, **device.ids(), **extra})
    headers = device._headers(body, "application/x-apple-aspen-mdm")
    return device.transport.request("PUT", device.server_url, headers=headers, body=body)


def _state(enrollment: Enrollment) -> dict[str, Any]:
    """What a result leaves: the test's queue rows, their log rows, the inventory, the
    channel's sessions (bound to which channel) and tokens."""
    return {
        "queue": sorted(
            (q.command.request_type, q.status, _stored(q.result), q.not_now_count)
            for q in later_deliveries().filter(enrollment=enrollment).select_related("command")
        ),
        "log": [
            (e.kind, e.action, e.status, e.detail)
            for e in later_events().filter(enrollment=enrollment).order_by("id")
        ],
        "security_info": Enrollment.objects.get(pk=enrollment.pk).device.security_info,
        # This device's sessions (those of the person's other device are not compared).
        "sessions": sorted(
            (s.kind, s.status, s.enrollment_id == enrollment.pk, s.revoked_at is not None)
            for s in EnrollmentSession.objects.filter(
                id__gte=EnrollmentSession.objects.get(public_id=enrollment.enrollment_reference).pk
            )
        ),
    }


def _stored(result: bytes | None) -> dict[str, Any] | None:
    """A stored result without what differs between two devices (their ids, the command's)."""
    if result is None:
        return None
    stored = plistlib.loads(bytes(result))
    for key in ("CommandUUID", "EnrollmentID", "EnrollmentUserID", "UDID"):
        stored.pop(key, None)
    return dict(stored)


def _statements(queries: CaptureQueriesContext) -> list[str]:
    """Each statement as its verb and what it reads or writes: the channel (`channel`), the
    bearer check's token or session, the one statement of a result taken as seen (`guard`)."""
    named = []
    for query in queries:
        sql = query["sql"]
        verb = sql.split(" ", 1)[0]
        if "guard AS" in sql:
            named.append(f"{verb} guard")
        elif verb in ("SAVEPOINT", "RELEASE", "WITH"):
            named.append(verb)
        elif "enrollment_enrollmenttoken" in sql:
            named.append(f"{verb} token")
        elif "enrollment_enrollmentconfiguration" in sql:
            named.append(f"{verb} configuration")
        elif "enrollment_enrollmentsession" in sql:
            named.append(f"{verb} session")
        elif "channel_key" in sql:
            named.append(f"{verb} channel")
        else:
            named.append(f"{verb} {sql[:60]}")
    return named


def _outcome(
    device: SimulatedDevice,
    enrollment: Enrollment,
    uuid: str,
    status: str,
    extra: dict[str, Any],
    statements: list[list[str]],
) -> tuple[Any, ...]:
    """The result's answer (status, headers, the next command's type or the refusal's body)
    and what it left (`_state`); `statements`: its statements (`_statements`)."""
    with CaptureQueriesContext(connection) as queries:
        code, headers, body = _result(device, status, uuid, extra)
    statements.append(_statements(queries))
    headers.pop("content-length", None)
    next_type = plistlib.loads(body)["Command"]["RequestType"] if code == 200 and body else None
    return code, headers, next_type if code == 200 else body, _state(enrollment)


def _remembered_then_forgotten(
    transport: Any, *, mac: bool = False
) -> Iterator[tuple[SimulatedDevice, Enrollment, str]]:
    """Two alike account-driven devices, each with a command just delivered: the first's
    channel remembered by this process, the second's forgotten (its result read again)."""
    for forget in (False, True):
        device, enrollment = _account_device(transport, mac=mac)
        uuid = _delivered(device)
        if forget:
            hotpath.forget_seen()
        yield device, enrollment, uuid


@pytest.mark.parametrize(("status", "extra"), [("Acknowledged", SECURITY_INFO), ("Error", ERROR)])
def test_a_result_taken_as_seen_leaves_and_answers_what_a_result_read_again_does(
    org: dict[str, Any], transport: Any, status: str, extra: dict[str, Any]
) -> None:
    """The same result of two alike account-driven devices: one taken as its channel was read
    when its command was delivered, the other read again. Both have their token checked."""
    outcomes, statements = [], []
    for device, enrollment, uuid in _remembered_then_forgotten(transport):
        outcomes.append(_outcome(device, enrollment, uuid, status, extra, statements))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][2] == "ProfileList"
    stored = outcomes[0][3]["queue"]
    assert [(t, s) for t, s, _, _ in stored] == [
        ("ProfileList", "sent"),
        ("SecurityInfo", "acknowledged" if status == "Acknowledged" else "error"),
    ]
    # As seen: the token with its session, then the one statement (the channel as read, the
    # result, the next delivery). Read again: the channel with the result's row first.
    assert statements == [
        ["SELECT token", "WITH guard"],
        ["SELECT channel", "SELECT token", "WITH"],
    ]


def _revoke_token(enrollment: Enrollment) -> None:
    EnrollmentToken.objects.filter(
        session__public_id=enrollment.enrollment_reference, kind="access"
    ).update(revoked_at=timezone.now())


def _expire_token(enrollment: Enrollment) -> None:
    EnrollmentToken.objects.filter(
        session__public_id=enrollment.enrollment_reference, kind="access"
    ).update(expires_at=timezone.now() - dt.timedelta(seconds=1))


def _revoke_session_row(enrollment: Enrollment) -> None:
    EnrollmentSession.objects.filter(public_id=enrollment.enrollment_reference).update(
        revoked_at=timezone.now()
    )


def _expire_session(enrollment: Enrollment) -> None:
    EnrollmentSession.objects.filter(public_id=enrollment.enrollment_reference).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def _revoked_by_an_administrator(enrollment: Enrollment) -> None:
    session = EnrollmentSession.objects.get(public_id=enrollment.enrollment_reference)
    assert services.revoke_session(session=session) is True


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        (_revoke_token, 401),
        (_expire_token, 401),
        (_revoke_session_row, 401),
        (_expire_session, 401),
        # The channel is checked out with its session: refused, not challenged.
        (_revoked_by_an_administrator, 403),
    ],
)
def test_a_token_refused_between_delivery_and_result_is_refused_as_before(
    org: dict[str, Any], transport: Any, change: Any, answer: int
) -> None:
    """Revoked or expired after the command was delivered: the result is refused at once, with
    the same challenge and nothing stored, whether the channel was remembered or read again."""
    outcomes, statements = [], []
    for device, enrollment, uuid in _remembered_then_forgotten(transport):
        change(enrollment)
        before = _state(enrollment)
        outcome = _outcome(device, enrollment, uuid, "Acknowledged", SECURITY_INFO, statements)
        assert outcome[0] == answer, outcome
        assert outcome[3] == before  # nothing of the result is stored
        outcomes.append(outcome[:3])
    assert outcomes[0] == outcomes[1]
    if answer == 401:
        challenge = flow.parse_challenge(outcomes[0][1]["www-authenticate"])
        assert challenge["method"] == "apple-as-web"
        assert outcomes[0][2] == b"authorization expired"
    # As seen, the bearer check refuses and writes nothing; the result is then read again
    # and refused as a result read again is (its bearer check runs again on the channel as
    # it is): a refusal costs the check's statements once more.
    seen, again = statements
    assert again[0] == "SELECT channel"
    check = again[1:] if answer == 401 else []
    assert all(s.endswith(("token", "session", "configuration")) for s in check), again
    if answer == 401:
        assert seen == check + again
    else:  # checked out: refused on its status before any bearer check, as it is read again
        assert again == ["SELECT channel"]
        assert seen[-1] == "SELECT channel"
        assert all(s.endswith(("token", "session", "configuration")) for s in seen[:-1]), seen


def test_a_token_of_a_later_sign_in_binds_its_session_as_a_result_read_again_does(
    org: dict[str, Any], transport: Any
) -> None:
    """The person signed in again (a new session, bound to no channel): its token is taken,
    and its session bound to the channel, as on the usual path."""
    outcomes, statements = [], []
    for device, enrollment, uuid in _remembered_then_forgotten(transport):
        url = services.sign_in_url(services.default_configuration(), "mdm-byod")
        device.bearer = flow.web_sign_in(
            transport, url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD
        )
        later = EnrollmentSession.objects.latest("id")
        assert later.enrollment_id is None and later.public_id != enrollment.enrollment_reference
        outcomes.append(
            _outcome(device, enrollment, uuid, "Acknowledged", SECURITY_INFO, statements)
        )
        later.refresh_from_db()
        assert later.enrollment_id == enrollment.pk
        assert later.status == EnrollmentSession.Status.ENROLLED
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == 200 and outcomes[0][2] == "ProfileList"
    # The own-session lookup finds no row; the session and the token apart, the new session's
    # row, its binding; then the one statement, or the usual two.
    check = ["SELECT token", "SELECT session", "SELECT token", "SELECT session", "UPDATE session"]
    assert statements == [[*check, "WITH guard"], ["SELECT channel", *check, "WITH"]]


def test_a_token_of_another_person_is_refused_as_a_result_read_again_is(
    org: dict[str, Any], transport: Any
) -> None:
    outcomes = []
    url = services.sign_in_url(services.default_configuration(), "mdm-byod")
    for device, enrollment, uuid in _remembered_then_forgotten(transport):
        device.bearer = flow.web_sign_in(
            transport, url, user_identifier=f"carol@{DOMAIN}", password=PASSWORD
        )
        before = _state(enrollment)
        outcome = _outcome(device, enrollment, uuid, "Acknowledged", SECURITY_INFO, [])
        assert outcome[0] == 401 and outcome[3] == before
        outcomes.append(outcome[:3])
        # carol's session is bound to no channel, least of all alice's.
        carol = EnrollmentSession.objects.latest("id")
        assert carol.managed_apple_id.startswith("carol") and carol.enrollment_id is None
    assert outcomes[0] == outcomes[1]


def test_a_result_without_a_token_is_challenged_as_a_result_read_again_is(
    org: dict[str, Any], transport: Any
) -> None:
    outcomes = []
    for device, enrollment, uuid in _remembered_then_forgotten(transport):
        device.bearer = None
        outcome = _outcome(device, enrollment, uuid, "Acknowledged", SECURITY_INFO, [])
        assert outcome[0] == 401
        outcomes.append(outcome[:3])
    assert outcomes[0] == outcomes[1]
    assert flow.parse_challenge(outcomes[0][1]["www-authenticate"])["method"] == "apple-as-web"
    assert (
        QueuedCommand.objects.filter(status="sent", command__request_type="SecurityInfo").count()
        == 2
    )


def test_a_macs_device_channel_without_a_token_is_taken_as_seen_as_it_is_read_again(
    org: dict[str, Any], transport: Any
) -> None:
    """An account-driven Device Enrollment of a Mac: its device channel sends no token; its
    session is still read on every result, as when the channel is read again."""
    config = services.default_configuration()
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()
    outcomes, statements = [], []
    for device, enrollment, uuid in _remembered_then_forgotten(transport, mac=True):
        outcomes.append(
            _outcome(device, enrollment, uuid, "Acknowledged", SECURITY_INFO, statements)
        )
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == 200 and outcomes[0][2] == "ProfileList"
    assert statements == [
        ["SELECT session", "WITH guard"],
        ["SELECT channel", "SELECT session", "WITH"],
    ]
