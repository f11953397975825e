"""The profile POST's work done once instead of per request gives what it gave per request."""

from __future__ import annotations

import pytest

from enrollment.models import EnrollmentSession
from enrollment.services import core


@pytest.mark.parametrize(
    "enrollment_type",
    [
        *(value for value, _ in EnrollmentSession._meta.get_field("enrollment_type").flatchoices),
        "other",  # outside the choices: displayed as it is
    ],
)
def test_a_sessions_identity_subject_is_its_displayed_type(enrollment_type: str) -> None:
    session = EnrollmentSession(enrollment_type=enrollment_type, public_id="0123456789abcdef" * 2)
    identity = core._session_identity(session)
    assert identity.reference == session.public_id
    assert identity.subject == (
        f"MDM {session.get_enrollment_type_display()} {session.public_id[:12]}"
    )
    assert identity.subject.startswith("MDM ") and identity.subject.endswith(" 0123456789ab")
