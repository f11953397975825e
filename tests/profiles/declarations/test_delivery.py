"""What a channel is served: accounts filled with the person's details and their assets, legacy
profiles through a per-channel ProfileURL, and the reasons for what is withheld."""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from devices.models import Device, Enrollment
from mdm_server.pki import cms
from profiles import services as profile_services
from profiles.declarations import services
from profiles.declarations.models import ChannelStatus, SetAssignment
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]


def _create(identifier: str, declaration_type: str, payload: dict[str, Any], **kw: Any) -> Any:
    return services.create_declaration(
        declaration_type=declaration_type,
        identifier=identifier,
        display_name=identifier,
        payload=payload,
        **kw,
    )


def _accounts() -> list[Any]:
    identity = _create(
        "com.ex.me",
        "com.apple.asset.useridentity",
        {"FullName": "{{ full_name }}", "EmailAddress": "{{ email }}"},
    )
    password = _create(
        "com.ex.mail-password",
        "com.apple.asset.credential.userpassword",
        {
            "Reference": {
                "DataURL": "https://vault.example.com/mail",
                "ContentType": "application/json",
            },
            "Authentication": {"Type": "None"},
        },
    )
    mail = _create(
        "com.ex.mail",
        "com.apple.configuration.account.mail",
        {
            "VisibleName": "Work mail of {{ full_name }}",
            "UserIdentityAssetReference": "com.ex.me",
            "IncomingServer": {
                "ServerType": "IMAP",
                "HostName": "imap.example.com",
                "AuthenticationMethod": "Password",
                "AuthenticationCredentialsAssetReference": "com.ex.mail-password",
            },
            "OutgoingServer": {
                "HostName": "smtp.example.com",
                "AuthenticationMethod": "Password",
                "AuthenticationCredentialsAssetReference": "com.ex.mail-password",
            },
        },
    )
    caldav = _create(
        "com.ex.caldav",
        "com.apple.configuration.account.caldav",
        {"HostName": "cal.example.com", "VisibleName": "{{ username }}"},
    )
    carddav = _create(
        "com.ex.carddav", "com.apple.configuration.account.carddav", {"HostName": "dav.example.com"}
    )
    exchange = _create(
        "com.ex.exchange",
        "com.apple.configuration.account.exchange",
        {
            "EnabledProtocolTypes": ["EAS"],
            "HostName": "mail.example.com",
            "UserIdentityAssetReference": "com.ex.me",
        },
    )
    return [identity, password, mail, caldav, carddav, exchange]


def test_accounts_are_filled_with_the_persons_details_and_bring_their_assets(
    make_device: MakeDevice, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    alice = make_device(platform="iOS", user_enrollment=True)
    alice.enroll()
    nobody = make_device(platform="iOS", user_enrollment=True)
    nobody.enroll()
    Device.objects.filter(channels__enrollment_id=alice.enrollment_id).update(
        directory_user=people["alice"]
    )
    declarations = _accounts()
    # Only the configurations go into the set: the assets they name come with them.
    configurations = [d for d in declarations if d.declaration_class == "configuration"]
    with django_capture_on_commit_callbacks(execute=True):
        accounts = services.create_set(name="accounts", declarations=configurations)
        services.assign_set(
            declaration_set=accounts,
            kind=SetAssignment.Kind.ENROLLMENT_TYPE,
            enrollment_type="user",
        )
    alice.run()
    nobody.run()
    held = alice.declarative.declarations
    assert held[("asset", "com.ex.me")]["Payload"] == {
        "FullName": "Alice Liddell",
        "EmailAddress": "alice@example.com",
    }
    assert held[("configuration", "com.ex.mail")]["Payload"]["VisibleName"] == (
        "Work mail of Alice Liddell"
    )
    assert held[("configuration", "com.ex.caldav")]["Payload"]["VisibleName"] == "alice"
    assert ("asset", "com.ex.mail-password") in held
    assert {"com.ex.mail", "com.ex.caldav", "com.ex.carddav", "com.ex.exchange"} <= (
        alice.declarative.active
    )
    # Without a person the filled declarations (and what needs them) are withheld, with why.
    other = {i for (_, i) in nobody.declarative.declarations}
    assert "com.ex.me" not in other and "com.ex.mail" not in other and "com.ex.carddav" in other
    withheld = ChannelStatus.objects.get(enrollment__enrollment_id=nobody.enrollment_id).withheld
    assert "no person is linked" in withheld["com.ex.me"]
    assert "no person is linked" in withheld["com.ex.mail"]
    assert withheld["com.ex.exchange"] == "its asset com.ex.me is not delivered"


def test_a_new_person_detail_is_a_new_version_for_that_channel(
    make_device: MakeDevice, people: dict[str, Any]
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    row = Enrollment.objects.get()
    row.device.directory_user = people["alice"]
    row.device.save()
    identity = _create("com.ex.me", "com.apple.asset.useridentity", {"EmailAddress": "{{ email }}"})
    mail = _create(
        "com.ex.cal",
        "com.apple.configuration.account.exchange",
        {"EnabledProtocolTypes": ["EAS"], "UserIdentityAssetReference": "com.ex.me"},
    )
    work = services.create_set(name="w", declarations=[identity, mail])
    services.assign_set(declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=row)
    before = {i.identifier: i.server_token for i in services.served(row).items}
    people["alice"].email = "alice@new.example.com"
    people["alice"].save()
    after = {i.identifier: i.server_token for i in services.served(row).items}
    assert after["com.ex.me"] != before["com.ex.me"]
    assert after["com.ex.cal"] == before["com.ex.cal"]


def test_legacy_declaration_delivers_a_profile_through_a_per_channel_url(
    make_device: MakeDevice, admin_user: Any, server_pki: Any
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    row = Enrollment.objects.get()
    profile = profile_services.create_profile(
        identifier="com.ex.clip",
        display_name="Intranet",
        actor=admin_user,
        payloads=[
            profile_services.PayloadInput(
                "com.apple.webClip.managed",
                {"URL": "https://intranet.example.com", "Label": "Intranet"},
            )
        ],
    )
    legacy = _create("com.ex.legacy", "com.apple.configuration.legacy", {}, profile=profile)
    work = services.create_set(name="legacy", declarations=[legacy])
    services.assign_set(declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=row)
    phone.sync_declarations()
    url = phone.declarative.declarations[("configuration", "com.ex.legacy")]["Payload"][
        "ProfileURL"
    ]
    assert url.startswith("http") and "/mdm/declarations/profile/" in url
    path = url[url.index("/mdm/") :]
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-apple-aspen-config"
    content = plistlib.loads(cms.verify_signed_data(response.content).content)
    assert content["PayloadIdentifier"] == "com.ex.clip"
    # A tampered link, and the old link once the profile changed, are refused.
    assert Client().get(path[:-2] + "xx").status_code == 404
    profile_services.update_profile(
        profile,
        actor=admin_user,
        payloads=[
            profile_services.PayloadInput(
                "com.apple.webClip.managed", {"URL": "https://intranet.example.com", "Label": "New"}
            )
        ],
    )
    assert Client().get(path).status_code == 404
    assert phone.sync_declarations() is True  # a new ProfileURL, a new ServerToken


def test_a_legacy_profile_with_a_payload_forbidden_under_ue_never_reaches_a_ue_mac(
    make_device: MakeDevice, admin_user: Any, server_pki: Any
) -> None:
    """The InstallProfile command refuses a profile with a FileVault payload for a
    User-Enrolled Mac; delivered as a legacy declaration, it is withheld the same way."""
    mac = make_device(platform="macOS", user_enrollment=True)
    mac.enroll()
    row = Enrollment.objects.get(channel=Enrollment.Channel.DEVICE)
    profile = profile_services.create_profile(
        identifier="com.ex.filevault",
        display_name="Disk",
        actor=admin_user,
        payloads=[
            profile_services.PayloadInput("com.apple.MCX.FileVault2", {"Enable": "On"}),
            profile_services.PayloadInput("com.apple.security.firewall", {"EnableFirewall": True}),
        ],
    )
    legacy = _create("com.ex.legacy-fv", "com.apple.configuration.legacy", {}, profile=profile)
    work = services.create_set(name="legacy", declarations=[legacy])
    services.assign_set(declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=row)
    served = services.served(row)
    assert "com.ex.legacy-fv" not in {i.identifier for i in served.items}
    reason = served.withheld["com.ex.legacy-fv"]
    assert "com.apple.MCX.FileVault2" in reason and "User Enrollment" in reason


def test_legacy_profile_with_mdm_payload_is_refused(admin_user: Any, server_pki: Any) -> None:
    data = plistlib.dumps(
        {
            "PayloadType": "Configuration",
            "PayloadIdentifier": "com.ex.enrol",
            "PayloadUUID": "6D4B1C0E-6B7C-4C53-9E0B-111111111111",
            "PayloadVersion": 1,
            "PayloadDisplayName": "Enrol",
            "PayloadContent": [
                {
                    "PayloadType": "com.apple.mdm",
                    "PayloadIdentifier": "com.ex.enrol.mdm",
                    "PayloadUUID": "6D4B1C0E-6B7C-4C53-9E0B-222222222222",
                    "PayloadVersion": 1,
                    "ServerURL": "https://mdm.example.com/mdm",
                    "Topic": "com.apple.mgmt.x",
                    "IdentityCertificateUUID": "6D4B1C0E-6B7C-4C53-9E0B-333333333333",
                    "AccessRights": 8191,
                }
            ],
        }
    )
    profile = profile_services.upload_profile(data=data, actor=admin_user)
    with pytest.raises(services.DeclarationError) as caught:
        _create("com.ex.bad", "com.apple.configuration.legacy", {}, profile=profile)
    assert "com.apple.mdm" in str(caught.value.errors["profile"])


def test_joining_a_group_brings_its_sets(
    make_device: MakeDevice, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    Device.objects.update(directory_user=people["bob"])
    passcode = _create(
        "com.ex.pass", "com.apple.configuration.passcode.settings", {"RequirePasscode": True}
    )
    staff = services.create_set(name="staff", declarations=[passcode])
    services.assign_set(declaration_set=staff, kind=SetAssignment.Kind.GROUP, group=people["staff"])
    phone.sync_declarations()
    assert ("configuration", "com.ex.pass") not in phone.declarative.declarations
    with django_capture_on_commit_callbacks(execute=True):
        people["bob"].groups.add(people["staff"])
    handled = phone.run()
    assert [r.request_type for r in handled] == ["DeclarativeManagement"]
    assert ("configuration", "com.ex.pass") in phone.declarative.declarations
    with django_capture_on_commit_callbacks(execute=True):
        people["staff"].members.remove(people["bob"])
    phone.run()
    assert ("configuration", "com.ex.pass") not in phone.declarative.declarations
