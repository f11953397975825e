"""Commands Apple removed: never sent to a device whose OS no longer has them, and the admin is told
what to use instead.

Oracle, read by a person off the vendored YAML (upstream release 27.0): `mdm/commands/
system.update.schedule.yaml`, `system.update.available.yaml` and `system.update.status.yaml` say
iOS/macOS/tvOS `deprecated: '26.0'`, `removed: '27.0'`; `system.update.scan.yaml` says the same for
macOS (iOS n/a). Each description ends "Removed: use the declarative management
`com.apple.configuration.softwareupdate.enforcement.specific` configuration." (OSUpdateStatus:
"subscribe to the declarative management `softwareupdate.install-state` status item").
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from devices import capabilities, services
from devices.capabilities import EnrollmentType, Platform, Target
from devices.models import Enrollment, QueuedCommand
from mdm_server import api_tokens
from tests.channels import create_channel
from tests.devices._rows import enrolled, later_deliveries
from tests.simulator import SimulatedDevice

MakeDevice = Callable[..., SimulatedDevice]

ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"
INSTALL_STATE = "softwareupdate.install-state"
# request type -> (platforms Apple removed it from in 27.0, what to use instead)
REMOVED = {
    "ScheduleOSUpdate": (("iOS", "macOS"), ENFORCEMENT),
    "AvailableOSUpdates": (("iOS", "macOS"), ENFORCEMENT),
    "OSUpdateStatus": (("iOS", "macOS"), INSTALL_STATE),
    "ScheduleOSUpdateScan": (("macOS",), ENFORCEMENT),
}
CASES = [(name, os) for name, (platforms, _) in sorted(REMOVED.items()) for os in platforms]

_serial = itertools.count(1)


def supervised(platform: str, version: str) -> Target:
    return Target(Platform(platform), version, EnrollmentType.ADE, supervised=True)


@pytest.mark.parametrize(("request_type", "platform"), CASES)
@pytest.mark.parametrize("version", ["27.0", "27.1", "28"])
def test_refused_from_the_release_that_removed_it_with_what_to_use(
    request_type: str, platform: str, version: str
) -> None:
    decision = capabilities.check_command(request_type, supervised(platform, version))
    assert decision.allowed is False
    assert decision.reason.startswith(
        f"Apple removed {request_type} in {platform} 27.0 (device runs {version}); instead "
    )
    assert REMOVED[request_type][1] in decision.reason
    assert decision.rule.endswith(f"{platform} removed=27.0")


@pytest.mark.parametrize(("request_type", "platform"), CASES)
@pytest.mark.parametrize("version", ["26.0", "26.4.1"])
def test_a_26_device_still_gets_it_with_the_deprecation_said(
    request_type: str, platform: str, version: str
) -> None:
    """26 deprecated these commands; Apple's devices still run them until 27.0."""
    decision = capabilities.check_command(request_type, supervised(platform, version))
    assert decision.allowed is True, decision.reason
    assert f"(deprecated since {platform} 26.0, removed in {platform} 27.0; instead " in (
        decision.reason
    )
    assert REMOVED[request_type][1] in decision.reason


@pytest.mark.parametrize(("request_type", "platform"), CASES)
def test_an_older_device_gets_it_without_a_deprecation_note(
    request_type: str, platform: str
) -> None:
    version = {"iOS": "18.2", "macOS": "15.2"}[platform]
    decision = capabilities.check_command(request_type, supervised(platform, version))
    assert decision.allowed is True, decision.reason
    assert "deprecated" not in decision.reason and "removed" not in decision.reason


def test_removal_comes_before_the_user_enrollment_rule() -> None:
    """A user-enrolled iOS 27 device: the admin learns the command is gone for everyone."""
    target = Target(Platform.IOS, "27.0", EnrollmentType.USER)
    decision = capabilities.check_command("ScheduleOSUpdate", target)
    assert decision.allowed is False and "Apple removed ScheduleOSUpdate in iOS 27.0" in (
        decision.reason
    )


def test_a_command_not_removed_passes_on_27() -> None:
    decision = capabilities.check_command("DeviceInformation", supervised("iOS", "27.0"))
    assert decision.allowed is True and "removed" not in decision.reason


@pytest.mark.parametrize(
    ("version", "left_out"),
    [
        ("18.2", set()),
        ("26.0", {"IMEI", "MEID"}),
        ("27.0", {"IMEI", "MEID", "SoftwareUpdateDeviceID"}),
    ],
    ids=["ios18", "ios26", "ios27"],
)
def test_queries_apple_removed_are_left_out(version: str, left_out: set[str]) -> None:
    """information.device.yaml: IMEI and MEID removed in iOS 26.0, SoftwareUpdateDeviceID in
    27.0 (a supervised device may otherwise be asked all three)."""
    asked = ["IMEI", "MEID", "SoftwareUpdateDeviceID", "DeviceName"]
    kept, removed = capabilities.filter_query_keys(
        "DeviceInformation", asked, supervised("iOS", version)
    )
    assert set(removed) == left_out
    assert kept == [q for q in asked if q not in left_out]
    for query in left_out:
        assert (
            f"was removed in iOS {'26.0' if query != 'SoftwareUpdateDeviceID' else '27.0'}"
            in (removed[query])
        )


# --- through the queue, the API and the console ----------------------------------------------


def stored(platform: str, version: str) -> Enrollment:
    n = next(_serial)
    return create_channel(
        channel_key=f"removed:{n}",
        enrollment_type="ade",
        platform=platform,
        os_version=version,
        supervised=True,
        status=Enrollment.Status.ENROLLED,
        udid=f"UDID-REMOVED-{n}",
        push_token=f"{n:064x}",
        push_magic=f"magic-{n}",
        topic="com.apple.mgmt.test",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("platform", "version", "queued"),
    [
        ("iOS", "18.2", True),
        ("iOS", "26.1", True),
        ("macOS", "26.1", True),
        ("iOS", "27.0", False),
        ("macOS", "27.0", False),
    ],
)
def test_enqueue_schedule_os_update(platform: str, version: str, queued: bool) -> None:
    enrollment = stored(platform, version)
    result = services.enqueue_command(
        enrollments=[enrollment],
        request_type="ScheduleOSUpdate",
        payload={"ProductKey": "iOSUpdate23A341", "InstallAction": "Default"},
    )
    rows = QueuedCommand.objects.filter(enrollment=enrollment)
    if queued:
        assert result.queued == [enrollment.pk] and rows.count() == 1
        return
    assert result.queued == [] and not rows.exists()
    reason = result.refused[enrollment.pk]
    assert f"Apple removed ScheduleOSUpdate in {platform} 27.0" in reason and ENFORCEMENT in reason


@pytest.fixture
def admin_api(admin_user: object) -> APIClient:
    token = api_tokens.create_api_token(user=admin_user, actor=None)  # type: ignore[arg-type]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.django_db
def test_api_refuses_with_the_reason_and_lists_it_in_capabilities(admin_api: APIClient) -> None:
    old, new = stored("iOS", "18.2"), stored("iOS", "27.0")
    response = admin_api.post(
        "/api/v1/commands/",
        {"command": "ScheduleOSUpdate", "devices": [str(old.public_id), str(new.public_id)]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["queued"] == [str(old.public_id)]
    assert "Apple removed ScheduleOSUpdate in iOS 27.0" in body["refused"][str(new.public_id)]
    only_new = admin_api.post(
        "/api/v1/commands/",
        {"command": "AvailableOSUpdates", "devices": [str(new.public_id)]},
        format="json",
    )
    assert only_new.status_code == 400
    assert ENFORCEMENT in only_new.json()["error"]["refused"][str(new.public_id)]
    menu = admin_api.get(f"/api/v1/devices/{new.public_id}/capabilities/").json()
    assert menu["ScheduleOSUpdate"]["allowed"] is False
    assert ENFORCEMENT in menu["ScheduleOSUpdate"]["reason"]
    assert menu["DeviceInformation"]["allowed"] is True


@pytest.mark.django_db
def test_console_shows_the_reason_and_refuses_the_post(admin_client: Client) -> None:
    device = stored("macOS", "27.0")
    page = admin_client.get(f"/console/devices/{device.public_id}/").content.decode()
    assert "Apple removed ScheduleOSUpdate in macOS 27.0" in page
    response = admin_client.post(
        f"/console/devices/{device.public_id}/actions/ScheduleOSUpdate/",
        {"ProductKey": "", "InstallAction": "Default"},
    )
    assert response.status_code == 400
    assert "Apple removed ScheduleOSUpdate in macOS 27.0" in response.content.decode()
    assert not QueuedCommand.objects.filter(enrollment=device).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("version", "warned"), [("26.1", True), ("18.2", False)])
def test_console_warns_of_a_deprecated_command_it_still_sends(
    admin_client: Client, version: str, warned: bool
) -> None:
    device = stored("iOS", version)
    note = "deprecated since iOS 26.0, removed in iOS 27.0; instead use the declarative management"
    page = admin_client.get(f"/console/devices/{device.public_id}/").content.decode()
    assert (note in page) is warned
    form = admin_client.get(f"/console/devices/{device.public_id}/actions/ScheduleOSUpdate/")
    text = form.content.decode()
    assert form.status_code == 200 and 'id="action-form"' in text
    assert ("data-deprecated" in text and note in text) is warned
    response = admin_client.post(
        f"/console/devices/{device.public_id}/actions/ScheduleOSUpdate/",
        {"ProductKey": "", "InstallAction": "Default"},
    )
    assert response.status_code == 302
    assert QueuedCommand.objects.filter(
        enrollment=device, command__request_type="ScheduleOSUpdate"
    ).exists()


@pytest.mark.django_db
def test_a_command_queued_before_the_update_is_dropped_at_delivery(
    make_device: MakeDevice,
) -> None:
    """Queued for macOS 26 (AvailableOSUpdates needs no supervision there), the Mac reports 27.0
    before it is delivered: the server drops it with the reason instead of sending it."""
    sim, enrollment = enrolled(
        make_device, platform="macOS", user_enrollment=False, os_version="26.3"
    )
    services.enqueue_command(
        enrollments=[enrollment],
        request_type="DeviceInformation",
        payload={"Queries": ["OSVersion"]},
    )
    result = services.enqueue_command(enrollments=[enrollment], request_type="AvailableOSUpdates")
    assert result.queued == [enrollment.pk]
    sim.os_version = "27.0"  # updated before its next poll; answers the query with it
    handled = sim.run()
    assert [r.request_type for r in handled] == ["DeviceInformation"]
    enrollment.refresh_from_db()
    assert enrollment.device.os_version == "27.0"
    dropped = later_deliveries().get(command__request_type="AvailableOSUpdates")
    assert dropped.status == QueuedCommand.Status.DROPPED
    assert dropped.status_reason.startswith("Apple removed AvailableOSUpdates in macOS 27.0")
