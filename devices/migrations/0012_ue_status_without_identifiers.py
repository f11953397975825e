"""A User Enrollment's raw status report (`Enrollment.ddm_status`) kept every status item the
device sent, `device.identifier.serial-number` and `.udid` among them, until the check-in kept
only those Apple lets a User Enrollment report. Its stored items go: nothing reads them, and the
device's next report brings back those it may keep."""

from django.db import migrations
from django.db.models import Q


def forget_ue_status_items(apps, schema_editor):
    Enrollment = apps.get_model("devices", "Enrollment")
    rows = Enrollment.objects.filter(
        Q(enrollment_type="user") | Q(parent__enrollment_type="user")
    ).only("pk", "ddm_status")
    changed = []
    for row in rows.iterator(chunk_size=2000):
        if isinstance(row.ddm_status, dict) and "StatusItems" in row.ddm_status:
            row.ddm_status = {k: v for k, v in row.ddm_status.items() if k != "StatusItems"}
            changed.append(row)
        if len(changed) >= 2000:
            Enrollment.objects.bulk_update(changed, ["ddm_status"])
            changed = []
    Enrollment.objects.bulk_update(changed, ["ddm_status"])


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0011_enrollment_token_update_logged_at"),
    ]

    operations = [
        migrations.RunPython(forget_ue_status_items, migrations.RunPython.noop, elidable=True),
    ]
