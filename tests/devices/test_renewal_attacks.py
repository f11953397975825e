"""Attacks with a renewal identity: a certificate issued to renew (or re-enroll) one device
channel authenticates that channel only, never a new or a checked-out one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices import binding
from devices.models import Enrollment
from mdm_server.pki import services as pki
from mdm_server.pki.certificates import fingerprint
from mdm_server.pki.models import IssuedCertificate
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]


def _issued_for(device: SimulatedDevice, *, reference: str, renews: str = "") -> None:
    pki._record_issued(
        cert=device.certificate,
        reference=reference,
        source=IssuedCertificate.Source.SCEP,
        renews=renews,
    )


def test_a_renewal_identity_of_one_channel_opens_no_new_channel(make_device: MakeDevice) -> None:
    owner = make_device(platform="iOS", user_enrollment=False)
    owner.enroll()
    channel = Enrollment.objects.get()
    # The identity the renewal profile of that channel (no enrollment session: an
    # administrator's grant reference) issued, presented by a script as another device.
    intruder = make_device(platform="iOS", user_enrollment=False)
    _issued_for(
        intruder,
        reference=binding.grant_reference(str(channel.public_id)),
        renews=channel.cert_fingerprint,
    )
    assert intruder.authenticate() == 403
    assert Enrollment.objects.count() == 1
    channel.refresh_from_db()
    assert channel.cert_fingerprint == fingerprint(owner.certificate)


def test_a_grant_for_one_channel_does_not_take_a_checked_out_one(
    make_device: MakeDevice,
) -> None:
    owner = make_device(platform="iOS", user_enrollment=False)
    owner.enroll()
    granted = Enrollment.objects.get()
    gone = make_device(platform="iOS", user_enrollment=False)
    gone.enroll()
    assert gone.check_out() == 200
    # Same device (UDID) as the checked-out channel, with the identity of the other's grant.
    intruder = make_device(platform="iOS", user_enrollment=False, udid=gone.udid)
    _issued_for(intruder, reference=binding.grant_reference(str(granted.public_id)))
    assert intruder.authenticate() == 403
    released = Enrollment.objects.get(device__udid=gone.udid)
    assert released.status == Enrollment.Status.UNENROLLED
    assert released.cert_fingerprint == fingerprint(gone.certificate)


def test_the_grant_still_re_enrolls_its_own_channel(make_device: MakeDevice) -> None:
    owner = make_device(platform="iOS", user_enrollment=False)
    owner.enroll()
    channel = Enrollment.objects.get()
    again = make_device(platform="iOS", user_enrollment=False, udid=owner.udid)
    _issued_for(again, reference=binding.grant_reference(str(channel.public_id)))
    assert again.authenticate() == 200
    channel.refresh_from_db()
    assert channel.cert_fingerprint == fingerprint(again.certificate)
