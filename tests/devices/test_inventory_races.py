"""Two list results of one channel at once (two queued commands of one kind: an administrator's
and the inventory's): each replaces the channel's stored list, one after the other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.db import connection

from devices import services
from devices.models import Enrollment, InstalledApplication, InstalledCertificate, InstalledProfile
from tests import races
from tests.simulator import SimulatedDevice

ROWS = {
    "InstalledApplicationList": InstalledApplication,
    "ProfileList": InstalledProfile,
    "CertificateList": InstalledCertificate,
}


def _answer(kind: str, n: int, device: SimulatedDevice) -> dict[str, Any]:
    if kind == "InstalledApplicationList":
        return {
            "InstalledApplicationList": [
                {"Identifier": "com.example.work", "Name": "Work", "Version": str(n)}
            ]
        }
    if kind == "ProfileList":
        return {
            "ProfileList": [
                {
                    "PayloadIdentifier": "com.example.wifi",
                    "PayloadUUID": f"UUID-{n}",
                    "PayloadDisplayName": f"Wi-Fi {n}",
                    "IsManaged": True,
                    "PayloadContent": [{"PayloadType": "com.apple.wifi.managed"}],
                }
            ]
        }
    der = device.certificate.public_bytes(serialization.Encoding.DER)
    return {"CertificateList": [{"CommonName": f"identity {n}", "Data": der, "IsIdentity": True}]}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", list(ROWS))
def test_two_list_results_of_one_channel_at_once_replace_the_list_in_turn(
    make_device: Callable[..., SimulatedDevice], kind: str
) -> None:
    """The second's DELETE waited for the first's rows and then did not see the rows the first
    wrote: its INSERT failed on the one-row-an-app (or profile) key, a 500, or, for
    certificates (no such key), both lists were kept."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row locks")
    device = make_device(platform="iOS", user_enrollment=False)
    device.enroll()
    enrollment = Enrollment.objects.get(channel_key=f"udid:{device.udid}")
    # Three queued: the first result's answer delivers the second (and locks its queue row),
    # so the racing result answers the third.
    uuids = []
    for _ in range(3):
        command = services.enqueue_command(enrollments=[enrollment], request_type=kind).command
        assert command is not None
        uuids.append(command.uuid)
    first, second = races.second_waits_for_first(
        lambda: device.connect(
            "Acknowledged", command_uuid=uuids[0], extra=_answer(kind, 1, device)
        ),
        lambda: device.connect(
            "Acknowledged", command_uuid=uuids[2], extra=_answer(kind, 2, device)
        ),
    )
    assert not isinstance(first, Exception) and first[0] == 200, first
    assert not isinstance(second, Exception) and second[0] == 200, second
    (row,) = ROWS[kind].objects.filter(enrollment=enrollment)
    later = {  # the later result's list
        "InstalledApplicationList": ("version", "2"),
        "ProfileList": ("uuid", "UUID-2"),
        "CertificateList": ("common_name", "identity 2"),
    }[kind]
    assert getattr(row, later[0]) == later[1]
