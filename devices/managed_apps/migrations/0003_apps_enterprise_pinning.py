"""A Mac's custom app: the certificates its manifest server is pinned to."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("managed_apps", "0002_apps_notifications")]

    operations = [
        migrations.AddField(
            model_name="app",
            name="pinning_certs",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="app",
            name="pinning_revocation_required",
            field=models.BooleanField(default=False),
        ),
    ]
