"""Console pages that show a channel read what is known of the device from its `Device`
(platform, OS, names, identifiers, person), and lists of channels load the Devices with them.

A Django template prints nothing for a missing attribute, so a page reading a Device field off
the channel would lose it silently: each page here must show the values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from devices.managed_apps.models import App, AppAssignment, AppInstall
from devices.models import Enrollment
from directory.models import DirectoryUser, IdentitySource
from profiles import services as profile_services
from profiles.models import Delivery, Profile
from tests.channels import create_channel

pytestmark = pytest.mark.django_db

DEVICE = {
    "platform": "iOS",
    "os_version": "18.2.1",
    "build_version": "22C161",
    "device_name": "Zed's test iPhone",
    "model_name": "iPhone 16 Pro",
    "product_name": "iPhone17,1",
    "serial_number": "SERZED0001",
    "udid": "UDID-ZED-0001",
    "imei": "35 123456 789012 3",
    "managed_apple_id": "zed@appleid.example",
}


def _phone(n: int = 1, **fields: Any) -> Enrollment:
    values = {**DEVICE, **fields}
    if n > 1:
        values.update(
            device_name=f"Zed's phone {n}", udid=f"UDID-ZED-{n:04}", serial_number=f"SERZED{n:04}"
        )
    return create_channel(
        channel_key=f"udid:{values['udid']}",
        enrollment_type=Enrollment.Type.DEVICE,
        status=Enrollment.Status.ENROLLED,
        enrolled_at=timezone.now() - dt.timedelta(minutes=n),
        supervised=True,
        inventory_at=timezone.now(),
        **values,
    )


@pytest.fixture
def phone() -> Enrollment:
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    zed = DirectoryUser.objects.create(source=source, external_id="z", username="zed.zimmer")
    return _phone(directory_user=zed)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_device_detail_shows_the_devices_fields(admin_client: Client, phone: Enrollment) -> None:
    create_channel(
        parent=phone,
        channel=Enrollment.Channel.USER,
        channel_key=f"udid:{DEVICE['udid']}/uid:U1",
        enrollment_type=Enrollment.Type.DEVICE,
        status=Enrollment.Status.ENROLLED,
        user_id="U1",
    )
    phone.device.user_long_name = "Zed Zimmer"
    phone.device.save(update_fields=["user_long_name"])
    html = _page(admin_client, reverse("devices-detail", args=[phone.public_id]))
    for value in (
        "iOS 18.2.1",
        "(22C161)",
        "iPhone 16 Pro",
        DEVICE["serial_number"],
        DEVICE["udid"],
        DEVICE["imei"],
        DEVICE["managed_apple_id"],
        "zed.zimmer",
        "<dt>Supervised</dt><dd>Yes</dd>",
    ):
        assert value in html, value
    assert "not reported yet" not in html  # the inventory time
    assert "<td>Zed Zimmer</td>" in html  # the user channel's person, from the Device


def test_dashboard_lists_recent_devices_with_platform_and_person(
    admin_client: Client, phone: Enrollment
) -> None:
    html = _page(admin_client, reverse("console-dashboard"))
    assert "Zed&#x27;s test iPhone" in html
    assert "<td>iOS 18.2.1</td>" in html
    assert "<td>zed.zimmer</td>" in html


def test_declarations_page_of_a_device_shows_platform_and_supervision(
    admin_client: Client, phone: Enrollment
) -> None:
    html = _page(admin_client, reverse("declarations-device", args=[phone.public_id]))
    assert " · iOS · " in html
    assert " · supervised" in html


def _profile_page(client: Client, profile: Profile) -> str:
    return _page(client, reverse("profiles-detail", args=[profile.pk]))


def test_profile_page_lists_deliveries_with_platform_without_a_query_per_row(
    admin_client: Client, admin_user: Any
) -> None:
    profile = profile_services.create_profile(
        identifier="com.ex.pages",
        display_name="Pages",
        actor=admin_user,
        payloads=[profile_services.PayloadInput("com.apple.mobiledevice.passwordpolicy", {})],
    )
    Delivery.objects.create(profile=profile, enrollment=_phone(1), status="installed")
    _profile_page(admin_client, profile)  # warm caches (sessions, settings rows)
    with CaptureQueriesContext(connection) as one:
        html = _profile_page(admin_client, profile)
    assert "Device Enrollment · iOS</td>" in html
    for n in (2, 3, 4):
        Delivery.objects.create(profile=profile, enrollment=_phone(n), status="installed")
    with CaptureQueriesContext(connection) as four:
        html = _profile_page(admin_client, profile)
    assert html.count("Device Enrollment · iOS</td>") == 4
    assert len(four) == len(one)


def _app_page(client: Client, app: App) -> str:
    return _page(client, reverse("apps-detail", args=[app.pk]))


def test_app_page_names_assigned_and_installing_devices_without_a_query_per_row(
    admin_client: Client,
) -> None:
    app = App.objects.create(
        kind=App.Kind.CUSTOM,
        name="Field app",
        bundle_id="com.ex.field",
        manifest_url="https://apps.example/field.plist",
    )

    def add(n: int) -> None:
        enrollment = _phone(n)
        AppAssignment.objects.create(
            app=app, scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
        )
        AppInstall.objects.create(enrollment=enrollment, app=app)

    add(1)
    _app_page(admin_client, app)
    with CaptureQueriesContext(connection) as one:
        html = _app_page(admin_client, app)
    assert "device Zed&#x27;s test iPhone</td>" in html  # the assignment
    assert "Zed&#x27;s test iPhone</a></td>" in html  # the install
    for n in (2, 3, 4):
        add(n)
    with CaptureQueriesContext(connection) as four:
        html = _app_page(admin_client, app)
    for n in (2, 3, 4):
        assert f"device Zed&#x27;s phone {n}</td>" in html
        assert f"Zed&#x27;s phone {n}</a></td>" in html
    assert len(four) == len(one)
