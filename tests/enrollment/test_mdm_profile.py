"""The pure enrollment-profile builder."""

from __future__ import annotations

import pytest

from enrollment import mdm_profile as mp

TOPIC = "com.apple.mgmt.External.abc"


def _spec(kind: mp.ProfileKind, **overrides: object) -> mp.EnrollmentProfileSpec:
    values: dict[str, object] = {
        "kind": kind,
        "identifier": "com.example.mdm",
        "organisation": "Example",
        "server_url": "https://mdm.example.com/mdm/connect",
        "check_in_url": "https://mdm.example.com/mdm/checkin",
        "topic": TOPIC,
        "identity": mp.ScepIdentity(
            url="https://mdm.example.com/scep", challenge="c", subject_cn="x"
        ),
        "managed_apple_id": "alex@example.appleid.com",
    }
    values.update(overrides)
    return mp.EnrollmentProfileSpec(**values)  # type: ignore[arg-type]


def test_byod_profile_has_mode_and_apple_id_but_no_access_rights() -> None:
    profile = mp.build_enrollment_profile(_spec(mp.ProfileKind.ACCOUNT_BYOD))
    mdm = mp.mdm_payload_of(profile)
    assert mdm["EnrollmentMode"] == "BYOD"
    assert mdm["AssignedManagedAppleID"] == "alex@example.appleid.com"
    assert "AccessRights" not in mdm and "ManagedAppleID" not in mdm
    identity = profile["PayloadContent"][0]
    assert identity["PayloadType"] == "com.apple.security.scep"
    assert mdm["IdentityCertificateUUID"] == identity["PayloadUUID"]
    assert mdm["ServerCapabilities"] == list(mp.SERVER_CAPABILITIES)


def test_adde_and_device_profiles_carry_access_rights() -> None:
    adde = mp.mdm_payload_of(mp.build_enrollment_profile(_spec(mp.ProfileKind.ACCOUNT_ADDE)))
    assert adde["EnrollmentMode"] == "ADDE" and adde["AccessRights"] == 8191
    device = mp.mdm_payload_of(
        mp.build_enrollment_profile(
            _spec(mp.ProfileKind.DEVICE, managed_apple_id="", access_rights=3)
        )
    )
    assert device["AccessRights"] == 3 and "EnrollmentMode" not in device


def test_profile_based_user_enrollment_uses_managed_apple_id() -> None:
    mdm = mp.mdm_payload_of(mp.build_enrollment_profile(_spec(mp.ProfileKind.PROFILE_UE)))
    assert mdm["ManagedAppleID"] == "alex@example.appleid.com"
    assert "AccessRights" not in mdm and "AssignedManagedAppleID" not in mdm


def test_pkcs12_identity() -> None:
    spec = _spec(
        mp.ProfileKind.ACCOUNT_BYOD, identity=mp.Pkcs12Identity(data=b"p12", password="pw")
    )
    payload = mp.build_enrollment_profile(spec)["PayloadContent"][0]
    assert payload["PayloadType"] == "com.apple.security.pkcs12"
    assert payload["PayloadContent"] == b"p12" and payload["Password"] == "pw"


@pytest.mark.parametrize(
    ("kind", "overrides", "message"),
    [
        (mp.ProfileKind.ACCOUNT_BYOD, {"topic": ""}, "push certificate"),
        (mp.ProfileKind.ACCOUNT_BYOD, {"managed_apple_id": ""}, "Managed Apple ID"),
        (mp.ProfileKind.DEVICE, {"access_rights": 2}, "needs 1"),
        (mp.ProfileKind.DEVICE, {"access_rights": 128 | 1}, "needs 64"),
        (mp.ProfileKind.DEVICE, {"access_rights": 0}, "between"),
        (mp.ProfileKind.DEVICE, {"server_url": "mdm/connect"}, "ServerURL"),
    ],
)
def test_invalid_specs(kind: mp.ProfileKind, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(mp.MdmProfileError, match=message):
        mp.build_enrollment_profile(_spec(kind, **overrides))


def test_parse_profile_rejects_garbage() -> None:
    with pytest.raises(mp.MdmProfileError, match="not a property list"):
        mp.parse_profile(b"nope")
