"""Console pages, REST API and the management command, with the role checks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from apns import services
from apns.models import PushBatch, PushCertificate, PushCertificateRequest
from mdm_server.models import AuditEvent
from tests.apns.conftest import OTHER_TOPIC, TOPIC, EnrollmentFactory, make_push_pem
from tests.apns.fake_apns import FakeAPNs, FakePKI

pytestmark = pytest.mark.django_db


def _files(pki: FakePKI, key: rsa.RSAPrivateKey, **kw: object) -> dict[str, SimpleUploadedFile]:
    cert, key_pem = make_push_pem(pki, key, **kw)  # type: ignore[arg-type]
    return {
        "certificate": SimpleUploadedFile("push.pem", cert),
        "private_key": SimpleUploadedFile("push.key", key_pem),
    }


# --- console -----------------------------------------------------------------------------------


def test_console_page_roles(
    admin_client: Client, helpdesk_client: Client, outsider_user: object, client: Client
) -> None:
    page = admin_client.get("/console/push/")
    assert page.status_code == 200
    assert b'data-nav="push"' in page.content and b'class="active" data-nav="push"' in page.content
    assert b"push-upload" in page.content
    helpdesk = helpdesk_client.get("/console/push/")
    assert helpdesk.status_code == 200 and b"push-upload" not in helpdesk.content
    assert client.get("/console/push/").status_code == 302  # to the login page
    client.force_login(outsider_user)  # type: ignore[arg-type]
    assert client.get("/console/push/").status_code == 403


def test_console_upload_and_topic_refusal(
    admin_client: Client, helpdesk_client: Client, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    denied = helpdesk_client.post("/console/push/certificate/", _files(apns_pki, push_key))
    assert denied.status_code == 403 and not PushCertificate.objects.exists()

    ok = admin_client.post("/console/push/certificate/", _files(apns_pki, push_key))
    assert ok.status_code == 302
    page = admin_client.get("/console/push/")
    assert TOPIC.encode() in page.content

    refused = admin_client.post(
        "/console/push/certificate/", _files(apns_pki, push_key, topic=OTHER_TOPIC)
    )
    assert refused.status_code == 400
    assert b"would be orphaned" in refused.content
    assert services.active_topic() == TOPIC

    forced = admin_client.post(
        "/console/push/certificate/",
        {**_files(apns_pki, push_key, topic=OTHER_TOPIC), "force": "on"},
    )
    assert forced.status_code == 302 and services.active_topic() == OTHER_TOPIC


def test_console_upload_bad_password_is_a_form_error(
    admin_client: Client, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    from tests.apns.test_certificate import _p12

    response = admin_client.post(
        "/console/push/certificate/",
        {
            "certificate": SimpleUploadedFile("push.p12", _p12(apns_pki, push_key, b"right")),
            "password": "wrong",
        },
    )
    assert response.status_code == 400
    assert b"wrong password" in response.content


def test_console_csr_and_download(admin_client: Client, helpdesk_client: Client) -> None:
    response = admin_client.post("/console/push/csr/", {"common_name": "Example"})
    assert response.status_code == 302
    row = PushCertificateRequest.objects.get()
    download = admin_client.get(f"/console/push/csr/{row.pk}/download/")
    assert download.status_code == 200
    assert download.content.startswith(b"-----BEGIN CERTIFICATE REQUEST-----")
    assert "attachment" in download["Content-Disposition"]
    assert helpdesk_client.get(f"/console/push/csr/{row.pk}/download/").status_code == 403
    assert admin_client.post("/console/push/csr/", {"common_name": ""}).status_code == 400


def test_console_push_all_and_progress_fragment(
    admin_client: Client,
    helpdesk_client: Client,
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    for _ in range(3):
        enrollment_factory()
    assert helpdesk_client.post("/console/push/push-all/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post("/console/push/push-all/").status_code == 302
    batch = PushBatch.objects.get()
    fragment = helpdesk_client.get(f"/console/push/batches/{batch.pk}/")
    assert fragment.status_code == 200
    assert b"3 sent, 0 failed" in fragment.content
    assert b"hx-trigger" not in fragment.content  # done: polling stops
    running = PushBatch.objects.create(total=10, sent=4)
    fragment = helpdesk_client.get(f"/console/push/batches/{running.pk}/")
    assert b'hx-trigger="every 2s"' in fragment.content and b"4 sent" in fragment.content
    assert len(fake_apns.tokens()) == 3


def test_dashboard_alert_include_renders(client: Client) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("apns/_dashboard_alerts.html", {"alerts": ["Renew it"]})
    assert "Renew it" in html and "/console/push/" in html


# --- API ---------------------------------------------------------------------------------------


def test_api_certificate_status_and_upload(
    admin_client: Client, helpdesk_client: Client, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    empty = helpdesk_client.get("/api/v1/push-certificate/")
    assert empty.status_code == 200 and empty.json()["configured"] is False

    denied = helpdesk_client.post("/api/v1/push-certificate/", _files(apns_pki, push_key))
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"

    created = admin_client.post("/api/v1/push-certificate/", _files(apns_pki, push_key))
    assert created.status_code == 201, created.content
    assert created.json()["topic"] == TOPIC and created.json()["days_left"] >= 363

    refused = admin_client.post(
        "/api/v1/push-certificate/", _files(apns_pki, push_key, topic=OTHER_TOPIC)
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "topic_changed"

    bad = admin_client.post(
        "/api/v1/push-certificate/",
        {"certificate": SimpleUploadedFile("x.pem", b"garbage")},
    )
    assert bad.status_code == 400 and "PKCS#12" in bad.json()["error"]["message"]
    missing = admin_client.post("/api/v1/push-certificate/", {})
    assert missing.status_code == 400 and "certificate" in missing.json()["error"]["fields"]
    assert helpdesk_client.get("/api/v1/push-certificate/").json()["topic"] == TOPIC


def test_api_csr(admin_client: Client, helpdesk_client: Client) -> None:
    assert helpdesk_client.post("/api/v1/push-certificate/csr/", {}).status_code == 403
    created = admin_client.post(
        "/api/v1/push-certificate/csr/", {"common_name": "Org"}, content_type="application/json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    detail = helpdesk_client.get(f"/api/v1/push-certificate/csr/{pk}/")
    assert detail.json()["csr_pem"].startswith("-----BEGIN CERTIFICATE REQUEST-----")
    assert "encrypted_key" not in detail.json()


def test_api_push_batches(
    admin_client: Client,
    helpdesk_client: Client,
    fake_apns: FakeAPNs,
    push_certificate: PushCertificate,
    enrollment_factory: EnrollmentFactory,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    enrollments = [enrollment_factory() for _ in range(2)]
    body = {"enrollment_ids": [e.pk for e in enrollments]}
    assert (
        helpdesk_client.post(
            "/api/v1/push-batches/", body, content_type="application/json"
        ).status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/api/v1/push-batches/", body, content_type="application/json")
    assert response.status_code == 202
    batch_id = response.json()["id"]
    detail = helpdesk_client.get(f"/api/v1/push-batches/{batch_id}/").json()
    assert (detail["total"], detail["sent"], detail["status"]) == (2, 2, "done")
    assert detail["unknown"] == 0
    assert helpdesk_client.get("/api/v1/push-batches/").json()[0]["id"] == batch_id
    invalid = admin_client.post("/api/v1/push-batches/", {}, content_type="application/json")
    assert invalid.status_code == 400
    assert AuditEvent.objects.filter(action="apns.push").count() == 1


# --- management command ------------------------------------------------------------------------


def test_command_upload_show_csr(
    tmp_path: Path, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    cert, key = make_push_pem(apns_pki, push_key)
    (tmp_path / "push.pem").write_bytes(cert)
    (tmp_path / "push.key").write_bytes(key)
    out = io.StringIO()
    call_command(
        "push_certificate", "upload", str(tmp_path / "push.pem"), "--key", str(tmp_path / "push.key"),
        stdout=out,
    )  # fmt: skip
    assert TOPIC in out.getvalue()
    out = io.StringIO()
    call_command("push_certificate", "show", stdout=out)
    assert f"Topic:   {TOPIC}" in out.getvalue()
    call_command(
        "push_certificate", "csr", "--common-name", "Org", "--out", str(tmp_path / "req.csr"),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert (tmp_path / "req.csr").read_text().startswith("-----BEGIN CERTIFICATE REQUEST")


def test_command_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no push certificate"):
        call_command("push_certificate", "show")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("push_certificate", "upload", str(tmp_path / "missing.pem"))
    (tmp_path / "bad.pem").write_bytes(b"nope")
    with pytest.raises(CommandError, match="PKCS#12"):
        call_command("push_certificate", "upload", str(tmp_path / "bad.pem"))
