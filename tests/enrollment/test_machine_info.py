"""MachineInfo: a signed body is verified once per process, never trusted beyond what it proved."""

from __future__ import annotations

import pytest

from enrollment import machine_info
from enrollment.machine_info import MachineInfoError, parse_machine_info
from mdm_server.pki import cms
from tests.simulator import enrollment_flow as flow


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    seen: list[bytes] = []
    real = cms.verify_signed_data

    def counting(data: bytes, **kwargs: object) -> cms.VerifiedCMS:
        seen.append(data)
        return real(data, **kwargs)

    monkeypatch.setattr(cms, "verify_signed_data", counting)
    monkeypatch.setattr(machine_info, "_VERIFIED", type(machine_info._VERIFIED)())
    monkeypatch.setattr(machine_info, "_READ", type(machine_info._READ)())
    return seen


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The property lists read (parsed) by parse_machine_info."""
    from mdm_server import untrusted

    seen: list[bytes] = []
    real = untrusted.load_plist

    def counting(data: bytes) -> object:
        seen.append(data)
        return real(data)

    monkeypatch.setattr(untrusted, "load_plist", counting)
    return seen


def test_the_same_signed_body_is_read_once_and_each_caller_gets_its_own_values(
    verifications: list[bytes], reads: list[bytes]
) -> None:
    device = flow.throwaway_apple_identity()
    body = flow.machine_info_body(device, extra={"UDID": "0" * 40, "DATA": b"\x01", "N": 3})
    first = parse_machine_info(body)
    first.values["PRODUCT"] = "changed by its caller"
    del first.values["VERSION"]
    second = parse_machine_info(body)
    assert len(reads) == 1 and len(verifications) == 1
    assert second.values == {
        "LANGUAGE": "en-US",
        "PRODUCT": "iPhone17,2",
        "VERSION": "22C152",
        "OS_VERSION": "18.2",
        "UDID": "0" * 40,
        "DATA": b"\x01",
        "N": 3,
    }
    assert second.values is not parse_machine_info(body).values
    # Kept only as long as its verification: other roots are checked, and refused, again.
    with pytest.raises(MachineInfoError, match="trusted Apple device CA"):
        parse_machine_info(body, trusted_roots=[flow.throwaway_apple_identity().ca.certificate])


def test_values_that_can_change_unsigned_bodies_and_refusals_are_read_every_time(
    verifications: list[bytes], reads: list[bytes]
) -> None:
    import plistlib

    device = flow.throwaway_apple_identity()
    nested = flow.machine_info_body(device, extra={"LIST": ["a"]})
    for _ in range(2):
        info = parse_machine_info(nested)
        assert info.values["LIST"] == ["a"]
        info.values["LIST"].append("b")  # a caller changing a list changes no one else's
    assert len(reads) == 2
    plain = plistlib.dumps({"PRODUCT": "iPhone17,2", "VERSION": "22C152"})
    parse_machine_info(plain)
    parse_machine_info(plain)
    assert len(reads) == 4
    no_version = flow.machine_info_body(device, version="")
    for _ in range(2):
        with pytest.raises(MachineInfoError, match="lacks VERSION"):
            parse_machine_info(no_version)
    assert len(reads) == 5  # its values are kept; the check of them runs each time


def test_the_same_signed_body_is_verified_once(verifications: list[bytes]) -> None:
    device = flow.throwaway_apple_identity()
    body = flow.machine_info_body(device)
    first = parse_machine_info(body)
    second = parse_machine_info(body)
    assert len(verifications) == 1
    assert first.signed and second.signed and first.signer == second.signer == device.certificate
    assert first.values == second.values and first.values is not second.values
    assert first.product == "iPhone17,2"


def test_a_kept_result_does_not_stand_for_other_roots_or_other_bytes(
    verifications: list[bytes],
) -> None:
    device, other = flow.throwaway_apple_identity(), flow.throwaway_apple_identity()
    body = flow.machine_info_body(device)
    parse_machine_info(body)  # accepted: no roots configured
    with pytest.raises(MachineInfoError, match="trusted Apple device CA"):
        parse_machine_info(body, trusted_roots=[other.ca.certificate])
    assert parse_machine_info(body, trusted_roots=[device.ca.certificate]).signed
    tampered = body.replace(b"iPhone17,2", b"iPhone17,3")
    with pytest.raises(MachineInfoError, match="signature is not valid"):
        parse_machine_info(tampered)
    assert len(verifications) == 4  # each new (body, roots) pair was checked


def test_a_device_certificate_cannot_vouch_for_another_device(
    verifications: list[bytes],
) -> None:
    """A device's own certificate (not a CA) signing a certificate for a made-up device is no
    chain to Apple's CA: only CA certificates may stand between the signer and the root."""
    import plistlib

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from mdm_server.pki import certificates

    genuine = flow.throwaway_apple_identity()
    forged_key = certificates.new_rsa_key()
    forged = certificates.issue_certificate(
        issuer=certificates.Identity(certificate=genuine.certificate, key=genuine.key),
        public_key=forged_key.public_key(),
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "made-up device")]),
        days=30,
        usage="client",
    )
    body = cms.sign_attached(
        plistlib.dumps({"PRODUCT": "iPhone17,2", "VERSION": "22C152", "SERIAL": "ANYSERIAL01"}),
        certificate=forged,
        key=forged_key,
        chain=[genuine.certificate, genuine.ca.certificate],
    )
    with pytest.raises(MachineInfoError, match="trusted Apple device CA"):
        parse_machine_info(body, trusted_roots=[genuine.ca.certificate])
    # The genuine device itself still verifies against the same root.
    assert parse_machine_info(
        flow.machine_info_body(genuine), trusted_roots=[genuine.ca.certificate]
    ).signed
