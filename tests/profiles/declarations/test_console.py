"""Console pages of declarations: built, refused with reasons, assigned, and status shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from devices.models import Enrollment
from profiles.declarations import services
from profiles.declarations.models import Declaration, DeclarationSet, SetAssignment
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"


def test_create_assign_and_see_status(
    admin_client: Client, make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    # The status comes only from the device: it has not answered its first sync yet.
    phone = make_device(platform="iOS", user_enrollment=True, drain_inventory=False)
    phone.enroll()
    enrollment = Enrollment.objects.get()
    page = admin_client.get(f"/console/declarations/new/?type={ENFORCEMENT}")
    assert page.status_code == 200 and b"TargetLocalDateTime" in page.content
    assert b"User Enrollments" in page.content  # where Apple does not allow it, and why
    bad = admin_client.post(
        "/console/declarations/new/",
        {
            "declaration_type": ENFORCEMENT,
            "identifier": "com.ex.up",
            "payload": '{"TargetOSVersion": 18}',
            "use_json": "on",
        },
        follow=True,
    )
    assert b"TargetOSVersion: must be a string" in bad.content
    assert not Declaration.objects.exists()
    broken_json = admin_client.post(
        "/console/declarations/new/",
        {
            "declaration_type": ENFORCEMENT,
            "identifier": "com.ex.up",
            "payload": "{nope",
            "use_json": "on",
        },
    )
    assert broken_json.status_code == 200 and not Declaration.objects.exists()
    admin_client.post(
        "/console/declarations/new/",
        {
            "declaration_type": "com.apple.configuration.passcode.settings",
            "identifier": "com.ex.pass",
            "payload": '{"RequirePasscode": true}',
            "use_json": "on",
        },
    )
    passcode = Declaration.objects.get(identifier="com.ex.pass")
    admin_client.post(
        "/console/declarations/new/",
        {
            "declaration_type": ENFORCEMENT,
            "identifier": "com.ex.up",
            "payload": '{"TargetOSVersion": "18.3", "TargetLocalDateTime": "2026-12-24T18:00:00"}',
            "use_json": "on",
        },
    )
    update = Declaration.objects.get(identifier="com.ex.up")
    admin_client.post(
        "/console/declarations/sets/new/",
        {"name": "work", "declarations": [passcode.pk, update.pk]},
    )
    work = DeclarationSet.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/console/declarations/sets/{work.pk}/assign/", {"enrollment": enrollment.pk}
        )
    assert SetAssignment.objects.get().enrollment == enrollment
    set_page = admin_client.get(f"/console/declarations/sets/{work.pk}/").content.decode()
    assert "iOS user enrollments: Apple allows" in set_page  # told before any device syncs
    ambiguous = admin_client.post(
        f"/console/declarations/sets/{work.pk}/assign/",
        {"enrollment_type": "user", "enrollment": enrollment.pk},
        follow=True,
    )
    assert b"Choose one" in ambiguous.content and SetAssignment.objects.count() == 1
    page = admin_client.get(f"/console/declarations/devices/{enrollment.public_id}/")
    assert b"never sent a status report" in page.content  # stale: flagged
    phone.run()
    page = admin_client.get(f"/console/declarations/devices/{enrollment.public_id}/")
    text = page.content.decode()
    assert "stale" not in text and "com.ex.pass" in text and "18.2" in text
    assert "compliant" in text and "User Enrollments" in text  # why com.ex.up is withheld
    detail = admin_client.get(f"/console/declarations/{passcode.pk}/").content.decode()
    assert "active" in detail and enrollment.display_name in detail
    listing = admin_client.get("/console/declarations/").content.decode()
    assert "com.ex.up" in listing and "not delivered" in listing


def test_stale_status_is_flagged(make_device: MakeDevice, settings: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from profiles.declarations.models import ChannelStatus

    phone = make_device(drain_inventory=False)
    phone.enroll()
    status = ChannelStatus.objects.create(
        enrollment=Enrollment.objects.get(), reported_at=timezone.now() - timedelta(hours=30)
    )
    assert services.is_stale(status)
    settings.DDM_STATUS_STALE_HOURS = 48
    assert not services.is_stale(status)
    assert services.is_stale(None)


def test_helpdesk_reads_but_cannot_change(helpdesk_client: Client) -> None:
    row = services.create_declaration(
        declaration_type="com.apple.configuration.passcode.settings",
        identifier="com.ex.pass",
        display_name="Passcode",
        payload={},
    )
    assert helpdesk_client.get(f"/console/declarations/{row.pk}/").status_code == 200
    response = helpdesk_client.post(f"/console/declarations/{row.pk}/delete/")
    assert response.status_code == 403 and Declaration.objects.filter(pk=row.pk).exists()
