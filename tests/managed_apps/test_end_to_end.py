"""Required App Store apps reach simulated devices through licences from the local Apps and
Books service, with managed configuration and a per-app VPN; unenrolling frees the licence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from devices.managed_apps import services
from devices.managed_apps.models import App, AppAssignment, AppInstall
from devices.models import Enrollment
from tests.devices._rows import drain_inventory
from tests.managed_apps.fake_appsbooks import FakeAppsBooks
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db

MAIL = "361309726"  # 3 licences in the fake
VPN = "9A5E2A3C-7A3B-4C0B-9C55-1E4C5E0C6B11"
Capture = Callable[..., Any]


def drive(rounds: int = 8) -> None:
    """Run the install state machine as Celery beat would, skipping the waits."""
    for _ in range(rounds):
        if not services.advance_due(now=timezone.now() + timedelta(hours=7)):
            return


def enrolled(
    make_device: Callable[..., SimulatedDevice],
    fake: FakeAppsBooks,
    *,
    platform: str,
    user_enrollment: bool,
    apple_id: str = "",
    serial: str = "",
) -> tuple[SimulatedDevice, Enrollment]:
    device = make_device(platform=platform, user_enrollment=user_enrollment)
    device.app_store = {int(a.adam_id): a.bundle_id for a in fake.assets}
    if serial:
        device.serial_number = serial
    device.enroll()
    drain_inventory(device)  # the inventory asked at enrollment comes first
    enrollment = Enrollment.objects.get(
        **(
            {"enrollment_id": device.enrollment_id}
            if user_enrollment
            else {"device__udid": device.udid}
        )
    )
    enrollment.device.managed_apple_id = apple_id
    if not user_enrollment:
        enrollment.device.serial_number = serial
    enrollment.device.save()

    # Like Apple: an App Store app installs only once the licence is there.
    def licensed(store_id: int) -> bool:
        asset = fake.asset(str(store_id))
        if user_enrollment:
            cids = {cid for cid, u in fake.users.items() if u.get("managedAppleId") == apple_id}
            return bool(asset.users & cids)
        return serial in asset.serials

    device.has_licence = licensed
    return device, enrollment


def run(device: SimulatedDevice, capture: Capture) -> list[str]:
    with capture(execute=True):
        handled = device.run()
    return [r.request_type for r in handled]


@pytest.fixture
def catalogue(fake_vpp: FakeAppsBooks) -> App:
    token = services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    services.sync_token(token=token)
    return App.objects.get(adam_id=MAIL)


def test_user_enrolled_iphone_and_mac_get_the_app_with_a_user_licence(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    assert (catalogue.name, catalogue.bundle_id, catalogue.licences_available) == (
        "Work Mail",
        "com.example.workmail",
        3,
    )
    phone, phone_enr = enrolled(
        make_device,
        fake_vpp,
        platform="iOS",
        user_enrollment=True,
        apple_id="ann@appleid.example.com",
    )
    mac, mac_enr = enrolled(
        make_device,
        fake_vpp,
        platform="macOS",
        user_enrollment=True,
        apple_id="ben@appleid.example.com",
    )
    result = services.assign_app(
        app=catalogue,
        scope=AppAssignment.Scope.ENROLLMENT_TYPE,
        enrollment_type="user",
        configuration={"account": "${EMAIL}", "server": "mail.example.com"},
        vpn_uuid=VPN,
    )
    assert result.requested == 2
    # The admin is told before anything is sent: macOS takes no attributes, nor ManagementFlags
    # under User Enrollment.
    assert any(w.startswith("macOS User Enrollment: Attributes") for w in result.warnings)
    assert any("macOS User Enrollment: ManagementFlags" in w for w in result.warnings)
    assert not any(w.startswith("iOS") for w in result.warnings)
    drive()
    installs = {i.enrollment_id: i for i in AppInstall.objects.all()}
    assert {i.status for i in installs.values()} == {AppInstall.Status.INSTALLING}
    assert {i.licence for i in installs.values()} == {"user"}
    assert len(fake_vpp.asset(MAIL).users) == 2  # one user licence per person

    assert run(phone, django_capture_on_commit_callbacks) == ["InstallApplication"]
    assert run(phone, django_capture_on_commit_callbacks) == ["ManagedApplicationList"]
    app = phone.managed_apps["com.example.workmail"]
    assert app["Configuration"] == {
        "account": "ann@appleid.example.com",
        "server": "mail.example.com",
    }
    assert app["Attributes"] == {"VPNUUID": VPN}
    assert app["ManagementFlags"] == 1
    assert AppInstall.objects.get(enrollment=phone_enr).status == AppInstall.Status.INSTALLED

    # The Mac: no ManagementFlags (forbidden there), no attributes; the person must approve.
    run(mac, django_capture_on_commit_callbacks)
    run(mac, django_capture_on_commit_callbacks)
    mac_app = mac.managed_apps["com.example.workmail"]
    assert mac_app["ManagementFlags"] == 0 and mac_app["Attributes"] is None
    assert mac_app["Configuration"]["account"] == "ben@appleid.example.com"
    install = AppInstall.objects.get(enrollment=mac_enr)
    assert install.status == AppInstall.Status.PROMPTING
    assert any("ManagementFlags removed" in note for note in install.notes)
    mac.approve_apps()
    assert services.refresh_status(enrollment=mac_enr)
    run(mac, django_capture_on_commit_callbacks)
    assert AppInstall.objects.get(enrollment=mac_enr).status == AppInstall.Status.INSTALLED
    catalogue.refresh_from_db()
    assert (catalogue.licences_assigned, catalogue.licences_available) == (2, 1)

    # Unenrolling removes the app and frees the licence.
    with django_capture_on_commit_callbacks(execute=True):
        assert phone.check_out() == 200
    assert "com.example.workmail" not in phone.managed_apps
    assert AppInstall.objects.get(enrollment=phone_enr).status == AppInstall.Status.REMOVED
    assert len(fake_vpp.asset(MAIL).users) == 1
    catalogue.refresh_from_db()
    assert (catalogue.licences_assigned, catalogue.licences_available) == (1, 2)


def test_device_enrolled_iphone_gets_a_device_licence(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    phone, enrollment = enrolled(
        make_device, fake_vpp, platform="iOS", user_enrollment=False, serial="F2LXK1ABCD"
    )
    services.assign_app(
        app=catalogue,
        scope=AppAssignment.Scope.DEVICE,
        enrollment=enrollment,
        configuration={"device": "${SERIAL_NUMBER}"},
        vpn_uuid=VPN,
    )
    drive()
    assert fake_vpp.asset(MAIL).serials == {"F2LXK1ABCD"}
    assert fake_vpp.users == {}  # no Apple Account involved
    run(phone, django_capture_on_commit_callbacks)
    run(phone, django_capture_on_commit_callbacks)
    assert phone.managed_apps["com.example.workmail"]["Configuration"] == {"device": "F2LXK1ABCD"}
    install = AppInstall.objects.get(enrollment=enrollment)
    assert (install.status, install.licence) == (AppInstall.Status.INSTALLED, "device")
    with django_capture_on_commit_callbacks(execute=True):
        phone.check_out()
    assert fake_vpp.asset(MAIL).serials == set()
    assert AppInstall.objects.get(enrollment=enrollment).status == AppInstall.Status.REMOVED


def test_a_required_app_is_requested_at_enrollment(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    services.assign_app(
        app=catalogue, scope=AppAssignment.Scope.ENROLLMENT_TYPE, enrollment_type="device"
    )
    assert not AppInstall.objects.exists()
    device = make_device(platform="iOS", user_enrollment=False)
    device.app_store = {int(MAIL): "com.example.workmail"}
    with django_capture_on_commit_callbacks(execute=True):
        device.enroll()  # the serial number from Authenticate is the licence holder
    (install,) = AppInstall.objects.all()
    assert install.status == AppInstall.Status.LICENCE_PENDING
    drive()
    assert fake_vpp.asset(MAIL).serials == {device.serial_number}
    run(device, django_capture_on_commit_callbacks)
    assert "com.example.workmail" in device.managed_apps


def test_unassigning_removes_the_app_and_frees_the_licence(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    phone, enrollment = enrolled(
        make_device,
        fake_vpp,
        platform="iOS",
        user_enrollment=True,
        apple_id="ann@appleid.example.com",
    )
    result = services.assign_app(
        app=catalogue, scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
    )
    drive()
    run(phone, django_capture_on_commit_callbacks)
    assert "com.example.workmail" in phone.managed_apps
    assert services.unassign(assignment=result.assignment) == 1
    assert "RemoveApplication" in run(phone, django_capture_on_commit_callbacks)
    assert phone.managed_apps == {}
    assert fake_vpp.asset(MAIL).users == set()
    assert AppInstall.objects.get().status == AppInstall.Status.REMOVED


def test_an_install_the_device_cannot_do_yet_is_retried(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    phone, enrollment = enrolled(
        make_device,
        fake_vpp,
        platform="iOS",
        user_enrollment=True,
        apple_id="ann@appleid.example.com",
    )
    licensed = phone.has_licence
    phone.has_licence = lambda store_id: False  # the licence has not reached the device yet
    services.assign_app(app=catalogue, scope=AppAssignment.Scope.DEVICE, enrollment=enrollment)
    drive()
    run(phone, django_capture_on_commit_callbacks)
    install = AppInstall.objects.get()
    assert install.status == AppInstall.Status.FAILED
    assert "the device could not install it: NoLicense" in install.reason
    assert install.next_attempt_at is not None and install.attempts == 1
    phone.has_licence = licensed
    drive()  # the backoff has passed: InstallApplication is sent again
    run(phone, django_capture_on_commit_callbacks)
    run(phone, django_capture_on_commit_callbacks)
    install.refresh_from_db()
    assert install.status == AppInstall.Status.INSTALLED
    assert len(fake_vpp.asset(MAIL).users) == 1  # still the one licence
