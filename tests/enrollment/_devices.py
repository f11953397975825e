"""Simulated devices holding what an enrollment flow gave them, for the enrollment tests."""

from __future__ import annotations

import re
from typing import Any

from tests.enrollment.conftest import PASSWORD
from tests.simulator import SimulatedDevice
from tests.simulator import enrollment_flow as flow


def account_device(
    transport: Any, result: flow.AccountEnrollment, platform: str = "iOS"
) -> SimulatedDevice:
    """The device that finished an account-driven enrollment: its identity, URLs and bearer."""
    mdm = result.mdm_payload
    return SimulatedDevice(
        transport=transport,
        certificate=result.identity_certificate,
        key=result.identity_key,
        server_url=mdm["ServerURL"],
        checkin_url=mdm["CheckInURL"],
        platform=platform,
        user_enrollment=mdm["EnrollmentMode"] == "BYOD",
        os_version="18.2" if platform == "iOS" else "15.2",
        bearer=result.bearer,
        topic=mdm["Topic"],
    )


def portal_form(who: str, **fields: str) -> dict[str, str]:
    """The portal's sign-in form for a company iPhone."""
    return {
        "identifier": who,
        "password": PASSWORD,
        "platform": "iOS",
        "os_version": "17.5",
        "ownership": "corporate",
        "accept_terms": "1",
        **fields,
    }


def portal_device(transport: Any, client: Any, response: Any, udid: str) -> SimulatedDevice:
    """Download the profile the portal's answer links to and install it on an iPhone with this
    UDID (a Device Enrollment: SCEP identity, no bearer)."""
    link = re.search(r'id="download" href="([^"]+)"', response.content.decode())
    assert link is not None, response.content.decode()[:500]
    profile = flow.read_profile(client.get(link.group(1)).content)
    identity = flow.install_identity(transport, profile)
    mdm = flow.payload_of(profile, "com.apple.mdm")
    return SimulatedDevice(
        transport=transport,
        certificate=identity.certificate,
        key=identity.key,
        server_url=mdm["ServerURL"].replace("https://", "http://"),
        checkin_url=mdm.get("CheckInURL"),
        platform="iOS",
        os_version="17.5",
        user_enrollment=False,
        topic=mdm["Topic"],
        udid=udid,
    )
