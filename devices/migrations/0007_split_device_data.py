"""The Device apart from its channels, step 2: every device channel's hardware, inventory and
person become its Device; its user channels point at the same Device.

A user channel's own user names (a Mac's user channel reported them at its TokenUpdate) fill the
Device's when the device channel has none. Reversible: going back copies each Device's values
onto all its channels again.
"""

from django.db import migrations

# What moved from the channel to its Device, unchanged.
MOVED = (
    "platform",
    "udid",
    "serial_number",
    "imei",
    "meid",
    "os_version",
    "build_version",
    "product_name",
    "model",
    "model_name",
    "device_name",
    "supervised",
    "device_information",
    "security_info",
    "inventory_at",
    "directory_user_id",
    "managed_apple_id",
    "user_short_name",
    "user_long_name",
)
BATCH = 2000


def _devices_for(Device, rows):
    made = []
    for row in rows:
        user_enrollment = row.enrollment_type == "user"
        values = {name: getattr(row, name) for name in MOVED}
        if user_enrollment:
            # The database refused them already; said again so no row can carry one over.
            values.update(udid=None, serial_number=None, imei=None, meid=None)
        made.append(
            Device(
                user_enrollment=user_enrollment,
                ownership="personal" if user_enrollment else "corporate",
                created_at=row.created_at,
                **values,
            )
        )
    return made


def forwards(apps, schema_editor):
    Enrollment = apps.get_model("devices", "Enrollment")
    Device = apps.get_model("devices", "Device")
    channels = Enrollment.objects.filter(parent__isnull=True, device__isnull=True).order_by("pk")
    while True:
        rows = list(channels[:BATCH])
        if not rows:
            break
        devices = Device.objects.bulk_create(_devices_for(Device, rows))
        for row, device in zip(rows, devices, strict=True):
            row.device_id = device.pk
        Enrollment.objects.bulk_update(rows, ["device_id"])
    users = Enrollment.objects.filter(parent__isnull=False, device__isnull=True).order_by("pk")
    while True:
        rows = list(users.select_related("parent__device")[:BATCH])
        if not rows:
            break
        named = []
        for row in rows:
            device = row.parent.device
            row.device_id = device.pk
            if row.user_short_name and not device.user_short_name:
                device.user_short_name = row.user_short_name
                device.user_long_name = row.user_long_name
                named.append(device)
        Enrollment.objects.bulk_update(rows, ["device_id"])
        if named:
            Device.objects.bulk_update(named, ["user_short_name", "user_long_name"])


def backwards(apps, schema_editor):
    Enrollment = apps.get_model("devices", "Enrollment")
    rows = Enrollment.objects.filter(device__isnull=False).select_related("device").order_by("pk")
    start = 0
    while True:
        batch = list(rows.filter(pk__gt=start)[:BATCH])
        if not batch:
            break
        for row in batch:
            for name in MOVED:
                if row.enrollment_type == "user" and name in ("udid", "serial_number"):
                    continue
                setattr(row, name, getattr(row.device, name))
        Enrollment.objects.bulk_update(batch, list(MOVED))
        start = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0006_split_device"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
