import django.db.models.deletion
import mdm_server.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    """The Device apart from its channels, step 3: the channel keeps protocol state only."""

    dependencies = [
        ('devices', '0007_split_device_data'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='enrollment',
            name='devices_ue_has_no_udid',
        ),
        migrations.RemoveConstraint(
            model_name='enrollment',
            name='devices_ue_has_no_serial',
        ),
        migrations.RemoveIndex(
            model_name='enrollment',
            name='devices_enr_enrollm_a93ec7_idx',
        ),
        migrations.RemoveIndex(
            model_name='enrollment',
            name='devices_sort_platform',
        ),
        migrations.RemoveIndex(
            model_name='enrollment',
            name='devices_sort_inventory_at',
        ),
        migrations.RemoveIndex(
            model_name='enrollment',
            name='devices_sort_managed_apple_id',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='build_version',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='device_information',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='device_name',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='directory_user',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='imei',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='inventory_at',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='managed_apple_id',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='meid',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='model',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='model_name',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='os_version',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='platform',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='product_name',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='security_info',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='serial_number',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='supervised',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='udid',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='user_long_name',
        ),
        migrations.RemoveField(
            model_name='enrollment',
            name='user_short_name',
        ),
        migrations.AlterField(
            model_name='enrollment',
            name='device',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='channels', to='devices.device'),
        ),
        migrations.AddIndex(
            model_name='enrollment',
            index=models.Index(fields=['enrollment_type', 'status'], name='devices_type_status'),
        ),
        migrations.AddConstraint(
            model_name='enrollment',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', True)), fields=('device',), name='devices_one_device_channel'),
        ),
    ]
