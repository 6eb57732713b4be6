"""The window reads and writes only through the desk services: no module of ``qwtimer.gui``
imports the local database (``qwtimer.store``), not even for a type, and no module it imports
imports the window back (no import cycle between the window and the modules it wires)."""

from __future__ import annotations

import ast
from pathlib import Path

import qwtimer.gui

GUI = Path(qwtimer.gui.__file__).parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, anywhere in it (inside functions and TYPE_CHECKING
    blocks too), as (line, dotted name); relative imports are resolved."""
    package = "qwtimer.gui"
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base]) if base else ".".join(parts)
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return found


def test_no_module_of_the_window_imports_the_store() -> None:
    offenders = [
        f"{path.relative_to(GUI.parent.parent)}:{line} imports {name}"
        for path in sorted(GUI.rglob("*.py"))
        for line, name in imported_modules(path)
        if name == "qwtimer.store" or name.startswith("qwtimer.store.")
    ]
    assert offenders == [], "the window must go through the desk services:\n" + "\n".join(offenders)


def test_the_import_check_sees_every_form_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "import qwtimer.store.models\n"
        "from qwtimer import store\n"
        "if TYPE_CHECKING:\n"
        "    from qwtimer.store.models import Call\n"
        "def later():\n"
        "    from qwtimer.store import sync\n"
    )
    names = {name for _, name in imported_modules(sample)}
    assert {"qwtimer.store.models", "qwtimer.store", "qwtimer.store.sync"} <= names


def test_the_call_controller_does_not_import_the_window() -> None:
    for module in ("call_controller.py", "call_prompts.py", "runner.py", "changes.py"):
        names = {name for _, name in imported_modules(GUI / module)}
        assert "qwtimer.gui.main_window" not in names, module
        assert "qwtimer.gui.window_views" not in names, module
