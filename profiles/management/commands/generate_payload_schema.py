"""`manage.py generate_payload_schema`: regenerate profiles/payload_schema.json from Apple's YAML."""

from __future__ import annotations

from pathlib import Path

from mdm_server.generated_files import GeneratedFileCommand
from profiles.schema_source import SchemaSourceError, build_schema, render

COMMAND = "manage.py generate_payload_schema"


class Command(GeneratedFileCommand):
    help = (
        "Regenerate profiles/payload_schema.json (payload keys, types, ranges, allowed values) "
        "from Apple's device-management schema YAML (mdm/profiles)."
    )
    command_name = COMMAND
    output_relative = "profiles/payload_schema.json"
    source_errors = (SchemaSourceError,)

    def generate(self, schema_dir: Path) -> str:
        return render(build_schema(schema_dir))
