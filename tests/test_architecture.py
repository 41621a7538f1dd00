"""Layer contracts, checked on the real import graph (grimp, the engine behind import-linter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
# Cycles that predate the job-engine split and belong to other work (issue 9): listed so a new one fails.
KNOWN_CYCLES: list[set[str]] = []


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("customner", exclude_type_checking_imports=True)


def _cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    sys.setrecursionlimit(10_000)
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_ner_imports_nothing_else_of_customner() -> None:
    graph = _graph()
    outside = sorted(
        (module, imported)
        for module in graph.modules if module == "customner.ner" or module.startswith("customner.ner.")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("customner") and not (imported == "customner.ner" or imported.startswith("customner.ner."))
    )
    assert outside == []


def test_services_import_neither_api_nor_studio() -> None:
    graph = _graph()
    for layer in ("customner.api", "customner.studio"):
        assert not graph.chain_exists(importer="customner.services", imported=layer, as_packages=True), layer


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _direct_imports(graph: grimp.ImportGraph, importers: str, imported: str) -> set[tuple[str, str]]:
    """(importer, imported) module pairs from the package ``importers`` into the package ``imported``."""
    return {(module, target) for module in graph.modules if _inside(module, importers)
            for target in graph.find_modules_directly_imported_by(module) if _inside(target, imported)}


def test_studio_does_not_import_api() -> None:
    assert not _graph().chain_exists(importer="customner.studio", imported="customner.api", as_packages=True)


def test_api_and_studio_do_not_import_store() -> None:
    graph = _graph()
    for layer in ("customner.api", "customner.studio"):
        assert _direct_imports(graph, layer, "customner.store") == set(), layer


def test_job_functions_are_registered_by_the_assembly_only() -> None:
    graph = _graph()
    for low in ("customner.jobs", "customner.context"):
        for service in ("analysis", "training", "transfer", "deployments", "projects", "models"):
            assert not graph.direct_import_exists(importer=low, imported=f"customner.services.{service}", as_packages=True)
    assert "customner.services.jobs_registry" not in graph.modules
    assert graph.direct_import_exists(importer="customner.assembly", imported="customner.services.training")


def test_no_new_import_cycles() -> None:
    cycles = _cycles(_graph())
    new = [sorted(cycle) for cycle in cycles if cycle not in KNOWN_CYCLES]
    assert new == []


def test_import_linter_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout
