"""Keys Apple requires of a declaration on a User Enrollment: Apple writes it only in the key's
text ("This key is required for user enrollment."), and the generated table marks those keys;
a User Enrollment is not sent a declaration without them, and the reason is shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices.models import Enrollment
from profiles.declarations import rules, services
from profiles.declarations.models import SetAssignment
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
RELAY = "com.apple.configuration.network.relay"
DNS_PROXY = "com.apple.configuration.network.dns-proxy"
RELAY_PAYLOAD = {"VisibleName": "Work relay", "Relays": [{"HTTP3RelayURL": "https://r.ex"}]}


def test_the_table_reads_apples_text() -> None:
    assert rules.user_enrollment_keys(RELAY) == ["RelayUUID"]
    assert rules.user_enrollment_keys(DNS_PROXY) == ["DNSProxyUUID"]
    assert rules.user_enrollment_keys("com.apple.configuration.passcode.settings") == []


@pytest.mark.parametrize(
    ("kind", "payload", "refused"),
    [
        ("user", RELAY_PAYLOAD, True),
        ("user", {**RELAY_PAYLOAD, "RelayUUID": "5A0C0E8C-0000-4000-8000-000000000001"}, False),
        ("device", RELAY_PAYLOAD, False),
        ("supervised", RELAY_PAYLOAD, False),
    ],
    ids=["user-without", "user-with", "device", "supervised"],
)
def test_only_a_user_enrollment_needs_the_key(kind: str, payload: dict, refused: bool) -> None:
    channel = rules.ChannelKind("iOS", "27.0", kind, "system")
    assert rules.refusal(RELAY, channel) is None  # the type itself is allowed there
    reason = rules.payload_refusal(RELAY, payload, channel)
    assert (reason is not None) == refused
    if refused:
        assert reason is not None and "RelayUUID" in reason and "User Enrollment" in reason


def test_a_user_enrolled_iphone_is_not_sent_a_relay_without_its_uuid(
    make_device: MakeDevice,
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True, os_version="27.0")
    phone.enroll()
    row = Enrollment.objects.get(enrollment_id=phone.enrollment_id)
    without = services.create_declaration(
        declaration_type=RELAY, identifier="com.ex.relay", display_name="Relay",
        payload=RELAY_PAYLOAD,
    )  # fmt: skip
    with_uuid = services.create_declaration(
        declaration_type=RELAY, identifier="com.ex.relay2", display_name="Relay 2",
        payload={**RELAY_PAYLOAD, "RelayUUID": "5A0C0E8C-0000-4000-8000-000000000001"},
    )  # fmt: skip
    work = services.create_set(name="relays", declarations=[without, with_uuid])
    services.assign_set(declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=row)
    served = services.served(row)
    assert "RelayUUID" in served.withheld["com.ex.relay"]
    assert "com.ex.relay2" not in served.withheld
    assert "com.ex.relay2" in {item.identifier for item in served.items}
    assert "com.ex.relay" not in {item.identifier for item in served.items}
