"""Account-driven enrollment end to end with the device simulator's enrollment flow."""

from __future__ import annotations

from typing import Any

import pytest

from devices.simulator import enrollment_flow as flow
from enrollment.models import EnrollmentSession, EnrollmentToken
from tests.enrollment.conftest import DOMAIN, PASSWORD

pytestmark = pytest.mark.django_db

SERVER = "http://127.0.0.1:8000"


def test_user_enrollment_reaches_the_identity(org: dict[str, Any], transport: Any) -> None:
    result = flow.enroll_account_driven(
        transport, SERVER, user_identifier=f"alice@{DOMAIN}", password=PASSWORD
    )
    assert result.version == "mdm-byod"
    mdm = result.mdm_payload
    assert mdm["EnrollmentMode"] == "BYOD"
    assert mdm["AssignedManagedAppleID"] == org["alice"].managed_apple_id
    assert "AccessRights" not in mdm
    assert mdm["Topic"] == org["topic"]
    assert mdm["ServerURL"].endswith("/mdm/connect")
    assert mdm["CheckInURL"].endswith("/mdm/checkin")
    assert mdm["SignMessage"] is True
    session = EnrollmentSession.objects.get()
    assert session.enrollment_type == "user"
    assert session.status == "profile_issued"
    assert session.platform == "iOS"
    from mdm_server.pki.services import find_issued_certificate

    issued = find_issued_certificate(
        result.identity_certificate.fingerprint(__import__("cryptography").hazmat.primitives.hashes.SHA256()).hex()
    )
    assert issued is not None and issued.reference == session.public_id
    # Only hashes are stored.
    assert not EnrollmentToken.objects.filter(token_hash=result.bearer).exists()
