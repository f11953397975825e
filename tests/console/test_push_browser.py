"""The push certificate steps in headless Chromium: request, sign, (Apple), upload, verify.

A test chain plays Apple's developer CA (vendor certificate) and the fake APNs PKI plays Apple's
push CA; the signed request is checked here, not by the server.
"""

from __future__ import annotations

import base64
import datetime as dt
import plistlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID
from django.conf import LazySettings
from django.contrib.auth.models import User

from tests.apns.fake_apns import FakeAPNs, FakePKI, make_pki
from tests.apns.vendor_pki import key_pem, make_vendor_chain, pem
from tests.console.test_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPIC = f"com.apple.mgmt.External.{uuid.uuid4()}"


@pytest.fixture
def apple(tmp_path: Path, settings: LazySettings) -> Iterator[tuple[FakePKI, FakeAPNs]]:
    pki = make_pki(tmp_path / "apple")
    fake = FakeAPNs(pki)
    settings.APNS_HOST = "127.0.0.1"
    settings.APNS_PORT = fake.start_in_thread()
    settings.APNS_CA_FILE = str(pki.ca_file)
    yield pki, fake
    fake.stop_thread()


def _steps(page: Any) -> dict[str, str]:
    items = page.locator("#push-steps li")
    return {
        items.nth(i).get_attribute("data-step"): items.nth(i).get_attribute("data-done")
        for i in range(items.count())
    }


def _file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/octet-stream", "buffer": data}


def _apple_issues(pki: FakePKI, csr_pem: bytes) -> bytes:
    """What Apple's portal does with the request: a push certificate for the CSR's key."""
    csr = x509.load_pem_x509_csr(csr_pem)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.USER_ID, TOPIC),
                    x509.NameAttribute(NameOID.COMMON_NAME, f"APSP:{uuid.uuid4()}"),
                ]
            )
        )
        .issuer_name(pki.ca_cert.subject)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(pki.ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_push_certificate_steps_in_order(
    page: Any, live_server: Any, admin_user: User, shot: Any, apple: tuple[FakePKI, FakeAPNs]
) -> None:
    pki, fake = apple
    base = live_server.url
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/push/")
    titles = page.locator("#push-steps li strong").all_inner_texts()
    assert titles == [
        "1. Request",
        "2. Sign",
        "3. Upload to Apple",
        "4. Upload here",
        "5. Verify with a push",
    ]
    assert set(_steps(page).values()) == {"false"}
    assert "Produces:" in page.inner_text("#push-steps")
    shot("push-01-steps")

    # 1. Request: key and CSR; path (b) is the plain CSR for a signing service.
    page.fill("#push-csr input[name=common_name]", "Example Org")
    page.click("#push-csr button[type=submit]")
    page.wait_for_selector("#push-csrs")
    with page.expect_download() as info:
        page.click("#push-csrs a:has-text('Download CSR')")
    csr_pem = Path(info.value.path()).read_bytes()
    assert csr_pem.startswith(b"-----BEGIN CERTIFICATE REQUEST-----")
    assert "signing service" in page.inner_text("#push-path-b")
    assert _steps(page)["request"] == "true" and _steps(page)["sign"] == "false"
    shot("push-02-requested")

    # 2. Sign, path (a): a text file is refused with the reason, then the vendor certificate.
    page.set_input_files("#push-vendor-upload input[name=certificate]", _file("notes.txt", b"hi\n"))
    page.click("#push-vendor-upload button[type=submit]")
    assert "not a certificate or PKCS#12 file" in page.inner_text("#push-vendor-upload")
    shot("push-03-vendor-error")
    chain = make_vendor_chain()
    page.set_input_files(
        "#push-vendor-upload input[name=certificate]", _file("vendor.cer", pem(chain.vendor))
    )
    page.set_input_files(
        "#push-vendor-upload input[name=private_key]",
        _file("vendor.key", key_pem(chain.vendor_key)),
    )
    page.set_input_files(
        "#push-vendor-upload input[name=chain]", _file("apple.pem", pem(chain.wwdr, chain.root))
    )
    page.click("#push-vendor-upload button[type=submit]")
    assert "MDM Vendor: Example Org" in page.inner_text("#push-vendor")
    with page.expect_download() as info:
        page.click("#push-csrs a[data-signed-request]")
    signed = Path(info.value.path()).read_bytes()
    plist = plistlib.loads(base64.b64decode(signed, validate=True))
    csr_der = base64.b64decode(plist["PushCertRequestCSR"])
    assert csr_der == x509.load_pem_x509_csr(csr_pem).public_bytes(serialization.Encoding.DER)
    chain.vendor.public_key().verify(  # type: ignore[union-attr]
        base64.b64decode(plist["PushCertSignature"]), csr_der, padding.PKCS1v15(), hashes.SHA256()
    )
    page.reload()
    assert _steps(page)["sign"] == "true" and _steps(page)["upload"] == "false"
    shot("push-04-signed")

    # 3. Apple's portal issues the push certificate; 4. upload it here, without a key.
    page.set_input_files(
        "#push-upload input[name=certificate]", _file("MDM_Push.pem", _apple_issues(pki, csr_pem))
    )
    page.click("#push-upload button[type=submit]")
    assert TOPIC in page.inner_text("#push-certificate")
    steps = _steps(page)
    assert steps["apple"] == steps["upload"] == "true" and steps["verify"] == "false"
    shot("push-05-uploaded")

    # 5. Verify with a push: the fake APNs receives it with this certificate.
    page.click("#push-verify button[type=submit]")
    assert "accepted the certificate" in page.inner_text("#push-verify-result")
    assert len(fake.tokens()) == 1
    assert set(_steps(page).values()) == {"true"}
    shot("push-06-verified")
