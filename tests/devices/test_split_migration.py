"""The Device apart from its channels: rows written before the split (at the previous migration
state, with Django's migration executor) are carried over to Devices, and back again; the
database refuses hardware identifiers on a User-Enrollment Device."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from devices import hotpath
from devices.models import Device
from tests.channels import create_channel
from tests.migrations import at_state, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("devices", "0005_console_sort_and_saved_filters")]
AFTER = [("devices", "0008_split_device_channels")]
SEEN = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def at_previous_state() -> Iterator[Any]:
    yield from at_state(BEFORE)


def _old_rows(apps: Any) -> dict[str, Any]:
    Enrollment = apps.get_model("devices", "Enrollment")
    Source = apps.get_model("directory", "IdentitySource")
    Person = apps.get_model("directory", "DirectoryUser")
    source = Source.objects.create(name="Local", kind="local")
    ann = Person.objects.create(source=source, external_id="ann", username="ann")
    mac = Enrollment.objects.create(
        channel_key="udid:MAC-1",
        enrollment_type="device",
        platform="macOS",
        status="enrolled",
        udid="MAC-1",
        serial_number="C02MAC1",
        os_version="15.2",
        build_version="24C101",
        product_name="Mac15,3",
        model="Mac15,3",
        model_name="MacBook Pro",
        device_name="Ann's Mac",
        supervised=True,
        device_information={"OSVersion": "15.2", "IsSupervised": True},
        security_info={"FDE_Enabled": True},
        inventory_at=SEEN,
        directory_user=ann,
        managed_apple_id="ann@corp.example",
        push_token="ab" * 32,
        last_seen_at=SEEN,
    )
    mac_user = Enrollment.objects.create(
        channel_key="udid:MAC-1/uid:U1",
        parent=mac,
        channel="user",
        enrollment_type="device",
        platform="macOS",
        status="enrolled",
        udid="MAC-1",
        user_id="U1",
        user_short_name="ann",
        user_long_name="Ann Example",
        push_token="cd" * 32,
    )
    phone = Enrollment.objects.create(
        channel_key="eid:PHONE-1",
        enrollment_type="user",
        platform="iOS",
        status="enrolled",
        enrollment_id="PHONE-1",
        os_version="18.2",
        device_name="",
        managed_apple_id="ann@appleid.example",
        directory_user=ann,
    )
    ended = Enrollment.objects.create(
        channel_key="eid:GONE-1",
        enrollment_type="user",
        platform="iOS",
        status="unenrolled",
        enrollment_id="GONE-1",
        managed_apple_id="bob@appleid.example",
        unenrolled_at=SEEN,
    )
    return {"ann": ann.pk, "mac": mac.pk, "mac_user": mac_user.pk, "phone": phone.pk,
            "ended": ended.pk}  # fmt: skip


def test_existing_rows_become_devices_and_channels(at_previous_state: Any) -> None:
    ids = _old_rows(at_previous_state)
    apps = migrate_to(AFTER)
    Enrollment = apps.get_model("devices", "Enrollment")
    DeviceRow = apps.get_model("devices", "Device")
    mac = Enrollment.objects.get(pk=ids["mac"])
    mac_user = Enrollment.objects.get(pk=ids["mac_user"])
    phone = Enrollment.objects.get(pk=ids["phone"])
    ended = Enrollment.objects.get(pk=ids["ended"])
    # One Device per device channel; the user channel shares its device channel's.
    assert DeviceRow.objects.count() == 3
    assert mac_user.device_id == mac.device_id
    device = mac.device
    assert (device.udid, device.serial_number, device.platform, device.os_version) == (
        "MAC-1", "C02MAC1", "macOS", "15.2"
    )  # fmt: skip
    assert (device.build_version, device.product_name, device.model, device.model_name) == (
        "24C101", "Mac15,3", "Mac15,3", "MacBook Pro"
    )  # fmt: skip
    assert device.device_name == "Ann's Mac" and device.supervised is True
    assert device.device_information == {"OSVersion": "15.2", "IsSupervised": True}
    assert device.security_info == {"FDE_Enabled": True} and device.inventory_at == SEEN
    assert device.directory_user_id == ids["ann"]
    assert device.managed_apple_id == "ann@corp.example"
    # The user channel's names are the person's on the Device.
    assert (device.user_short_name, device.user_long_name) == ("ann", "Ann Example")
    assert (device.user_enrollment, device.ownership) == (False, "corporate")
    # Protocol state stays on the channel.
    assert mac.push_token == "ab" * 32 and mac.last_seen_at == SEEN and mac.status == "enrolled"
    assert mac_user.push_token == "cd" * 32 and mac_user.user_id == "U1"
    # User Enrollments: anonymous, personal Devices without hardware identifiers.
    for channel in (phone, ended):
        ue = channel.device
        assert (ue.user_enrollment, ue.ownership) == (True, "personal")
        assert (ue.udid, ue.serial_number, ue.imei, ue.meid) == (None, None, None, None)
    assert phone.device.managed_apple_id == "ann@appleid.example"
    assert phone.device.directory_user_id == ids["ann"] and phone.device.platform == "iOS"
    assert ended.status == "unenrolled" and ended.unenrolled_at == SEEN
    assert ended.device.managed_apple_id == "bob@appleid.example"


def test_the_migration_goes_back(at_previous_state: Any) -> None:
    ids = _old_rows(at_previous_state)
    migrate_to(AFTER)
    apps = migrate_to(BEFORE)
    Enrollment = apps.get_model("devices", "Enrollment")
    mac = Enrollment.objects.get(pk=ids["mac"])
    assert (mac.udid, mac.serial_number, mac.os_version, mac.supervised) == (
        "MAC-1", "C02MAC1", "15.2", True
    )  # fmt: skip
    assert mac.device_information == {"OSVersion": "15.2", "IsSupervised": True}
    assert mac.directory_user_id == ids["ann"] and mac.inventory_at == SEEN
    phone = Enrollment.objects.get(pk=ids["phone"])
    assert phone.managed_apple_id == "ann@appleid.example" and phone.udid is None
    user = Enrollment.objects.get(pk=ids["mac_user"])
    assert (user.platform, user.user_short_name) == ("macOS", "ann")


@pytest.mark.parametrize("identifier", ["udid", "serial_number", "imei", "meid"])
def test_the_database_refuses_hardware_identifiers_on_a_user_enrollment_device(
    identifier: str,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(user_enrollment=True, platform="iOS", **{identifier: "X-1"})
    device = Device.objects.create(user_enrollment=True, platform="iOS")
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.filter(pk=device.pk).update(**{identifier: "X-1"})
    # A Device Enrollment's Device keeps them.
    kept = Device.objects.create(user_enrollment=False, platform="iOS", **{identifier: "X-2"})
    assert getattr(Device.objects.get(pk=kept.pk), identifier) == "X-2"


def test_a_device_known_before_enrollment_is_taken_by_its_serial_number_once() -> None:
    """An ADE enrollment session names the Device ABM made known; the first Authenticate takes
    it only when the device reports that serial number and no device channel holds it yet."""
    known = Device.objects.create(serial_number="C02KNOWN", ownership="corporate")
    with transaction.atomic():
        assert hotpath.unclaimed_device(known.pk, "C02OTHER") is None
        assert hotpath.unclaimed_device(known.pk, "c02known ") == known
    create_channel(device=known, channel_key="udid:KNOWN", enrollment_type="ade")
    with transaction.atomic():
        assert hotpath.unclaimed_device(known.pk, "C02KNOWN") is None  # held by its channel
    # A User Enrollment's Device (no serial number) is never taken.
    anonymous = Device.objects.create(user_enrollment=True)
    with transaction.atomic():
        assert hotpath.unclaimed_device(anonymous.pk, "C02KNOWN") is None
