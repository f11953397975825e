"""Every ending of an enrollment frees its app licences at Apps and Books (the local service)
and ends its install rows: CheckOut, a server-side unenroll, Retire, an administrator's
revocation of the account-driven session, and the person's new device replacing it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from devices import services as device_services
from devices.managed_apps import services
from devices.managed_apps.models import App, AppAssignment, AppInstall
from devices.models import Enrollment
from devices.services import lifecycle
from enrollment import services as enrollment_services
from enrollment.models import EnrollmentSession
from tests.managed_apps.conftest import apps_panel
from tests.managed_apps.fake_appsbooks import FakeAppsBooks
from tests.managed_apps.test_end_to_end import MAIL, drive, enrolled, run
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]
ANN = "ann@appleid.example.com"


@pytest.fixture
def catalogue(fake_vpp: FakeAppsBooks) -> App:
    token = services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    services.sync_token(token=token)
    return App.objects.get(adam_id=MAIL)


def _revoke_session(enrollment: Enrollment) -> None:
    session = EnrollmentSession.objects.create(
        kind=EnrollmentSession.Kind.ACCOUNT,
        enrollment_type=enrollment.enrollment_type,
        user_identifier=ANN,
        enrollment=enrollment,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(enrollment_reference=session.public_id)
    assert enrollment_services.revoke_session(session=session) is True


ENDINGS: dict[str, Callable[[SimulatedDevice, Enrollment], Any]] = {
    "checkout": lambda device, enr: device.check_out(),
    "unenroll": lambda device, enr: device_services.unenroll(enrollment=enr, reason="lost"),
    "retire": lambda device, enr: lifecycle.retire(enrollment=enr),
    "session revoked": lambda device, enr: _revoke_session(enr),
}


SERIAL = "F2LXK1ABCD"  # the device-enrolled phone's, which holds a device licence


def _licensed_phone(
    make_device: Callable[..., SimulatedDevice],
    fake: FakeAppsBooks,
    capture: Capture,
    *,
    user_enrollment: bool,
) -> tuple[SimulatedDevice, Enrollment]:
    phone, enrollment = enrolled(
        make_device,
        fake,
        platform="iOS",
        user_enrollment=user_enrollment,
        apple_id=ANN if user_enrollment else "",
        serial="" if user_enrollment else SERIAL,
    )
    services.assign_app(
        app=App.objects.get(adam_id=MAIL), scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
    )
    drive()
    run(phone, capture)
    run(phone, capture)
    install = AppInstall.objects.get(enrollment=enrollment)
    assert install.status == AppInstall.Status.INSTALLED
    assert install.licence == ("user" if user_enrollment else "device")
    return phone, enrollment


def _assert_released(fake: FakeAppsBooks, enrollment: Enrollment) -> None:
    asset = fake.asset(MAIL)
    assert asset.users == set() and asset.serials == set()
    install = AppInstall.objects.get(enrollment=enrollment)
    assert (install.status, install.licence, install.licence_holder) == (
        AppInstall.Status.REMOVED,
        "",
        "",
    )
    app = App.objects.get(adam_id=MAIL)
    assert (app.licences_assigned, app.licences_available) == (0, 3)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.UNENROLLED


@pytest.mark.parametrize("user_enrollment", [True, False], ids=["user-licence", "device-licence"])
@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_each_ending_frees_the_licence(
    ending: str,
    user_enrollment: bool,
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    phone, enrollment = _licensed_phone(
        make_device, fake_vpp, django_capture_on_commit_callbacks, user_enrollment=user_enrollment
    )
    if user_enrollment:
        assert fake_vpp.asset(MAIL).users  # held by the person's Managed Apple Account
    else:
        assert fake_vpp.asset(MAIL).serials == {SERIAL}  # held by the serial number
    with django_capture_on_commit_callbacks(execute=True):
        ENDINGS[ending](phone, enrollment)
    _assert_released(fake_vpp, enrollment)


def test_a_checkout_releases_each_licence_once(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """CheckOut sends `enrollment_checked_out` as well as `enrollment_ended`; a repeated
    CheckOut ends nothing: one disassociation at Apple, one licence back in the counts."""
    phone, enrollment = _licensed_phone(
        make_device, fake_vpp, django_capture_on_commit_callbacks, user_enrollment=True
    )
    disassociate = "POST assets/disassociate"
    before = fake_vpp.requests.count(disassociate)
    with django_capture_on_commit_callbacks(execute=True):
        assert phone.check_out() == 200
        phone.check_out()
    assert fake_vpp.requests.count(disassociate) == before + 1
    _assert_released(fake_vpp, enrollment)


def test_a_failed_ending_keeps_the_licence_and_the_enrollment(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """The installs end inside the ending's transaction: if it rolls back, nothing changed."""
    _, enrollment = _licensed_phone(
        make_device, fake_vpp, django_capture_on_commit_callbacks, user_enrollment=True
    )

    def boom(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("a receiver failed")

    from devices import signals

    signals.enrollment_ended.connect(boom, dispatch_uid="test-boom")
    try:
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            device_services.unenroll(enrollment=enrollment, reason="lost")
    finally:
        signals.enrollment_ended.disconnect(dispatch_uid="test-boom")
    assert AppInstall.objects.get(enrollment=enrollment).status == AppInstall.Status.INSTALLED
    assert fake_vpp.asset(MAIL).users
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED


def test_the_new_device_gets_the_replaced_one_s_own_required_apps(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _, old = _licensed_phone(
        make_device, fake_vpp, django_capture_on_commit_callbacks, user_enrollment=True
    )
    assignment = AppAssignment.objects.get(enrollment=old)
    assignment.configuration = {"account": "${EMAIL}"}
    assignment.save()
    new_phone, new = enrolled(
        make_device, fake_vpp, platform="iOS", user_enrollment=True, apple_id=ANN
    )
    fake_vpp.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert device_services.unenroll(enrollment=old, reason="replaced", replaced_by=new)
    # The old licence is freed first, then the person's licence associated again for the new
    # device (never the other way round: that would take it away from the new device).
    writes = [r for r in fake_vpp.requests if r.startswith("POST assets/")]
    assert writes == ["POST assets/disassociate", "POST assets/associate"]
    copy = AppAssignment.objects.get(enrollment=new)
    assert (copy.app_id, copy.mode, copy.configuration) == (
        catalogue.pk,
        AppAssignment.Mode.REQUIRED,
        {"account": "${EMAIL}"},
    )
    drive()
    run(new_phone, django_capture_on_commit_callbacks)
    run(new_phone, django_capture_on_commit_callbacks)
    assert AppInstall.objects.get(enrollment=new).status == AppInstall.Status.INSTALLED
    assert AppInstall.objects.get(enrollment=old).status == AppInstall.Status.REMOVED
    assert len(fake_vpp.asset(MAIL).users) == 1  # the person's one user licence, again
    assert new_phone.managed_apps["com.example.workmail"]["Configuration"] == {"account": ANN}


def test_an_ending_while_the_broker_is_down_is_released_by_the_beat(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Redis died: the task cannot be queued after commit. The installs ended with the
    enrollment (REMOVING, in its transaction), so the beat frees the licence later."""
    from kombu.exceptions import OperationalError

    from devices.managed_apps import tasks

    _, enrollment = _licensed_phone(
        make_device, fake_vpp, django_capture_on_commit_callbacks, user_enrollment=True
    )

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.release_enrollment, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert device_services.unenroll(enrollment=enrollment, reason="lost")
    install = AppInstall.objects.get(enrollment=enrollment)
    assert install.status == AppInstall.Status.REMOVING and install.next_attempt_at is not None
    assert fake_vpp.asset(MAIL).users  # not released yet
    monkeypatch.undo()
    drive()  # the beat, once the claim on the row has run out
    _assert_released(fake_vpp, enrollment)


def test_the_device_page_shows_its_managed_apps_and_their_state(
    catalogue: App,
    fake_vpp: FakeAppsBooks,
    make_device: Callable[..., SimulatedDevice],
    django_capture_on_commit_callbacks: Capture,
    admin_client: Client,
) -> None:
    phone, enrollment = _licensed_phone(
        make_device, fake_vpp, django_capture_on_commit_callbacks, user_enrollment=True
    )
    url = f"/console/devices/{enrollment.public_id}/"
    panel = apps_panel(admin_client.get(url).content.decode())
    assert 'data-app="com.example.workmail" data-status="installed"' in panel
    assert "Work Mail" in panel and "User licence" in panel
    with django_capture_on_commit_callbacks(execute=True):
        phone.check_out()
    panel = apps_panel(admin_client.get(url).content.decode())
    assert 'data-status="removed"' in panel and "User licence" not in panel


def test_a_failing_panel_leaves_the_device_page_up(
    make_device: Callable[..., SimulatedDevice], admin_client: Client
) -> None:
    from devices import hooks

    device = make_device(platform="iOS", user_enrollment=True)
    device.enroll()
    enrollment = Enrollment.objects.get()

    def broken(enrollment: Enrollment) -> hooks.DevicePanel:
        raise RuntimeError("a panel failed")

    hooks.set_device_panel("broken", broken)
    try:
        response = admin_client.get(f"/console/devices/{enrollment.public_id}/")
    finally:
        hooks.set_device_panel("broken", None)
    assert response.status_code == 200
    assert "No managed app assigned to this device." in apps_panel(response.content.decode())
