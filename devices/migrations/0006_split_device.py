import django.db.models.deletion
import mdm_server.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    """The Device apart from its channels, step 1: the Device table and the channels' link."""

    dependencies = [
        ('devices', '0005_console_sort_and_saved_filters'),
        ('directory', '0003_case_insensitive_lookup_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='Device',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('user_enrollment', models.BooleanField(default=False)),
                ('platform', models.CharField(blank=True, db_index=True, max_length=16)),
                ('ownership', models.CharField(choices=[('corporate', 'Corporate'), ('personal', 'Personal (BYOD)'), ('unknown', 'Unknown')], default='unknown', max_length=10)),
                ('udid', models.CharField(blank=True, db_index=True, max_length=255, null=True)),
                ('serial_number', models.CharField(blank=True, db_index=True, max_length=64, null=True)),
                ('imei', models.CharField(blank=True, max_length=64, null=True)),
                ('meid', models.CharField(blank=True, max_length=64, null=True)),
                ('os_version', models.CharField(blank=True, max_length=32)),
                ('build_version', models.CharField(blank=True, max_length=32)),
                ('product_name', models.CharField(blank=True, max_length=64)),
                ('model', models.CharField(blank=True, max_length=64)),
                ('model_name', models.CharField(blank=True, max_length=128)),
                ('device_name', models.CharField(blank=True, max_length=255)),
                ('supervised', models.BooleanField(default=False)),
                ('device_information', models.JSONField(blank=True, default=dict)),
                ('security_info', models.JSONField(blank=True, default=dict)),
                ('inventory_at', models.DateTimeField(blank=True, null=True)),
                ('managed_apple_id', models.CharField(blank=True, db_index=True, max_length=255)),
                ('user_short_name', models.CharField(blank=True, max_length=255)),
                ('user_long_name', models.CharField(blank=True, max_length=255)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('directory_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='devices', to='directory.directoryuser')),
            ],
            options={
                'ordering': ['-id'],
            },
        ),
        migrations.AddField(
            model_name='enrollment',
            name='device',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='channels', to='devices.device'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=mdm_server.indexes.KeysetIndex(models.OrderBy(models.F('platform'), descending=True, nulls_last=True), models.OrderBy(models.F('id'), descending=True), name='devices_dsort_platform'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=mdm_server.indexes.KeysetIndex(models.OrderBy(models.F('inventory_at'), descending=True, nulls_last=True), models.OrderBy(models.F('id'), descending=True), name='devices_dsort_inventory_at'),
        ),
        migrations.AddIndex(
            model_name='device',
            index=mdm_server.indexes.KeysetIndex(models.OrderBy(models.F('managed_apple_id'), descending=True, nulls_last=True), models.OrderBy(models.F('id'), descending=True), name='devices_dsort_managed_apple_id'),
        ),
        migrations.AddConstraint(
            model_name='device',
            constraint=models.CheckConstraint(condition=models.Q(('user_enrollment', True), models.Q(('udid__isnull', False), ('serial_number__isnull', False), ('imei__isnull', False), ('meid__isnull', False), _connector='OR'), _negated=True), name='devices_ue_device_has_no_hardware_ids'),
        ),
    ]
