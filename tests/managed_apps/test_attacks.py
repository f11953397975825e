"""Managed configuration cannot break the InstallApplication plist: a control character (from an
admin's JSON, or from a name the device reported, through a variable) is refused with a reason
before any command is queued, never a 500 at the device's next poll."""

from __future__ import annotations

import pytest
from django.test import Client

from devices.managed_apps import services
from devices.managed_apps.models import App, AppAssignment, AppInstall
from devices.models import Enrollment, QueuedCommand
from tests.channels import create_channel

pytestmark = pytest.mark.django_db


def _custom_app(admin_client: Client) -> App:
    response = admin_client.post(
        "/api/v1/apps/",
        data={"name": "LOB", "manifest_url": "https://apps.example.com/lob.plist"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return App.objects.get()


@pytest.mark.parametrize(
    "configuration",
    [{"server": "a\u0001b"}, {"bad\u001fkey": "x"}, {"list": ["ok", "\u000b"]}],
    ids=["value", "key", "in-a-list"],
)
def test_a_control_character_in_a_configuration_is_a_400(
    admin_client: Client, configuration: dict[str, object]
) -> None:
    app = _custom_app(admin_client)
    response = admin_client.post(
        f"/api/v1/apps/{app.pk}/assign/",
        data={
            "scope": "enrollment_type",
            "enrollment_type": "device",
            "configuration": configuration,
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "control character" in response.json()["error"]["message"]
    assert not AppAssignment.objects.exists()


def test_a_device_name_with_a_control_character_fails_its_install_only(
    admin_client: Client,
) -> None:
    app = _custom_app(admin_client)
    device = create_channel(
        channel_key="attack:1",
        enrollment_type="device",
        platform="iOS",
        os_version="18.2",
        status=Enrollment.Status.ENROLLED,
        device_name="evil\u0001</string><key>x</key>",  # as reported in a binary plist
    )
    services.assign_app(
        app=app,
        scope="enrollment_type",
        enrollment_type="device",
        configuration={"name": "${DEVICE_NAME}"},
    )
    install = AppInstall.objects.get(enrollment=device)
    services.advance(install=install)
    install.refresh_from_db()
    assert install.status == AppInstall.Status.FAILED
    assert "control character" in install.reason
    assert not QueuedCommand.objects.filter(enrollment=device).exists()


def test_console_configuration_nested_too_deeply_is_a_form_error(admin_client: Client) -> None:
    """The console's configuration field read JSON with json.loads: 5,000 nested arrays were a
    RecursionError, a 500 (the API's parser already refused them)."""
    app = _custom_app(admin_client)
    response = admin_client.post(
        f"/console/apps/{app.pk}/assign/",
        {"scope": "enrollment_type", "enrollment_type": "device", "configuration": "[" * 5000},
    )
    assert response.status_code == 400
    assert "Not JSON: JSON is nested more than" in response.content.decode()
    assert not AppAssignment.objects.exists()
