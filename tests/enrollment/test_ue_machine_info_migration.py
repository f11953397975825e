"""User Enrollment sessions stored before MachineInfo was cut to Apple's keys keep only those;
other sessions keep theirs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests.migrations import at_state, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("enrollment", "0004_split_session_ownership")]
AFTER = [("enrollment", "0005_ue_machine_info_apple_keys")]
INFO = {"PRODUCT": "iPhone17,2", "LANGUAGE": "en", "WIFI_MAC": "a4:83:e7:12:34:56"}


@pytest.fixture
def at_previous_state() -> Iterator[Any]:
    yield from at_state(BEFORE)


def test_user_enrollment_sessions_keep_only_apples_machine_info(at_previous_state: Any) -> None:
    Session = at_previous_state.get_model("enrollment", "EnrollmentSession")
    expires = timezone.now() + dt.timedelta(hours=1)
    for public_id, kind in (("ue", "user"), ("company", "device")):
        Session.objects.create(
            public_id=public_id,
            kind="account",
            enrollment_type=kind,
            user_identifier="jo",
            machine_info=INFO,
            expires_at=expires,
        )
    Session = migrate_to(AFTER).get_model("enrollment", "EnrollmentSession")
    stored = dict(Session.objects.values_list("public_id", "machine_info"))
    assert stored["ue"] == {"PRODUCT": "iPhone17,2", "LANGUAGE": "en"}
    assert stored["company"] == INFO
