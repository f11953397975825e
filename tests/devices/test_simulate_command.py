from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from devices.models import DeviceEvent, Enrollment


@pytest.mark.django_db(transaction=True)
def test_simulate_device_over_real_http(live_server, server_pki) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "simulate_device",
        url=live_server.url,
        platform="macOS",
        enrollment="user",
        count=2,
        polls=2,
        check_out=True,
        stdout=out,
    )
    assert out.getvalue().count("enrolled macOS user") == 2
    assert "checked out 2 device(s)" in out.getvalue()
    assert Enrollment.objects.filter(enrollment_type="user", device__platform="macOS").count() == 2
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"unenrolled"}
    assert DeviceEvent.objects.filter(action="CheckOut").count() == 2


def test_simulate_device_rejects_bad_counts() -> None:
    with pytest.raises(CommandError, match="--count"):
        call_command("simulate_device", count=0)


@pytest.mark.django_db
def test_simulate_device_reports_unreachable_server(server_pki) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="enrollment failed"):
        call_command("simulate_device", url="http://127.0.0.1:9", stdout=StringIO())
