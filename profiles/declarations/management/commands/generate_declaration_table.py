"""`manage.py generate_declaration_table`: regenerate the declarations table from Apple's schema."""

from __future__ import annotations

from pathlib import Path

from devices.capability_source import SchemaError
from mdm_server.generated_files import GeneratedFileCommand
from profiles.declarations.table_source import generate

COMMAND = "manage.py generate_declaration_table"


class Command(GeneratedFileCommand):
    help = (
        "Regenerate profiles/declarations/declaration_table.py (declaration types, the enrollment "
        "kinds and scopes each is allowed on, payload keys) from Apple's declarative schema YAML."
    )
    command_name = COMMAND
    output_relative = "profiles/declarations/declaration_table.py"
    source_errors = (SchemaError,)

    def generate(self, schema_dir: Path) -> str:
        return generate(schema_dir, command=COMMAND)
