"""The package reads like the course: short modules, short classes, a docstring each, no cycle.

The import graph is built from the source with ``ast`` (every ``import`` statement, at the
top of a module or inside a function, ``TYPE_CHECKING`` blocks included), so a cycle hidden
in a lazy import or a module ``__getattr__`` is found too. Importing ``a.b.c`` also runs
``a/__init__.py`` and ``a/b/__init__.py``: those packages are edges as well, except the
packages the importer itself belongs to (a submodule never re-imports its own package).

Run it alone to print the graph: ``python tests/test_package_structure.py``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mlops_course"
MAX_MODULE_LINES = 450
MAX_CLASS_LINES = 250
MAX_SUMMARY_LINES = 3
#: The notebook harness teaches nothing: its docstrings say what it does, not which notebook.
NOT_TAUGHT = ("mlops_course.courseware",)


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its ``__init__``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(name: str, tree: ast.Module, is_package: bool) -> Iterator[str]:
    """The dotted names each import statement of ``tree`` asks for (relative ones resolved)."""
    here = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (see the module docstring)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        edges = set()
        for target in _imported(name, tree, path.name == "__init__.py"):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in known and prefix not in own and prefix != name:
                    edges.add(prefix)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph[following])))
    return None


def test_the_package_has_no_import_cycle() -> None:
    assert find_cycle(import_graph()) is None, " -> ".join(find_cycle(import_graph()) or [])


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import_and_a_package() -> None:
    graph = {
        "p": {"p.a"},  # p/__init__.py re-exports p.a
        "p.a": {"q"},
        "q": {"p"},  # q imports p.b: p/__init__.py runs first
        "p.b": set(),
    }
    assert find_cycle(graph) == ["p", "p.a", "q", "p"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_imports_inside_functions_and_package_init_files() -> None:
    graph = import_graph()
    assert "mlops_course.onnx_predictor" in graph["mlops_course.serialization"]  # __getattr__
    assert "mlops_course.drift" in graph["mlops_course.monitoring.references"]  # in a function
    # a submodule does not depend on its own package, another module does
    assert "mlops_course.drift" not in graph["mlops_course.drift.detector"]
    assert "mlops_course.api" in graph["mlops_course.capstone"]


@pytest.mark.parametrize("name", sorted(modules()))
def test_each_module_reads_in_one_sitting(name: str) -> None:
    path = modules()[name]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines; split it by concept"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            size = node.end_lineno - node.lineno + 1
            assert size <= MAX_CLASS_LINES, f"class {node.name}: {size} lines"


@pytest.mark.parametrize("name", sorted(modules()))
def test_each_module_says_what_it_is_for_and_where_it_is_taught(name: str) -> None:
    docstring = ast.get_docstring(ast.parse(modules()[name].read_text(encoding="utf-8")))
    assert docstring, f"{name} has no docstring"
    summary = docstring.split("\n\n")[0]
    assert len(summary.splitlines()) <= MAX_SUMMARY_LINES, f"{name}: summary over 3 lines"
    if not name.startswith(NOT_TAUGHT):  # said at once: in the summary or the line after it
        opening = "\n".join(docstring.splitlines()[:4]).lower()
        assert "notebook" in opening, f"{name}: which notebook teaches it?"


if __name__ == "__main__":  # pragma: no cover
    for module, targets in import_graph().items():
        print(f"{module} -> {', '.join(sorted(targets)) or '-'}")
    cycle = find_cycle(import_graph())
    print("cycle:", " -> ".join(cycle) if cycle else "none")
    sys.exit(1 if cycle else 0)
