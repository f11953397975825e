"""Fixtures for the profiles tests: enrollments of each kind, and payload builders."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from devices.models import Enrollment
from tests.channels import new_channel, save_channel

_counter = itertools.count(1)


def make_enrollment(
    *,
    enrollment_type: str = Enrollment.Type.DEVICE,
    platform: str = "iOS",
    channel: str = Enrollment.Channel.DEVICE,
    os_version: str = "18.1",
    supervised: bool = False,
    save: bool = True,
    **extra: Any,
) -> Enrollment:
    n = next(_counter)
    row = new_channel(
        channel_key=f"test:{n}:{platform}:{enrollment_type}:{channel}",
        enrollment_type=enrollment_type,
        platform=platform,
        channel=channel,
        os_version=os_version,
        supervised=supervised,
        status=Enrollment.Status.ENROLLED,
        push_token=f"{n:064x}",
        push_magic=f"magic-{n}",
        topic="com.apple.mgmt.test",
        device_name=f"device {n}",
        **extra,
    )
    if save:
        save_channel(row)
    return row


@pytest.fixture
def enrollment_factory(db: None) -> Callable[..., Enrollment]:
    return make_enrollment


@pytest.fixture
def ue_ios(db: None) -> Enrollment:
    return make_enrollment(enrollment_type=Enrollment.Type.USER, platform="iOS")


@pytest.fixture
def ue_macos(db: None) -> Enrollment:
    return make_enrollment(
        enrollment_type=Enrollment.Type.USER, platform="macOS", os_version="15.1"
    )


@pytest.fixture
def device_ios(db: None) -> Enrollment:
    return make_enrollment(enrollment_type=Enrollment.Type.DEVICE, platform="iOS")
