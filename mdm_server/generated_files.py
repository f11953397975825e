"""Management-command base for files generated from Apple's device-management schema.

The capability table and the payload schema are both generated, committed, and checked in CI
with `--check`; this keeps their commands identical in behaviour.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def default_schema_dir() -> Path:
    """The copy of Apple's schema vendored in the repository (`mdm_server/apple_schema`)."""
    return Path(settings.BASE_DIR).resolve() / "mdm_server" / "apple_schema"


class GeneratedFileCommand(BaseCommand):
    """Regenerate one committed file from Apple's schema, or check that it is current."""

    command_name = ""  # e.g. "manage.py generate_capability_table"
    output_relative = ""  # path inside the repository
    source_errors: tuple[type[Exception], ...] = ()

    def generate(self, schema_dir: Path) -> str:
        raise NotImplementedError

    def default_output(self) -> Path:
        return Path(settings.BASE_DIR).resolve() / self.output_relative

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schema",
            type=Path,
            default=None,
            help="Folder holding Apple's schema (mdm/...). "
            "Default: mdm_server/apple_schema (the vendored copy).",
        )
        parser.add_argument(
            "--output", type=Path, default=None, help=f"Default: {self.output_relative}"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the committed file differs from a fresh generation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schema_dir: Path = options["schema"] or default_schema_dir()
        output: Path = options["output"] or self.default_output()
        if not schema_dir.is_dir():
            raise CommandError(f"Schema folder not found: {schema_dir} (use --schema DIR).")
        try:
            text = self.generate(schema_dir)
        except self.source_errors as exc:
            raise CommandError(f"Cannot read Apple's schema: {exc}") from exc
        except ImportError as exc:
            raise CommandError(f"PyYAML is needed to generate (pip install PyYAML): {exc}") from exc
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if options["check"]:
            if current != text:
                raise CommandError(f"{output} is out of date: run `{self.command_name}`.")
            self.stdout.write(f"{output} is up to date.")
            return
        if current == text:
            self.stdout.write(f"{output} is already up to date.")
            return
        output.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {output} ({text.count(chr(10))} lines).")
