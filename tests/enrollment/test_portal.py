"""Portal (profile-based) enrollment: priority rules, profiles for UE and DE, invitations."""

from __future__ import annotations

from typing import Any

import pytest

from enrollment import services
from enrollment.models import EnrollmentSession, EnrollmentSettings
from tests.channels import create_channel
from tests.enrollment.conftest import DOMAIN, PASSWORD
from tests.simulator import enrollment_flow as flow

decide = services.decide_portal_enrollment


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"platform": "iOS", "os_version": "17.5", "personal": True, "group_type": ""}, "user"),
        ({"platform": "iOS", "os_version": "17.5", "personal": False, "group_type": ""}, "device"),
        ({"platform": "macOS", "os_version": "14.6", "personal": True, "group_type": ""}, "user"),
        # Below the User Enrollment minimum: device enrollment even for a personal device.
        (
            {"platform": "iOS", "os_version": "12.5", "personal": True, "group_type": "user"},
            "device",
        ),
        (
            {"platform": "macOS", "os_version": "10.14", "personal": True, "group_type": ""},
            "device",
        ),
        # The group's Apple Enrollment Type decides over the ownership choice.
        (
            {"platform": "iOS", "os_version": "16.0", "personal": True, "group_type": "device"},
            "device",
        ),
        (
            {"platform": "iOS", "os_version": "16.0", "personal": False, "group_type": "user"},
            "user",
        ),
        # Re-enrollment keeps the original type, whatever changed since.
        (
            {
                "platform": "iOS",
                "os_version": "16.0",
                "personal": True,
                "group_type": "device",
                "previous_type": "user",
            },
            "user",
        ),
        # Removed in iOS 18 / macOS 15: advice instead of a profile.
        ({"platform": "iOS", "os_version": "18.1", "personal": True, "group_type": ""}, ""),
        ({"platform": "macOS", "os_version": "15.0", "personal": True, "group_type": ""}, ""),
        # Device enrollment still works on new systems.
        ({"platform": "iOS", "os_version": "18.1", "personal": False, "group_type": ""}, "device"),
    ],
)
def test_priority_rules(kwargs: dict[str, Any], expected: str) -> None:
    assert decide(**kwargs).enrollment_type == expected


def test_new_systems_get_advice() -> None:
    decision = decide(platform="iOS", os_version="18.2", personal=True, group_type="")
    assert "Sign In to Work or School Account" in decision.advice


def _post(client: Any, **fields: Any) -> Any:
    data = {
        "identifier": "alice",
        "password": PASSWORD,
        "platform": "iOS",
        "os_version": "17.5",
        "ownership": "personal",
        "accept_terms": "1",
    }
    data.update(fields)
    return client.post("/enroll/", {k: v for k, v in data.items() if v is not None})


def _download(client: Any, response: Any) -> dict[str, Any]:
    import re

    link = re.search(r'id="download" href="([^"]+)"', response.content.decode()).group(1)
    profile = client.get(link)
    assert profile.status_code == 200
    assert profile["Content-Type"] == "application/x-apple-aspen-config"
    # The link works once.
    assert client.get(link).status_code == 410
    return flow.read_profile(profile.content)


@pytest.mark.django_db
def test_portal_user_enrollment(org: dict[str, Any], client: Any) -> None:
    page = client.get(
        "/enroll/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)"
    )
    assert page.status_code == 200 and 'value="17.5"' in page.content.decode()
    response = _post(client)
    assert response.status_code == 200
    mdm = flow.payload_of(_download(client, response), "com.apple.mdm")
    assert mdm["ManagedAppleID"] == org["alice"].managed_apple_id
    assert "AccessRights" not in mdm and "EnrollmentMode" not in mdm
    session = EnrollmentSession.objects.get()
    assert (session.kind, session.enrollment_type, session.status) == (
        "portal",
        "user",
        "profile_issued",
    )


@pytest.mark.django_db
def test_portal_device_enrollment(org: dict[str, Any], client: Any) -> None:
    options = EnrollmentSettings.load()
    options.device_access_rights = 4095
    options.save()
    response = _post(client, ownership="corporate")
    mdm = flow.payload_of(_download(client, response), "com.apple.mdm")
    assert mdm["AccessRights"] == 4095
    assert "ManagedAppleID" not in mdm
    assert EnrollmentSession.objects.get().enrollment_type == "device"


@pytest.mark.django_db
def test_portal_reenrollment_keeps_the_type(org: dict[str, Any], client: Any) -> None:

    phone = create_channel(
        channel_key="eid:ALICES-PHONE",
        enrollment_type="user",
        platform="iOS",
        directory_user=org["alice"],
        cert_fingerprint="ab" * 32,
    )
    link, _ = services.issue_link(enrollment=phone, actor=None)
    token = link.split("reenroll=", 1)[1].replace("%3A", ":")
    response = _post(client, ownership="corporate", reenroll=token)
    assert response.status_code == 200
    session = EnrollmentSession.objects.get()
    assert (session.enrollment_type, session.replaces_id) == ("user", phone.pk)
    # The hand-made link of before (an earlier session's id) is no re-enrollment link.
    refused = _post(client, ownership="corporate", reenroll=session.public_id)
    assert refused.status_code == 403 and "not valid" in refused.content.decode()


@pytest.mark.django_db
def test_portal_advises_settings_on_ios_18(org: dict[str, Any], client: Any) -> None:
    response = _post(client, os_version="18.2")
    assert response.status_code == 200
    assert "Sign In to Work or School Account" in response.content.decode()
    assert not EnrollmentSession.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"password": "nope"}, 401, "not correct"),
        ({"identifier": "bob"}, 403, "disabled"),
        ({"accept_terms": None}, 400, "Accept the terms"),
        ({"platform": "Windows"}, 400, "device type"),
    ],
)
def test_portal_errors(
    org: dict[str, Any], client: Any, fields: dict[str, Any], status: int, message: str
) -> None:
    response = _post(client, **fields)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not EnrollmentSession.objects.exists()


@pytest.mark.django_db
def test_portal_bad_download_links(org: dict[str, Any], client: Any) -> None:
    assert client.get("/enroll/profile/not-a-token").status_code == 404


@pytest.mark.django_db
def test_portal_invitation_link(
    org: dict[str, Any],
    client: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    import re

    from directory.models import Invitation
    from enrollment import directory_access

    with django_capture_on_commit_callbacks(execute=True):
        directory_access.invite(user_id=org["alice"].pk, actor=None, portal_url="http://testserver")
    # The plaintext token is only in the email.
    token = re.search(r"/invitation/([^/\s]+)/", mailoutbox[0].body).group(1)
    page = client.get("/enroll/", {"invitation": token})
    assert page.status_code == 200 and f"alice@{DOMAIN}" in page.content.decode()
    response = _post(client, identifier=None, password=None, invitation=token)
    assert response.status_code == 200
    assert EnrollmentSession.objects.get().user_identifier == f"alice@{DOMAIN}"
    assert Invitation.objects.get().used_at is not None
    # One time only.
    assert client.get("/enroll/", {"invitation": token}).status_code == 410
    assert _post(client, identifier=None, password=None, invitation=token).status_code == 403
