"""The assignment picker searches devices on the server and everything shows names, not ids."""

from __future__ import annotations

import pytest
from django.test import Client

from devices.models import Device, Enrollment
from profiles import services
from profiles.models import Profile
from tests.profiles.conftest import make_enrollment

pytestmark = pytest.mark.django_db


def _profile(actor: object) -> Profile:
    return services.create_profile(
        identifier="com.ex.picker",
        display_name="Picker profile",
        actor=actor,
        payloads=[services.PayloadInput("com.apple.mobiledevice.passwordpolicy", {"minLength": 6})],
    )


def _device(device_name: str, **fields: object) -> Enrollment:
    row = make_enrollment(**{k: v for k, v in fields.items() if k == "enrollment_type"})
    Device.objects.filter(channels=row).update(
        device_name=device_name, **{k: v for k, v in fields.items() if k != "enrollment_type"}
    )
    row.refresh_from_db()
    return row


def test_the_page_lists_no_devices_until_asked_and_search_is_server_side(
    admin_client: Client, admin_user: object
) -> None:
    profile = _profile(admin_user)
    for i in range(30):
        _device(f"Sales iPad {i:02d}")
    alex = _device(
        "", enrollment_type=Enrollment.Type.USER, user_long_name="Alex Doe",
        managed_apple_id="alex@appleid.example.org", model_name="iPhone 15 Pro",
    )  # fmt: skip
    page = admin_client.get(f"/console/profiles/{profile.pk}/").content.decode()
    assert page.count('name="enrollments"') == 0  # no list of every device
    assert f'hx-get="/console/profiles/{profile.pk}/device-search/"' in page
    url = f"/console/profiles/{profile.pk}/device-search/"
    found = admin_client.get(url, {"q": "alex@appleid"}).content.decode()
    assert found.count('name="enrollments"') == 1
    assert "Alex Doe (alex@appleid.example.org) · iPhone 15 Pro" in found
    many = admin_client.get(url, {"q": "Sales iPad"}).content.decode()
    assert many.count('name="enrollments"') == 25 and "data-picker-more" in many
    # What was ticked stays ticked (first) whatever the next search finds.
    kept = admin_client.get(url, {"q": "Sales iPad 07", "enrollments": [str(alex.pk)]})
    html = kept.content.decode()
    assert html.count("checked") == 1 and html.index("Alex Doe") < html.index("Sales iPad 07")
    assert html.count('name="enrollments"') == 2
    assert "No other enrolled device" in admin_client.get(url, {"q": "zzz"}).content.decode()


def test_any_enrolled_device_can_be_assigned_and_is_shown_by_name(
    admin_client: Client, admin_user: object, server_pki: object
) -> None:
    profile = _profile(admin_user)
    for _ in range(3):
        make_enrollment()
    late = _device("", user_long_name="Zoe Late", managed_apple_id="zoe@x.org")
    response = admin_client.post(
        f"/console/profiles/{profile.pk}/assign/", {"enrollments": [late.pk]}, follow=True
    )
    html = response.content.decode()
    assert "install queued on 1 device" in html
    assert "Device: Zoe Late (zoe@x.org)" in html  # assignments table
    assert html.count("Zoe Late (zoe@x.org)") >= 2  # and the status table
    assert str(late.public_id) not in html


def test_helpdesk_cannot_use_the_picker(helpdesk_client: Client, admin_user: object) -> None:
    profile = _profile(admin_user)
    response = helpdesk_client.get(f"/console/profiles/{profile.pk}/device-search/", {"q": "a"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "forged",
    [["\u00b2"], ["9" * 30], ["1", "1", "x", "-1", "\x00"], [str(n) for n in range(900)]],
    ids=["superscript digit", "beyond bigint", "junk and duplicates", "hundreds"],
)
def test_forged_ticked_ids_are_ignored(
    admin_client: Client, admin_user: object, forged: list[str]
) -> None:
    """'²'.isdigit() is true yet int('²') a ValueError; an id beyond 64 bits overflows the
    bigint comparison: both were 500s."""
    profile = _profile(admin_user)
    alex = _device("Alex iPad")
    url = f"/console/profiles/{profile.pk}/device-search/"
    response = admin_client.get(url, {"q": "Alex", "enrollments": [*forged, str(alex.pk)]})
    assert response.status_code == 200
    assert response.content.decode().count('name="enrollments"') == 1
