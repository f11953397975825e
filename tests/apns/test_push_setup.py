"""The push certificate steps in the console: vendor upload, signed request, verify with a push."""

from __future__ import annotations

import base64
import plistlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apns import services
from apns.models import MdmVendorCertificate, PushCertificate, PushCertificateRequest
from devices.models import DeviceEvent
from tests.apns.conftest import EnrollmentFactory
from tests.apns.fake_apns import FakeAPNs
from tests.apns.vendor_pki import VendorChain, key_pem, make_vendor_chain, pem

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def chain() -> VendorChain:
    return make_vendor_chain()


def _steps() -> dict[str, bool]:
    return {step.key: step.done for step in services.setup_steps()}


def test_console_vendor_upload_then_signed_request_download(
    admin_client: Client, helpdesk_client: Client, chain: VendorChain
) -> None:
    files = {
        "certificate": SimpleUploadedFile("vendor.pem", pem(chain.vendor)),
        "private_key": SimpleUploadedFile("vendor.key", key_pem(chain.vendor_key)),
        "chain": SimpleUploadedFile("apple.pem", pem(chain.wwdr, chain.root)),
    }
    assert helpdesk_client.post("/console/push/vendor/", files).status_code == 403
    for upload in files.values():
        upload.seek(0)
    assert admin_client.post("/console/push/vendor/", files).status_code == 302
    assert MdmVendorCertificate.objects.get().subject == "CN=MDM Vendor: Example Org"

    admin_client.post("/console/push/csr/", {"common_name": "Example Org"})
    row = PushCertificateRequest.objects.get()
    page = admin_client.get("/console/push/")
    assert f"/console/push/csr/{row.pk}/signed/".encode() in page.content
    assert helpdesk_client.get(f"/console/push/csr/{row.pk}/signed/").status_code == 403

    download = admin_client.get(f"/console/push/csr/{row.pk}/signed/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    plist = plistlib.loads(base64.b64decode(download.content, validate=True))
    assert sorted(plist) == ["PushCertCertificateChain", "PushCertRequestCSR", "PushCertSignature"]
    assert _steps() == {
        "request": True,
        "sign": True,
        "apple": False,
        "upload": False,
        "verify": False,
    }


def test_console_text_file_as_vendor_certificate_is_a_form_error(admin_client: Client) -> None:
    response = admin_client.post(
        "/console/push/vendor/",
        {"certificate": SimpleUploadedFile("notes.txt", b"our vendor notes\n"), "password": "x"},
    )
    assert response.status_code == 400
    assert b"not a certificate or PKCS#12 file" in response.content
    assert not MdmVendorCertificate.objects.exists()


def test_console_text_file_as_push_certificate_is_a_form_error(admin_client: Client) -> None:
    response = admin_client.post(
        "/console/push/certificate/",
        {"certificate": SimpleUploadedFile("push.txt", b"hello\n"), "password": "secret"},
    )
    assert response.status_code == 400
    assert b"not a certificate or PKCS#12 file" in response.content
    assert b"wrong password" not in response.content


def test_signed_request_without_vendor_redirects_with_the_reason(admin_client: Client) -> None:
    admin_client.post("/console/push/csr/", {"common_name": "Example Org"})
    row = PushCertificateRequest.objects.get()
    response = admin_client.get(f"/console/push/csr/{row.pk}/signed/", follow=True)
    assert b"no MDM vendor certificate uploaded" in response.content
    assert PushCertificateRequest.objects.get().signed_at is None


def test_verify_with_a_push_to_an_enrolled_device(
    admin_client: Client,
    push_certificate: PushCertificate,
    fake_apns: FakeAPNs,
    enrollment_factory: EnrollmentFactory,
) -> None:
    enrollment = enrollment_factory()
    assert _steps()["verify"] is False
    response = admin_client.post("/console/push/verify/", follow=True)
    assert b"APNs delivered a push to enrollment" in response.content
    assert fake_apns.tokens() == [enrollment.push_token]
    push_certificate.refresh_from_db()
    assert push_certificate.verify_ok is True and push_certificate.verified_at is not None
    event = DeviceEvent.objects.get(enrollment=enrollment, kind=DeviceEvent.Kind.PUSH)
    assert event.status == "200" and event.detail["verify"] is True
    assert _steps() == {
        "request": True,
        "sign": True,
        "apple": True,
        "upload": True,
        "verify": True,
    }


def test_verify_without_devices_uses_a_probe_token(
    push_certificate: PushCertificate, fake_apns: FakeAPNs
) -> None:
    result = services.verify_push_certificate()
    assert result.ok and "accepted the certificate" in result.message
    assert fake_apns.tokens() == [services.PROBE_TOKEN]


def test_verify_reports_a_refused_certificate(
    admin_client: Client, push_certificate: PushCertificate, fake_apns: FakeAPNs
) -> None:
    fake_apns.state.script[services.PROBE_TOKEN] = [(403, "BadCertificate")]
    response = admin_client.post("/console/push/verify/", follow=True)
    assert b"APNs refused the certificate (403 BadCertificate)" in response.content
    push_certificate.refresh_from_db()
    assert push_certificate.verify_ok is False and push_certificate.rejected_at is not None
    assert _steps()["verify"] is False


def test_verify_without_certificate_says_so(admin_client: Client) -> None:
    response = admin_client.post("/console/push/verify/", follow=True)
    assert b"upload one first" in response.content


def test_steps_before_anything() -> None:
    assert _steps() == {
        "request": False,
        "sign": False,
        "apple": False,
        "upload": False,
        "verify": False,
    }
