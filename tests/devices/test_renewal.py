"""Identity renewal decisions (devices.renewal, devices.binding.is_renewal) and the due query:
the SQL the scheduled run uses picks exactly the rows the pure rule calls due."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

import pytest

from devices import binding, renewal
from devices.binding import Certificate, Channel
from devices.lifecycle import SLOTS
from devices.models import Enrollment
from devices.services import renewal as renewal_services
from mdm_server import clock
from tests.channels import bulk_create_channels, create_channel, new_channel

PINNED = "a" * 64
NEW = "c" * 64
SESSION = "5e55" * 8
CHANNEL = Channel(
    pinned=PINNED,
    checked_out=False,
    person=1,
    references=frozenset({SESSION, binding.grant_reference("pub-1")}),
)
RENEWAL = Certificate(fingerprint=NEW, reference=SESSION, renews=PINNED)
NOW = dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC)
WINDOW = dt.timedelta(days=30)


def test_a_renewal_of_the_pinned_identity_is_accepted() -> None:
    assert binding.is_renewal(CHANNEL, RENEWAL)
    assert binding.is_renewal(CHANNEL, replace(RENEWAL, reference=binding.grant_reference("pub-1")))
    # The binding rules let the same certificate authenticate: no refusal either.
    assert binding.refusal(CHANNEL, RENEWAL) is None


@pytest.mark.parametrize(
    ("channel", "certificate"),
    [
        (None, RENEWAL),
        (replace(CHANNEL, checked_out=True), RENEWAL),
        (replace(CHANNEL, pinned=""), RENEWAL),
        (CHANNEL, replace(RENEWAL, renews="b" * 64)),  # renews another channel's identity
        (CHANNEL, replace(RENEWAL, renews="")),  # a first enrollment's certificate
        (CHANNEL, replace(RENEWAL, reference="another-session")),
        (CHANNEL, replace(RENEWAL, reference="")),
        (CHANNEL, replace(RENEWAL, revoked=True)),
        (CHANNEL, replace(RENEWAL, held_elsewhere=True)),
        (CHANNEL, replace(RENEWAL, session_revoked=True)),
        (CHANNEL, replace(RENEWAL, fingerprint=PINNED)),
    ],
)
def test_anything_else_is_no_renewal(channel: Channel | None, certificate: Certificate) -> None:
    assert not binding.is_renewal(channel, certificate)


@pytest.mark.parametrize(
    ("enrollment_type", "platform", "record", "path"),
    [
        ("user", "iOS", True, renewal.Path.INSTALL_PROFILE),
        ("user", "macOS", True, renewal.Path.INSTALL_PROFILE),
        ("device", "iOS", True, renewal.Path.INSTALL_PROFILE),
        ("adde", "macOS", True, renewal.Path.INSTALL_PROFILE),
        ("ade", "iPadOS", True, renewal.Path.INSTALL_PROFILE),
        ("device", "iOS", False, renewal.Path.NONE),  # an external CA's identity
        ("device", "tvOS", True, renewal.Path.NONE),
        ("", "iOS", True, renewal.Path.NONE),
    ],
)
def test_renewal_path(enrollment_type: str, platform: str, record: bool, path: str) -> None:
    decision = renewal.path_for(
        enrollment_type=enrollment_type, platform=platform, has_identity_record=record
    )
    assert decision.path == path
    assert bool(decision.reason) == (path == renewal.Path.NONE)


def test_renewals_start_inside_the_first_half_of_the_window() -> None:
    expiry = NOW + dt.timedelta(days=20)
    first = renewal.renewal_starts(not_after=expiry, window=WINDOW, slot=0)
    last = renewal.renewal_starts(not_after=expiry, window=WINDOW, slot=SLOTS - 1)
    assert first == expiry - WINDOW
    assert expiry - WINDOW < last < expiry - WINDOW / 2


def _due(**overrides: object) -> bool:
    facts: dict[str, object] = {
        "not_before": NOW - dt.timedelta(days=340),
        "not_after": NOW + dt.timedelta(days=25),
        "slot": 0,
        "now": NOW,
        "window": WINDOW,
        "ca_since": None,
        "requested_at": None,
    }
    facts.update(overrides)
    return renewal.is_due(**facts)  # type: ignore[arg-type]


def test_is_due() -> None:
    assert _due()
    assert not _due(not_after=NOW + dt.timedelta(days=31))
    assert not _due(not_after=None)
    # Its slot puts a device later in the window.
    assert not _due(slot=SLOTS - 1)
    assert _due(slot=SLOTS - 1, not_after=NOW + dt.timedelta(days=15))
    # Asked recently: not again before RETRY_AFTER.
    assert not _due(requested_at=NOW - dt.timedelta(days=1))
    assert _due(requested_at=NOW - renewal.RETRY_AFTER)
    # Issued by an older CA generation: due whatever its expiry.
    far = NOW + dt.timedelta(days=300)
    assert not _due(not_after=far)
    assert _due(not_after=far, ca_since=NOW - dt.timedelta(days=2))
    assert not _due(not_after=far, ca_since=NOW - dt.timedelta(days=400))


def test_the_clock_only_moves_forward() -> None:
    manual = clock.ManualClock(NOW)
    assert manual.advance(dt.timedelta(days=2)) == NOW + dt.timedelta(days=2)
    with pytest.raises(ValueError, match="backwards"):
        manual.advance(-dt.timedelta(seconds=1))
    with pytest.raises(ValueError, match="aware"):
        clock.ManualClock(dt.datetime(2027, 1, 1))
    previous = clock.use(manual)
    try:
        assert clock.now() == NOW + dt.timedelta(days=2)
    finally:
        clock.use(previous)
    assert clock.now() != manual.now()


@pytest.mark.django_db
def test_the_due_query_agrees_with_the_rule() -> None:
    cases = []
    for days_left in (-1, 5, 14, 16, 22, 29, 31, 60, 300):
        for slot in (0, SLOTS // 3, SLOTS - 1):
            for requested in (None, NOW - dt.timedelta(days=1), NOW - dt.timedelta(days=4)):
                cases.append((days_left, slot, requested))
    rows = [
        new_channel(
            channel_key=f"renewal:{uuid.uuid4()}",
            enrollment_type="device",
            platform="iOS",
            status=Enrollment.Status.ENROLLED,
            udid=str(uuid.uuid4()),
            refresh_slot=slot,
            identity_not_before=NOW - dt.timedelta(days=365 - days_left),
            identity_not_after=NOW + dt.timedelta(days=days_left),
            renewal_requested_at=requested,
        )
        for days_left, slot, requested in cases
    ]
    bulk_create_channels(rows)
    # Not enrolled, or a user channel: never due.
    create_channel(
        channel_key="renewal:gone",
        enrollment_type="device",
        status=Enrollment.Status.UNENROLLED,
        identity_not_after=NOW,
    )
    expected = {
        row.channel_key
        for row in rows
        if renewal.is_due(
            not_before=row.identity_not_before,
            not_after=row.identity_not_after,
            slot=row.refresh_slot,
            now=NOW,
            window=WINDOW,
            ca_since=None,
            requested_at=row.renewal_requested_at,
        )
    }
    due = renewal_services.renewal_due(now=NOW, window=WINDOW)
    assert set(due.values_list("channel_key", flat=True)) == expected
    assert 0 < len(expected) < len(rows)
    # Soonest expiry first, so a bounded run takes the most urgent.
    expiries = list(due.values_list("identity_not_after", flat=True))
    assert expiries == sorted(expiries)


@pytest.mark.django_db
def test_an_identity_from_another_ca_is_not_renewed(make_device: Any, admin_client: Any) -> None:
    from django.urls import reverse

    device = make_device(user_enrollment=False)  # its identity has no issuance record here
    device.enroll()
    channel = Enrollment.objects.get(channel_key=f"udid:{device.udid}")
    response = admin_client.post(reverse("devices-renew-identity", args=[channel.public_id]))
    assert response.status_code == 400
    assert b"not issued by this server" in response.content
    channel.refresh_from_db()
    assert channel.renewal_status == "unsupported"
    # The scheduled run skips it from now on.
    far = channel.identity_not_after + dt.timedelta(days=1)
    assert not renewal_services.renewal_due(now=far, window=WINDOW).filter(pk=channel.pk).exists()


@pytest.mark.django_db
def test_lifecycle_settings_take_the_renewal_window(admin_client: Any) -> None:
    from django.urls import reverse

    from devices.models import LifecycleSettings

    values = {
        "inventory_refresh_hours": 24,
        "gone_after_days": 30,
        "retention_days": 30,
        "renewal_window_days": 45,
        "server_certificate_warning_days": 120,
    }
    url = reverse("devices-lifecycle")
    assert admin_client.post(url, values).status_code == 302
    saved = LifecycleSettings.load()
    assert (saved.renewal_window_days, saved.server_certificate_warning_days) == (45, 120)
    response = admin_client.post(url, {**values, "renewal_window_days": 1})
    assert response.status_code == 400
    assert LifecycleSettings.load().renewal_window_days == 45


def test_a_sibling_renewal_is_accepted_after_the_first_one() -> None:
    """A renewal asked twice: both certificates renew the same old one; after the first took the
    pin, the second is still this channel's (the device installed the later profile too)."""
    after_first = replace(CHANNEL, pinned=NEW, pinned_renews=PINNED)
    sibling = Certificate(fingerprint="d" * 64, reference=SESSION, renews=PINNED)
    assert binding.is_renewal(after_first, sibling)
    assert not binding.is_renewal(after_first, replace(sibling, renews="e" * 64))
    assert not binding.is_renewal(after_first, replace(sibling, reference="another-session"))
    # Without a renewal behind the pin, only the pin itself may be renewed.
    assert not binding.is_renewal(replace(CHANNEL, pinned=NEW), sibling)
