"""Hosted asset data: the admin uploads a file for an asset, the server serves it at the asset's
Reference.DataURL with MDM authentication, to the devices given the asset only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from devices.models import Enrollment
from mdm_server import encryption
from profiles.declarations import asset_data, services
from profiles.declarations.models import AssetData, Declaration, DeclarationState, SetAssignment
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
DATA = "com.apple.asset.data"
BODY = json.dumps({"greeting": "hello"}).encode()


def _asset(identifier: str = "com.ex.data", declaration_type: str = DATA) -> Declaration:
    return services.create_declaration(
        declaration_type=declaration_type,
        identifier=identifier,
        display_name=identifier,
        payload={},
    )


def _given(device: SimulatedDevice, *declarations: Declaration) -> Enrollment:
    device.enroll()
    row = Enrollment.objects.get(enrollment_id=device.enrollment_id)
    work = services.create_set(name=f"set-{row.pk}", declarations=list(declarations))
    services.assign_set(declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=row)
    return row


def test_uploaded_data_is_the_assets_reference_and_reaches_the_device(
    make_device: MakeDevice,
) -> None:
    asset = _asset()
    phone = make_device(platform="iOS", user_enrollment=True)
    row = _given(phone, asset)
    # Not uploaded yet: withheld, with the reason.
    assert services.served(row).withheld["com.ex.data"] == "its data has not been uploaded yet"
    asset = asset_data.upload_asset_data(
        asset, data=BODY, content_type="application/json", filename="hello.json"
    )
    assert asset.version == 2
    digest = hashlib.sha256(BODY).hexdigest()
    assert asset.payload["Reference"] == {
        "DataURL": asset_data.asset_data_url(asset, digest),
        "ContentType": "application/json",
        "Size": len(BODY),
        "Hash-SHA-256": digest,
    }
    assert asset.payload["Reference"]["DataURL"].endswith(f"/asset/{asset.pk}/{digest}")
    assert asset.payload["Authentication"] == {"Type": "MDM"}  # Apple's "MDM semantics"
    phone.sync_declarations()
    assert phone.declarative.asset_data["com.ex.data"] == BODY
    state = DeclarationState.objects.get(enrollment=row, identifier="com.ex.data")
    assert state.valid == "valid"


def test_another_enrolled_device_cannot_fetch_it(make_device: MakeDevice) -> None:
    asset = _asset()
    phone = make_device(platform="iOS", user_enrollment=True)
    _given(phone, asset)
    asset = asset_data.upload_asset_data(asset, data=BODY, content_type="application/json")
    url = asset.payload["Reference"]["DataURL"]
    assert phone.fetch(url) == (200, BODY)
    stranger = make_device(platform="iOS", user_enrollment=True)
    stranger.enroll()
    status, body = stranger.fetch(url)
    assert status == 404 and BODY not in body
    # No identity at all: refused with the reason; a made-up identifier: nothing either.
    anonymous = Client().get(urlsplit(url).path)
    assert anonymous.status_code == 403 and b"no device identity" in anonymous.content
    assert phone.fetch(url.replace(f"/{asset.pk}/", f"/{asset.pk + 999}/"))[0] == 404


def test_a_replaced_file_gets_a_new_url_and_the_old_one_stops(make_device: MakeDevice) -> None:
    asset = _asset()
    phone = make_device(platform="iOS", user_enrollment=True)
    _given(phone, asset)
    old = asset_data.upload_asset_data(asset, data=BODY, content_type="application/json")
    old_url = old.payload["Reference"]["DataURL"]
    new = asset_data.upload_asset_data(old, data=b'{"v": 2}', content_type="application/json")
    assert new.payload["Reference"]["DataURL"] != old_url
    assert phone.fetch(old_url)[0] == 404
    assert phone.fetch(new.payload["Reference"]["DataURL"]) == (200, b'{"v": 2}')


def test_the_device_checks_the_hash_and_reports_a_mismatch(make_device: MakeDevice) -> None:
    asset = _asset()
    phone = make_device(platform="iOS", user_enrollment=True)
    row = _given(phone, asset)
    asset_data.upload_asset_data(asset, data=BODY, content_type="application/json")
    # The stored bytes change behind the declaration's back (a damaged or tampered store).
    AssetData.objects.filter(declaration=asset).update(
        encrypted_data=encryption.encrypt(b'{"greeting": "evil"}')
    )
    phone.sync_declarations()
    assert "com.ex.data" not in phone.declarative.asset_data
    state = DeclarationState.objects.get(enrollment=row, identifier="com.ex.data")
    assert state.valid == "invalid"
    assert "Size" in state.reasons[0]["description"] or "Hash" in state.reasons[0]["description"]
    # Same size, other bytes: the hash is what catches it.
    AssetData.objects.filter(declaration=asset).update(
        encrypted_data=encryption.encrypt(BODY.replace(b"hello", b"jello"))
    )
    phone.declarative.token = ""  # sync again
    phone.sync_declarations()
    state.refresh_from_db()
    assert state.reasons[0]["description"] == "the data does not match its Hash-SHA-256"


def test_a_certificate_asset_takes_one_certificate(make_device: MakeDevice) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    asset = _asset("com.ex.root", "com.apple.asset.credential.certificate")
    pem = phone.certificate.public_bytes(serialization.Encoding.PEM)
    asset = asset_data.upload_asset_data(asset, data=pem, content_type="text/plain")
    assert asset.payload["Reference"]["ContentType"] == "application/pem"
    der = phone.certificate.public_bytes(serialization.Encoding.DER)
    asset = asset_data.upload_asset_data(asset, data=der)
    assert asset.payload["Reference"]["ContentType"] == "application/pkcs1"
    before = AssetData.objects.get(declaration=asset).sha256
    with pytest.raises(services.DeclarationError, match="X.509"):
        asset_data.upload_asset_data(asset, data=b"not a certificate")
    assert AssetData.objects.get(declaration=asset).sha256 == before  # the stored file stays


@pytest.mark.parametrize(
    ("declaration_type", "data", "content_type", "message"),
    [
        ("com.apple.asset.useridentity", BODY, "application/json", "no data the server can host"),
        (DATA, b"", "application/json", "empty"),
        (DATA, b"{", "application/json", "not JSON"),
        (DATA, b"x", "not a type", "not a media type"),
    ],
    ids=["no-reference", "empty", "bad-json", "bad-media-type"],
)
def test_bad_uploads_are_refused_with_a_reason(
    declaration_type: str, data: bytes, content_type: str, message: str
) -> None:
    payload: dict[str, Any] = {}
    asset = services.create_declaration(
        declaration_type=declaration_type, identifier="com.ex.a", display_name="a", payload=payload
    )
    with pytest.raises(services.DeclarationError, match=message):
        asset_data.upload_asset_data(asset, data=data, content_type=content_type)
    assert not AssetData.objects.exists()


def test_console_upload(admin_client: Client) -> None:
    asset = _asset()
    url = reverse("declarations-asset-upload", args=[asset.pk])
    page = admin_client.post(
        url, {"file": SimpleUploadedFile("hello.json", BODY), "content_type": ""}, follow=True
    )
    assert page.status_code == 200 and b"File stored" in page.content
    stored = AssetData.objects.get(declaration=asset)
    assert stored.content_type == "application/json" and stored.data == BODY
    assert BODY not in bytes(stored.encrypted_data)  # encrypted at rest
    assert (
        b"hello.json" in admin_client.get(reverse("declarations-detail", args=[asset.pk])).content
    )
    page = admin_client.post(url, {"file": SimpleUploadedFile("bad.json", b"{")}, follow=True)
    assert b"not JSON" in page.content
    assert AssetData.objects.get(declaration=asset).data == BODY


def test_api_upload(admin_client: Client) -> None:
    asset = _asset()
    url = f"/api/v1/declarations/{asset.pk}/data/"
    response = admin_client.post(url, {"file": SimpleUploadedFile("hello.json", BODY)})
    assert response.status_code == 200, response.content
    reference = response.json()["payload"]["Reference"]
    assert reference["Hash-SHA-256"] == hashlib.sha256(BODY).hexdigest()
    assert reference["ContentType"] == "application/json"  # guessed from the name
    bad = admin_client.post(url, {"file": SimpleUploadedFile("x.json", b"{"), "content_type": ""})
    assert bad.status_code == 400 and "not JSON" in bad.json()["error"]["fields"]["data"][0]
    assert AssetData.objects.get(declaration=asset).data == BODY


def test_json_data_nested_too_deeply_to_check_is_refused_with_the_reason() -> None:
    """The JSON check of a data asset was json.loads: 100,000 nested arrays were a
    RecursionError (a 500 from the console's and the API's upload)."""
    asset = _asset()
    with pytest.raises(services.DeclarationError) as refused:
        asset_data.upload_asset_data(
            asset, data=b"[" * 100_000 + b"]" * 100_000, content_type="application/json"
        )
    assert "nested" in str(refused.value.errors["data"])
    assert not AssetData.objects.exists()
