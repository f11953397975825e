"""Profile payload keys Apple requires on a User Enrollment, said only in each key's text.

Oracle, read by a person off the vendored YAML (`mdm/profiles/`, upstream 27.0):
`com.apple.relay.managed.yaml`, key `RelayUUID`: "... This key is required for user
enrollment."; `com.apple.dnsProxy.managed.yaml`, key `DNSProxyUUID`: the same sentence. Both
keys are `presence: optional` otherwise. The declarations of the same services behave alike
(tests/profiles/declarations/test_ue_required_keys.py).
"""

from __future__ import annotations

import pytest

from devices import capabilities
from devices.capabilities import EnrollmentType, Platform, Target

RELAY = {
    "PayloadType": "com.apple.relay.managed",
    "Relays": [{"HTTP3RelayURL": "https://relay.example.com"}],
}
UUID = "5A0C0E8C-0000-4000-8000-000000000001"


def phone(enrollment: EnrollmentType) -> Target:
    return Target(Platform.IOS, "18.2", enrollment)


def test_a_user_enrollment_is_not_sent_a_relay_without_its_uuid() -> None:
    decision = capabilities.check_payload(RELAY, phone(EnrollmentType.USER))
    assert decision.allowed is False
    assert "RelayUUID" in decision.reason and "User Enrollment" in decision.reason
    assert decision.rule.startswith("mdm/profiles/com.apple.relay.managed.yaml")
    # With the key, the same payload goes; a whole profile is refused, or with strip the payload
    # is dropped (nothing left: refused).
    assert capabilities.check_payload(
        {**RELAY, "RelayUUID": UUID}, phone(EnrollmentType.USER)
    ).allowed
    whole, _ = capabilities.check_profile([RELAY], phone(EnrollmentType.USER), strip=True)
    assert whole.allowed is False and "RelayUUID" in whole.reason


@pytest.mark.parametrize("enrollment", [EnrollmentType.DEVICE, EnrollmentType.ADE])
def test_other_enrollments_do_not_need_it(enrollment: EnrollmentType) -> None:
    assert capabilities.check_payload(RELAY, phone(enrollment)).allowed


def test_the_table_reads_apples_text() -> None:
    from devices import capability_table

    (relay,) = capability_table.PROFILES["com.apple.relay.managed"]
    (proxy,) = capability_table.PROFILES["com.apple.dnsProxy.managed"]
    assert relay["ue_required"] == ["RelayUUID"]
    assert proxy["ue_required"] == ["DNSProxyUUID"]
    assert all(
        "ue_required" not in entry
        for name, entries in capability_table.PROFILES.items()
        if name not in ("com.apple.relay.managed", "com.apple.dnsProxy.managed")
        for entry in entries
    )
