"""Attacks by an enrolled device with a script against its declarative check-in: the odd
shapes of a hostile status report are ignored (never a 500), and a report reaches only its own
channel."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import QuerySet

from devices.models import Enrollment
from profiles.declarations.models import ChannelStatus, DeclarationState
from profiles.declarations.services import AUTO_ACTIVATION, AUTO_SUBSCRIPTIONS
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
# A new device synchronises at enrollment: it then reports the server's own declarations.
SERVER_OWN = (AUTO_ACTIVATION, AUTO_SUBSCRIPTIONS)


def _states(enrollment: Enrollment) -> QuerySet[DeclarationState]:
    return DeclarationState.objects.filter(enrollment=enrollment)


def _report(device: SimulatedDevice, report: Any) -> tuple[int, bytes]:
    return device.checkin(
        {
            "MessageType": "DeclarativeManagement",
            "Endpoint": "status",
            "Data": json.dumps(report).encode(),
            **device.ids(),
        }
    )


def _item(identifier: str, valid: str = "valid") -> dict[str, Any]:
    return {"identifier": identifier, "active": True, "valid": valid, "server-token": "t"}


@pytest.mark.parametrize(
    "report",
    [
        {"StatusItems": {"management": {"declarations": {"configurations": 5}}}},
        {"StatusItems": {"management": {"declarations": {"assets": True}}}},
        {"Errors": [{"StatusItem": "x", "Reasons": 7}]},
        {"Errors": [{"StatusItem": "x", "Reasons": {"Code": "a"}}]},
    ],
    ids=["declarations-int", "declarations-bool", "reasons-int", "reasons-object"],
)
def test_a_misshapen_status_report_is_ignored_not_a_500(
    make_device: MakeDevice, report: dict[str, Any]
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    enrollment = Enrollment.objects.get()
    good = {"StatusItems": {"device": {"operating-system": {"version": "18.2"}}}}
    assert _report(phone, good)[0] == 200
    status, body = _report(phone, report)
    assert status == 200, body
    stored = ChannelStatus.objects.get(enrollment=enrollment)
    assert stored.os_version == "18.2"
    # Only the states of the server's own declarations, from the first synchronisation.
    assert not _states(enrollment).exclude(identifier__in=SERVER_OWN).exists()
    assert all(e["reasons"] == [] for e in stored.errors)


def test_one_identifier_twice_in_a_report_is_stored_once_not_a_500(
    make_device: MakeDevice,
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    enrollment = Enrollment.objects.get()
    report = {
        "StatusItems": {
            "management": {
                "declarations": {
                    "configurations": [_item("com.ex.twice"), _item("com.ex.twice", "invalid")],
                    "assets": [_item("com.ex.twice")],
                }
            }
        }
    }
    assert _report(phone, {"StatusItems": {"management": {"declarations": {}}}})[0] == 200
    status, body = _report(phone, report)
    assert status == 200, body
    (state,) = DeclarationState.objects.filter(enrollment=enrollment)
    assert (state.identifier, state.valid) == ("com.ex.twice", "valid")  # the first one counts


def test_a_status_report_changes_only_the_channel_that_sent_it(make_device: MakeDevice) -> None:
    first = make_device(platform="iOS", user_enrollment=True)
    first.enroll()
    second = make_device(platform="iOS", user_enrollment=True)
    second.enroll()
    one, two = Enrollment.objects.order_by("pk")
    states = {"management": {"declarations": {"configurations": [_item("com.ex.a")]}}}
    assert _report(first, {"StatusItems": states})[0] == 200
    # The second device names the first one's ids in its body: its certificate decides.
    hostile = {"StatusItems": {"device": {"operating-system": {"version": "1.0"}}}}
    status, _ = second.checkin(
        {
            "MessageType": "DeclarativeManagement",
            "Endpoint": "status",
            "Data": json.dumps(hostile).encode(),
            **first.ids(),
        }
    )
    assert status in (401, 403)
    assert not ChannelStatus.objects.filter(enrollment=one, os_version="1.0").exists()
    assert _states(one).exclude(identifier__in=SERVER_OWN).count() == 1
    assert not _states(two).exclude(identifier__in=SERVER_OWN).exists()
