"""The pure enrollment-profile builder."""

from __future__ import annotations

import itertools
import plistlib

import pytest

from enrollment import mdm_profile as mp
from profiles.builder import to_mobileconfig

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
    with pytest.raises(mp.MdmProfileError, match=message):
        mp.enrollment_profile_xml(_spec(kind, **overrides))


# --- the .mobileconfig from kept XML: the bytes plistlib writes ---------------------------------

# Text plistlib escapes or rewrites (entities, line ends), quotes, non-ASCII, a tab, an empty
# string, and text that looks like the kept XML's own markup.
AWKWARD = [
    "plain",
    "",
    "a & b <c> d>e",
    "line\r\nend\rcr\nlf",
    "tab\there",
    "quotes \" and '",
    "ünïcødé 名前 🙂",
    "</string><string>",
    "&amp;",
]


def _same_uuids(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = itertools.count()
    monkeypatch.setattr(mp, "new_uuid", lambda: f"UUID-{next(counter)}")


def _both(spec: mp.EnrollmentProfileSpec, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    _same_uuids(monkeypatch)
    expected = to_mobileconfig(mp.build_enrollment_profile(spec))
    _same_uuids(monkeypatch)
    return expected, mp.enrollment_profile_xml(spec)


@pytest.mark.parametrize("kind", list(mp.ProfileKind))
@pytest.mark.parametrize("text", AWKWARD)
def test_kept_xml_writes_what_plistlib_writes(
    kind: mp.ProfileKind, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = mp.ScepIdentity(
        url=f"https://mdm.example.com/scep?{text}", challenge=f"ch{text}", subject_cn=f"MDM {text}"
    )
    apple_id = "" if kind == mp.ProfileKind.DEVICE else f"{text}@appleid.example.com"
    spec = _spec(kind, identity=identity, managed_apple_id=apple_id, organisation=f"Org {text}")
    for _ in range(2):  # the first writes the kept XML, the second uses it
        expected, got = _both(spec, monkeypatch)
        assert got == expected


def test_kept_xml_follows_every_other_field(monkeypatch: pytest.MonkeyPatch) -> None:
    base = _spec(mp.ProfileKind.ACCOUNT_ADDE)
    scep = mp.ScepIdentity(url="https://mdm.example.com/scep", challenge="c", subject_cn="x")
    variants = [
        base,
        _spec(mp.ProfileKind.ACCOUNT_ADDE, organisation="Other"),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, identifier="org.other.mdm"),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, server_url="https://other.example.com/mdm/connect"),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, check_in_url="https://other.example.com/checkin"),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, topic=TOPIC + ".other"),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, access_rights=1 | 4),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, server_capabilities=("com.apple.mdm.token",)),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, identity=mp.ScepIdentity(
            url="https://other.example.com/scep", challenge="c", subject_cn="x")),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, identity=mp.ScepIdentity(
            url=scep.url, challenge="c", subject_cn="x", key_size=4096)),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, identity=mp.ScepIdentity(
            url=scep.url, challenge="c", subject_cn="x", ca_fingerprint=b"\x01" * 32)),
    ]  # fmt: skip
    written = set()
    for spec in [*variants, *variants]:
        expected, got = _both(spec, monkeypatch)
        assert got == expected
        written.add(got)
    assert len(written) == len(variants)


def test_kept_xml_new_uuids_each_time() -> None:
    spec = _spec(mp.ProfileKind.ACCOUNT_BYOD)
    first, second = (plistlib.loads(mp.enrollment_profile_xml(spec)) for _ in range(2))
    uuids = [
        (p["PayloadUUID"], *(c["PayloadUUID"] for c in p["PayloadContent"]))
        for p in (first, second)
    ]
    assert len(set(uuids[0]) | set(uuids[1])) == 6
    for profile in (first, second):
        identity, mdm = profile["PayloadContent"]
        assert mdm["IdentityCertificateUUID"] == identity["PayloadUUID"]


@pytest.mark.parametrize("field", ["challenge", "subject_cn", "managed_apple_id"])
def test_kept_xml_refuses_control_characters_as_plistlib_does(field: str) -> None:
    text = "bad\x01text@appleid.example.com"
    if field == "managed_apple_id":
        spec = _spec(mp.ProfileKind.ACCOUNT_BYOD, managed_apple_id=text)
    else:
        values = {"challenge": "c", "subject_cn": "x", field: text}
        identity = mp.ScepIdentity(
            url="https://mdm.example.com/scep",
            challenge=values["challenge"],
            subject_cn=values["subject_cn"],
        )
        spec = _spec(mp.ProfileKind.ACCOUNT_BYOD, identity=identity)
    with pytest.raises(ValueError, match="control characters") as plist_error:
        to_mobileconfig(mp.build_enrollment_profile(spec))
    with pytest.raises(ValueError, match="control characters") as kept_error:
        mp.enrollment_profile_xml(spec)
    assert str(kept_error.value) == str(plist_error.value)


def test_pkcs12_extra_keys_and_unhashable_fields_are_written_by_plistlib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for spec in (
        _spec(
            mp.ProfileKind.ACCOUNT_BYOD, identity=mp.Pkcs12Identity(data=b"p" * 200, password="pw")
        ),
        _spec(mp.ProfileKind.DEVICE, managed_apple_id="", extra={"Extra": [1, b"2"]}),
        _spec(mp.ProfileKind.ACCOUNT_ADDE, server_capabilities=["com.apple.mdm.token"]),
    ):
        expected, got = _both(spec, monkeypatch)
        assert got == expected


def test_a_device_profile_never_reads_the_managed_apple_id_it_does_not_carry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """plistlib never looked at it for a Device Enrollment profile; the kept XML does not
    either (a control character or None there raised: a 500 for the profile request)."""
    for odd in ("x\x01y@appleid.example.com", None):
        expected, got = _both(_spec(mp.ProfileKind.DEVICE, managed_apple_id=odd), monkeypatch)
        assert got == expected


def test_kept_xml_tells_equal_values_of_other_types_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """1 == True, yet plistlib writes <integer>1</integer> for one and <true/> for the other."""
    for value in (1, True, 1):
        expected, got = _both(_spec(mp.ProfileKind.ACCOUNT_ADDE, access_rights=value), monkeypatch)
        assert got == expected


def test_parse_profile_rejects_garbage() -> None:
    with pytest.raises(mp.MdmProfileError, match="not a property list"):
        mp.parse_profile(b"nope")
