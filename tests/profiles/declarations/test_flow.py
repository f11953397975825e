"""Declarations end to end: the simulated device syncs, activates and reports over the real
check-in (signed requests through the Django client, PostgreSQL in CI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from devices.models import Enrollment, QueuedCommand
from devices.services import enqueue_command
from profiles.declarations import services
from profiles.declarations.models import ChannelStatus, DeclarationState, SetAssignment
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]

PASSCODE = "com.apple.configuration.passcode.settings"
ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"
SUBSCRIPTIONS = "com.apple.configuration.management.status-subscriptions"


def _declaration(identifier: str, declaration_type: str, payload: dict[str, Any], **kw: Any) -> Any:
    return services.create_declaration(
        declaration_type=declaration_type,
        identifier=identifier,
        display_name=identifier,
        payload=payload,
        **kw,
    )


def _work_set(*extra: Any) -> Any:
    passcode = _declaration(
        "com.ex.passcode", PASSCODE, {"RequirePasscode": True, "MinimumLength": 6}
    )
    subscriptions = _declaration(
        "com.ex.status",
        SUBSCRIPTIONS,
        {
            "StatusItems": [
                {"Name": "device.operating-system.version"},
                {"Name": "passcode.is-compliant"},
            ]
        },
    )
    return services.create_set(name="work", declarations=[passcode, subscriptions, *extra])


def _sync_commands(enrollment: Enrollment) -> int:
    return QueuedCommand.objects.filter(
        enrollment=enrollment,
        command__request_type="DeclarativeManagement",
        status=QueuedCommand.Status.QUEUED,
    ).count()


def test_user_enrolled_iphone_receives_its_set_and_reports_it_active(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    enrollment = Enrollment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        work = _work_set()
        services.assign_set(
            declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT_TYPE, enrollment_type="user"
        )
    assert _sync_commands(enrollment) == 1  # DeclarativeManagement queued (and pushed)
    handled = phone.run()
    assert [r.request_type for r in handled] == ["DeclarativeManagement"]
    held = {identifier for (_, identifier) in phone.declarative.declarations}
    assert held == {
        "com.ex.passcode",
        "com.ex.status",
        services.AUTO_ACTIVATION,
        services.AUTO_SUBSCRIPTIONS,
    }
    assert phone.declarative.active == held
    states = {s.identifier: s for s in DeclarationState.objects.filter(enrollment=enrollment)}
    assert states["com.ex.passcode"].active and states["com.ex.passcode"].valid == "valid"
    assert states["com.ex.passcode"].declaration is not None
    status = ChannelStatus.objects.get(enrollment=enrollment)
    assert status.os_version == "18.2" and status.build_version == "22C152"
    assert status.passcode_compliant is True
    assert not services.is_stale(status)
    # Nothing changed: the next sync fetches nothing.
    phone.declarative.fetched.clear()
    assert phone.sync_declarations() is False
    assert phone.declarative.fetched == []


def test_forbidden_declaration_is_never_served_to_a_user_enrollment(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True, os_version="18.2")
    phone.enroll()
    enrollment = Enrollment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        update = _declaration(
            "com.ex.update",
            ENFORCEMENT,
            {"TargetOSVersion": "18.3", "TargetLocalDateTime": "2026-12-24T18:00:00"},
        )
        work = _work_set(update)
        services.assign_set(
            declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=enrollment
        )
    phone.run()
    held = {identifier for (_, identifier) in phone.declarative.declarations}
    assert "com.ex.update" not in held and "com.ex.passcode" in held
    # Asked for directly, by its identifier, it is still refused.
    status, body = phone.checkin(
        {
            "MessageType": "DeclarativeManagement",
            "Endpoint": "declaration/configuration/com.ex.update",
            **phone.ids(),
        }
    )
    assert status == 404 and b"com.ex.update" in body
    # The admin is told why, from the generated table.
    reason = ChannelStatus.objects.get(enrollment=enrollment).withheld["com.ex.update"]
    assert "User Enrollments" in reason and "supervised" in reason
    # The automatic activation does not name it either.
    activation = phone.declarative.declarations[("activation", services.AUTO_ACTIVATION)]
    assert "com.ex.update" not in activation["Payload"]["StandardConfigurations"]


def test_a_subscription_to_device_identifiers_is_never_served_to_a_user_enrollment(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    """An admin's status subscription naming device.identifier.udid asks a User Enrollment for
    what Apple withholds from it: withheld, with the reason; a device enrollment gets it."""
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    company = make_device(platform="iOS", user_enrollment=False)
    company.enroll()
    with django_capture_on_commit_callbacks(execute=True):
        spy = _declaration(
            "com.ex.ids",
            SUBSCRIPTIONS,
            {
                "StatusItems": [
                    {"Name": "device.operating-system.version"},
                    {"Name": "device.identifier.udid"},
                    {"Name": "device.identifier.serial-number"},
                ]
            },
        )
        work = services.create_set(name="ids", declarations=[spy])
        for enrollment in Enrollment.objects.all():
            services.assign_set(
                declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=enrollment
            )
    phone.run()
    company.run()
    assert ("configuration", "com.ex.ids") not in phone.declarative.declarations
    assert ("configuration", "com.ex.ids") in company.declarative.declarations
    ue = Enrollment.objects.get(enrollment_type="user")
    reason = ChannelStatus.objects.get(enrollment=ue).withheld["com.ex.ids"]
    assert "device.identifier.udid" in reason and "device.identifier.serial-number" in reason
    assert "User Enrollment" in reason


def test_software_update_enforcement_reaches_device_enrolled_macs_with_pending_status(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    mac = make_device(platform="macOS", user_enrollment=False, supervised=True, os_version="15.1")
    mac.enroll()
    unsupervised = make_device(platform="macOS", user_enrollment=False, os_version="15.1")
    unsupervised.enroll()
    enqueue_command(enrollments=Enrollment.objects.all(), request_type="DeviceInformation")
    mac.run()
    unsupervised.run()
    mac_row = Enrollment.objects.get(device__udid=mac.udid)
    other_row = Enrollment.objects.get(device__udid=unsupervised.udid)
    assert mac_row.device.supervised and not other_row.device.supervised
    with django_capture_on_commit_callbacks(execute=True):
        update = _declaration(
            "com.ex.macos-15-2",
            ENFORCEMENT,
            {
                "TargetOSVersion": "15.2",
                "TargetBuildVersion": "24C101",
                "TargetLocalDateTime": "2026-12-24T18:00:00",
            },
        )
        settings = _declaration(
            "com.ex.update-settings",
            "com.apple.configuration.softwareupdate.settings",
            {"Notifications": True, "Deferrals": {"CombinedPeriodInDays": 7}},
        )
        fleet = services.create_set(name="macs", declarations=[update, settings])
        services.assign_set(
            declaration_set=fleet, kind=SetAssignment.Kind.ENROLLMENT_TYPE, enrollment_type="device"
        )
    assert _sync_commands(mac_row) == 1 and _sync_commands(other_row) == 1
    mac.run()
    unsupervised.run()
    assert ("configuration", "com.ex.macos-15-2") in mac.declarative.declarations
    assert {"com.ex.macos-15-2", "com.ex.update-settings"} <= mac.declarative.active
    status = ChannelStatus.objects.get(enrollment=mac_row)
    assert status.pending_version == "15.2" and status.pending_build == "24C101"
    assert status.pending_deadline == "2026-12-24T18:00:00"
    assert status.install_state == "downloading"
    # Apple allows it on macOS only for supervised enrollments: the other Mac never gets it.
    assert ("configuration", "com.ex.macos-15-2") not in unsupervised.declarative.declarations
    other = ChannelStatus.objects.get(enrollment=other_row)
    assert other.pending_version == "" and "supervised" in other.withheld["com.ex.macos-15-2"]


def test_a_change_gives_a_new_server_token_and_reaches_affected_channels_only(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    inside = make_device(platform="iOS", user_enrollment=True)
    inside.enroll()
    outside = make_device(platform="iOS", user_enrollment=True)
    outside.enroll()
    inside_row = Enrollment.objects.get(enrollment_id=inside.enrollment_id)
    outside_row = Enrollment.objects.get(enrollment_id=outside.enrollment_id)
    with django_capture_on_commit_callbacks(execute=True):
        work = _work_set()
        services.assign_set(
            declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=inside_row
        )
    inside.run()
    passcode = work.declarations.get(identifier="com.ex.passcode")
    before = passcode.server_token
    held_before = inside.declarative.declarations[("configuration", "com.ex.passcode")][
        "ServerToken"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_declaration(passcode, payload={"RequirePasscode": True, "MinimumLength": 8})
    passcode.refresh_from_db()
    assert passcode.server_token != before and passcode.version == 2
    assert _sync_commands(inside_row) == 1 and _sync_commands(outside_row) == 0
    inside.declarative.fetched.clear()
    inside.run()
    assert inside.declarative.fetched == ["com.ex.passcode"]  # only what changed
    body = inside.declarative.declarations[("configuration", "com.ex.passcode")]
    assert body["Payload"]["MinimumLength"] == 8 and body["ServerToken"] != held_before
    # Saving the same content again is no new version and tells nobody.
    with django_capture_on_commit_callbacks(execute=True):
        services.update_declaration(passcode, payload={"RequirePasscode": True, "MinimumLength": 8})
    passcode.refresh_from_db()
    assert passcode.version == 2 and _sync_commands(inside_row) == 0
