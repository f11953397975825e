"""`manage.py generate_capability_table`: regenerate devices/capability_table.py from Apple's schema."""

from __future__ import annotations

from pathlib import Path

from devices.capability_source import SchemaError, generate
from mdm_server.generated_files import GeneratedFileCommand, default_schema_dir

COMMAND = "manage.py generate_capability_table"
__all__ = ["COMMAND", "Command", "default_schema_dir"]


class Command(GeneratedFileCommand):
    help = (
        "Regenerate devices/capability_table.py (the User-Enrollment capability table) from "
        "Apple's device-management schema YAML."
    )
    command_name = COMMAND
    output_relative = "devices/capability_table.py"
    source_errors = (SchemaError,)

    def generate(self, schema_dir: Path) -> str:
        return generate(schema_dir, command=COMMAND)
