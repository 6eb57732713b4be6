"""The command line stands on desk services only: no module under ``qwtimer/cli`` imports the
store (the database layer) or the window's package, and the statement PDF it writes is drawn
by ``qwtimer/printing`` without widgets. A dynamic import by name counts as an import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import qwtimer

PACKAGE = Path(qwtimer.__file__).resolve().parent
REPO = PACKAGE.parent


def imported_names(path: Path, package: str) -> list[tuple[int, str]]:
    """Every module ``path`` (a file of the dotted ``package``) imports, absolute or relative,
    at any depth of its code, and every string naming a qwtimer module
    (``importlib.import_module("qwtimer.x")``), by line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Constant) and str(node.value).startswith("qwtimer."):
            found.append((node.lineno, str(node.value)))
    return found


def offenders(folder: Path, package: str, *forbidden: str) -> list[str]:
    """``file:line imports name`` for each import, in the package ``package`` kept in
    ``folder`` (its subpackages included), of a forbidden module or of anything inside it."""
    files = sorted(folder.rglob("*.py"))
    assert files, folder
    return [
        f"{path.relative_to(folder.parent)}:{line} imports {name}"
        for path in files
        for line, name in imported_names(
            path, ".".join([package, *path.parent.relative_to(folder).parts])
        )
        if any(name == f or name.startswith(f"{f}.") for f in forbidden)
    ]


def test_no_command_line_module_imports_the_store() -> None:
    assert offenders(PACKAGE / "cli", "qwtimer.cli", "qwtimer.store") == []


def test_no_command_line_module_imports_the_window() -> None:
    assert offenders(PACKAGE / "cli", "qwtimer.cli", "qwtimer.gui") == []


def test_printing_draws_without_widgets_or_the_window() -> None:
    forbidden = ("qwtimer.gui", "qwtimer.cli", "PySide6.QtWidgets")
    assert offenders(PACKAGE / "printing", "qwtimer.printing", *forbidden) == []


@pytest.mark.parametrize(
    "source",
    [
        "from qwtimer.store import central\n",
        "import qwtimer.store.faults as faults\n",
        "def late():\n    from qwtimer.store.models import Customer\n",
        "from ..store import models\n",
        "from .. import store\n",
        "import importlib\nimportlib.import_module('qwtimer.store.central')\n",
    ],
)
def test_the_layer_check_sees_every_way_of_importing(tmp_path: Path, source: str) -> None:
    cli = tmp_path / "cli"
    cli.mkdir()
    (cli / "__init__.py").write_text("", encoding="utf-8")
    (cli / "probe.py").write_text(source, encoding="utf-8")
    assert offenders(cli, "qwtimer.cli", "qwtimer.store") != []
    assert offenders(cli, "qwtimer.cli", "qwtimer.gui") == []


def test_writing_a_statement_pdf_loads_neither_widgets_nor_the_window(tmp_path: Path) -> None:
    """What a command really loads, imports of imports included: only a process of its own
    starts with no module loaded."""
    data = tmp_path / "data"
    script = (
        "import sys\n"
        "from qwtimer.cli import main\n"
        "argv = ['--data-dir', sys.argv[1], '--technician', 'tess']\n"
        "assert main([*argv, 'customer', 'add', 'Acme', '--product', 'desktop',"
        " '--plan', 'license']) == 0\n"
        "assert main([*argv, 'statement', 'Acme', '--pdf', sys.argv[2]]) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith(('qwtimer.gui', "
        "'PySide6.QtWidgets'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(data), str(tmp_path / "acme.pdf")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    assert (tmp_path / "acme.pdf").read_bytes().startswith(b"%PDF")
