"""No import cycle hidden by an import inside a function.

An import moved into a function body to dodge a circular import still makes the two modules
depend on each other; the layer contracts (lint-imports) only see direction between apps. This
walks every function-level import of the application packages and fails when the imported
module imports the importer back (directly or through others), unless the pair is listed
below with its reason."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("mdm_server", "enrollment", "devices", "profiles", "directory", "apns")

# (importer, imported) -> why the cycle stays. Services schedule Celery tasks after their
# transaction commits, and the tasks are thin shells that call those services: the task module
# is imported when the task is sent, not when the service module loads.
KNOWN_CYCLES = {
    ("apns.services", "apns.tasks"): "push batches are sent to the tasks that run them",
    ("directory.services.imports", "directory.tasks"): "an import run is sent to its task",
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(importer: str, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if node.level:
        package = importer.split(".")[: -node.level]
        base = ".".join([*package, node.module] if node.module else package)
    else:
        base = node.module or ""
    # `from a import b` imports the module a.b when there is one, else a name from a.
    return {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}


def _function_level_imports(graph: grimp.ImportGraph) -> list[tuple[str, str, str]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            importer = _module(path)
            for function in ast.walk(ast.parse(path.read_text())):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        for target in _targets(importer, node, graph.modules):
                            if target in graph.modules:
                                found.append((importer, target, f"{path.name}:{node.lineno}"))
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES)


def test_the_walk_sees_function_level_imports(graph: grimp.ImportGraph) -> None:
    found = {(a, b) for a, b, _ in _function_level_imports(graph)}
    # A known one, so an empty walk cannot pass for a clean one.
    assert ("apns.services", "apns.tasks") in found


def test_no_function_level_import_hides_a_cycle(graph: grimp.ImportGraph) -> None:
    hidden = []
    for importer, imported, where in _function_level_imports(graph):
        if (importer, imported) in KNOWN_CYCLES:
            continue
        chain = graph.find_shortest_chain(importer=imported, imported=importer)
        if chain:
            hidden.append(f"{where}: {importer} -> {imported}, back via {' -> '.join(chain)}")
    assert not hidden, "imports inside functions hide cycles:\n" + "\n".join(hidden)


def test_known_cycles_are_still_cycles(graph: grimp.ImportGraph) -> None:
    """An entry whose cycle is gone must leave the list."""
    for importer, imported in KNOWN_CYCLES:
        assert graph.find_shortest_chain(importer=imported, imported=importer), (
            importer,
            imported,
        )
