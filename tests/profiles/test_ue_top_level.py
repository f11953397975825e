"""A profile's own keys (TopLevel.yaml) under User Enrollment: report, install, strip."""

from __future__ import annotations

import plistlib

import pytest

from mdm_server.pki import cms
from profiles import services
from profiles.models import Delivery, Profile
from tests.profiles.conftest import make_enrollment

pytestmark = pytest.mark.django_db

CLIP = services.PayloadInput("com.apple.webClip.managed", {"URL": "https://e.x", "Label": "E"})


def _profile(actor, ue_mode: str = Profile.UserEnrollmentMode.SKIP) -> Profile:
    return services.create_profile(
        identifier="com.ex.locked",
        display_name="Locked",
        payloads=[CLIP],
        actor=actor,
        removal_disallowed=True,
        ue_mode=ue_mode,
    )


def test_ue_report_names_payload_removal_disallowed_on_ios(admin_user) -> None:
    ios, macos = services.ue_report(_profile(admin_user))
    assert ios.outcome == "subset"
    assert ios.top_level is not None
    why = ios.top_level.forbidden_keys["PayloadRemovalDisallowed"]
    assert "mdm/profiles/TopLevel.yaml" in why and "userenrollment.mode=forbidden" in why
    # macOS: the key is not forbidden there (Apple lists no User Enrollment rule for it).
    assert macos.top_level is not None
    assert "PayloadRemovalDisallowed" not in macos.top_level.forbidden_keys
    data = services.ue_report_json(_profile_row := Profile.objects.get())
    assert "PayloadRemovalDisallowed" in data[0]["top_level"]["forbidden_keys"]
    assert _profile_row.removal_disallowed is True


def test_skip_mode_does_not_install_on_a_ue_iphone(admin_user, server_pki) -> None:
    ue = make_enrollment(enrollment_type="user", platform="iOS")
    profile = _profile(admin_user)
    outcome = services.assign_profile(profile=profile, actor=admin_user, enrollments=[ue])
    assert outcome.installed.queued == []
    assert "PayloadRemovalDisallowed" in outcome.installed.skipped[ue.pk]
    delivery = Delivery.objects.get(enrollment=ue)
    assert delivery.status == Delivery.Status.SKIPPED


def test_subset_mode_installs_without_the_key(admin_user, server_pki) -> None:
    ue = make_enrollment(enrollment_type="user", platform="iOS")
    profile = _profile(admin_user, ue_mode=Profile.UserEnrollmentMode.SUBSET)
    outcome = services.assign_profile(profile=profile, actor=admin_user, enrollments=[ue])
    assert outcome.installed.queued == [ue.pk]
    delivery = Delivery.objects.get(enrollment=ue)
    assert delivery.partial and "PayloadRemovalDisallowed" in delivery.reason
    command = ue.queue.get().command
    sent = plistlib.loads(bytes(command.body))["Command"]["Payload"]
    document = plistlib.loads(cms.verify_signed_data(sent).content)
    assert "PayloadRemovalDisallowed" not in document
    assert document["PayloadContent"][0]["URL"] == "https://e.x"
