"""The capability-filter target of stored values (`devices.services.common.target_from`)."""

from __future__ import annotations

import pytest

from devices import capabilities
from devices.services.common import target_from


def test_a_target_is_made_once_for_the_same_values_and_as_before() -> None:
    values = {
        "platform": "iOS",
        "os_version": " 17.4 ",
        "enrollment_type": "user",
        "supervised": False,
        "channel": "device",
    }
    first = target_from(**values)
    assert first == capabilities.Target(
        platform=capabilities.Platform.IOS,
        os_version="17.4",
        enrollment_type=capabilities.EnrollmentType.USER,
        supervised=False,
        channel=capabilities.Channel.DEVICE,
    )
    assert target_from(**values) is first
    other = target_from(**{**values, "supervised": True, "channel": "user"})
    assert (other.supervised, other.channel) == (True, capabilities.Channel.USER)
    assert other is not first


def test_unknown_values_are_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="'PalmOS' is not a valid Platform"):
            target_from(
                platform="PalmOS",
                os_version="1",
                enrollment_type="device",
                supervised=False,
                channel="device",
            )
