"""The admin's path in the console: create a link, download its key, upload ABM's token, sync,
define a profile, register the discovery URL; each refusal of Apple shown as a message."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment.abm.models import AbmDevice, AbmLink
from tests.enrollment.abm.fake_abm import FakeAbm

pytestmark = pytest.mark.django_db

LINKS = "/console/abm/"


def _text(response: Any) -> str:
    return response.content.decode()


def test_admin_links_abm_from_the_console(
    admin_client: Any, stocked: FakeAbm, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://mdm.example.com"
    response = admin_client.post(
        LINKS, {"name": "Main", "api_url": stocked.base, "ca_pem": stocked.ca_pem}, follow=True
    )
    link = AbmLink.objects.get(name="Main")
    assert "download its public key" in _text(response)
    assert "upload the server token" in _text(admin_client.get("/console/"))  # dashboard
    pem = admin_client.get(f"{LINKS}{link.pk}/certificate.pem")
    assert pem.status_code == 200 and pem.content.startswith(b"-----BEGIN CERTIFICATE-----")
    token = SimpleUploadedFile("Main_Token.p7m", stocked.server_token(pem.content.decode()))
    response = admin_client.post(
        f"{LINKS}{link.pk}/", {"action": "token", "token": token}, follow=True
    )
    assert "Server token stored" in _text(response) and "Example Org" in _text(response)
    response = admin_client.post(f"{LINKS}{link.pk}/", {"action": "sync"}, follow=True)
    assert "Synced: 3 changed" in _text(response) and "C02ZZ1CCCCCC" in _text(response)
    response = admin_client.post(
        f"{LINKS}{link.pk}/profiles/new/",
        {
            "name": "Company devices",
            "is_default": "on",
            "supervised": "on",
            "await_device_configured": "on",
            "skip_text": "Siri\nAppleID",
            "department": "IT",
        },
        follow=True,
    )
    assert "3 device(s) assigned" in _text(response)
    assert AbmDevice.objects.filter(profile__name="Company devices").count() == 3
    response = admin_client.post(
        f"{LINKS}{link.pk}/profiles/new/",
        {"name": "Bad", "supervised": "on", "skip_text": "NoSuchPane"},
    )
    assert response.status_code == 200 and "Unknown panes: NoSuchPane" in _text(response)
    url = "https://mdm.example.com/.well-known/com.apple.remotemanagement"
    response = admin_client.post(
        "/console/enrollment/", {"action": "abm_register", "url": url}, follow=True
    )
    assert f"Registered {url}" in _text(response) and stocked.discovery_url == url
    response = admin_client.post("/console/enrollment/", {"action": "abm_get"}, follow=True)
    assert url in _text(response)
    admin_client.post("/console/enrollment/", {"action": "abm_delete"}, follow=True)
    assert stocked.discovery_url == ""


def test_apple_errors_become_messages(admin_client: Any, link: AbmLink, fake_abm: FakeAbm) -> None:
    fake_abm.fail("/session", 403, '{"code": "T_C_NOT_SIGNED"}')
    response = admin_client.post(f"{LINKS}{link.pk}/", {"action": "sync"}, follow=True)
    assert response.status_code == 200 and "Terms and Conditions" in _text(response)
    assert "Terms and Conditions" in _text(admin_client.get("/console/"))
    other = SimpleUploadedFile("x.p7m", fake_abm.server_token(_other_certificate()))
    response = admin_client.post(
        f"{LINKS}{link.pk}/", {"action": "token", "token": other}, follow=True
    )
    assert "encrypted to another certificate" in _text(response)
    response = admin_client.post(f"{LINKS}{link.pk}/", {"action": "token"}, follow=True)
    assert "Choose the server token file" in _text(response)


def test_register_without_a_link_tells_what_to_do(admin_client: Any) -> None:
    response = admin_client.post(
        "/console/enrollment/",
        {"action": "abm_register", "url": "https://mdm.example.com/x"},
        follow=True,
    )
    assert "Link Apple Business Manager first" in _text(response)


def test_helpdesk_reads_but_cannot_change(helpdesk_client: Any, link: AbmLink) -> None:
    assert helpdesk_client.get(f"{LINKS}{link.pk}/").status_code == 200
    assert helpdesk_client.post(f"{LINKS}{link.pk}/", {"action": "sync"}).status_code == 403
    assert helpdesk_client.post(LINKS, {"name": "X"}).status_code == 403


def _other_certificate() -> str:
    from enrollment.abm.token import new_link_identity

    return new_link_identity(name="elsewhere").certificate_pem.decode()


def test_profile_for_a_group_and_the_person_a_device_is_for(
    admin_client: Any, link: AbmLink, stocked: FakeAbm, settings: Any
) -> None:
    from directory.models import DirectoryGroup, DirectoryUser, IdentitySource

    settings.PUBLIC_URL = "https://mdm.example.com"
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    sales = DirectoryGroup.objects.create(name="Sales")
    DirectoryUser.objects.create(source=source, external_id="c", username="carol").groups.add(sales)
    admin_client.post(f"{LINKS}{link.pk}/", {"action": "sync"})
    page = _text(admin_client.get(f"{LINKS}{link.pk}/"))
    assert "first match wins: the profile of its person's directory group" in page
    response = admin_client.post(
        f"{LINKS}{link.pk}/profiles/new/",
        {"name": "Sales devices", "supervised": "on", "groups": [sales.pk]},
        follow=True,
    )
    assert "0 device(s) assigned" in _text(response) and "groups: Sales" in _text(response)
    response = admin_client.post(
        f"{LINKS}{link.pk}/",
        {"action": "person", "person_serial": "f2lxk1aaaaaa", "person_username": "carol"},
        follow=True,
    )
    assert "F2LXK1AAAAAA: person carol, profile Sales devices." in _text(response)
    assert stocked.devices["F2LXK1AAAAAA"]["profile_status"] == "assigned"
    response = admin_client.post(
        f"{LINKS}{link.pk}/",
        {"action": "person", "person_serial": "F2LXK1AAAAAA", "person_username": "nobody"},
        follow=True,
    )
    assert "No directory user is named &#x27;nobody&#x27;" in _text(response)
    response = admin_client.post(
        f"{LINKS}{link.pk}/",
        {"action": "person", "person_serial": "NOPE", "person_username": "carol"},
        follow=True,
    )
    assert "No device &#x27;NOPE&#x27; in this link" in _text(response)


def test_first_commands_in_the_profile_form(
    admin_client: Any, link: AbmLink, stocked: FakeAbm, settings: Any
) -> None:
    from enrollment.abm.models import AbmProfile

    settings.PUBLIC_URL = "https://mdm.example.com"
    url = f"{LINKS}{link.pk}/profiles/new/"
    base = {"name": "Loaners", "supervised": "on", "await_device_configured": "on"}
    response = admin_client.post(url, {**base, "first_commands_text": "[{"})
    assert response.status_code == 200 and "Not JSON" in _text(response)
    response = admin_client.post(
        url, {**base, "first_commands_text": '[{"request_type": "RestartDevice"}]'}
    )
    assert "cannot be sent while Setup Assistant waits" in _text(response)
    assert not AbmProfile.objects.filter(name="Loaners").exists()
    commands = '[{"request_type": "Settings", "params": {"Settings": [{"Item": "DeviceName", "DeviceName": "Loaner"}]}}]'
    response = admin_client.post(url, {**base, "first_commands_text": commands}, follow=True)
    assert "Profile defined in Apple Business Manager" in _text(response)
    saved = AbmProfile.objects.get(name="Loaners")
    assert saved.first_commands[0]["params"]["Settings"][0]["DeviceName"] == "Loaner"
    page = _text(admin_client.get(f"{LINKS}{link.pk}/profiles/{saved.pk}/"))
    assert "&quot;DeviceName&quot;: &quot;Loaner&quot;" in page


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "person", "person_serial": "F2LXK1\x00AAAAAA", "person_username": "carol"},
        {"action": "person", "person_serial": "F2LXK1AAAAAA", "person_username": "ca\x00rol"},
        {"action": "remove_profile", "serial": ["F2LXK1\x00AAAAAA"]},
    ],
    ids=["nul-serial", "nul-person", "nul-remove-serial"],
)
def test_control_characters_in_a_link_form_are_a_message_not_a_500(
    admin_client: Any, link: AbmLink, stocked: FakeAbm, fields: dict[str, Any]
) -> None:
    from enrollment.abm import services

    services.sync_devices(link=link)
    response = admin_client.post(f"{LINKS}{link.pk}/", fields, follow=True)
    assert response.status_code == 200
    assert "control characters" in _text(response)
    device = AbmDevice.objects.get(serial_number="F2LXK1AAAAAA")
    assert device.person is None and device.profile_status != "removed"
    assert not stocked.calls("/profile/devices")  # Apple was not asked
