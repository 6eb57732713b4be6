"""The layers hold and nothing goes round in a circle.

Layers, bottom up: ``core`` (with ``paths`` and ``logs``), ``store``, ``desk``, ``printing``,
then ``gui`` and ``cli`` side by side, then the program (``entry``, ``__main__``). A module
imports its own layer or lower ones, never a higher one; and no chain of imports, late ones
inside functions included, leads a module back to itself (an import only for type checking
does not count: it never runs)."""

from __future__ import annotations

import ast
from pathlib import Path

import qwtimer

PACKAGE = Path(qwtimer.__file__).resolve().parent
LAYERS = {
    "core": 0,
    "paths": 0,
    "logs": 0,
    "store": 1,
    "desk": 2,
    "printing": 3,
    "gui": 4,
    "cli": 4,
    "entry": 5,
    "__main__": 5,
    "__init__": 0,
}


def _name(path: Path) -> str:
    parts = ["qwtimer", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """The qwtimer modules ``path`` imports when it runs (at the top or inside functions),
    leaving out ``if TYPE_CHECKING:`` blocks."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    return LAYERS[top]


def test_every_module_belongs_to_a_layer() -> None:
    unknown = sorted(m for m in MODULES if [*m.split("."), "__init__"][1] not in LAYERS)
    assert unknown == [], "give these a layer in LAYERS: " + ", ".join(unknown)


def test_no_module_imports_a_layer_above_its_own() -> None:
    up = sorted(
        f"{m} imports {d}" for m, deps in GRAPH.items() for d in deps if _layer(d) > _layer(m)
    )
    assert up == [], "imports that run up a layer:\n" + "\n".join(up)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return groups


def test_no_chain_of_imports_leads_back_to_where_it_started() -> None:
    found = _cycles(GRAPH)
    assert found == [], "import circles:\n" + "\n".join(" <-> ".join(g) for g in found)


def test_the_circle_check_finds_a_circle_through_a_late_import() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_is_longer_than_about_four_hundred_lines() -> None:
    long = sorted(
        f"{name} ({n} lines)"
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 420
    )
    assert long == [], "split along a real seam: " + ", ".join(long)
