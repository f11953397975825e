"""Console pages: sources, users (masked Managed Apple IDs), groups, domains, LDAP import progress."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from directory import services
from directory.models import DirectoryGroup, DirectoryUser, IdentitySource, ImportRun
from mdm_server.models import AuditEvent
from tests.directory.conftest import BASE, SERVICE_DN, SERVICE_PW

pytestmark = pytest.mark.django_db

URL = "/console/directory/"


def _user(domains: None) -> DirectoryUser:
    services.save_source(
        source=services.local_source(),
        data={"apple_id_mapping": "pattern", "apple_id_pattern": "{local}@appleid.{domain}"},
        actor=None,
    )
    return services.create_local_user(
        username="jane", email="jane.doe@example.com", password="long enough", actor=None
    )


def test_pages_need_a_console_role(client: Client, outsider_user: Any) -> None:
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(outsider_user)
    assert client.get(URL).status_code == 403


def test_overview_lists_sources(admin_client: Client, ldap_source: Any) -> None:
    body = admin_client.get(URL).content.decode()
    assert "Corp LDAP" in body
    assert "appleid.{domain}" in body


def test_user_list_masks_and_detail_shows_admins_only(
    admin_client: Client, helpdesk_client: Client, domains: None
) -> None:
    user = _user(domains)
    assert user.managed_apple_id == "jane.doe@appleid.example.com"
    listing = admin_client.get(URL + "users/").content.decode()
    assert "j***@appleid.example.com" in listing
    assert "jane.doe@appleid.example.com" not in listing
    detail = admin_client.get(URL + f"users/{user.pk}/").content.decode()
    assert 'id="apple-id">jane.doe@appleid.example.com' in detail
    helpdesk = helpdesk_client.get(URL + f"users/{user.pk}/").content.decode()
    assert 'id="apple-id">j***@appleid.example.com' in helpdesk
    assert "jane.doe@appleid.example.com" not in helpdesk


def test_helpdesk_cannot_change_anything(helpdesk_client: Client, domains: None) -> None:
    user = _user(domains)
    assert helpdesk_client.post(URL + f"users/{user.pk}/", {"enabled": ""}).status_code == 403
    assert helpdesk_client.post(URL + "groups/", {"name": "x"}).status_code == 403
    assert helpdesk_client.get(URL + "sources/new/?kind=ldap").status_code == 403
    user.refresh_from_db()
    assert user.enabled


def test_create_ldap_source_with_errors_then_fixed(admin_client: Client, slapd: Any) -> None:
    data = {
        "name": "Corp",
        "enabled": "on",
        "sign_in_domains": "example.com",
        "apple_id_mapping": "pattern",
        "apple_id_pattern": "{local}@{domain}",
        "timeout": "10",
        "ldap_url": slapd.url,
        "ldap_security": "none",
        "bind_dn": SERVICE_DN,
        "bind_password": SERVICE_PW,
        "user_base_dn": f"ou=people,{BASE}",
        "user_filter": "(objectClass=inetOrgPerson",
        "group_base_dn": f"ou=groups,{BASE}",
        "group_filter": "(objectClass=groupOfNames)",
        "group_member_attribute": "member",
        "attribute_map": "bogus = x",
    }
    response = admin_client.post(URL + "sources/new/?kind=ldap", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown key" in body
    assert not IdentitySource.objects.exists()
    data["attribute_map"] = "status = employeeType"
    response = admin_client.post(URL + "sources/new/?kind=ldap", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "appleid subdomain" in body
    assert "Unbalanced" in body
    assert SERVICE_PW not in body  # the password is never echoed back
    data["apple_id_pattern"] = "{local}@appleid.{domain}"
    data["user_filter"] = "(objectClass=inetOrgPerson)"
    response = admin_client.post(URL + "sources/new/?kind=ldap", data)
    assert response.status_code == 302
    source = IdentitySource.objects.get()
    assert source.bind_password == SERVICE_PW
    assert source.attribute_map == {"status": "employeeType"}
    assert AuditEvent.objects.filter(action="directory.source_created").exists()
    detail = admin_client.get(response["Location"]).content.decode()
    assert SERVICE_PW not in detail
    assert "password stored" in detail


def test_connection_test_messages(admin_client: Client, slapd: Any, domains: None) -> None:
    from tests.directory.conftest import make_ldap_source

    source = make_ldap_source(slapd.url, bind_password="wrong")
    response = admin_client.post(URL + f"sources/{source.pk}/test/", follow=True)
    assert "rejected the credentials" in response.content.decode()


def test_ldap_search_and_add_with_progress(
    admin_client: Client, ldap_source: Any, django_capture_on_commit_callbacks: Any
) -> None:
    page = admin_client.get(URL + f"sources/{ldap_source.pk}/import/", {"q": "sales"})
    body = page.content.decode()
    assert page.status_code == 200
    group_dn = f"cn=sales,ou=groups,{BASE}"
    assert f'value="group:{group_dn}"' in body
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            URL + f"sources/{ldap_source.pk}/import/", {"pick": [f"group:{group_dn}"]}
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == URL + f"runs/{run.pk}/"
    assert run.status == "succeeded", run.error
    done = admin_client.get(URL + f"runs/{run.pk}/").content.decode()
    assert "every 1s" not in done  # finished: no more polling
    assert "duplicate" in done  # grace and heidi share an address
    assert DirectoryGroup.objects.filter(kind="synced", name="sales").exists()


def test_progress_fragment_polls_while_running(admin_client: Client, ldap_source: Any) -> None:
    run = services.start_import(
        source=ldap_source, selection=[{"type": "all", "id": ""}], actor=None
    )  # on_commit never fires in this test: the run stays pending
    ImportRun.objects.filter(pk=run.pk).update(status="running", found=42)
    fragment = admin_client.get(URL + f"runs/{run.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert f'hx-get="{URL}runs/{run.pk}/progress/"' in fragment
    assert "42 user(s) so far" in fragment


def test_failed_import_is_shown(admin_client: Client, slapd: Any, domains: None) -> None:
    from tests.directory.conftest import make_ldap_source

    source = make_ldap_source(slapd.url, bind_password="wrong")
    run = services.start_import(source=source, selection=[{"type": "all"}], actor=None)
    services.execute_import_run(run_id=run.pk)
    body = admin_client.get(URL + f"runs/{run.pk}/").content.decode()
    assert "rejected the credentials" in body
    assert "Nothing was imported" in body


def test_search_errors_are_shown(admin_client: Client, ldap_source: Any) -> None:
    response = admin_client.post(URL + f"sources/{ldap_source.pk}/import/", {})
    assert response.status_code == 400
    assert "Select at least one" in response.content.decode()


def test_group_settings(admin_client: Client, domains: None) -> None:
    response = admin_client.post(
        URL + "groups/",
        {
            "name": "BYOD",
            "apple_enrollment_type": "user",
            "default_ownership": "personal",
            "priority": "5",
        },
    )
    assert response.status_code == 302
    group = DirectoryGroup.objects.get(name="BYOD")
    listing = admin_client.get(URL + "groups/").content.decode()
    assert "User Enrollment" in listing
    dup = admin_client.post(
        URL + "groups/",
        {
            "name": "byod",
            "apple_enrollment_type": "",
            "default_ownership": "personal",
            "priority": "5",
        },
    )
    assert dup.status_code == 400
    assert "already exists" in dup.content.decode()
    user = _user(domains)
    admin_client.post(URL + f"groups/{group.pk}/", {"action": "members", "users": [user.pk]})
    assert list(group.members.all()) == [user]
    admin_client.post(
        URL + f"groups/{group.pk}/",
        {
            "name": "BYOD",
            "apple_enrollment_type": "device",
            "default_ownership": "corporate",
            "priority": "5",
        },
    )
    assert services.enrollment_settings_for(user).apple_enrollment_type == "device"


def test_domains_page(admin_client: Client, db: None) -> None:
    assert admin_client.post(URL + "domains/", {"domain": "AppleID.Example.com"}).status_code == 302
    bad = admin_client.post(URL + "domains/", {"domain": "not a domain"})
    assert bad.status_code == 400
    assert "not a valid domain" in bad.content.decode()
    assert services.managed_apple_id_domains() == ["appleid.example.com"]


def test_local_user_create_disable_invite(
    admin_client: Client, domains: None, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = admin_client.post(
        URL + "users/new/",
        {"username": "sam", "email": "sam@example.com", "password": "long enough pw"},
    )
    assert response.status_code == 302
    user = DirectoryUser.objects.get(username="sam")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(URL + f"users/{user.pk}/invite/")
    assert mailoutbox[0].to == ["sam@example.com"]
    admin_client.post(URL + f"users/{user.pk}/", {"enabled": ""})
    user.refresh_from_db()
    assert not user.enabled
    short = admin_client.post(URL + "users/new/", {"username": "x", "password": "short"})
    assert short.status_code == 400


def test_invitation_landing_page(client: Client, domains: None) -> None:
    user = _user(domains)
    _invitation, token = services.create_invitation(
        user=user, base_url="http://x", send_email=False
    )
    page = client.get(f"/directory/invitation/{token}/")
    assert page.status_code == 200
    assert "Sign In to Work or School Account" in page.content.decode()
    # Viewing does not use the invitation up; the enrollment portal link carries it.
    assert f"invitation={token}" in page.content.decode()
    assert services.find_invitation(token=token).used_at is None
    missing = client.get("/directory/invitation/nope/")
    assert missing.status_code == 404
    assert "not valid" in missing.content.decode()


def test_sign_in_test_page_for_ldap(admin_client: Client, ldap_source: Any) -> None:
    url = URL + f"sources/{ldap_source.pk}/test-sign-in/"
    bad = admin_client.post(url, {"identifier": "alice", "password": "nope"})
    assert bad.status_code == 400
    assert "wrong_password" in bad.content.decode()
    ok = admin_client.post(url, {"identifier": "alice", "password": "alice-pw"}, follow=True)
    assert "Signed in as alice" in ok.content.decode()
    assert "alice@appleid.example.com" in ok.content.decode()


def test_sign_in_test_page_for_entra(
    admin_client: Client, fake_entra: Any, entra_source: Any
) -> None:
    url = URL + f"sources/{entra_source.pk}/test-sign-in/"
    start = admin_client.post(url, {"identifier": "ann@contoso.example"})
    assert start.status_code == 302
    assert start["Location"].startswith(fake_entra.base)
    params = fake_entra.browser(start["Location"], "ann@contoso.example")
    done = admin_client.get(URL + "entra/callback/", params, follow=True)
    assert "Signed in as ann@contoso.example" in done.content.decode()
    # The flow is single-use: replaying the callback is refused.
    replay = admin_client.get(URL + "entra/callback/", params, follow=True)
    assert "No Microsoft sign-in was started" in replay.content.decode()


def test_sign_in_test_needs_admin(helpdesk_client: Client, ldap_source: Any) -> None:
    url = URL + f"sources/{ldap_source.pk}/test-sign-in/"
    assert helpdesk_client.get(url).status_code == 403


def test_edit_source_keeps_secret_when_blank(
    admin_client: Client, helpdesk_client: Client, ldap_source: Any
) -> None:
    page = admin_client.get(URL + f"sources/{ldap_source.pk}/")
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "sign_in_domains": "example.com",
            "allowed_groups": "",
            "attribute_map": "",
            "enabled": "on",
            "name": "Renamed LDAP",
            "bind_password": "",
        }
    )
    data.pop("auto_invite", None)
    data.pop("console_sign_in", None)
    data.pop("sync_adds_new_users", None)
    response = admin_client.post(URL + f"sources/{ldap_source.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ldap_source.refresh_from_db()
    assert ldap_source.name == "Renamed LDAP"
    assert ldap_source.bind_password == SERVICE_PW
    assert helpdesk_client.get(URL + f"sources/{ldap_source.pk}/").context["form"] is None
    assert helpdesk_client.post(URL + f"sources/{ldap_source.pk}/", data).status_code == 403


def test_sync_now_while_a_sync_waits_shows_that_run(admin_client: Client, ldap_source: Any) -> None:
    url = reverse("directory-source-sync", args=[ldap_source.pk])
    first = admin_client.post(url)
    run = ImportRun.objects.get(source=ldap_source)
    assert first.status_code == 302 and first["Location"].endswith(
        reverse("directory-run", args=[run.pk])
    )
    again = admin_client.post(url, follow=True)
    assert again.redirect_chain[0][0].endswith(reverse("directory-run", args=[run.pk]))
    assert "already" in again.content.decode()
    assert ImportRun.objects.filter(source=ldap_source).count() == 1


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"q": "ja\x00ne"}, "Null characters are not allowed"),
        ({"source": "\u00b2"}, "Enter a whole number"),  # "²".isdigit(), yet int() refuses it
        ({"source": "1.5"}, "Enter a whole number"),
        ({"state": "sleeping"}, "Select a valid choice"),
    ],
)
def test_a_user_list_filter_it_cannot_use_is_a_400_with_the_reason(
    admin_client: Client, domains: None, params: dict[str, str], reason: str
) -> None:
    """A NUL in the search (PostgreSQL refuses it) or superscript digits as the source were a
    500; an unknown state was ignored."""
    _user(domains)
    response = admin_client.get(URL + "users/", params)
    assert response.status_code == 400
    body = response.content.decode()
    assert reason in body and "jane" not in body


def test_removing_a_domain_by_an_id_that_is_not_a_number_is_a_404(
    admin_client: Client, db: None
) -> None:
    services.add_managed_apple_id_domain(domain="appleid.example.com", actor=None)
    for value in ("abc", "\u00b2", "1.5", "\x00"):
        response = admin_client.post(URL + "domains/", {"remove": value})
        assert response.status_code == 404, value  # was a 500 (ValueError in the lookup)
    assert services.managed_apple_id_domains() == ["appleid.example.com"]


@pytest.mark.parametrize(
    "form",
    [
        {"pick": ["user:uid=a\x00b,ou=people"]},
        {"pick": ["user:uid=a"], "name:user:uid=a": "Ann\x00"},
    ],
    ids=["NUL in the id", "NUL in the name"],
)
def test_an_import_selection_with_a_nul_character_is_a_400(
    admin_client: Client, form: dict[str, Any]
) -> None:
    """The picks are read from the POST as they are, not through a form field (which refuses
    NUL): stored in the run's selection, PostgreSQL refused it with a DataError, a 500."""
    source = IdentitySource.objects.create(name="Corp LDAP", kind=IdentitySource.Kind.LDAP)
    response = admin_client.post(URL + f"sources/{source.pk}/import/", form)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not ImportRun.objects.exists()
