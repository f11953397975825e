import base64
import plistlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from devices.models import Command, Enrollment
from mdm_server.pki import cms
from profiles import builder, mobileconfig, services
from profiles.models import Delivery, Profile

pytestmark = pytest.mark.django_db

BODY = {
    "identifier": "com.example.api",
    "display_name": "API profile",
    "payloads": [
        {"type": "com.apple.mobiledevice.passwordpolicy", "content": {"minLength": 8}},
        {"type": "com.apple.webClip.managed", "content": {"URL": "https://e.x", "Label": "E"}},
    ],
}


def _create(client, body=BODY):
    return client.post("/api/v1/profiles/", body, content_type="application/json")


def test_create_list_and_detail(admin_client) -> None:
    response = _create(admin_client)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["version"] == 1
    assert [p["type"] for p in data["payloads"]] == [
        "com.apple.mobiledevice.passwordpolicy",
        "com.apple.webClip.managed",
    ]
    assert data["content"][0]["minLength"] == 8
    assert {r["platform"] for r in data["ue_report"]} == {"iOS", "macOS"}
    listing = admin_client.get("/api/v1/profiles/").json()
    assert listing["count"] == 1


def test_schema_error_is_a_400_naming_the_field(admin_client) -> None:
    body = dict(BODY, payloads=[{"type": "com.apple.mobiledevice.passwordpolicy",
                                 "content": {"minLength": 99, "allowSimple": "yes"}}])  # fmt: skip
    response = _create(admin_client, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["payloads[0].minLength"] == ["must be at most 16"]
    assert error["fields"]["payloads[0].allowSimple"] == ["must be a boolean, not a string"]
    assert not Profile.objects.exists()


def test_data_values_travel_as_base64(admin_client) -> None:
    cert = b"0\x82\x01\x0acertificate bytes"
    body = dict(BODY, identifier="com.example.root", payloads=[
        {"type": "com.apple.security.root",
         "content": {"PayloadContent": base64.b64encode(cert).decode()}}])  # fmt: skip
    response = _create(admin_client, body)
    assert response.status_code == 201, response.content
    profile = Profile.objects.get()
    assert profile.payloads[0]["PayloadContent"] == cert
    assert response.json()["content"][0]["PayloadContent"] == base64.b64encode(cert).decode()


def test_helpdesk_reads_but_cannot_write(helpdesk_client, admin_user) -> None:
    profile = services.create_profile(
        identifier="com.ex.h", display_name="H", actor=admin_user,
        payloads=[services.PayloadInput("com.apple.webClip.managed", {"URL": "https://a", "Label": "A"})],
    )  # fmt: skip
    assert helpdesk_client.get("/api/v1/profiles/").status_code == 200
    assert helpdesk_client.get(f"/api/v1/profiles/{profile.pk}/ue-report/").status_code == 200
    assert _create(helpdesk_client).status_code == 403
    assert helpdesk_client.delete(f"/api/v1/profiles/{profile.pk}/").status_code == 403
    response = helpdesk_client.post(
        f"/api/v1/profiles/{profile.pk}/assignments/",
        {"enrollment_types": ["device"]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Profile.objects.filter(pk=profile.pk).exists()


def test_anonymous_and_outsider_are_refused(client, outsider_user) -> None:
    assert client.get("/api/v1/profiles/").status_code in (401, 403)
    client.force_login(outsider_user)
    assert client.get("/api/v1/profiles/").status_code == 403


def test_upload_plain_and_bad(admin_client) -> None:
    clip = builder.build_payload(
        "com.apple.webClip.managed", "c", {"URL": "https://a", "Label": "A"}
    )
    data = builder.to_mobileconfig(
        builder.build_configuration_profile(
            identifier="com.ex.up", display_name="U", payloads=[clip]
        )
    )
    ok = admin_client.post(
        "/api/v1/profiles/upload/", {"file": SimpleUploadedFile("p.mobileconfig", data)}
    )
    assert ok.status_code == 201, ok.content
    bad = admin_client.post(
        "/api/v1/profiles/upload/", {"file": SimpleUploadedFile("x.mobileconfig", b"junk")}
    )
    assert bad.status_code == 400
    assert "neither a property list" in bad.json()["error"]["message"]
    assert Profile.objects.count() == 1


def test_assign_reports_queued_and_skipped_with_reasons(admin_client, server_pki) -> None:
    from tests.profiles.conftest import make_enrollment

    device = make_enrollment(enrollment_type=Enrollment.Type.DEVICE, platform="iOS")
    ue_mac = make_enrollment(enrollment_type=Enrollment.Type.USER, platform="macOS")
    profile_id = _create(admin_client).json()["id"]
    response = admin_client.post(
        f"/api/v1/profiles/{profile_id}/assignments/",
        {"enrollments": [str(device.public_id), str(ue_mac.public_id)]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["queued"] == [str(device.public_id)]
    assert "User Enrollment on macOS" in data["skipped"][str(ue_mac.public_id)]
    command = Command.objects.get(uuid=data["commands"][0])
    signed = plistlib.loads(bytes(command.body))["Command"]["Payload"]
    assert cms.verify_signed_data(signed).content == bytes(Profile.objects.get().content)
    deliveries = admin_client.get(f"/api/v1/profiles/{profile_id}/deliveries/").json()
    assert {d["status"] for d in deliveries["results"]} == {"queued", "skipped"}
    assignments = admin_client.get(f"/api/v1/profiles/{profile_id}/assignments/").json()
    assert len(assignments) == 2
    mine = next(a for a in assignments if a["enrollment"] == str(device.public_id))
    gone = admin_client.delete(f"/api/v1/profiles/{profile_id}/assignments/{mine['id']}/")
    assert gone.status_code == 200
    assert Delivery.objects.get(enrollment=device).status == Delivery.Status.REMOVING


def test_assign_unknown_targets_is_a_400(admin_client) -> None:
    profile_id = _create(admin_client).json()["id"]
    response = admin_client.post(
        f"/api/v1/profiles/{profile_id}/assignments/",
        {"enrollments": ["00000000-0000-0000-0000-000000000000"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "enrollments" in response.json()["error"]["fields"]
    empty = admin_client.post(
        f"/api/v1/profiles/{profile_id}/assignments/", {}, content_type="application/json"
    )
    assert empty.status_code == 400


def test_update_bumps_version_and_download_is_signed(admin_client, server_pki) -> None:
    profile_id = _create(admin_client).json()["id"]
    response = admin_client.patch(
        f"/api/v1/profiles/{profile_id}/",
        {"display_name": "Renamed", "ue_mode": "subset"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    download = admin_client.get(f"/api/v1/profiles/{profile_id}/mobileconfig/")
    assert download["Content-Type"] == "application/x-apple-aspen-config"
    content = cms.verify_signed_data(download.content).content
    assert plistlib.loads(content)["PayloadDisplayName"] == "Renamed"


def test_catalogue_lists_schema_keys(helpdesk_client) -> None:
    data = helpdesk_client.get("/api/v1/profiles/catalogue/").json()
    wifi = next(item for item in data if item["payload_type"] == "com.apple.wifi.managed")
    assert any(k["key"] == "EncryptionType" and "rangelist" in k for k in wifi["keys"])


def test_oversize_upload_is_a_400(admin_client) -> None:
    big = SimpleUploadedFile("big.mobileconfig", b"<?xml" + b" " * mobileconfig.MAX_UPLOAD_BYTES)
    response = admin_client.post("/api/v1/profiles/upload/", {"file": big})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_large"
    assert not Profile.objects.exists()


def test_replace_with_a_new_upload(admin_client, server_pki) -> None:
    def mobileconfig_bytes(label: str, identifier: str = "com.ex.rep") -> bytes:
        clip = builder.build_payload(
            "com.apple.webClip.managed", "c", {"URL": "https://a", "Label": label}
        )
        return builder.to_mobileconfig(
            builder.build_configuration_profile(
                identifier=identifier, display_name="R", payloads=[clip]
            )
        )

    created = admin_client.post(
        "/api/v1/profiles/upload/",
        {"file": SimpleUploadedFile("p.mobileconfig", mobileconfig_bytes("one"))},
    ).json()
    url = f"/api/v1/profiles/{created['id']}/upload/"
    other = admin_client.post(
        url, {"file": SimpleUploadedFile("p.mobileconfig", mobileconfig_bytes("x", "com.other"))}
    )
    assert other.status_code == 400
    assert "another PayloadIdentifier" in other.json()["error"]["message"]
    response = admin_client.post(
        url, {"file": SimpleUploadedFile("p.mobileconfig", mobileconfig_bytes("two"))}
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["content"][0]["Label"] == "two"
