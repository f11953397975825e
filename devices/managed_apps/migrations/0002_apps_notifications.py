"""Apple's notifications per Apps and Books location: where they arrive and which were seen."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def fill_notify_ids(apps, schema_editor):  # type: ignore[no-untyped-def]
    token_model = apps.get_model("managed_apps", "AppsBooksToken")
    for token in token_model.objects.all():
        token.notify_id = uuid.uuid4()
        token.save(update_fields=["notify_id"])


class Migration(migrations.Migration):
    dependencies = [("managed_apps", "0001_apps_managed_apps")]

    operations = [
        migrations.AddField(
            model_name="appsbookstoken",
            name="notify_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_notify_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appsbookstoken",
            name="notify_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="appsbookstoken",
            name="notifications",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.CreateModel(
            name="AppsBooksNotification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("notification_id", models.CharField(max_length=64)),
                ("notification_type", models.CharField(max_length=40)),
                ("received_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "token",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="received_notifications",
                        to="managed_apps.appsbookstoken",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("token", "notification_id"), name="managed_apps_notification_once"
                    )
                ]
            },
        ),
    ]
