import plistlib

import pytest

from mdm_server.models import AuditEvent
from mdm_server.pki import certificates, signing
from profiles import builder, mobileconfig, services
from profiles.exceptions import ProfileError
from profiles.models import Profile

pytestmark = pytest.mark.django_db


def _mobileconfig(identifier: str = "com.example.up", **extra: object) -> bytes:
    clip = builder.build_payload(
        "com.apple.webClip.managed", f"{identifier}.clip", {"URL": "https://e.x", "Label": "E"}
    )
    profile = builder.build_configuration_profile(
        identifier=identifier, display_name="Uploaded", payloads=[clip], scope="user"
    )
    profile.update(extra)
    return builder.to_mobileconfig(profile)


def test_plain_upload_is_stored(admin_user) -> None:
    row = services.upload_profile(data=_mobileconfig(), actor=admin_user)
    assert row.source == Profile.Source.UPLOADED
    assert row.scope == Profile.Scope.USER
    assert row.payload_summary[0]["type"] == "com.apple.webClip.managed"
    assert row.upload_signer == ""
    assert AuditEvent.objects.filter(action="profiles.upload").count() == 1


def test_signed_upload_is_verified_and_stored(server_pki, admin_user) -> None:
    data = _mobileconfig()
    row = services.upload_profile(data=signing.sign_profile(data), actor=admin_user)
    assert row.upload_signer == "MDM profile signing"
    assert bytes(row.content) == data


def test_signed_upload_with_bad_signature_is_refused(server_pki, admin_user) -> None:
    signed = bytearray(signing.sign_profile(_mobileconfig()))
    # Flip a byte of the embedded content: the digest no longer matches the signature.
    index = bytes(signed).index(b"https://e.x")
    signed[index] ^= 0x01
    with pytest.raises(ProfileError, match="signature is not valid"):
        services.upload_profile(data=bytes(signed), actor=admin_user)
    assert not Profile.objects.exists()


def test_signed_upload_by_another_key_still_needs_a_valid_signature(admin_user) -> None:
    key = certificates.new_rsa_key()
    ca = certificates.build_ca("Other CA", key=key)
    other = certificates.Identity(certificate=ca, key=key)
    data = signing.sign_with_identity(_mobileconfig(), other)
    row = services.upload_profile(data=data, actor=admin_user)
    assert row.upload_signer == "Other CA"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, not a plist", "neither a property list nor signed"),
        (b"<?xml version='1.0'?><plist><dict><key>a</key>", "not a valid property list"),
        (plistlib.dumps([1, 2]), "not a dictionary"),
        (plistlib.dumps({"PayloadType": "com.apple.wifi.managed"}), "Not a configuration profile"),
        (b"\x30\x82\x01\x00garbage", "signature is not valid"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(admin_user, data: bytes, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        services.upload_profile(data=data, actor=admin_user)
    assert not Profile.objects.exists()


def test_oversize_upload_is_refused(admin_user) -> None:
    data = _mobileconfig(PayloadDescription="x" * mobileconfig.MAX_UPLOAD_BYTES)
    with pytest.raises(ProfileError, match="bytes; profiles up to"):
        services.upload_profile(data=data, actor=admin_user)
    assert not Profile.objects.exists()


def test_duplicate_payload_uuids_are_refused(admin_user) -> None:
    profile = plistlib.loads(_mobileconfig())
    first = profile["PayloadContent"][0]
    profile["PayloadContent"].append(dict(first, PayloadIdentifier="other"))
    with pytest.raises(ProfileError, match="duplicate PayloadUUID") as info:
        services.upload_profile(data=plistlib.dumps(profile), actor=admin_user)
    assert "PayloadContent[1].PayloadUUID" in info.value.fields
    assert not Profile.objects.exists()


def test_schema_errors_in_an_upload_name_the_field(admin_user) -> None:
    profile = plistlib.loads(_mobileconfig())
    profile["PayloadContent"][0]["Label"] = 42
    with pytest.raises(ProfileError) as info:
        services.upload_profile(data=plistlib.dumps(profile), actor=admin_user)
    assert info.value.fields == {"PayloadContent[0].Label": ["must be a string, not an integer"]}


def test_unknown_keys_in_an_upload_are_warnings(admin_user) -> None:
    profile = plistlib.loads(_mobileconfig())
    profile["PayloadContent"][0]["KeyFromTheFuture"] = True
    row = services.upload_profile(data=plistlib.dumps(profile), actor=admin_user)
    assert row.warnings == [
        "PayloadContent[0].KeyFromTheFuture: not a key of this payload in Apple's schema"
    ]


def test_encrypted_and_duplicate_identifier_uploads_are_refused(admin_user) -> None:
    with pytest.raises(ProfileError, match="Encrypted"):
        services.upload_profile(data=_mobileconfig(EncryptedPayloadContent=b"x"), actor=admin_user)
    services.upload_profile(data=_mobileconfig(), actor=admin_user)
    with pytest.raises(ProfileError, match="already exists"):
        services.upload_profile(data=_mobileconfig(), actor=admin_user)
    assert Profile.objects.count() == 1


def test_metadata_change_keeps_uploaded_content_exactly(admin_user) -> None:
    profile = plistlib.loads(_mobileconfig(ConsentText={"default": "Please accept"}))
    profile["PayloadContent"][0]["KeyFromTheFuture"] = b"\x00\x01binary"
    row = services.upload_profile(data=plistlib.dumps(profile), actor=admin_user)
    row = services.update_profile(row, actor=admin_user, display_name="Renamed", ue_mode="subset")
    stored = row.as_dict()
    assert stored["PayloadDisplayName"] == "Renamed"
    assert stored["ConsentText"] == {"default": "Please accept"}
    assert stored["PayloadContent"] == profile["PayloadContent"]
    assert row.version == 2 and row.ue_mode == "subset"


def _with_clip(**clip: object) -> bytes:
    profile = plistlib.loads(_mobileconfig())
    profile["PayloadContent"][0].update(clip)
    return plistlib.dumps(profile, fmt=plistlib.FMT_BINARY)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # A keyed archive's object reference, which only a binary property list can hold.
        (_with_clip(Label=plistlib.UID(1)), "UID"),
        (_with_clip(KeyFromTheFuture=[plistlib.UID(1)]), "UID"),
        # Longer than their columns: stored cut, they would name another profile.
        (_mobileconfig("com.example." + "x" * 250), "PayloadIdentifier is longer than 255"),
        (_mobileconfig(PayloadUUID="A" * 65), "PayloadUUID is longer than 64"),
    ],
    ids=["uid", "nested-uid", "long-identifier", "long-uuid"],
)
def test_uploads_a_profile_row_cannot_hold_are_refused_everywhere(
    admin_user, admin_client, data: bytes, message: str
) -> None:
    """They were a 500 on the API and the console (TypeError writing the plist again,
    DataError from PostgreSQL)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mdm_server import api_tokens

    with pytest.raises(ProfileError, match=message):
        services.upload_profile(data=data, actor=admin_user)
    token = api_tokens.create_api_token(user=admin_user, actor=None).key
    api = admin_client.post(
        "/api/v1/profiles/upload/",
        {"file": SimpleUploadedFile("p.mobileconfig", data)},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert api.status_code == 400 and message in api.json()["error"]["message"], api.content
    console = admin_client.post(
        "/console/profiles/upload/",
        {"file": SimpleUploadedFile("p.mobileconfig", data), "ue_mode": "skip"},
    )
    assert console.status_code == 200 and message in console.content.decode()
    assert not Profile.objects.exists()
