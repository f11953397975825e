"""REST API: permissions, write-only secrets, masking, imports, errors in the common format."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from directory import services
from directory.models import DirectoryUser, IdentitySource
from tests.directory.conftest import BASE, SERVICE_DN, SERVICE_PW

pytestmark = pytest.mark.django_db

API = "/api/v1/directory/"


def _ldap_payload(url: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Corp",
        "kind": "ldap",
        "ldap_url": url,
        "ldap_security": "none",
        "bind_dn": SERVICE_DN,
        "bind_password": SERVICE_PW,
        "user_base_dn": f"ou=people,{BASE}",
        "group_base_dn": f"ou=groups,{BASE}",
        "sign_in_domains": ["example.com"],
        "apple_id_mapping": "pattern",
        "apple_id_pattern": "{local}@appleid.{domain}",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("path", ["sources/", "users/", "groups/", "runs/", "apple-id-domains/"])
def test_anonymous_and_outsiders_are_refused(client: Client, outsider_user: Any, path: str) -> None:
    assert client.get(API + path).status_code in (401, 403)
    client.force_login(outsider_user)
    response = client.get(API + path)
    assert response.status_code == 403
    assert response.json()["error"]["message"]


def test_helpdesk_reads_but_cannot_write(helpdesk_client: Client, ldap_source: Any) -> None:
    assert helpdesk_client.get(API + "sources/").status_code == 200
    response = helpdesk_client.patch(
        API + f"sources/{ldap_source.pk}/", {"enabled": False}, content_type="application/json"
    )
    assert response.status_code == 403
    assert helpdesk_client.post(API + "groups/", {"name": "x"}).status_code == 403
    assert helpdesk_client.post(API + f"sources/{ldap_source.pk}/sync/").status_code == 403
    ldap_source.refresh_from_db()
    assert ldap_source.enabled


def test_create_source_secrets_are_write_only(admin_client: Client, slapd: Any) -> None:
    response = admin_client.post(
        API + "sources/", _ldap_payload(slapd.url), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "bind_password" not in body
    assert body["has_bind_password"] is True
    assert SERVICE_PW not in response.content.decode()
    source = IdentitySource.objects.get()
    assert source.bind_password == SERVICE_PW
    listing = admin_client.get(API + "sources/").content.decode()
    assert SERVICE_PW not in listing


def test_invalid_source_gets_field_errors(admin_client: Client, slapd: Any) -> None:
    response = admin_client.post(
        API + "sources/",
        _ldap_payload(slapd.url, user_filter="(uid=*", apple_id_pattern="{x}@appleid.{domain}"),
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) == {"user_filter", "apple_id_pattern"}
    assert "Unknown placeholder {x}" in error["fields"]["apple_id_pattern"][0]
    assert not IdentitySource.objects.exists()
    bad_map = admin_client.post(
        API + "sources/",
        _ldap_payload(slapd.url, attribute_map={"nope": "x"}),
        content_type="application/json",
    )
    assert bad_map.status_code == 400
    assert "attribute_map" in bad_map.json()["error"]["fields"]


def test_kind_cannot_change(admin_client: Client, ldap_source: Any) -> None:
    response = admin_client.patch(
        API + f"sources/{ldap_source.pk}/", {"kind": "entra"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_search_import_and_run(
    admin_client: Client, ldap_source: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hits = admin_client.post(
        API + f"sources/{ldap_source.pk}/search/", {"query": "ali"}, content_type="application/json"
    )
    assert hits.status_code == 200
    assert hits.json()[0]["id"] == f"uid=alice,ou=people,{BASE}"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            API + f"sources/{ldap_source.pk}/import/",
            {"selection": [{"type": "user", "id": hits.json()[0]["id"]}]},
            content_type="application/json",
        )
    assert response.status_code == 202
    run = admin_client.get(API + f"runs/{response.json()['id']}/").json()
    assert run["status"] == "succeeded"
    assert run["created"] == 1


def test_import_validation(admin_client: Client, ldap_source: Any) -> None:
    response = admin_client.post(
        API + f"sources/{ldap_source.pk}/import/",
        {"selection": [{"type": "planet", "id": "x"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]
    empty = admin_client.post(
        API + f"sources/{ldap_source.pk}/import/",
        {"selection": []},
        content_type="application/json",
    )
    assert empty.status_code == 400
    assert "Select at least one" in empty.json()["error"]["message"]


def test_unreachable_directory_is_502_with_reason(
    admin_client: Client, throwaway_slapd: Any, domains: None
) -> None:
    from tests.directory.conftest import make_ldap_source

    server = throwaway_slapd()
    source = make_ldap_source(server.url)
    server.stop()
    response = admin_client.post(API + f"sources/{source.pk}/test/")
    assert response.status_code == 502
    assert "cannot be reached" in response.json()["error"]["message"]


def test_users_masked_in_list_full_in_admin_detail(
    admin_client: Client, helpdesk_client: Client, domains: None
) -> None:
    user = services.create_local_user(
        username="jane", email="jane@example.com", password="long enough", actor=None
    )
    listing = admin_client.get(API + "users/").json()["results"]
    assert listing[0]["managed_apple_id"] == "j***@example.com"
    detail = admin_client.get(API + f"users/{user.pk}/").json()
    assert detail["managed_apple_id"] == "jane@example.com"
    assert detail["enrollment_settings"] == {
        "apple_enrollment_type": "user", "default_ownership": "personal", "group": None,
    }  # fmt: skip
    assert "password" not in detail
    helpdesk = helpdesk_client.get(API + f"users/{user.pk}/").json()
    assert helpdesk["managed_apple_id"] == "j***@example.com"


def test_create_and_update_users(admin_client: Client, domains: None) -> None:
    group = admin_client.post(
        API + "groups/",
        {"name": "BYOD", "apple_enrollment_type": "user", "default_ownership": "personal"},
        content_type="application/json",
    )
    assert group.status_code == 201, group.content
    response = admin_client.post(
        API + "users/",
        {"username": "sam", "email": "sam@example.com", "password": "long enough pw",
         "groups": [group.json()["id"]]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    user_id = response.json()["id"]
    assert response.json()["enrollment_settings"]["group"] == "BYOD"
    dup = admin_client.post(
        API + "users/",
        {"username": "SAM", "password": "long enough pw"},
        content_type="application/json",
    )
    assert dup.status_code == 400
    assert "already exists" in dup.json()["error"]["message"]
    off = admin_client.patch(
        API + f"users/{user_id}/", {"enabled": False}, content_type="application/json"
    )
    assert off.status_code == 200
    assert DirectoryUser.objects.get(pk=user_id).enabled is False
    invite = admin_client.post(API + f"users/{user_id}/invite/")
    assert invite.status_code == 400
    assert "disabled" in invite.json()["error"]["message"]


def test_directory_user_fields_are_read_only(admin_client: Client, ldap_source: Any) -> None:
    from directory import auth

    user = auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    response = admin_client.patch(
        API + f"users/{user.pk}/", {"email": "x@example.com"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "change it there" in response.json()["error"]["message"]


def test_domains_api(admin_client: Client, db: None) -> None:
    created = admin_client.post(
        API + "apple-id-domains/",
        {"domain": "AppleID.Example.com"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["domain"] == "appleid.example.com"
    again = admin_client.post(
        API + "apple-id-domains/",
        {"domain": "appleid.example.com"},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert "already" in again.json()["error"]["message"]
    assert admin_client.delete(API + f"apple-id-domains/{created.json()['id']}/").status_code == 204


def test_synced_group_members_cannot_be_set(admin_client: Client, ldap_source: Any) -> None:
    run = services.start_import(
        source=ldap_source,
        selection=[{"type": "group", "id": f"cn=mdm-users,ou=groups,{BASE}"}],
        actor=None,
    )
    services.execute_import_run(run_id=run.pk)
    group = admin_client.get(API + "groups/?kind=synced").json()["results"][0]
    response = admin_client.patch(
        API + f"groups/{group['id']}/",
        {"members": [], "apple_enrollment_type": "device"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "come from the directory" in response.json()["error"]["message"]
    unchanged = admin_client.get(API + f"groups/{group['id']}/").json()
    assert unchanged["apple_enrollment_type"] == ""  # nothing half-applied
    ok = admin_client.patch(
        API + f"groups/{group['id']}/",
        {"apple_enrollment_type": "device", "default_ownership": "corporate"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["name"] == "mdm-users"


def test_token_authentication(admin_user: Any, ldap_source: Any) -> None:
    from mdm_server import api_tokens

    token = api_tokens.create_api_token(user=admin_user, actor=None)
    client = Client()
    response = client.get(API + "sources/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert client.get(API + "sources/").status_code == 401


def test_a_second_sync_while_one_waits_is_a_conflict_naming_that_run(
    admin_client: Client, ldap_source: Any
) -> None:
    first = admin_client.post(API + f"sources/{ldap_source.pk}/sync/")
    assert first.status_code == 202
    run_id = first.json()["id"]
    again = admin_client.post(API + f"sources/{ldap_source.pk}/sync/")
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "busy" and f"#{run_id}" in error["message"]
