"""A returning person's web sign-in writes their login stamp, the session and its access token by
one statement (enrollment.services.core._sign_in_in_one_statement), and only when that is all
the usual sign-in would write and the person's row is still as read; otherwise the usual sign-in
writes and refuses as it always did."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import auth
from directory.models import DirectoryUser
from enrollment import services
from enrollment.directory_access import SignInFailed
from enrollment.models import EnrollmentSession, EnrollmentToken
from enrollment.services import core
from tests.directory.conftest import PASSWORDS
from tests.enrollment.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ALICE_LDAP = "alice@appleid.example.com"  # her Managed Apple ID, as the device sends it


def _first_sign_in(config: Any) -> None:
    """Alice's first sign-in, by her directory address: her row is made (with her Managed
    Apple ID, which the directory does not know)."""
    _sign_in(config, "alice@example.com", PASSWORDS["alice"])


@pytest.fixture
def ldap_config(db: None, server_pki: Any, push_topic: str, ldap_source: Any) -> Any:
    config = services.default_configuration()
    config.identity_source = ldap_source.name
    config.save()
    return config


def _sign_in(config: Any, identifier: str, password: str) -> EnrollmentSession:
    session, _secret = services.sign_in_account_user(
        configuration=config, version="mdm-byod", identifier=identifier, password=password
    )
    return session


def _rows(session: EnrollmentSession) -> dict[str, Any]:
    """What a sign-in wrote, less what differs by nature (keys, secrets, moments)."""
    varying = {"id", "public_id", "created_at", "expires_at", "session_id", "token_hash"}
    stored = EnrollmentSession.objects.get(pk=session.pk)
    token = EnrollmentToken.objects.get(session=stored)
    user = DirectoryUser.objects.get(pk=stored.directory_user_id)
    assert user.last_login_at is not None
    return {
        "session": {
            f.attname: getattr(stored, f.attname)
            for f in EnrollmentSession._meta.concrete_fields
            if f.attname not in varying
        },
        "token": {
            f.attname: getattr(token, f.attname)
            for f in EnrollmentToken._meta.concrete_fields
            if f.attname not in varying | {"profile_deadline"}
        },
        "user": {
            f.attname: getattr(user, f.attname)
            for f in DirectoryUser._meta.concrete_fields
            if f.attname not in {"last_login_at", "updated_at"}
        },
    }


def _writes_and_reads_of_people(queries: CaptureQueriesContext) -> list[str]:
    """The statements of people and sessions (not the test's savepoints, nor the configuration
    a test reads again)."""
    tables = ('"directory_directoryuser"', '"enrollment_enrollmentsession"')
    return [q["sql"] for q in queries if any(t in q["sql"] for t in tables)]


def _usual_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "_sign_in_in_one_statement", lambda *args, **kwargs: None)


def test_a_returning_directory_person_signs_in_by_two_statements(ldap_config: Any) -> None:
    _first_sign_in(ldap_config)
    before = DirectoryUser.objects.get(managed_apple_id=ALICE_LDAP).last_login_at
    with CaptureQueriesContext(connection) as queries:
        session = _sign_in(ldap_config, ALICE_LDAP, PASSWORDS["alice"])
    statements = _writes_and_reads_of_people(queries)
    # The person of the Managed Apple ID typed, with their groups; then the stamp, the session
    # and its token (the stamp had a statement of its own).
    assert len(statements) == 2, statements
    assert statements[1].startswith('WITH stamped AS (UPDATE "directory_directoryuser"')
    assert 'INSERT INTO "enrollment_enrollmentsession"' in statements[1]
    assert 'INSERT INTO "enrollment_enrollmenttoken"' in statements[1]
    user = DirectoryUser.objects.get(managed_apple_id=ALICE_LDAP)
    assert before is not None and user.last_login_at is not None and user.last_login_at > before
    assert (session.directory_user_id, session.managed_apple_id) == (user.pk, ALICE_LDAP)


def test_a_returning_local_person_signs_in_by_three_statements(org: dict[str, Any]) -> None:
    config = services.default_configuration()
    alice = org["alice"]
    _sign_in(config, alice.managed_apple_id, PASSWORD)  # the password's check is remembered
    with CaptureQueriesContext(connection) as queries:
        _sign_in(config, alice.managed_apple_id, PASSWORD)
    statements = _writes_and_reads_of_people(queries)
    # The person of the Managed Apple ID, the local account by its name; then the one statement
    # (the stamp had a statement of its own).
    assert len(statements) == 3, statements
    assert statements[2].startswith('WITH stamped AS (UPDATE "directory_directoryuser"')


@pytest.mark.parametrize("source", ["ldap", "local"])
def test_the_one_statement_writes_what_the_usual_sign_in_wrote(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "ldap":
        config = request.getfixturevalue("ldap_config")
        identifier, password = ALICE_LDAP, PASSWORDS["alice"]
        _first_sign_in(config)
    else:
        alice = request.getfixturevalue("org")["alice"]
        config = services.default_configuration()
        identifier, password = alice.managed_apple_id, PASSWORD
    _sign_in(config, identifier, password)
    written: list[Any] = []
    one_statement = core._sign_in_in_one_statement
    monkeypatch.setattr(
        core,
        "_sign_in_in_one_statement",
        lambda *args, **kwargs: written.append(one_statement(*args, **kwargs)) or written[-1],
    )
    one = _rows(_sign_in(config, identifier, password))
    assert len(written) == 1 and written[0] is not None  # the one statement wrote them
    _usual_way(monkeypatch)
    usual = _rows(_sign_in(config, identifier, password))
    assert one == usual
    assert one["session"]["managed_apple_id"] == identifier


def _after_the_password_check(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    """`change` runs once the directory has accepted the password: after the person was read,
    before anything is written (another request's write, committed meanwhile)."""
    verify = auth.verify_password

    def verified(**kwargs: Any) -> auth.Verified:
        accepted = verify(**kwargs)
        change()
        return accepted

    monkeypatch.setattr(auth, "verify_password", verified)


def test_a_person_whose_managed_apple_id_changed_meanwhile_gets_the_new_one(
    ldap_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_sign_in(ldap_config)
    user = DirectoryUser.objects.get(managed_apple_id=ALICE_LDAP)
    moved = "alice.new@appleid.example.com"
    _after_the_password_check(
        monkeypatch,
        lambda: DirectoryUser.objects.filter(pk=user.pk).update(managed_apple_id=moved),
    )
    session = _sign_in(ldap_config, ALICE_LDAP, PASSWORDS["alice"])
    # The session is the row's as the sign-in wrote it, not as read before the password check.
    assert (session.directory_user_id, session.managed_apple_id) == (user.pk, moved)
    assert EnrollmentSession.objects.get(pk=session.pk).managed_apple_id == moved


def test_a_person_disabled_meanwhile_is_refused_as_before_and_nothing_is_written(
    ldap_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_sign_in(ldap_config)
    user = DirectoryUser.objects.get(managed_apple_id=ALICE_LDAP)
    _after_the_password_check(
        monkeypatch, lambda: DirectoryUser.objects.filter(pk=user.pk).update(enabled=False)
    )
    with pytest.raises(SignInFailed) as refused:
        _sign_in(ldap_config, ALICE_LDAP, PASSWORDS["alice"])
    # The directory's refusal of a user disabled here, as the usual sign-in gives it.
    assert (refused.value.code, refused.value.message) == ("disabled", auth.DISABLED)
    assert EnrollmentSession.objects.count() == 1
    assert DirectoryUser.objects.get(pk=user.pk).last_login_at == user.last_login_at


def test_a_record_that_changed_in_the_directory_refreshes_the_row_as_before(
    ldap_config: Any,
) -> None:
    _first_sign_in(ldap_config)
    user = DirectoryUser.objects.get(managed_apple_id=ALICE_LDAP)
    DirectoryUser.objects.filter(pk=user.pk).update(display_name="Old name")
    with CaptureQueriesContext(connection) as queries:
        session = _sign_in(ldap_config, ALICE_LDAP, PASSWORDS["alice"])
    refreshed = DirectoryUser.objects.get(pk=user.pk)
    assert refreshed.display_name == user.display_name != "Old name"
    assert refreshed.updated_at > user.updated_at
    assert session.directory_user_id == user.pk
    # The one statement wrote nothing (the stamp's row was not as read): the usual way wrote.
    assert [q["sql"] for q in queries if q["sql"].startswith("WITH stamped")] != []
    assert EnrollmentSession.objects.count() == 2


def test_a_refused_person_is_refused_by_the_usual_sign_in(
    org: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = services.default_configuration()
    config.groups = ["BYOD pilots"]
    config.save()
    tried: list[Any] = []
    sign_in = core.directory_access.Accepted.sign_in
    monkeypatch.setattr(
        core.directory_access.Accepted,
        "sign_in",
        lambda self: tried.append(self) or sign_in(self),
    )
    with pytest.raises(SignInFailed) as refused:
        _sign_in(config, org["alice"].managed_apple_id, PASSWORD)
    assert refused.value.code == "group" and len(tried) == 1
    assert not EnrollmentSession.objects.exists()
