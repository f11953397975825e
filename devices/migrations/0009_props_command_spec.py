"""Each command keeps its registry name (`Command.spec`): the server recognises an Unenroll by it
(not by the console's copy in `display`). Existing rows get the name their `display` recorded,
else their RequestType (the registry name of every command but Unenroll)."""

from django.db import migrations, models


def fill_spec(apps, schema_editor):
    Command = apps.get_model("devices", "Command")
    names = (
        Command.objects.exclude(display__name=None)
        .values_list("display__name", flat=True)
        .distinct()
    )
    for name in [n for n in names if isinstance(n, str) and n]:
        Command.objects.filter(display__name=name).update(spec=name[:64])
    Command.objects.filter(spec="").update(spec=models.F("request_type"))


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0008_split_device_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="command",
            name="spec",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.RunPython(fill_spec, migrations.RunPython.noop),
    ]
