"""Custom and in-house apps on Macs: InstallEnterpriseApplication from the manifest URL, pinned
to the manifest server's certificates, installed as managed where Apple's schema allows it
(not on a macOS User Enrollment: the admin is told, the package lands unmanaged); iPhones get
the same app through InstallApplication."""

from __future__ import annotations

import base64
import plistlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from django.test import Client
from django.utils import timezone

from devices.managed_apps import services
from devices.managed_apps.models import App, AppAssignment, AppInstall
from devices.models import Enrollment, QueuedCommand
from tests.devices._rows import drain_inventory
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db

MANIFEST = "https://apps.example.com/tool/manifest.plist"
BUNDLE = "com.example.tool"
Capture = Callable[..., Any]


def certificate_pem(name: str = "apps.example.com") -> tuple[str, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode(), cert.public_bytes(Encoding.DER)


def drive() -> None:
    for _ in range(4):
        if not services.advance_due(now=timezone.now() + timedelta(hours=7)):
            return


def mac(make_device: Callable[..., SimulatedDevice], *, user_enrollment: bool) -> Any:
    device = make_device(platform="macOS", user_enrollment=user_enrollment)
    device.app_store = {MANIFEST: BUNDLE}
    device.enroll()
    drain_inventory(device)
    enrollment = Enrollment.objects.get(
        **(
            {"enrollment_id": device.enrollment_id}
            if user_enrollment
            else {"device__udid": device.udid}
        )
    )
    return device, enrollment


def sent_command(enrollment: Enrollment) -> dict[str, Any]:
    row = (
        QueuedCommand.objects.filter(
            enrollment=enrollment, command__request_type="InstallEnterpriseApplication"
        )
        .select_related("command")
        .get()
    )
    return plistlib.loads(bytes(row.command.body))["Command"]


def run(device: SimulatedDevice, capture: Capture) -> list[str]:
    with capture(execute=True):
        return [r.request_type for r in device.run()]


def test_a_device_enrolled_mac_installs_the_package_managed_and_pinned(
    make_device: Callable[..., SimulatedDevice], django_capture_on_commit_callbacks: Capture
) -> None:
    pem, der = certificate_pem()
    app = services.add_custom_app(
        name="Tool",
        manifest_url=MANIFEST,
        bundle_id=BUNDLE,
        enterprise=True,
        platforms=["macOS"],
        pinning_pem=pem,
        pinning_revocation_required=True,
    )
    assert app.pinning_certs == [base64.b64encode(der).decode()]
    device, enrollment = mac(make_device, user_enrollment=False)
    result = services.assign_app(
        app=app,
        scope=AppAssignment.Scope.DEVICE,
        enrollment=enrollment,
        configuration={"server": "https://tool.example.com"},
    )
    assert not any(w.startswith("iOS") for w in result.warnings)  # a Mac-only package
    drive()
    command = sent_command(enrollment)
    assert command["ManifestURL"] == MANIFEST
    assert command["ManifestURLPinningCerts"] == [der]
    assert command["PinningRevocationCheckRequired"] is True
    assert (command["InstallAsManaged"], command["ManagementFlags"]) == (True, 1)
    assert command["Configuration"] == {"server": "https://tool.example.com"}
    assert run(device, django_capture_on_commit_callbacks) == ["InstallEnterpriseApplication"]
    assert device.managed_apps[BUNDLE]["ManagementFlags"] == 1
    assert run(device, django_capture_on_commit_callbacks) == ["ManagedApplicationList"]
    assert AppInstall.objects.get().status == AppInstall.Status.INSTALLED


def test_a_user_enrolled_mac_gets_it_unmanaged_and_the_admin_is_told_why(
    make_device: Callable[..., SimulatedDevice], django_capture_on_commit_callbacks: Capture
) -> None:
    app = services.add_custom_app(
        name="Tool", manifest_url=MANIFEST, bundle_id=BUNDLE, platforms=["macOS"]
    )
    device, enrollment = mac(make_device, user_enrollment=True)
    result = services.assign_app(
        app=app,
        scope=AppAssignment.Scope.DEVICE,
        enrollment=enrollment,
        vpn_uuid="9A5E2A3C-7A3B-4C0B-9C55-1E4C5E0C6B11",
    )
    told = [w for w in result.warnings if w.startswith("macOS User Enrollment:")]
    assert any("InstallAsManaged left out" in w for w in told)
    assert any("ManagementFlags left out" in w for w in told)
    assert any("installed unmanaged" in w for w in told)
    assert any(w.startswith("macOS Device Enrollment: Attributes") for w in result.warnings)
    drive()
    command = sent_command(enrollment)
    assert "InstallAsManaged" not in command and "ManagementFlags" not in command
    assert "Attributes" not in command
    install = AppInstall.objects.get()
    assert any("InstallAsManaged" in n for n in install.notes)
    assert run(device, django_capture_on_commit_callbacks) == ["InstallEnterpriseApplication"]
    assert BUNDLE in device.unmanaged_apps and BUNDLE not in device.managed_apps
    install.refresh_from_db()
    assert install.status == AppInstall.Status.INSTALLED
    assert any("installed unmanaged" in n for n in install.notes)


def test_an_iphone_gets_the_same_custom_app_through_install_application(
    make_device: Callable[..., SimulatedDevice],
) -> None:
    app = services.add_custom_app(name="Tool", manifest_url=MANIFEST, bundle_id=BUNDLE)
    device = make_device(platform="iOS", user_enrollment=True)
    device.enroll()
    drain_inventory(device)
    enrollment = Enrollment.objects.get(enrollment_id=device.enrollment_id)
    services.assign_app(app=app, scope=AppAssignment.Scope.DEVICE, enrollment=enrollment)
    drive()
    row = (
        QueuedCommand.objects.filter(enrollment=enrollment, command__origin="managed-apps")
        .select_related("command")
        .get()
    )
    assert row.command.request_type == "InstallApplication"
    assert plistlib.loads(bytes(row.command.body))["Command"]["ManifestURL"] == MANIFEST


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"pinning_pem": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"}, "PEM"),
        ({"pinning_pem": "not a certificate at all"}, "PEM"),
        ({"platforms": ["iOS"], "pinning_pem": "PEM"}, "apply to Macs"),
        ({"platforms": ["watchOS"]}, "choose among iOS, macOS"),
        ({"manifest_url": "http://apps.example.com/m.plist"}, "https://"),
    ],
    ids=["bad-pem", "not-pem", "pin-on-iphone", "unknown-platform", "plain-http"],
)
def test_bad_custom_app_input_is_refused_with_the_reason(
    values: dict[str, Any], words: str
) -> None:
    if values.get("pinning_pem") == "PEM":
        values = {**values, "pinning_pem": certificate_pem()[0]}
    data = {"name": "Tool", "manifest_url": MANIFEST, **values}
    with pytest.raises(services.ManagedAppsError, match=words):
        services.add_custom_app(**data)
    assert not App.objects.exists()


def test_the_api_takes_platforms_and_pinning(admin_client: Client) -> None:
    pem, der = certificate_pem()
    body = {
        "name": "Tool",
        "manifest_url": MANIFEST,
        "platforms": ["macOS"],
        "pinning_pem": pem,
    }
    created = admin_client.post("/api/v1/apps/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["platforms"] == ["macOS"]
    assert created.json()["pinning_certs"] == [base64.b64encode(der).decode()]
    bad = admin_client.post(
        "/api/v1/apps/", {**body, "pinning_pem": "junk"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "PEM" in bad.content.decode()


def test_the_console_form_adds_a_pinned_mac_package_and_tells_a_bad_pem(
    admin_client: Client,
) -> None:
    pem, der = certificate_pem()
    form = {
        "name": "Tool",
        "manifest_url": MANIFEST,
        "bundle_id": BUNDLE,
        "platforms": ["macOS"],
        "pinning_pem": pem,
        "pinning_revocation_required": "on",
    }
    bad = admin_client.post("/console/apps/custom/", {**form, "pinning_pem": "junk"})
    assert bad.status_code == 400 and "not PEM certificates" in bad.content.decode()
    none = admin_client.post("/console/apps/custom/", {**form, "platforms": []})
    assert none.status_code == 400
    assert not App.objects.exists()
    added = admin_client.post("/console/apps/custom/", form)
    assert added.status_code == 302
    app = App.objects.get()
    assert app.platforms == ["macOS"] and app.pinning_revocation_required
    assert app.pinning_certs == [base64.b64encode(der).decode()]
