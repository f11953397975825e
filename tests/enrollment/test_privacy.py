"""The privacy page (`/enroll/privacy/`): sign-in, own devices only, wording from Apple's schema,
remove management from a personal device (confirmed, logged, carried out by the device)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils.html import escape

from devices import services as device_services
from devices.models import Device, DeviceEvent, Enrollment, QueuedCommand
from enrollment import directory_access
from mdm_server.models import AuditEvent
from tests.devices._rows import enrolled, later_deliveries
from tests.devices.conftest import make_device  # noqa: F401 - pytest finds fixtures by name
from tests.enrollment.conftest import PASSWORD
from tests.simulator import SimulatedDevice

URL = "/enroll/privacy/"
COMMANDS_DIR = Path(__file__).resolve().parents[2] / "mdm_server/apple_schema/mdm/commands"

pytestmark = pytest.mark.django_db


# --- oracle: Apple's YAML, read here independently of the generated table ----------------------


def _command_yaml(request_type: str) -> dict[str, Any]:
    for path in COMMANDS_DIR.glob("*.yaml"):
        text = path.read_text()
        if f"requesttype: {request_type}\n" in text:
            return yaml.safe_load(text)
    raise AssertionError(f"{request_type} not in Apple's schema")


def _ue_ios_allows_command(request_type: str) -> bool:
    """A user-enrolled, unsupervised iPhone may get the command per Apple's YAML."""
    ios = _command_yaml(request_type)["payload"]["supportedOS"].get("iOS") or {}
    if not ios or ios.get("introduced") == "n/a":
        return False
    if (ios.get("userenrollment") or {}).get("mode") == "forbidden":
        return False
    return not ios.get("supervised") and not ios.get("requiresdep")


def _ue_ios_reports_query(key: str) -> bool:
    """DeviceInformation may ask a User Enrollment iPhone for `key` (query and response)."""
    doc = _command_yaml("DeviceInformation")
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("key") == key:
                found.append(item)
            walk(item.get("subkeys") or [])

    walk(doc.get("payloadkeys") or [])
    walk(doc.get("responsekeys") or [])
    assert found, key
    modes = [
        ((item.get("supportedOS") or {}).get("iOS") or {}).get("userenrollment", {}).get("mode")
        for item in found
    ]
    return "forbidden" not in modes


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def owned(
    org: dict[str, Any],
    make_device: Callable[..., SimulatedDevice],  # noqa: F811
) -> Callable[..., tuple[SimulatedDevice, Enrollment]]:
    """A simulated device enrolled over the check-in endpoints and bound to a directory user,
    as the enrollment session binds it."""

    def make(user: Any, **kwargs: Any) -> tuple[SimulatedDevice, Enrollment]:
        device, row = enrolled(make_device, **kwargs)
        Device.objects.filter(channels=row).update(directory_user=user)
        row.refresh_from_db()
        return device, row

    return make


def _sign_in(client: Client, identifier: str = "alice", password: str = PASSWORD) -> Any:
    return client.post(URL, {"identifier": identifier, "password": password})


def _section(html: str, enrollment: Enrollment) -> str:
    match = re.search(
        rf'<section class="device" id="device-{enrollment.public_id}">(.*?)</section>', html, re.S
    )
    assert match, f"device {enrollment.public_id} not on the page"
    return match.group(1)


def _items(section: str, css_class: str) -> list[str]:
    match = re.search(rf'<ul class="facts {css_class}">(.*?)</ul>', section, re.S)
    assert match, css_class
    return re.findall(r'<li data-source="([^"]*)"', match.group(1))


def _queue(enrollment: Enrollment, request_type: str) -> None:
    result = device_services.enqueue_command(enrollments=[enrollment], request_type=request_type)
    assert result.queued == [enrollment.pk], result.refused


# --- sign-in -------------------------------------------------------------------------------------


def test_sign_in_form_then_wrong_password_is_401_with_reason(org: dict[str, Any]) -> None:
    client = Client()
    page = client.get(URL)
    assert page.status_code == 200
    assert 'id="privacy-sign-in"' in page.content.decode()
    wrong = _sign_in(client, password="nope")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("FormBased")
    assert 'id="privacy-error"' in wrong.content.decode()
    assert 'id="privacy-sign-in"' in client.get(URL).content.decode()  # still signed out


def test_empty_form_is_400(org: dict[str, Any]) -> None:
    response = Client().post(URL, {"identifier": "alice"})
    assert response.status_code == 400
    assert "Enter your account and password." in response.content.decode()


def test_disabled_account_is_refused(org: dict[str, Any]) -> None:
    response = _sign_in(Client(), "bob")
    assert response.status_code == 403
    assert 'id="privacy-error"' in response.content.decode()


def test_failures_count_with_enrollment_sign_in(org: dict[str, Any]) -> None:
    """The same counter as enrollment: after MAX_FAILURES the right password waits too."""
    client = Client()
    for _ in range(directory_access.MAX_FAILURES):
        assert _sign_in(client, password="nope").status_code == 401
    paused = _sign_in(client)
    assert paused.status_code == 429
    assert "Too many failed sign-ins" in paused.content.decode()
    with pytest.raises(directory_access.SignInFailed) as caught:
        directory_access.authenticate(identifier="alice", password=PASSWORD)
    assert caught.value.code == "throttled"


def test_sign_in_is_not_a_console_sign_in(org: dict[str, Any]) -> None:
    client = Client()
    assert _sign_in(client).status_code == 303
    assert 'id="privacy-person"' in client.get(URL).content.decode()
    console = client.get("/console/")
    assert console.status_code == 302 and "/login" in console["Location"]
    assert client.get("/admin/").status_code == 302


def test_sign_out_ends_the_person_session(org: dict[str, Any]) -> None:
    client = Client()
    _sign_in(client)
    assert client.post("/enroll/privacy/sign-out").status_code == 303
    assert 'id="privacy-sign-in"' in client.get(URL).content.decode()


def test_an_idle_session_ends(org: dict[str, Any]) -> None:
    from enrollment.privacy import views

    client = Client()
    _sign_in(client)
    session = client.session
    held = session[views.SESSION_KEY]
    session[views.SESSION_KEY] = {**held, "at": held["at"] - views.SESSION_SECONDS - 1}
    session.save()
    assert 'id="privacy-sign-in"' in client.get(URL).content.decode()


def test_a_person_disabled_after_signing_in_is_signed_out(org: dict[str, Any]) -> None:
    from directory import services as directory

    client = Client()
    _sign_in(client)
    directory.update_user(user=org["alice"], data={"enabled": False}, actor=None)
    assert 'id="privacy-sign-in"' in client.get(URL).content.decode()


def test_forms_need_the_csrf_token(org: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    refused = client.post(URL, {"identifier": "alice", "password": PASSWORD})
    assert refused.status_code == 403


# --- what the page shows -------------------------------------------------------------------------


def test_only_the_persons_own_devices_are_shown(org: dict[str, Any], owned: Any) -> None:
    from directory.models import DirectoryUser

    carol = DirectoryUser.objects.get(username="carol")
    _, mine = owned(org["alice"])
    _, theirs = owned(carol)
    client = Client()
    _sign_in(client)
    html = client.get(URL).content.decode()
    assert str(mine.public_id) in html
    assert str(theirs.public_id) not in html
    # Another person's device cannot be acted on either; it keeps its enrollment and queue.
    response = client.post(f"/enroll/privacy/devices/{theirs.public_id}/remove", {"confirm": "yes"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Enrollment.Status.ENROLLED
    assert not later_deliveries().filter(enrollment=theirs).exists()


def test_no_devices(org: dict[str, Any]) -> None:
    client = Client()
    _sign_in(client)
    assert 'id="no-devices"' in client.get(URL).content.decode()


def test_wording_follows_apples_schema_for_a_user_enrolled_iphone(
    org: dict[str, Any], owned: Any
) -> None:
    _, phone = owned(org["alice"], platform="iOS", os_version="17.5")
    client = Client()
    _sign_in(client)
    section = _section(client.get(URL).content.decode(), phone)
    # The heading and the kind line read the Device: its name (or model) and its platform.
    name = phone.device.device_name or phone.device.model_name or phone.device.product_name
    assert name and f"<h2>{escape(name)}</h2>" in section
    assert "User Enrollment · iOS 17.5</p>" in section
    can_do, cannot_do = _items(section, "can-do"), _items(section, "cannot-do")
    for command in (
        "EraseDevice",
        "DeviceLock",
        "ClearPasscode",
        "EnableLostMode",
        "RestartDevice",
        "InstallApplication",
        "InstallProfile",
    ):
        expected = _ue_ios_allows_command(command)
        assert (command in can_do) is expected, command
        assert (command in cannot_do) is not expected, command
    assert "EraseDevice" in cannot_do  # Apple: device.erase.yaml iOS userenrollment forbidden
    can_see, cannot_see = _items(section, "can-see"), _items(section, "cannot-see")
    for key in ("SerialNumber", "UDID", "IMEI", "PhoneNumber", "WiFiMAC", "Model", "OSVersion"):
        expected = _ue_ios_reports_query(key)
        assert (key in can_see) is expected, key
        assert (key in cannot_see) is not expected, key
    assert {"SerialNumber", "UDID"} <= set(cannot_see)
    assert _ue_ios_allows_command("DeviceLocation") is ("DeviceLocation" in can_see)
    assert "InstalledApplicationList" in cannot_see  # personal apps: managed apps only under UE
    for words in ("Your photos", "Your messages, mail and calls"):
        assert words in section
    assert "Remove management" in section and "contact your IT" not in section


def test_a_corporate_device_can_be_erased_and_says_contact_it(
    org: dict[str, Any], owned: Any
) -> None:
    _, mac = owned(org["alice"], platform="macOS", user_enrollment=False, os_version="15.2")
    client = Client()
    _sign_in(client)
    section = _section(client.get(URL).content.decode(), mac)
    assert "EraseDevice" in _items(section, "can-do")
    assert "SerialNumber" in _items(section, "can-see")
    assert "contact your IT department" in section
    assert "privacy-remove" not in section and "/remove" not in section
    response = client.post(f"/enroll/privacy/devices/{mac.public_id}/remove", {"confirm": "yes"})
    assert response.status_code == 403
    assert "contact your IT department" in response.content.decode()
    mac.refresh_from_db()
    assert mac.status == Enrollment.Status.ENROLLED
    assert not later_deliveries().filter(enrollment=mac).exists()


def test_on_ios_27_the_page_does_not_claim_the_os_cannot_be_updated(
    org: dict[str, Any], owned: Any
) -> None:
    # Apple removed ScheduleOSUpdate in iOS 27.0; the software-update enforcement declaration,
    # which Apple allows on device enrollments, still updates the OS.
    _, phone = owned(org["alice"], platform="iOS", user_enrollment=False, os_version="27.0")
    _, personal = owned(org["alice"], platform="iOS", os_version="27.0")
    client = Client()
    _sign_in(client)
    html = client.get(URL).content.decode()
    section = _section(html, phone)
    assert "ScheduleOSUpdate" in _items(section, "can-do")
    assert "ScheduleOSUpdate" not in _items(section, "cannot-do")
    # A User Enrollment gets neither the command nor the declaration.
    assert "ScheduleOSUpdate" in _items(_section(html, personal), "cannot-do")


def test_real_inventory_and_last_check_in(org: dict[str, Any], owned: Any) -> None:
    device, phone = owned(org["alice"])
    device.installed_profiles["com.example.mail"] = {
        "PayloadDisplayName": "Work mail",
        "PayloadUUID": "6B7F9E3C-1111-2222-3333-444455556666",
        "PayloadContent": [{"PayloadType": "com.apple.mail.managed"}],
    }
    for command in ("ProfileList", "InstalledApplicationList", "CertificateList"):
        _queue(phone, command)
    answered = device.run()
    assert {r.request_type for r in answered} >= {"ProfileList", "CertificateList"}
    client = Client()
    _sign_in(client)
    section = _section(client.get(URL).content.decode(), phone)
    installed = re.search(r'<dl class="installed">(.*?)</dl>', section, re.S)
    assert installed
    assert "Work mail" in installed.group(1)
    assert "Mail account" in installed.group(1)  # from the profile's payload type
    assert "Work" in installed.group(1)  # the managed app
    assert "mdm-identity" in installed.group(1)  # the certificate list
    assert phone.device.managed_apple_id in installed.group(1) or not phone.device.managed_apple_id
    assert "Last checked in" in section


# --- remove management ---------------------------------------------------------------------------


def test_remove_needs_confirmation(org: dict[str, Any], owned: Any) -> None:
    _, phone = owned(org["alice"])
    client = Client()
    _sign_in(client)
    response = client.post(f"/enroll/privacy/devices/{phone.public_id}/remove")
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert not later_deliveries().filter(enrollment=phone).exists()


def test_remove_needs_a_signed_in_person(org: dict[str, Any], owned: Any) -> None:
    _, phone = owned(org["alice"])
    response = Client().post(
        f"/enroll/privacy/devices/{phone.public_id}/remove", {"confirm": "yes"}
    )
    assert response.status_code == 401
    assert not later_deliveries().filter(enrollment=phone).exists()


def test_bad_device_id_is_404(org: dict[str, Any]) -> None:
    client = Client()
    _sign_in(client)
    response = client.post("/enroll/privacy/devices/not-a-uuid/remove", {"confirm": "yes"})
    assert response.status_code == 404


def test_remove_queues_unenroll_logs_it_and_the_device_leaves(
    org: dict[str, Any], owned: Any
) -> None:
    device, phone = owned(org["alice"])
    _queue(phone, "DeviceInformation")  # waiting before the person asks: dropped
    client = Client()
    _sign_in(client)
    response = client.post(f"/enroll/privacy/devices/{phone.public_id}/remove", {"confirm": "yes"})
    assert response.status_code == 303
    page = client.get(URL).content.decode()
    assert 'id="privacy-flash"' in page and "Removal requested" in _section(page, phone)

    pending = QueuedCommand.objects.filter(enrollment=phone, status__in=QueuedCommand.PENDING)
    assert [(q.command.request_type, q.command.display["name"]) for q in pending] == [
        ("RemoveProfile", "Unenroll")
    ]
    assert (
        later_deliveries().get(enrollment=phone, command__request_type="DeviceInformation").status
        == QueuedCommand.Status.CANCELED
    )
    event = DeviceEvent.objects.get(enrollment=phone, action="Unenroll requested")
    assert event.detail["by"] == "alice"
    audit = AuditEvent.objects.get(action="devices.owner_unenrolled", target_id=str(phone.pk))
    assert audit.actor_name == "alice" and audit.actor_id is None

    # Asking twice queues nothing more.
    again = client.post(f"/enroll/privacy/devices/{phone.public_id}/remove", {"confirm": "yes"})
    assert again.status_code == 303
    assert pending.count() == 1

    # The device connects, removes its enrollment profile, and the enrollment ends.
    received = device.run()
    assert [r.request_type for r in received] == ["RemoveProfile"]
    phone.refresh_from_db()
    assert phone.status == Enrollment.Status.UNENROLLED
    assert str(phone.public_id) not in client.get(URL).content.decode()


def test_remove_before_the_device_finished_enrolling_ends_it(
    org: dict[str, Any],
    make_device: Callable[..., SimulatedDevice],  # noqa: F811
) -> None:
    device = make_device()
    assert device.authenticate() == 200  # no TokenUpdate: it cannot take commands yet
    phone = Enrollment.objects.get(channel_key=f"eid:{device.enrollment_id}")
    Device.objects.filter(channels=phone).update(directory_user=org["alice"])
    client = Client()
    _sign_in(client)
    response = client.post(f"/enroll/privacy/devices/{phone.public_id}/remove", {"confirm": "yes"})
    assert response.status_code == 303
    phone.refresh_from_db()
    assert phone.status == Enrollment.Status.UNENROLLED
    assert AuditEvent.objects.filter(
        action="devices.owner_unenrolled", actor_name="alice", details__outcome="ended"
    ).exists()


def test_enrollment_pages_link_to_the_privacy_page(org: dict[str, Any]) -> None:
    assert URL in Client().get("/enroll/").content.decode()


def test_a_device_that_never_answers_can_be_ended_at_once(org: dict[str, Any], owned: Any) -> None:
    device, phone = owned(org["alice"])
    client = Client()
    _sign_in(client)
    remove = f"/enroll/privacy/devices/{phone.public_id}/remove"
    assert client.post(remove, {"confirm": "yes"}).status_code == 303
    section = _section(client.get(URL).content.decode(), phone)
    assert 'class="remove-now"' in section
    # Not confirmed: refused, still enrolled.
    assert client.post(remove, {"at_once": "yes"}).status_code == 400
    phone.refresh_from_db()
    assert phone.status == Enrollment.Status.ENROLLED
    assert client.post(remove, {"at_once": "yes", "confirm": "yes"}).status_code == 303
    phone.refresh_from_db()
    assert phone.status == Enrollment.Status.UNENROLLED
    assert not QueuedCommand.objects.filter(
        enrollment=phone, status__in=QueuedCommand.PENDING
    ).exists()
    assert AuditEvent.objects.filter(
        action="devices.owner_unenrolled", actor_name="alice", details__outcome="ended"
    ).exists()
    assert DeviceEvent.objects.filter(enrollment=phone, action="Unenroll").exists()
    with pytest.raises(RuntimeError, match="403"):  # the server takes no command request
        device.run()
