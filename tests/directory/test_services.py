"""Local users, groups and enrollment settings, Managed Apple ID domains, invitations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from directory import auth, services
from directory.models import DirectoryGroup, DirectoryUser, Invitation
from mdm_server.models import AuditEvent

pytestmark = pytest.mark.django_db


def _local(username: str = "jo", email: str = "jo@example.com", **kw: Any) -> DirectoryUser:
    return services.create_local_user(
        username=username, email=email, password="correct horse", actor=None, **kw
    )


def test_local_user_sign_in(domains: None) -> None:
    user = _local()
    assert user.password.startswith(("pbkdf2", "md5", "argon2", "bcrypt", "scrypt"))
    assert auth.authenticate_password(identifier="jo", password="correct horse") == user
    assert auth.authenticate_password(identifier="JO@example.com", password="correct horse") == user
    for password, code in (("wrong", "wrong_password"), ("", "wrong_password")):
        with pytest.raises(auth.AuthenticationFailed) as info:
            auth.authenticate_password(identifier="jo", password=password)
        assert info.value.code == code
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.authenticate_password(identifier="nobody", password="correct horse")
    assert info.value.code == "unknown_user"
    services.update_user(user=user, data={"enabled": False}, actor=None)
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.authenticate_password(identifier="jo", password="correct horse")
    assert info.value.code == "disabled"


def test_a_local_sign_in_looks_the_user_up_and_stamps_the_login_in_two_statements(
    domains: None,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = _local()
    _local(username="jo_", email="other@example.com")  # `_` is no wildcard in the lookup
    source = services.local_source()  # as enrollment passes it (the Managed Apple ID's)
    auth.authenticate_password(identifier="jo", password="correct horse")  # remembered now
    before = DirectoryUser.objects.get(pk=user.pk).last_login_at
    for typed in ("jo", "JO", "Jo@Example.com"):
        with CaptureQueriesContext(connection) as queries:
            signed_in = auth.authenticate_password(
                identifier=typed, password="correct horse", source=source
            )
        assert signed_in == user
        assert [q["sql"].split()[0] for q in queries] == ["SELECT", "UPDATE"], [
            q["sql"][:150] for q in queries
        ]
        stored = DirectoryUser.objects.get(pk=user.pk).last_login_at
        assert stored is not None and before is not None and stored > before
        before = stored
    for typed in ("j%", "jo%", "j_", "jo@example.co"):
        with pytest.raises(auth.AuthenticationFailed) as info:
            auth.authenticate_password(identifier=typed, password="correct horse", source=source)
        assert info.value.code == "unknown_user"


def test_local_user_validation(db: None) -> None:
    _local()
    with pytest.raises(services.DirectoryError, match="already exists"):
        _local(username="JO", email="other@example.com")
    with pytest.raises(services.DirectoryError, match="8 characters"):
        services.create_local_user(username="x", email="", password="short", actor=None)
    with pytest.raises(services.DirectoryError, match="username"):
        services.create_local_user(username="a b", email="", password="long enough", actor=None)


def test_local_source_allowed_groups(db: None) -> None:
    group = services.save_group(
        group=None,
        name="Enrollers",
        apple_enrollment_type="user",
        default_ownership="personal",
        priority=10,
        actor=None,
    )
    source = services.local_source()
    services.save_source(source=source, data={"allowed_groups": ["enrollers"]}, actor=None)
    user = _local()
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.authenticate_password(identifier="jo", password="correct horse")
    assert info.value.code == "not_allowed"
    services.set_group_members(group=group, users=[user], actor=None)
    assert auth.authenticate_password(identifier="jo", password="correct horse") == user


def test_directory_user_fields_come_from_the_directory(ldap_source: Any) -> None:
    user = auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    with pytest.raises(services.DirectoryError, match="change it there"):
        services.update_user(user=user, data={"email": "x@example.com"}, actor=None)
    with pytest.raises(services.DirectoryError, match="in the directory"):
        services.update_user(user=user, data={"password": "new password!"}, actor=None)


def test_enrollment_settings_by_group_priority(db: None) -> None:
    user = _local()
    assert services.enrollment_settings_for(user) == services.EnrollmentSettings(
        "user", "personal", None
    )
    device = services.save_group(
        group=None,
        name="Corporate",
        apple_enrollment_type="device",
        default_ownership="corporate",
        priority=50,
        actor=None,
    )
    byod = services.save_group(
        group=None,
        name="BYOD",
        apple_enrollment_type="user",
        default_ownership="personal",
        priority=10,
        actor=None,
    )
    plain = services.save_group(
        group=None,
        name="No setting",
        apple_enrollment_type="",
        default_ownership="personal",
        priority=1,
        actor=None,
    )
    user.groups.set([device, plain])
    assert services.enrollment_settings_for(user) == services.EnrollmentSettings(
        "device", "corporate", "Corporate"
    )
    user.groups.add(byod)
    assert services.enrollment_settings_for(user).group == "BYOD"
    with pytest.raises(services.DirectoryError, match="already exists"):
        services.save_group(
            group=None,
            name="byod",
            apple_enrollment_type="",
            default_ownership="personal",
            priority=1,
            actor=None,
        )
    with pytest.raises(services.DirectoryError, match="Enrollment Type"):
        services.save_group(
            group=byod,
            name="BYOD",
            apple_enrollment_type="both",
            default_ownership="personal",
            priority=1,
            actor=None,
        )


def test_managed_apple_id_domains(db: None) -> None:
    services.add_managed_apple_id_domain(domain=" AppleID.Example.com ", actor=None)
    assert services.managed_apple_id_domains() == ["appleid.example.com"]
    with pytest.raises(services.DirectoryError, match="already"):
        services.add_managed_apple_id_domain(domain="appleid.example.com", actor=None)
    with pytest.raises(services.DirectoryError, match="not a valid domain"):
        services.add_managed_apple_id_domain(domain="not a domain", actor=None)


def test_recompute_after_domain_added(db: None) -> None:
    user = _local()
    assert user.managed_apple_id is None
    assert "not one of" in user.managed_apple_id_problem
    services.add_managed_apple_id_domain(domain="example.com", actor=None)
    assert services.recompute_managed_apple_id(user=user, actor=None) == ""
    user.refresh_from_db()
    assert user.managed_apple_id == "jo@example.com"


def test_invitation_lifecycle(
    domains: None, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = _local()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.create_invitation(
            user=user, base_url="https://mdm.example.test/"
        )
    assert invitation.token_hash != token and token not in invitation.token_hash
    assert len(mailoutbox) == 1
    assert f"https://mdm.example.test/directory/invitation/{token}/" in mailoutbox[0].body
    assert services.redeem_invitation(token=token) == user
    with pytest.raises(services.InvitationError, match="already used"):
        services.redeem_invitation(token=token)
    with pytest.raises(services.InvitationError, match="not valid"):
        services.redeem_invitation(token="made-up")
    expired, token2 = services.create_invitation(user=user, base_url="https://x", send_email=False)
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(services.InvitationError, match="expired"):
        services.redeem_invitation(token=token2)


def test_invitation_needs_email_and_enabled_user(db: None) -> None:
    user = _local(email="")
    with pytest.raises(services.DirectoryError, match="no email"):
        services.create_invitation(user=user, base_url="https://x")
    services.update_user(user=user, data={"enabled": False}, actor=None)
    with pytest.raises(services.DirectoryError, match="disabled"):
        services.create_invitation(user=user, base_url="https://x")


def test_secrets_are_encrypted_and_kept_when_blank(ldap_source: Any) -> None:
    stored = bytes(ldap_source.bind_password_encrypted)
    assert b"sync-secret" not in stored
    services.save_source(source=ldap_source, data={"bind_password": ""}, actor=None)
    assert ldap_source.bind_password == "sync-secret"
    services.save_source(source=ldap_source, data={"bind_password": "new"}, actor=None)
    assert ldap_source.bind_password == "new"


def test_source_with_users_cannot_be_deleted(ldap_source: Any) -> None:
    auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    with pytest.raises(services.DirectoryError, match="disable the source"):
        services.delete_source(source=ldap_source, actor=None)


def test_admin_actions_are_audited(admin_user: Any) -> None:
    services.create_local_user(username="jo", email="", password="long enough", actor=admin_user)
    assert AuditEvent.objects.filter(action="directory.user_created", actor=admin_user).exists()


def test_only_one_import_per_source_at_a_time(ldap_source: Any) -> None:
    assert len(services.sync_all_sources()) == 1
    assert services.sync_all_sources() == []  # the first run is still pending


def test_start_import_validation(ldap_source: Any) -> None:
    with pytest.raises(services.DirectoryError, match="Select at least one"):
        services.start_import(source=ldap_source, selection=[], actor=None)
    with pytest.raises(services.DirectoryError, match="Cannot import"):
        services.start_import(
            source=ldap_source, selection=[{"type": "nope", "id": "x"}], actor=None
        )
    with pytest.raises(services.DirectoryError, match="added by hand"):
        services.start_import(
            source=services.local_source(), selection=[{"type": "all"}], actor=None
        )


def test_group_member_helpers(db: None) -> None:
    synced = DirectoryGroup.objects.create(
        name="Synced", kind="synced", source=services.local_source(), external_id="x"
    )
    with pytest.raises(services.DirectoryError, match="come from the directory"):
        services.set_group_members(group=synced, users=[], actor=None)


def test_stale_runs_are_closed_so_sources_sync_again(ldap_source: Any) -> None:
    from directory.models import ImportRun

    stuck = services.start_sync(source=ldap_source)
    three_hours_ago = timezone.now() - timedelta(hours=3)
    ImportRun.objects.filter(pk=stuck.pk).update(
        status="running", created_at=three_hours_ago, started_at=three_hours_ago
    )
    assert len(services.sync_all_sources()) == 1
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert "did not finish" in stuck.error


def test_the_sweep_starts_waiting_runs_and_fails_stalled_ones(ldap_source: Any) -> None:
    """Pending runs (their task never reached a worker) are started, never failed, however old;
    a run left running by a worker that died is shown failed after STALE_RUN_AFTER."""
    from directory.models import ImportRun
    from directory.services import imports

    now = timezone.now()
    # start_import's task is published on commit, which this test's transaction never reaches
    waiting = services.start_import(source=ldap_source, selection=[{"type": "all"}], actor=None)
    # (start_sync refuses a second run while one waits: these are made as a crash leaves them)
    fresh, stalled, busy = (
        ImportRun.objects.create(source=ldap_source, kind="sync") for _ in range(3)
    )
    ImportRun.objects.filter(pk=waiting.pk).update(
        created_at=now - timedelta(hours=5), error=imports.WAITING_FOR_QUEUE
    )
    ImportRun.objects.filter(pk=stalled.pk).update(
        status="running", started_at=now - services.STALE_RUN_AFTER - timedelta(minutes=1)
    )
    ImportRun.objects.filter(pk=busy.pk).update(
        status="running", started_at=now - services.STALE_RUN_AFTER + timedelta(minutes=1)
    )
    started = services.start_waiting_runs()
    assert [(r.pk, r.status, r.error) for r in started] == [(waiting.pk, "succeeded", "")]
    assert DirectoryUser.objects.filter(source=ldap_source).exists()
    states = dict(ImportRun.objects.values_list("pk", "status"))
    assert states == {
        waiting.pk: "succeeded",
        fresh.pk: "pending",  # its task may still be on its way to a worker
        stalled.pk: "failed",
        busy.pk: "running",
    }
    stalled.refresh_from_db()
    assert stalled.error == imports.STALLED_ERROR and stalled.finished_at is not None


def test_the_sweep_is_on_the_beat_every_minute() -> None:
    from celery.schedules import crontab

    from directory.tasks import start_waiting_runs_task
    from mdm_server.celery import app

    entry = app.conf.beat_schedule["directory-start-waiting-runs"]
    assert entry["task"] == start_waiting_runs_task.name
    assert entry["schedule"] == crontab(minute="*")
    assert start_waiting_runs_task.ignore_result


def test_a_run_executes_once(ldap_source: Any) -> None:
    run = services.start_import(source=ldap_source, selection=[{"type": "all"}], actor=None)
    assert services.execute_import_run(run_id=run.pk).status == "succeeded"
    created = DirectoryUser.objects.count()
    again = services.execute_import_run(run_id=run.pk)
    assert again.status == "succeeded"
    assert DirectoryUser.objects.count() == created


def test_unexpected_errors_fail_the_run_and_write_nothing(
    ldap_source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> dict[int, str]:
        raise RuntimeError("boom")

    monkeypatch.setattr(services.imports, "_apply_apple_ids", broken)
    run = services.start_import(source=ldap_source, selection=[{"type": "all"}], actor=None)
    run = services.execute_import_run(run_id=run.pk)
    assert run.status == "failed"
    assert "internal error" in run.error
    assert not DirectoryUser.objects.exists()
    assert not DirectoryGroup.objects.exists()


def test_source_fields_are_an_allow_list(ldap_source: Any) -> None:
    with pytest.raises(services.DirectoryError, match="cannot be changed"):
        services.save_source(source=ldap_source, data={"kind": "entra"}, actor=None)
    with pytest.raises(services.DirectoryError, match="cannot be changed"):
        services.save_source(source=ldap_source, data={"last_synced_at": None}, actor=None)


def test_mail_outage_does_not_break_invitations(
    domains: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise OSError("mail server down")

    monkeypatch.setattr(services.invitations, "send_mail", down)
    user = _local()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _token = services.create_invitation(user=user, base_url="https://x")
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_a_sign_in_domain_belongs_to_one_source(ldap_source: Any, slapd: Any) -> None:
    from tests.directory.conftest import make_ldap_source

    with pytest.raises(services.SourceInvalid) as info:
        make_ldap_source(slapd.url, name="Second LDAP")
    assert "example.com is already served by Corp LDAP" in info.value.errors["sign_in_domains"]


def test_api_lists_do_not_query_per_row(
    admin_client: Any, ldap_source: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        services.save_group(
            group=None, name=f"g{i}", apple_enrollment_type="", default_ownership="personal",
            priority=i, actor=None,
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        assert admin_client.get("/api/v1/directory/groups/").status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get("/api/v1/directory/sources/").status_code == 200


def test_too_many_users_fail_instead_of_truncating(
    ldap_source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.imports, "MAX_IMPORT_USERS", 2)
    run = services.start_import(source=ldap_source, selection=[{"type": "all"}], actor=None)
    run = services.execute_import_run(run_id=run.pk)
    assert run.status == "failed"
    assert "More than 2 users match" in run.error
    assert not DirectoryUser.objects.exists()


def test_a_successful_local_password_check_is_remembered_briefly(
    domains: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The full hash is checked once per person and password within the window; a wrong
    password always pays it, and a password change ends what was remembered at once."""
    from directory.services import signin

    hashed: list[str] = []
    real = signin.check_password

    def counting(password: str, encoded: str) -> bool:
        hashed.append(password)
        return real(password, encoded)

    monkeypatch.setattr(signin, "check_password", counting)
    signin.forget_local_passwords()
    user = _local()
    for _ in range(3):
        assert auth.authenticate_password(identifier="jo", password="correct horse") == user
    assert hashed == ["correct horse"]
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate_password(identifier="jo", password="correct horsE")
    assert hashed == ["correct horse", "correct horsE"]

    services.update_user(user=user, data={"password": "battery staple"}, actor=None)
    with pytest.raises(auth.AuthenticationFailed):
        auth.authenticate_password(identifier="jo", password="correct horse")
    assert auth.authenticate_password(identifier="jo", password="battery staple") == user
    assert hashed[2:] == ["correct horse", "battery staple"]

    settings.MDM_LOCAL_PASSWORD_CACHE_SECONDS = 0  # off: the hash on every sign-in
    assert auth.authenticate_password(identifier="jo", password="battery staple") == user
    assert hashed[4:] == ["battery staple"]


def test_a_sync_asked_for_while_one_waits_or_runs_is_refused_with_that_run(
    ldap_source: Any,
) -> None:
    """Clicking "Sync now" twice, or while the beat's sync waits, queues no second full sync
    of the same source: the admin is pointed at the run already there."""
    from directory.models import ImportRun

    first = services.start_sync(source=ldap_source)  # pending: its task is published on commit
    with pytest.raises(services.RunInProgress) as refused:
        services.start_sync(source=ldap_source)
    assert refused.value.run_id == first.pk and refused.value.code == "busy"
    assert str(first.pk) in refused.value.message
    ImportRun.objects.filter(pk=first.pk).update(status="running", started_at=timezone.now())
    with pytest.raises(services.RunInProgress):
        services.start_sync(source=ldap_source)
    assert ImportRun.objects.filter(source=ldap_source).count() == 1
    ImportRun.objects.filter(pk=first.pk).update(status="succeeded", finished_at=timezone.now())
    assert services.start_sync(source=ldap_source).pk != first.pk


def test_a_waiting_run_whose_source_was_deleted_is_skipped_by_the_sweep(
    ldap_source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep lists the waiting runs, then runs them one after the other: a source deleted
    in between (its runs go with it) ends nothing but that run."""
    from directory.models import IdentitySource, ImportRun

    other = IdentitySource.objects.create(name="Other", kind="ldap")
    long_ago = timezone.now() - timedelta(hours=1)
    gone = ImportRun.objects.create(source=other, kind="sync")
    kept = services.start_import(source=ldap_source, selection=[{"type": "all"}], actor=None)
    ImportRun.objects.filter(pk__in=[gone.pk, kept.pk]).update(created_at=long_ago)
    ImportRun.objects.filter(pk=gone.pk).update(created_at=long_ago - timedelta(minutes=1))
    from directory.services import imports

    real = imports.execute_import_run

    def delete_first(*, run_id: int) -> Any:
        if run_id == gone.pk:
            other.delete()
        return real(run_id=run_id)

    monkeypatch.setattr(imports, "execute_import_run", delete_first)
    started = services.start_waiting_runs()
    assert [(r.pk, r.status) for r in started] == [(kept.pk, "succeeded")]
    assert not ImportRun.objects.filter(pk=gone.pk).exists()
    assert services.execute_import_run(run_id=gone.pk) is None


def test_a_sign_in_stamps_the_login_and_refreshes_only_a_changed_record(domains: None) -> None:
    from django.db import transaction

    from directory import sync
    from directory.models import IdentitySource

    source = IdentitySource.objects.create(name="LDAP", kind=IdentitySource.Kind.LDAP)
    record = sync.UserRecord(external_id="e1", username="jo", email="jo@example.com", dn="uid=jo")
    user = services.upsert_signed_in_user(source=source, record=record)
    first_login, created_updated = user.last_login_at, user.updated_at
    # The same record again: the login is stamped, the record is not touched.
    again = services.upsert_signed_in_user(source=source, record=record)
    again.refresh_from_db()
    assert again.pk == user.pk
    assert again.last_login_at is not None and first_login is not None
    assert again.last_login_at > first_login
    assert again.updated_at == created_updated
    assert (again.username, again.email) == ("jo", "jo@example.com")
    # A changed record: the change, the login and updated_at.
    moved = sync.UserRecord(external_id="e1", username="jo", email="jo@corp.example.com")
    changed = services.upsert_signed_in_user(source=source, record=moved)
    changed.refresh_from_db()
    assert changed.email == "jo@corp.example.com"
    assert changed.updated_at > created_updated
    assert changed.last_login_at > again.last_login_at
    assert changed.distinguished_name == "uid=jo"  # an empty value never erases one
    # Disabled here: refused, and nothing written.
    DirectoryUser.objects.filter(pk=user.pk).update(enabled=False)
    with pytest.raises(services.DirectoryError), transaction.atomic():
        services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True)
    assert DirectoryUser.objects.get(pk=user.pk).last_login_at == changed.last_login_at


def test_a_returning_persons_sign_in_goes_through_save_when_saving_does_more() -> None:
    """A receiver of DirectoryUser's saves (none today) gets the sign-in's save, as before."""
    from django.db.models.signals import post_save

    from directory import sync
    from directory.models import IdentitySource

    source = IdentitySource.objects.create(name="LDAP", kind=IdentitySource.Kind.LDAP)
    record = sync.UserRecord(external_id="e2", username="al", email="al@example.com", dn="uid=al")
    services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True)
    saved: list[object] = []

    def receiver(sender: type, instance: object, **kwargs: object) -> None:
        saved.append(instance)

    post_save.connect(receiver, sender=DirectoryUser, dispatch_uid="test.stamp")
    try:
        again = services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True)
    finally:
        post_save.disconnect(dispatch_uid="test.stamp", sender=DirectoryUser)
    pks = [getattr(s, "pk", None) for s in saved]
    assert pks == [again.pk]


@pytest.mark.postgres  # UPDATE ... RETURNING on PostgreSQL; elsewhere the lookup and the save
def test_a_returning_persons_sign_in_is_one_statement(domains: None) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from directory import sync
    from directory.models import IdentitySource

    source = IdentitySource.objects.create(name="LDAP", kind=IdentitySource.Kind.LDAP)
    record = sync.UserRecord(external_id="e1", username="jo", email="jo@example.com", dn="uid=jo")
    first = services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True)
    expected = DirectoryUser.objects.get(pk=first.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        again = services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True)
    # An UPDATE: the row stays locked until the sign-in's transaction ends, as with the
    # SELECT ... FOR UPDATE it replaces.
    assert len(queries) == 1, [q["sql"][:80] for q in queries]
    assert queries[0]["sql"].startswith('UPDATE "directory_directoryuser" SET "last_login_at"')
    assert "RETURNING" in queries[0]["sql"]
    # The row read back is the one the ORM reads, with the new stamp.
    stored = DirectoryUser.objects.get(pk=first.pk)
    assert again.last_login_at == stored.last_login_at > expected.last_login_at
    for field in DirectoryUser._meta.concrete_fields:
        if field.attname != "last_login_at":
            assert getattr(again, field.attname) == getattr(expected, field.attname), field.name
    assert not again._state.adding and again._state.db == "default"
    # A disabled user is not stamped by it (refused, nothing written; see the test above), but
    # is without `refuse_disabled`, as before.
    DirectoryUser.objects.filter(pk=first.pk).update(enabled=False)
    stamped = services.upsert_signed_in_user(source=source, record=record)
    assert DirectoryUser.objects.get(pk=first.pk).last_login_at == stamped.last_login_at
    assert stamped.last_login_at > stored.last_login_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_sign_ins_of_one_person_make_one_user() -> None:
    """Both find no user; the second INSERT waits on the first's uncommitted row and, once that
    commits, takes the row as a returning person's instead of failing (it was an IntegrityError:
    a 500)."""
    from django.db import connection

    from directory import sync
    from directory.models import IdentitySource
    from tests import races

    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL")
    source = IdentitySource.objects.create(name="LDAP", kind=IdentitySource.Kind.LDAP)
    record = sync.UserRecord(external_id="race", username="ra", email="ra@example.com", dn="uid=ra")

    def sign_in() -> DirectoryUser:
        return services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True)

    first, second = races.second_waits_for_first(sign_in, sign_in, second_in_transaction=True)
    assert isinstance(first, DirectoryUser), first
    assert isinstance(second, DirectoryUser), second
    (only,) = DirectoryUser.objects.filter(source=source)
    assert first.pk == second.pk == only.pk
    assert only.last_login_at == second.last_login_at


def test_a_first_sign_in_whose_row_vanished_under_a_concurrent_one_is_told_to_try_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import transaction

    from directory import sync
    from directory.models import IdentitySource
    from directory.services import signin

    source = IdentitySource.objects.create(name="LDAP", kind=IdentitySource.Kind.LDAP)
    record = sync.UserRecord(external_id="gone", username="go", email="go@example.com")
    # The INSERT lost to another sign-in's row, which was deleted before it could be read.
    monkeypatch.setattr(signin, "_create_first", lambda *args: None)
    with pytest.raises(services.DirectoryError) as raised, transaction.atomic():
        services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True)
    assert raised.value.code == "retry"
    with pytest.raises(auth.AuthenticationFailed) as failed, transaction.atomic():
        auth._upsert(source, record)
    assert failed.value.code == "unreachable"
    assert not DirectoryUser.objects.filter(source=source).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_racing_a_persons_first_sign_in_imports_everyone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run read which users to create before the sign-in made that person's row: its
    INSERT failed on the person's key and the whole run failed, nobody imported. It is applied
    once more, reading the row the sign-in made."""
    from django.db import connection

    from directory import sync
    from directory.models import IdentitySource, ImportRun
    from directory.services import imports
    from tests import races

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row locks")
    source = IdentitySource.objects.create(name="LDAP", kind=IdentitySource.Kind.LDAP)
    record = sync.UserRecord(external_id="race", username="ra", email="ra@example.com", dn="uid=ra")
    others = [
        sync.UserRecord(external_id=f"u{n}", username=f"u{n}", email=f"u{n}@example.com")
        for n in range(5)
    ]
    run = ImportRun.objects.create(source=source, kind=ImportRun.Kind.SYNC)
    monkeypatch.setattr(
        imports,
        "_collect_ldap",
        lambda run, source: imports.Collected(
            users=[*others, record], groups=[], complete=True, add_new=True
        ),
    )
    races.second_waits_for_first(
        lambda: services.upsert_signed_in_user(source=source, record=record, refuse_disabled=True),
        lambda: imports.execute_import_run(run_id=run.pk),
    )
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert DirectoryUser.objects.filter(source=source).count() == 6
