"""A User Enrollment's session kept every MachineInfo key but the hardware identifiers, so keys a
modified device made up (a MAC address, a phone number, ...) were stored with it. Its stored
MachineInfo keeps Apple's keys a User Enrollment may send, as a new session now does
(`enrollment.machine_info.UE_KEYS`, as of this migration)."""

from django.db import migrations

UE_KEYS = (
    "PRODUCT",
    "VERSION",
    "OS_VERSION",
    "SUPPLEMENTAL_BUILD_VERSION",
    "SUPPLEMENTAL_OS_VERSION_EXTRA",
    "LANGUAGE",
    "MDM_CAN_REQUEST_SOFTWARE_UPDATE",
    "MDM_CAN_REQUEST_PSSO_CONFIG",
)


def keep_apple_keys(apps, schema_editor):
    EnrollmentSession = apps.get_model("enrollment", "EnrollmentSession")
    changed = []
    rows = EnrollmentSession.objects.filter(enrollment_type="user").only("pk", "machine_info")
    for row in rows.iterator(chunk_size=2000):
        info = row.machine_info if isinstance(row.machine_info, dict) else {}
        kept = {k: v for k, v in info.items() if k in UE_KEYS}
        if kept != row.machine_info:
            row.machine_info = kept
            changed.append(row)
        if len(changed) >= 2000:
            EnrollmentSession.objects.bulk_update(changed, ["machine_info"])
            changed = []
    EnrollmentSession.objects.bulk_update(changed, ["machine_info"])


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0004_split_session_ownership"),
    ]

    operations = [
        migrations.RunPython(keep_apple_keys, migrations.RunPython.noop, elidable=True),
    ]
