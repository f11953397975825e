"""`manage.py generate_payload_schema`: regenerate profiles/payload_schema.json from Apple's YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from profiles.schema_source import SchemaSourceError, build_schema, render

COMMAND = "manage.py generate_payload_schema"


def default_schema_dir() -> Path:
    """`../shared/apple-device-management` next to the repository."""
    return Path(settings.BASE_DIR).resolve().parent / "shared" / "apple-device-management"


def default_output() -> Path:
    return Path(settings.BASE_DIR).resolve() / "profiles" / "payload_schema.json"


class Command(BaseCommand):
    help = (
        "Regenerate profiles/payload_schema.json (payload keys, types, ranges, allowed values) "
        "from Apple's device-management schema YAML (mdm/profiles)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schema",
            type=Path,
            default=None,
            help="Folder holding Apple's schema (with mdm/profiles). "
            "Default: ../shared/apple-device-management next to the repository.",
        )
        parser.add_argument("--output", type=Path, default=None, help="Where to write the JSON.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the committed file differs from a fresh generation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schema_dir: Path = options["schema"] or default_schema_dir()
        output: Path = options["output"] or default_output()
        if not schema_dir.is_dir():
            raise CommandError(f"Schema folder not found: {schema_dir} (use --schema DIR).")
        try:
            text = render(build_schema(schema_dir))
        except SchemaSourceError as exc:
            raise CommandError(f"Cannot read Apple's schema: {exc}") from exc
        except ImportError as exc:
            raise CommandError(f"PyYAML is needed to generate (pip install PyYAML): {exc}") from exc
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if options["check"]:
            if current != text:
                raise CommandError(f"{output} is out of date: run `{COMMAND}`.")
            self.stdout.write(f"{output} is up to date.")
            return
        if current == text:
            self.stdout.write(f"{output} is already up to date.")
            return
        output.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
