"""MachineInfo: a signed body is verified once per process, never trusted beyond what it proved."""

from __future__ import annotations

import pytest

from devices.simulator import enrollment_flow as flow
from enrollment import machine_info
from enrollment.machine_info import MachineInfoError, parse_machine_info
from mdm_server.pki import cms


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    seen: list[bytes] = []
    real = cms.verify_signed_data

    def counting(data: bytes, **kwargs: object) -> cms.VerifiedCMS:
        seen.append(data)
        return real(data, **kwargs)

    monkeypatch.setattr(cms, "verify_signed_data", counting)
    monkeypatch.setattr(machine_info, "_VERIFIED", type(machine_info._VERIFIED)())
    return seen


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
