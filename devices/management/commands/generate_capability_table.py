"""`manage.py generate_capability_table`: regenerate devices/capability_table.py from Apple's schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devices.capability_source import SchemaError, generate

COMMAND = "manage.py generate_capability_table"


def default_schema_dir() -> Path:
    """`../shared/apple-device-management` relative to the repository root."""
    return Path(settings.BASE_DIR).resolve().parent / "shared" / "apple-device-management"


def default_output() -> Path:
    return Path(settings.BASE_DIR).resolve() / "devices" / "capability_table.py"


class Command(BaseCommand):
    help = (
        "Regenerate devices/capability_table.py (the User-Enrollment capability table) from "
        "Apple's device-management schema YAML."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schema",
            type=Path,
            default=None,
            help="Folder holding Apple's schema (mdm/commands, mdm/checkin, mdm/profiles). "
            "Default: ../shared/apple-device-management next to the repository.",
        )
        parser.add_argument(
            "--output", type=Path, default=None, help="Where to write the table (default: the app)."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the committed table differs from a fresh generation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schema_dir: Path = options["schema"] or default_schema_dir()
        output: Path = options["output"] or default_output()
        if not schema_dir.is_dir():
            raise CommandError(f"Schema folder not found: {schema_dir} (use --schema DIR).")
        try:
            source = generate(schema_dir, command=COMMAND)
        except SchemaError as exc:
            raise CommandError(f"Cannot read Apple's schema: {exc}") from exc
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if options["check"]:
            if current != source:
                raise CommandError(f"{output} is out of date: run `{COMMAND}`.")
            self.stdout.write(f"{output} is up to date.")
            return
        if current == source:
            self.stdout.write(f"{output} is already up to date.")
            return
        output.write_text(source, encoding="utf-8")
        self.stdout.write(f"Wrote {output} ({source.count(chr(10))} lines).")
