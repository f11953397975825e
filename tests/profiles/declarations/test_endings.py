"""After any ending of an enrollment its channel is served nothing (no set counts it), while its
last status stays for the record; a replaced device's own sets move to the person's new one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from devices import services as device_services
from devices.models import Enrollment, QueuedCommand
from devices.services import lifecycle
from profiles.declarations import protocol, services
from profiles.declarations.models import ChannelStatus, DeclarationState, SetAssignment
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
PASSCODE = "com.apple.configuration.passcode.settings"

ENDINGS: dict[str, Callable[[SimulatedDevice, Enrollment], Any]] = {
    "checkout": lambda device, enr: device.check_out(),
    "unenroll": lambda device, enr: device_services.unenroll(enrollment=enr, reason="wiped"),
    "retire": lambda device, enr: lifecycle.retire(enrollment=enr),
}


def _passcode_set() -> Any:
    passcode = services.create_declaration(
        declaration_type=PASSCODE,
        identifier="com.ex.passcode",
        display_name="Passcode",
        payload={"RequirePasscode": True},
    )
    return services.create_set(name="work", declarations=[passcode])


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_an_ended_channel_is_served_nothing_and_its_status_is_kept(
    ending: str, make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    enrollment = Enrollment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        work = _passcode_set()
        services.assign_set(
            declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT_TYPE, enrollment_type="user"
        )
    phone.run()
    assert ("configuration", "com.ex.passcode") in phone.declarative.declarations
    synced = ChannelStatus.objects.get(enrollment=enrollment).declarations_token
    assert list(services.channels_of_sets([work])) == [enrollment]

    with django_capture_on_commit_callbacks(execute=True):
        ENDINGS[ending](phone, enrollment)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.UNENROLLED
    served = services.served(enrollment)
    assert served.items == [] and served.withheld == {}
    assert protocol.declarations_token(served.items) != synced
    assert not services.channels_of_sets([work]).exists()
    assert not services.sets_for(enrollment).exists()
    # Kept for the record until the retention purge.
    assert ChannelStatus.objects.get(enrollment=enrollment).declarations_token == synced
    assert DeclarationState.objects.filter(enrollment=enrollment).exists()
    # Nothing is queued for the ended channel when the set changes.
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_set(
            declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=enrollment
        )
    assert not QueuedCommand.objects.filter(
        enrollment=enrollment, status__in=QueuedCommand.PENDING
    ).exists()


def test_a_replaced_device_s_own_sets_move_to_the_new_device(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any, admin_client: Any
) -> None:
    old_phone = make_device(platform="iOS", user_enrollment=False)
    old_phone.enroll()
    old = Enrollment.objects.get(device__udid=old_phone.udid)
    work = _passcode_set()
    services.assign_set(declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=old)
    new_phone = make_device(platform="iOS", user_enrollment=False)
    new_phone.enroll()
    new = Enrollment.objects.get(device__udid=new_phone.udid)
    assert not services.sets_for(new).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert device_services.unenroll(enrollment=old, reason="replaced", replaced_by=new)
    assert SetAssignment.objects.filter(declaration_set=work, enrollment=new).exists()
    assert list(services.channels_of_sets([work])) == [new]
    # The set's page still shows the old device's assignment, marked as ended.
    page = admin_client.get(f"/console/declarations/sets/{work.pk}/").content.decode()
    assert page.count("data-ended") == 1
    handled = new_phone.run()
    assert "DeclarativeManagement" in [r.request_type for r in handled]
    assert ("configuration", "com.ex.passcode") in new_phone.declarative.declarations
