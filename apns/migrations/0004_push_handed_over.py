from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("apns", "0003_vendor_certificate_and_verify"),
    ]

    operations = [
        migrations.AddField(
            model_name="pushbatch",
            name="unknown",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="pendingpush",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="pendingpush",
            name="unknown_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
