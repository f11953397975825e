from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pki', '0003_renewal_identity'),
    ]

    operations = [
        migrations.AddField(
            model_name='scepchallenge',
            name='subject',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
    ]
