"""`manage.py pki_rollover`: the documented CA and signing-certificate procedure."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from devices.identity import _trusted_cas, forget_cached_state
from devices.models import Enrollment
from mdm_server import clock
from mdm_server.pki.models import ServerCertificate
from tests.channels import create_channel

pytestmark = pytest.mark.django_db


def _rollover_a_week_later() -> str:
    """`pki_rollover ca` a week after the first CA was made (not in the same second)."""
    previous = clock.use(clock.ManualClock(dt.datetime.now(dt.UTC) + dt.timedelta(days=7)))
    try:
        return _run("ca")
    finally:
        clock.use(previous)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("pki_rollover", *args, stdout=out)
    return out.getvalue()


def _device_of_generation(ca: ServerCertificate) -> Enrollment:
    start = ca.certificate.not_valid_before_utc
    return create_channel(
        channel_key=f"rollover:{uuid.uuid4()}",
        enrollment_type="device",
        platform="iOS",
        status=Enrollment.Status.ENROLLED,
        udid=str(uuid.uuid4()),
        identity_not_before=start + dt.timedelta(minutes=6),
        identity_not_after=start + dt.timedelta(days=365),
    )


def test_rollover_keeps_the_old_generation_trusted_until_retired(server_pki: Any) -> None:
    old_ca = server_pki.ca
    device = _device_of_generation(old_ca)
    out = _rollover_a_week_later()
    assert "CA generation 2 is active" in out
    assert "CA generation 1: trusted" in out and "1 enrolled device(s)" in out
    new_ca = ServerCertificate.objects.get(kind="ca", is_active=True)
    signing = ServerCertificate.objects.get(kind="signing", is_active=True)
    assert signing.generation == 2
    assert signing.chain[0] == new_ca.certificate  # issued by the new CA
    assert new_ca.certificate.subject != old_ca.certificate.subject
    forget_cached_state()
    assert {c.subject for c in _trusted_cas()} == {
        old_ca.certificate.subject,
        new_ca.certificate.subject,
    }
    # A device still holds a generation-1 identity: retiring it is refused.
    with pytest.raises(CommandError, match="1 enrolled device"):
        _run("retire", "1")
    with pytest.raises(CommandError, match="active one"):
        _run("retire", "2")
    with pytest.raises(CommandError, match="no CA generation 7"):
        _run("retire", "7")
    # Renewed from the new generation: the old one can go.
    device.identity_not_before = new_ca.certificate.not_valid_before_utc + dt.timedelta(minutes=6)
    device.save()
    out = _run("retire", "1")
    assert "CA generation 1 is retired" in out and "CA generation 1: retired" in out
    forget_cached_state()
    assert [c.subject for c in _trusted_cas()] == [new_ca.certificate.subject]


def test_retire_with_force_and_signing_rotation(server_pki: Any) -> None:
    _device_of_generation(server_pki.ca)
    _rollover_a_week_later()
    assert "CA generation 1 is retired" in _run("retire", "1", "--force")
    out = _run("signing")
    assert "profile-signing generation 3 is active" in out


def test_status_and_errors_without_pki(db: None) -> None:
    with pytest.raises(CommandError, match="manage.py setup"):
        _run("ca")
    with pytest.raises(CommandError, match="--limit"):
        _run("renew-now", "--limit", "0")
    assert _run("status") == ""
