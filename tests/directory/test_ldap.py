"""LDAP sign-in, search, import and sync against a real slapd."""

from __future__ import annotations

from typing import Any

import pytest

from directory import auth, ldap_client, services
from directory.models import DirectoryGroup, DirectoryUser, ImportRun
from tests.directory.conftest import BASE, PASSWORDS, SERVICE_DN, make_ldap_source

pytestmark = pytest.mark.django_db

PEOPLE = f"ou=people,{BASE}"
SALES = f"ou=sales,{PEOPLE}"


def _fail_code(**kwargs: Any) -> str:
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.authenticate_password(**kwargs)
    assert info.value.message
    return info.value.code


def test_sign_in_by_username_creates_user_with_managed_apple_id(ldap_source: Any) -> None:
    user = auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    assert user.source == ldap_source
    assert user.email == "alice@example.com"
    assert user.distinguished_name == f"uid=alice,{PEOPLE}"
    assert user.managed_apple_id == "alice@appleid.example.com"
    assert user.last_login_at is not None
    # A second sign-in updates the same row.
    again = auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    assert again.pk == user.pk
    assert DirectoryUser.objects.count() == 1


def test_sign_in_by_email_picks_source_by_domain(ldap_source: Any) -> None:
    user = auth.authenticate_password(identifier="bob@example.com", password="bob-pw")
    assert user.username == "bob"
    assert user.source == ldap_source


def test_wrong_and_empty_password(ldap_source: Any) -> None:
    assert _fail_code(identifier="alice", password="nope", source=ldap_source) == "wrong_password"
    assert _fail_code(identifier="alice", password="", source=ldap_source) == "wrong_password"
    assert not DirectoryUser.objects.exists()


def test_empty_password_never_binds_even_at_the_client_level(slapd: Any) -> None:
    config = ldap_client.LdapConfig(url=slapd.url, user_base_dn=PEOPLE)
    with ldap_client.Connection(config) as conn, pytest.raises(ldap_client.LdapError) as info:
        conn.bind(f"uid=alice,{PEOPLE}", "")
    assert info.value.code == "invalid_credentials"


def test_every_spelling_of_an_ldap_account_is_one_account(ldap_source: Any) -> None:
    """Wrong passwords report the account they were for, however it was typed, and the gate
    sees that account before the password is tried (enrollment pauses accounts with it)."""
    seen: list[str] = []
    accounts = set()
    for spelling in ("alice", "ALICE", "alice@example.com", " Alice@Example.com "):
        with pytest.raises(auth.AuthenticationFailed) as info:
            auth.authenticate_password(
                identifier=spelling, password="nope", source=ldap_source, gate=seen.append
            )
        assert info.value.code == "wrong_password"
        accounts.add(info.value.account)
    assert len(accounts) == 1 and set(seen) == accounts
    other = _fail_account(identifier="bob", password="nope", source=ldap_source)
    assert other not in accounts
    user = auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    assert auth.account_key(user.source_id, user.external_id) in accounts


def _fail_account(**kwargs: Any) -> str:
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.authenticate_password(**kwargs)
    return info.value.account


def test_unknown_user(ldap_source: Any) -> None:
    assert _fail_code(identifier="mallory", password="x", source=ldap_source) == "unknown_user"


@pytest.mark.parametrize(
    "identifier",
    ["*", "a*", "alice)(uid=*", "*)(|(uid=*", "alice)(|(objectClass=*", "\\2a", "alice\x00"],
)
def test_filter_injection_in_username_matches_nothing(ldap_source: Any, identifier: str) -> None:
    for password in ("alice-pw", "x"):
        assert _fail_code(identifier=identifier, password=password, source=ldap_source) in {
            "unknown_user"
        }


def test_disabled_and_locked_users(ldap_source: Any) -> None:
    assert _fail_code(identifier="carol", password="carol-pw", source=ldap_source) == "disabled"
    assert _fail_code(identifier="dave", password="dave-pw", source=ldap_source) == "locked"


def test_user_disabled_here_is_refused(ldap_source: Any) -> None:
    user = auth.authenticate_password(identifier="bob", password="bob-pw", source=ldap_source)
    services.update_user(user=user, data={"enabled": False}, actor=None)
    assert _fail_code(identifier="bob", password="bob-pw", source=ldap_source) == "disabled"


def test_allowed_groups_by_name_or_dn(slapd: Any, domains: None) -> None:
    source = make_ldap_source(slapd.url, allowed_groups=["mdm-users"])
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=source)
    assert _fail_code(identifier="bob", password="bob-pw", source=source) == "not_allowed"
    services.save_source(
        source=source, data={"allowed_groups": [f"cn=staff,ou=groups,{BASE}"]}, actor=None
    )
    assert auth.authenticate_password(identifier="bob", password="bob-pw", source=source)


def test_unreachable_directory(throwaway_slapd: Any, domains: None) -> None:
    server = throwaway_slapd()
    source = make_ldap_source(server.url)
    server.stop()
    assert _fail_code(identifier="alice", password="alice-pw", source=source) == "unreachable"


def test_bad_service_credentials_is_not_configured(slapd: Any, domains: None) -> None:
    source = make_ldap_source(slapd.url, bind_password="wrong")
    assert _fail_code(identifier="alice", password="alice-pw", source=source) == "not_configured"
    with pytest.raises(services.DirectoryError, match="rejected the credentials"):
        services.test_source(source=source)


def test_connection_test_counts_users(ldap_source: Any) -> None:
    assert "user(s) match" in services.test_source(source=ldap_source)


def test_search_finds_users_groups_and_ous(ldap_source: Any) -> None:
    hits = services.search_directory(source=ldap_source, query="sal")
    assert {(h.type, h.name) for h in hits} >= {("group", "sales"), ("ou", "sales")}
    hits = services.search_directory(source=ldap_source, query="ali")
    assert [(h.type, h.id) for h in hits] == [("user", f"uid=alice,{PEOPLE}")]


def test_search_escapes_input(ldap_source: Any) -> None:
    assert services.search_directory(source=ldap_source, query="*)(uid=*") == []


def _import(source: Any, selection: list[dict[str, str]]) -> ImportRun:
    run = services.start_import(source=source, selection=selection, actor=None)
    return services.execute_import_run(run_id=run.pk)


def test_import_group_creates_synced_group_members_and_reports_duplicates(
    ldap_source: Any,
) -> None:
    run = _import(ldap_source, [{"type": "group", "id": f"cn=sales,ou=groups,{BASE}"}])
    assert run.status == "succeeded", run.error
    assert (run.found, run.created, run.groups) == (3, 3, 1)
    group = DirectoryGroup.objects.get(kind="synced", name="sales")
    assert set(group.members.values_list("username", flat=True)) == {"eve", "grace", "heidi"}
    ids = dict(DirectoryUser.objects.values_list("username", "managed_apple_id"))
    assert ids == {"eve": "eve@appleid.example.com", "grace": None, "heidi": None}
    assert {p["user"] for p in run.problems} == {"grace", "heidi"}
    assert len(run.problems) == 2
    assert all("duplicate" in p["problem"] for p in run.problems)


def test_import_ou_and_user(ldap_source: Any) -> None:
    run = _import(
        ldap_source,
        [{"type": "ou", "id": SALES}, {"type": "user", "id": f"uid=carol,{PEOPLE}"}],
    )
    assert run.status == "succeeded", run.error
    assert set(DirectoryUser.objects.values_list("username", flat=True)) == {
        "eve",
        "grace",
        "heidi",
        "carol",
    }
    assert DirectoryUser.objects.get(username="carol").enabled is False


def test_duplicate_with_an_existing_account_is_not_assigned(ldap_source: Any) -> None:
    services.create_local_user(
        username="eve-local", email="eve@example.com", password="long-password", actor=None
    )
    local = DirectoryUser.objects.get(username="eve-local")
    assert local.managed_apple_id == "eve@example.com"  # the local source maps the email
    services.save_source(source=ldap_source, data={"apple_id_mapping": "email"}, actor=None)
    run = _import(ldap_source, [{"type": "user", "id": f"uid=eve,{SALES}"}])
    eve = DirectoryUser.objects.get(username="eve")
    assert eve.managed_apple_id is None
    assert "already used" in eve.managed_apple_id_problem
    assert run.problems == [{"user": "eve", "problem": eve.managed_apple_id_problem}]


def test_out_of_domain_results_are_not_assigned(slapd: Any, db: None) -> None:
    from directory.models import ManagedAppleIdDomain

    ManagedAppleIdDomain.objects.create(domain="appleid.other.example")
    source = make_ldap_source(slapd.url)
    run = _import(source, [{"type": "user", "id": f"uid=alice,{PEOPLE}"}])
    alice = DirectoryUser.objects.get(username="alice")
    assert alice.managed_apple_id is None
    assert "not one of the organisation's Managed Apple ID domains" in run.problems[0]["problem"]


def test_bad_bind_credentials_fail_the_run_cleanly(slapd: Any, domains: None) -> None:
    source = make_ldap_source(slapd.url, bind_password="wrong")
    run = _import(source, [{"type": "ou", "id": SALES}])
    assert run.status == "failed"
    assert "rejected the credentials" in run.error
    assert not DirectoryUser.objects.exists()


def test_missing_entry_fails_the_run(ldap_source: Any) -> None:
    run = _import(
        ldap_source, [{"type": "ou", "id": SALES}, {"type": "user", "id": f"uid=zz,{PEOPLE}"}]
    )
    assert run.status == "failed"
    assert "does not exist" in run.error or "not a user" in run.error
    assert not DirectoryUser.objects.exists()


def test_malformed_filter_is_rejected_before_saving(slapd: Any, domains: None) -> None:
    with pytest.raises(services.SourceInvalid) as info:
        make_ldap_source(slapd.url, user_filter="(objectClass=person")
    assert "user_filter" in info.value.errors


def test_server_stopped_mid_import_leaves_nothing(
    throwaway_slapd: Any, domains: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = throwaway_slapd(extra_users=30)
    source = make_ldap_source(server.url)
    monkeypatch.setattr(ldap_client, "PAGE_SIZE", 5)
    pages: list[int] = []
    original = services.imports._progress

    def stopping_progress(run_id: int) -> Any:
        report = original(run_id)

        def on_page(count: int) -> None:
            report(count)
            pages.append(count)
            if len(pages) == 2:
                server.stop()  # the directory goes away in the middle of the search

        return on_page

    monkeypatch.setattr(services.imports, "_progress", stopping_progress)
    run = _import(source, [{"type": "all", "id": ""}])
    assert run.status == "failed", run
    assert "cannot be reached" in run.error
    assert pages[:2] == [5, 10]  # it really was mid-way through a paged search
    assert not DirectoryUser.objects.exists()
    assert run.created == 0


def test_scheduled_sync_disables_users_missing_or_disabled_upstream(
    throwaway_slapd: Any, domains: None, django_capture_on_commit_callbacks: Any
) -> None:
    import subprocess

    from tests.directory.conftest import ROOT_DN, ROOT_PW

    server = throwaway_slapd()
    source = make_ldap_source(server.url)
    run = _import(source, [{"type": "group", "id": f"cn=staff,ou=groups,{BASE}"}])
    assert run.created == 4
    bob = DirectoryUser.objects.get(username="bob")
    assert bob.enabled
    # Upstream: bob is deleted, alice is disabled.
    subprocess.run(
        ["ldapdelete", "-x", "-H", server.url, "-D", ROOT_DN, "-w", ROOT_PW, f"uid=bob,{PEOPLE}"],
        check=True,
        capture_output=True,
    )
    modify = f"dn: uid=alice,{PEOPLE}\nchangetype: modify\nreplace: employeeType\nemployeeType: disabled\n"
    subprocess.run(
        ["ldapmodify", "-x", "-H", server.url, "-D", ROOT_DN, "-w", ROOT_PW],
        input=modify.encode(),
        check=True,
        capture_output=True,
    )
    from directory.tasks import sync_all_sources_task

    with django_capture_on_commit_callbacks(execute=True):
        assert sync_all_sources_task.delay().get() == 1
    sync_run = ImportRun.objects.filter(kind="sync").get()
    assert sync_run.status == "succeeded", sync_run.error
    assert sync_run.disabled == 2
    states = dict(DirectoryUser.objects.values_list("username", "enabled"))
    assert states == {"alice": False, "bob": False, "carol": False, "dave": True}
    staff = DirectoryGroup.objects.get(name="staff")
    assert "bob" not in set(staff.members.values_list("username", flat=True))
    assert DirectoryUser.objects.get(username="bob").disabled_at is not None


def test_sync_does_not_add_new_users_unless_asked(ldap_source: Any) -> None:
    _import(ldap_source, [{"type": "user", "id": f"uid=alice,{PEOPLE}"}])
    run = services.execute_import_run(run_id=services.start_sync(source=ldap_source).pk)
    assert run.status == "succeeded"
    assert DirectoryUser.objects.count() == 1
    services.save_source(source=ldap_source, data={"sync_adds_new_users": True}, actor=None)
    run = services.execute_import_run(run_id=services.start_sync(source=ldap_source).pk)
    assert DirectoryUser.objects.count() == 7  # everyone under ou=people, sales included
    assert run.created == 6


def test_auto_invite_emails_imported_users(
    ldap_source: Any, mailoutbox: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PUBLIC_URL = "https://mdm.example.test"
    services.save_source(source=ldap_source, data={"auto_invite": True}, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_import(
            source=ldap_source,
            selection=[{"type": "user", "id": f"uid=alice,{PEOPLE}"}],
            actor=None,
        )
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert run.invited == 1
    assert DirectoryUser.objects.get(username="alice").invitations.count() == 1
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    assert "https://mdm.example.test/directory/invitation/" in mailoutbox[0].body


def test_service_account_dn_is_used(ldap_source: Any) -> None:
    assert ldap_source.bind_dn == SERVICE_DN
    assert ldap_source.bind_password == PASSWORDS.get("none", "sync-secret")
    assert b"sync-secret" not in bytes(ldap_source.bind_password_encrypted)


@pytest.fixture
def tls_slapd(throwaway_slapd: Any) -> Any:
    return throwaway_slapd(tls=True)


@pytest.mark.parametrize("mode", ["starttls", "ldaps"])
def test_tls_with_the_sources_ca(tls_slapd: Any, domains: None, mode: str) -> None:
    url = tls_slapd.url if mode == "starttls" else tls_slapd.ldaps_url
    source = make_ldap_source(url, ldap_security=mode, ldap_ca_pem=tls_slapd.ca_pem)
    assert "user(s) match" in services.test_source(source=source)
    user = auth.authenticate_password(identifier="alice", password="alice-pw", source=source)
    assert user.username == "alice"


@pytest.mark.parametrize("mode", ["starttls", "ldaps"])
def test_tls_without_trusting_the_ca_fails_clearly(
    tls_slapd: Any, domains: None, mode: str
) -> None:
    url = tls_slapd.url if mode == "starttls" else tls_slapd.ldaps_url
    source = make_ldap_source(url, ldap_security=mode)
    with pytest.raises(services.DirectoryError) as info:
        services.test_source(source=source)
    assert info.value.code == "tls"
    assert "CA certificate" in info.value.message
    # For the person signing in this is the server's problem, not theirs.
    assert _fail_code(identifier="alice", password="alice-pw", source=source) == "not_configured"


def test_tls_server_down_is_unreachable(throwaway_slapd: Any, domains: None) -> None:
    server = throwaway_slapd(tls=True)
    source = make_ldap_source(server.ldaps_url, ldap_security="ldaps", ldap_ca_pem=server.ca_pem)
    server.stop()
    with pytest.raises(services.DirectoryError) as info:
        services.test_source(source=source)
    assert info.value.code == "unreachable"


def test_malformed_filter_reaching_the_client_is_a_clear_error(slapd: Any) -> None:
    config = ldap_client.LdapConfig(url=slapd.url, user_base_dn=PEOPLE, user_filter="(uid=a")
    with ldap_client.Connection(config) as conn, pytest.raises(ldap_client.LdapError) as info:
        conn.users()
    assert info.value.code == "bad_filter"
    assert "malformed" in info.value.message


def test_missing_search_base_is_a_clear_error(slapd: Any) -> None:
    config = ldap_client.LdapConfig(url=slapd.url, user_base_dn=f"ou=nowhere,{BASE}")
    with ldap_client.Connection(config) as conn, pytest.raises(ldap_client.LdapError) as info:
        conn.users()
    assert info.value.code == "no_such_base"


def test_bad_url_is_rejected() -> None:
    with pytest.raises(ldap_client.LdapError, match="must start with ldap"):
        ldap_client.Connection(ldap_client.LdapConfig(url="http://example.com"))
