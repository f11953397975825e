"""DeviceConfigured: end Setup Assistant's "await device configured" wait of Automated Device
Enrollment (Apple "Device Configured Command", mdm/commands/device.configured.yaml)."""

from devices.commands.base import CommandSpec

COMMAND = CommandSpec(
    name="DeviceConfigured",
    title="Release from Setup Assistant (device configured)",
    menu_order=180,
)
