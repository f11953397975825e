from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from tests.enrollment.abm.fake_abm import FakeAbm

pytestmark = pytest.mark.django_db

LINKS = "/api/v1/abm/links/"
PROFILES = "/api/v1/abm/profiles/"
DEVICES = "/api/v1/abm/devices/"


def test_links_devices_and_sync_over_the_api(
    admin_client: Any, helpdesk_client: Any, link: AbmLink, stocked: FakeAbm
) -> None:
    links = helpdesk_client.get("/api/v1/abm/links/").json()["results"]
    assert [item["name"] for item in links] == ["Main"] and links[0]["has_token"] is True
    assert not {"encrypted_key", "encrypted_token", "consumer_key"} & set(links[0])
    assert helpdesk_client.post(f"/api/v1/abm/links/{link.pk}/sync/").status_code == 403
    response = admin_client.post(f"/api/v1/abm/links/{link.pk}/sync/")
    assert response.status_code == 200 and response.json()["changed"] == 3
    devices = admin_client.get("/api/v1/abm/devices/").json()["results"]
    assert [d["serial_number"] for d in devices] == ["C02ZZ1CCCCCC", "F2LXK1AAAAAA", "F2LXK1BBBBBB"]
    stocked.fail("/devices/sync", 503, "", **{"Retry-After": "60"})
    response = admin_client.post(f"/api/v1/abm/links/{link.pk}/sync/")
    assert response.status_code == 503
    assert "retry after 60 s" in response.json()["error"]["message"]


def test_admin_links_abm_over_the_api(
    admin_client: Any, helpdesk_client: Any, stocked: FakeAbm, settings: Any
) -> None:
    """What the console does, over the REST API: create a link, download its certificate,
    upload the server token ABM encrypted to it, sync, define, assign and remove profiles."""
    from directory.models import DirectoryGroup, DirectoryUser, IdentitySource

    settings.PUBLIC_URL = "https://mdm.example.com"
    body = {"name": "Main", "api_url": stocked.base, "ca_pem": stocked.ca_pem}
    assert helpdesk_client.post(LINKS, body, content_type="application/json").status_code == 403
    response = admin_client.post(LINKS, body, content_type="application/json")
    assert response.status_code == 201, response.content
    link = response.json()
    assert link["has_token"] is False
    garbage = admin_client.post(
        LINKS, {**body, "name": "G", "ca_pem": "not a PEM"}, content_type="application/json"
    )
    assert garbage.status_code == 400 and "PEM" in garbage.json()["error"]["message"]
    again = admin_client.post(LINKS, body, content_type="application/json")
    assert again.status_code == 400 and "exists already" in again.json()["error"]["message"]
    pem = admin_client.get(f"{LINKS}{link['id']}/certificate/")
    assert pem.status_code == 200 and pem["Content-Type"] == "application/x-pem-file"
    assert pem.content.decode() == link["certificate_pem"]
    # A token encrypted to another certificate is refused with the reason; nothing is stored.
    from enrollment.abm.token import new_link_identity

    foreign = stocked.server_token(new_link_identity(name="elsewhere").certificate_pem.decode())
    response = admin_client.post(
        f"{LINKS}{link['id']}/token/", {"token": SimpleUploadedFile("t.p7m", foreign)}
    )
    assert response.status_code == 400
    assert "encrypted to another certificate" in response.json()["error"]["message"]
    assert AbmLink.objects.get(pk=link["id"]).has_token is False
    token = SimpleUploadedFile("t.p7m", stocked.server_token(pem.content.decode()))
    response = admin_client.post(f"{LINKS}{link['id']}/token/", {"token": token})
    assert response.status_code == 200, response.content
    assert response.json()["has_token"] is True and response.json()["org_name"] == "Example Org"
    assert admin_client.post(f"{LINKS}{link['id']}/sync/").json()["changed"] == 3
    # Profiles: validated like the console's form, defined in ABM, assigned by rule.
    bad = admin_client.post(
        PROFILES,
        {"link": link["id"], "name": "Bad", "skip_setup_items": ["NoSuchPane"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "skip_setup_items" in str(bad.json()["error"]["fields"])
    unsupervised = admin_client.post(
        PROFILES,
        {"link": link["id"], "name": "U", "supervised": False},
        content_type="application/json",
    )
    assert unsupervised.status_code == 400
    erase = admin_client.post(
        PROFILES,
        {"link": link["id"], "name": "E", "first_commands": [{"request_type": "EraseDevice"}]},
        content_type="application/json",
    )
    assert erase.status_code == 400 and "cannot be sent" in erase.json()["error"]["message"]
    assert "needs a supervised" in unsupervised.json()["error"]["message"]
    response = admin_client.post(
        PROFILES,
        {
            "link": link["id"],
            "name": "Company",
            "is_default": True,
            "skip_setup_items": ["Siri"],
            "first_commands": [{"request_type": "SecurityInfo"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    default = response.json()
    assert default["first_commands"] == [{"request_type": "SecurityInfo", "params": {}}]
    assert default["profile_uuid"] and stocked.profiles[default["profile_uuid"]][
        "skip_setup_items"
    ] == ["Siri"]
    assert all(d["profile_status"] == "assigned" for d in stocked.devices.values())
    # A group's profile: the device of a member gets it when its person is named.
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    sales = DirectoryGroup.objects.create(name="Sales")
    DirectoryUser.objects.create(source=source, external_id="d", username="dave").groups.add(sales)
    response = admin_client.post(
        PROFILES,
        {"link": link["id"], "name": "Sales", "groups": [sales.pk]},
        content_type="application/json",
    )
    group_profile = response.json()
    assert response.status_code == 201 and group_profile["groups"] == [sales.pk]
    device = AbmDevice.objects.get(serial_number="C02ZZ1CCCCCC")
    response = admin_client.post(
        f"{DEVICES}{device.pk}/person/", {"person": "nobody"}, content_type="application/json"
    )
    assert (
        response.status_code == 400 and "No directory user" in response.json()["error"]["message"]
    )
    response = admin_client.post(
        f"{DEVICES}{device.pk}/person/", {"person": "dave"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["profile"] == group_profile["id"]
    assert stocked.devices["C02ZZ1CCCCCC"]["profile_uuid"] == group_profile["profile_uuid"]
    # Changing a profile defines it again; its devices get the new ABM id.
    response = admin_client.put(
        f"{PROFILES}{default['id']}/",
        {"name": "Company", "is_default": True, "department": "IT"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["profile_uuid"] != default["profile_uuid"]
    assert stocked.devices["F2LXK1AAAAAA"]["profile_uuid"] == changed["profile_uuid"]
    # Hand assignment and Remove Profile.
    response = admin_client.post(
        f"{PROFILES}{group_profile['id']}/assign/",
        {"serial_numbers": ["f2lxk1aaaaaa", "NOTOURS"]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json() == {"assigned": 1}
    response = admin_client.post(
        f"{PROFILES}{group_profile['id']}/assign/",
        {"serial_numbers": ["NOTOURS"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = admin_client.post(
        f"{LINKS}{link['id']}/remove-profile/",
        {"serial_numbers": ["F2LXK1BBBBBB"]},
        content_type="application/json",
    )
    assert response.json() == {"results": {"F2LXK1BBBBBB": "SUCCESS"}}
    assert stocked.devices["F2LXK1BBBBBB"]["profile_status"] == "removed"
    unknown = admin_client.post(
        f"{LINKS}{link['id']}/remove-profile/",
        {"serial_numbers": ["X"], "z": 1},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "z" in unknown.json()["error"]["fields"]


def test_profile_before_the_token_and_apple_refusals_are_clear(
    admin_client: Any, link: AbmLink, fake_abm: FakeAbm, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://mdm.example.com"
    bare = admin_client.post(
        LINKS, {"name": "Bare", "api_url": fake_abm.base}, content_type="application/json"
    )
    response = admin_client.post(
        PROFILES, {"link": bare.json()["id"], "name": "P"}, content_type="application/json"
    )
    assert (
        response.status_code == 409
        and "Upload the server token" in response.json()["error"]["message"]
    )
    assert not AbmProfile.objects.filter(name="P").exists()
    fake_abm.fail("/profile", 400, '{"code": "MALFORMED_REQUEST_BODY"}')
    response = admin_client.post(
        PROFILES, {"link": link.pk, "name": "Q"}, content_type="application/json"
    )
    assert response.status_code == 502 and response.json()["error"]["code"] == "abm_refused"
    huge = SimpleUploadedFile("t.p7m", b"x" * (70 * 1024))
    response = admin_client.post(f"{LINKS}{link.pk}/token/", {"token": huge})
    assert response.status_code == 400 and "at most" in str(response.json()["error"])
    response = admin_client.post(
        f"{LINKS}{link.pk}/token/", {"token": SimpleUploadedFile("t.p7m", b"not a token")}
    )
    assert response.status_code == 400 and AbmLink.objects.get(pk=link.pk).has_token


def test_discovery_url_registered_over_a_real_session(
    admin_client: Any, helpdesk_client: Any, link: AbmLink, fake_abm: FakeAbm, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://mdm.example.com"
    url = f"{LINKS}{link.pk}/discovery/"
    assert helpdesk_client.post(url, {}, content_type="application/json").status_code == 403
    response = admin_client.post(url, {}, content_type="application/json")
    expected = "https://mdm.example.com/.well-known/com.apple.remotemanagement"
    assert response.status_code == 200 and response.json()["mdm_service_discovery_url"] == expected
    assert fake_abm.discovery_url == expected
    fake_abm.discovery_url = "https://elsewhere.example.com/x"  # changed in ABM meanwhile
    assert admin_client.get(url).json()["mdm_service_discovery_url"] == fake_abm.discovery_url
    response = admin_client.post(
        url, {"url": "http://plain.example.com/x"}, content_type="application/json"
    )
    assert response.status_code == 400 and "https://" in response.json()["error"]["message"]
    assert admin_client.delete(url).json()["mdm_service_discovery_url"] == ""
    assert fake_abm.discovery_url == ""
    fake_abm.fail("/session", 401, '{"code": "UNAUTHORIZED"}', times=2)
    response = admin_client.get(url)
    assert response.status_code == 502 and response.json()["error"]["code"] == "abm_refused"
