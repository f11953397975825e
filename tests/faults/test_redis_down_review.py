"""Redis stops under the newest surfaces: the privacy page (sign-in, removing management from a
personal device) and Automated Device Enrollment's profile request. Each still works from the
database, or says 503; nothing is a 500 and nothing stored is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from devices.models import Device, QueuedCommand
from enrollment.abm import services as abm
from enrollment.abm.models import AbmDevice, AbmLink
from tests.apns.conftest import apns_pki  # noqa: F401 - fixtures
from tests.devices._rows import enrolled
from tests.devices.conftest import make_device  # noqa: F401 - fixtures
from tests.enrollment.abm.conftest import (  # noqa: F401 - fixtures
    apple_device,
    apple_test_ca,
    fake_abm,
    link,
    stocked,
)
from tests.enrollment.abm.fake_abm import FakeAbm
from tests.enrollment.conftest import PASSWORD, org, push_topic, transport  # noqa: F401
from tests.faults.services import PrivateRedis
from tests.faults.test_redis_down import redis_server  # noqa: F401 - fixtures
from tests.simulator import SimulatedDevice
from tests.simulator import enrollment_flow as flow

PRIVACY = "/enroll/privacy/"


@pytest.mark.django_db
def test_privacy_page_signs_in_and_removes_management_while_redis_is_down(
    redis_server: PrivateRedis,  # noqa: F811
    org: dict[str, Any],  # noqa: F811
    make_device: Callable[..., SimulatedDevice],  # noqa: F811
) -> None:
    _device, phone = enrolled(make_device, platform="iOS", user_enrollment=True)
    Device.objects.filter(pk=phone.device_id).update(directory_user=org["alice"])
    redis_server.stop()
    client = Client()
    wrong = client.post(PRIVACY, {"identifier": "alice", "password": "wrong"})
    assert wrong.status_code == 401
    signed_in = client.post(PRIVACY, {"identifier": "alice", "password": PASSWORD})
    assert signed_in.status_code == 303
    page = client.get(PRIVACY)
    assert page.status_code == 200 and f"device-{phone.public_id}" in page.content.decode()
    removed = client.post(f"/enroll/privacy/devices/{phone.public_id}/remove", {"confirm": "yes"})
    assert removed.status_code == 303  # queued: the push waits in the database outbox
    assert QueuedCommand.objects.filter(
        enrollment=phone, command__request_type="RemoveProfile"
    ).exists()


@pytest.mark.django_db
def test_ade_profile_request_while_redis_is_down(
    redis_server: PrivateRedis,  # noqa: F811
    link: AbmLink,  # noqa: F811
    stocked: FakeAbm,  # noqa: F811
    apple_device: Any,  # noqa: F811
    transport: Any,  # noqa: F811
    admin_user: Any,
    settings: Any,
    server_pki: Any,
    push_topic: str,  # noqa: F811
) -> None:
    settings.PUBLIC_URL = "https://mdm.example.com"
    abm.sync_devices(link=link)
    from enrollment.abm.models import AbmProfile

    profile = abm.define_profile(
        profile=AbmProfile(link=link, name="Default", is_default=True), actor=admin_user
    )
    redis_server.stop()
    cloud = {"url": abm.enrollment_url(profile), "is_supervised": True}
    result = flow.enroll_automated(
        transport, cloud, apple_identity=apple_device(), serial_number="F2LXK1AAAAAA"
    )
    assert result.mdm_payload["AccessRights"]
    assert AbmDevice.objects.get(serial_number="F2LXK1AAAAAA").enrollment_reference
