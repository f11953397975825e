"""The audit log page: filters chosen from lists, details that name devices and commands."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from devices import services
from devices.models import Enrollment
from mdm_server import audit, selectors
from tests.devices._rows import bulk_devices

pytestmark = pytest.mark.django_db


def test_actions_are_listed_from_the_log_and_chosen_exactly(
    admin_client: Client, admin_user: User
) -> None:
    audit.record(actor=admin_user, action="profiles.assign")
    audit.record(actor=admin_user, action="profiles.unassign")
    audit.record(actor=None, action="devices.exported")
    assert selectors.audit_actions() == ["devices.exported", "profiles.assign", "profiles.unassign"]
    page = admin_client.get("/console/audit/").content.decode()
    assert '<optgroup label="Profiles">' in page
    assert '<option value="profiles.assign">Profiles: assign</option>' in page
    assert '<option value="system">' in page and f'<option value="{admin_user.username}">' in page
    # Exact choice: "profiles.assign" no longer also finds "profiles.unassign".
    chosen = admin_client.get("/console/audit/", {"action": "profiles.assign"}).context["events"]
    assert [e.action for e, _, _ in chosen] == ["profiles.assign"]
    who = admin_client.get("/console/audit/", {"actor": "system"}).context["events"]
    assert [e.action for e, _, _ in who] == ["devices.exported"]
    bad = admin_client.get("/console/audit/", {"action": "nope"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_details_name_devices_and_commands_instead_of_ids(
    admin_client: Client, admin_user: User
) -> None:
    bulk_devices(2, enrollment_type="device")
    devices = list(Enrollment.objects.order_by("pk"))
    result = services.enqueue_command(enrollments=devices, request_type="DeviceInformation")
    command = result.commands[0]
    audit.record(
        actor=admin_user,
        action="devices.command_queued",
        details={
            "devices": [str(d.public_id).upper() for d in devices],
            "commands": [command.uuid],
            "queued": 2,
        },
    )
    page = admin_client.get("/console/audit/").content.decode()
    for device in devices:
        assert f'<a href="/console/devices/{device.public_id}/">{device.display_name}</a>' in page
        assert str(device.public_id) not in page.replace(
            f"/console/devices/{device.public_id}/", ""
        )
    assert f'href="/console/devices/commands/{command.pk}/">DeviceInformation command</a>' in page
    assert "Queued:</span> 2" in page and "Devices: command queued" in page
