"""Migration tests: move the test database to an older state of the schema, and back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str]]) -> Any:
    """Migrate to `targets` ((app, migration) pairs); the historical apps registry of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def at_state(targets: list[tuple[str, str]]) -> Iterator[Any]:
    """For a fixture: the apps of that state, then back to the newest, whatever the test left."""
    yield migrate_to(targets)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
