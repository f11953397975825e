"""User Enrollments' raw status reports stored before the check-in filtered them lose their
status items (device.identifier.* among them); other enrollments keep theirs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.migrations import at_state, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("devices", "0011_enrollment_token_update_logged_at")]
AFTER = [("devices", "0012_ue_status_without_identifiers")]
REPORT = {
    "StatusItems": {"device": {"identifier": {"serial-number": "F2LXK0LZKXKN"}}},
    "Errors": [],
}


@pytest.fixture
def at_previous_state() -> Iterator[Any]:
    yield from at_state(BEFORE)


def test_user_enrollments_forget_their_stored_status_items(at_previous_state: Any) -> None:
    Device = at_previous_state.get_model("devices", "Device")
    Enrollment = at_previous_state.get_model("devices", "Enrollment")
    rows = {}
    for key, kind in (("eid:A", "user"), ("udid:B", "device")):
        device = Device.objects.create(user_enrollment=kind == "user")
        rows[key] = Enrollment.objects.create(
            channel_key=key, device=device, enrollment_type=kind, ddm_status=REPORT
        )
    Enrollment.objects.create(
        channel_key="eid:A/uid:C",
        device=rows["eid:A"].device,
        parent=rows["eid:A"],
        channel="user",
        enrollment_type="",
        ddm_status=REPORT,
    )
    Enrollment.objects.create(
        channel_key="eid:D", device=Device.objects.create(), enrollment_type="user"
    )
    Enrollment = migrate_to(AFTER).get_model("devices", "Enrollment")
    stored = dict(Enrollment.objects.values_list("channel_key", "ddm_status"))
    assert stored["eid:A"] == stored["eid:A/uid:C"] == {"Errors": []}
    assert stored["udid:B"] == REPORT
    assert stored["eid:D"] == {}
