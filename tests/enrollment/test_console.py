"""The enrollment console page: settings, domains, configurations, self-test, ABM, revocation."""

from __future__ import annotations

from typing import Any

import pytest

from enrollment import services
from enrollment.models import EnrollmentConfiguration, EnrollmentSession, EnrollmentSettings
from tests.enrollment.conftest import DOMAIN, PASSWORD, remove_push_certificates

URL = "/console/enrollment/"
pytestmark = pytest.mark.django_db


def test_page_shows_the_well_known_json(org: dict[str, Any], admin_client: Any) -> None:
    response = admin_client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "&quot;Version&quot;: &quot;mdm-byod&quot;" in text
    assert "com.apple.remotemanagement" in text and "RewriteRule" in text
    assert DOMAIN in text
    assert 'id="push-problem"' not in text


def test_page_warns_without_push_certificate(org: dict[str, Any], admin_client: Any) -> None:
    remove_push_certificates()
    text = admin_client.get(URL).content.decode()
    assert 'id="push-problem"' in text and "push certificate" in text


def test_permissions(org: dict[str, Any], helpdesk_client: Any, client: Any) -> None:
    assert client.get(URL).status_code == 302
    assert helpdesk_client.get(URL).status_code == 200
    response = helpdesk_client.post(URL, {"action": "revoke", "session": "x"})
    assert response.status_code == 403


def _settings_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "action": "settings",
        "s-user_enrollment_enabled": "on",
        "s-organisation_name": "Example",
        "s-token_ttl_minutes": "10",
        "s-session_ttl_days": "30",
        "s-oauth_access_ttl_minutes": "60",
        "s-device_access_rights": [str(1 << i) for i in range(13)],
        "s-terms_text": "Terms",
        "s-apple_device_ca_pem": "",
    }
    data.update(overrides)
    return data


def test_save_settings_and_switch_off_user_enrollment(
    org: dict[str, Any], admin_client: Any
) -> None:
    response = admin_client.post(URL, _settings_post(**{"s-user_enrollment_enabled": ""}))
    assert response.status_code == 302
    options = EnrollmentSettings.load()
    assert options.user_enrollment_enabled is False and options.token_ttl_minutes == 10
    bad = admin_client.post(URL, _settings_post(**{"s-device_access_rights": ["2"]}))
    assert bad.status_code == 200
    assert (
        "AccessRights 2 (Allow installation and removal of configuration profiles) needs 1"
        in bad.content.decode()
    )
    bad = admin_client.post(URL, _settings_post(**{"s-apple_device_ca_pem": "nope"}))
    assert "Not a PEM certificate" in bad.content.decode()
    assert EnrollmentSettings.load().device_access_rights == 8191


def test_domains_are_edited_here(org: dict[str, Any], admin_client: Any) -> None:
    from directory.models import ManagedAppleIdDomain

    response = admin_client.post(
        URL, {"action": "domains", "d-domains": f"{DOMAIN}\nSub.Example.org."}
    )
    assert response.status_code == 302
    assert sorted(ManagedAppleIdDomain.objects.values_list("domain", flat=True)) == [
        DOMAIN,
        "sub.example.org",
    ]
    bad = admin_client.post(URL, {"action": "domains", "d-domains": "not a domain"})
    assert bad.status_code == 200 and "is not a domain" in bad.content.decode()


def test_configuration_form(org: dict[str, Any], admin_client: Any) -> None:
    response = admin_client.post(
        f"{URL}configurations/new/",
        {
            "name": "Macs",
            "default_version": "mdm-byod",
            "sign_in_method": "apple-oauth2",
            "identity_source": "",
            "identity_kind": "scep",
            "domains_text": "Corp.Example.org",
            "groups_text": "Pilots",
            "family_Mac": "mdm-adde",
        },
    )
    assert response.status_code == 302
    config = EnrollmentConfiguration.objects.get(name="Macs")
    assert config.domains == ["corp.example.org"] and config.groups == ["Pilots"]
    assert config.family_versions == {"Mac": "mdm-adde"}
    clash = admin_client.post(
        f"{URL}configurations/new/",
        {
            "name": "Other",
            "default_version": "mdm-byod",
            "sign_in_method": "apple-as-web",
            "identity_kind": "scep",
            "domains_text": "corp.example.org",
        },
    )
    assert clash.status_code == 200 and "is used by Macs" in clash.content.decode()


def test_revoke_session(org: dict[str, Any], admin_client: Any) -> None:
    session, _token = services.sign_in_account_user(
        configuration=services.default_configuration(),
        version="mdm-byod",
        identifier=f"alice@{DOMAIN}",
        password=PASSWORD,
    )
    response = admin_client.post(URL, {"action": "revoke", "session": session.public_id})
    assert response.status_code == 302
    assert EnrollmentSession.objects.get().revoked_at is not None


def test_self_test_against_the_live_server(
    org: dict[str, Any], admin_client: Any, live_server: Any, settings: Any
) -> None:
    settings.PUBLIC_URL = live_server.url
    result = services.self_test(timeout=5)
    assert result.ok, result.summary
    assert "mdm-byod" in result.summary
    response = admin_client.post(URL, {"action": "self_test"}, follow=True)
    assert "OK:" in response.content.decode()
    settings.PUBLIC_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    assert not services.self_test(timeout=2).ok


def test_invite_from_the_console(
    org: dict[str, Any], admin_client: Any, mailoutbox: list[Any]
) -> None:
    response = admin_client.post(URL, {"action": "invite", "user": "alice"}, follow=True)
    assert f"Invitation sent to alice@{DOMAIN}" in response.content.decode()
    response = admin_client.post(URL, {"action": "invite", "user": "nobody"}, follow=True)
    assert "No such directory user" in response.content.decode()
    response = admin_client.post(URL, {"action": "invite", "user": "bob"}, follow=True)
    assert "disabled" in response.content.decode()


def test_access_rights_are_named_checkboxes_from_apples_schema(
    org: dict[str, Any], admin_client: Any
) -> None:
    page = admin_client.get(URL).content.decode()
    assert 'data-section="Device Enrollment (organisation-owned devices)"' in page
    assert 'value="8" ' in page and "Allow device erase" in page  # bit 8, named
    assert page.count('name="s-device_access_rights"') == 13
    chosen = ["1", "2", "16", "256"]  # no erase, no lock
    response = admin_client.post(URL, _settings_post(**{"s-device_access_rights": chosen}))
    assert response.status_code == 302
    assert EnrollmentSettings.load().device_access_rights == 1 + 2 + 16 + 256
    ticked = admin_client.get(URL).context["settings_form"]["device_access_rights"].value()
    assert ticked == chosen
    none = admin_client.post(URL, _settings_post(**{"s-device_access_rights": []}))
    assert none.status_code == 200 and "at least one right" in none.content.decode()


def test_revoking_a_session_named_with_a_nul_character_is_a_404(admin_client: Any) -> None:
    # PostgreSQL refuses NUL in the lookup: it was a 500.
    response = admin_client.post(URL, {"action": "revoke", "session": "ab\x00cd"})
    assert response.status_code == 404
