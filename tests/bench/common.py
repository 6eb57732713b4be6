"""What every benchmark reports: a figure, the physical reference measured in the same run,
their ratio and the target. No benchmark asserts anything; ``make bench`` prints the table."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    name: str
    figure: float
    unit: str
    reference: str = ""
    reference_figure: float | None = None
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.reference_figure in (None, 0):
            return None
        return self.figure / self.reference_figure  # type: ignore[operator]


def median_seconds(fn: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs, after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(__file__).resolve().parent / ".cache"


def _source_digest() -> str:
    """What the installed copy is built from: every file of the package and pyproject.toml."""
    h = hashlib.sha256()
    for path in sorted([ROOT / "pyproject.toml", *(ROOT / "qwtimer").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Installed:
    """qwtimer as a user runs it: ``python`` runs the installed package (``python -m
    qwtimer``, or ``qwtimer`` its command), ``env`` is a user's environment for it."""

    python: str
    qwtimer: str
    env: dict[str, str]


def user_env() -> dict[str, str]:
    """A user's environment: no checkout on the path, bytecode read and kept as Python does
    (this environment may set PYTHONDONTWRITEBYTECODE, which makes every start compile)."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "QWTIMER_DATA_DIR", "PYTHONSAFEPATH"):
        env.pop(name, None)
    env["QWTIMER_NO_DESKTOP_INSTALL"] = "1"  # a benchmark never touches the desktop entries
    return env


@functools.cache
def installed() -> Installed:
    """This checkout built as a wheel and installed into a virtual environment of its own
    (its dependencies are this interpreter's), bytecode compiled: so no start compiles the
    source. Built once per source state and kept in the cache; references run with the same
    interpreter and environment, so both read compiled bytecode."""
    work = CACHE / f"installed-{_source_digest()}"
    venv = work / "venv"
    python = venv / "bin" / "python"
    if not (work / ".complete").exists():
        shutil.rmtree(work, ignore_errors=True)
        source = work / "source"
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / "qwtimer", source / "qwtimer", ignore=ignore)
        for name in ("pyproject.toml", "README.md"):
            shutil.copyfile(ROOT / name, source / name)
        run: dict[str, Any] = {"check": True, "capture_output": True, "cwd": work}
        pip = [sys.executable, "-m", "pip"]
        subprocess.run([*pip, "wheel", "--no-deps", "-q", str(source)], **run)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], **run)
        (wheel,) = work.glob("qwtimer-*.whl")
        subprocess.run(
            [*pip, "--python", str(python), "install", "--no-deps", "-q", str(wheel)], **run
        )
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            **run,
            text=True,
        ).stdout.strip()
        # The dependencies installed here (a plain path: its .pth files stay unread).
        Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
        subprocess.run([str(python), "-m", "compileall", "-q", site], **run)
        shutil.rmtree(source)
        (work / ".complete").touch()
    env = user_env()
    where = subprocess.run(
        [str(python), "-c", "import qwtimer; print(qwtimer.__file__)"],
        env=env, capture_output=True, text=True, check=True, cwd=CACHE,
    ).stdout.strip()  # fmt: skip
    if not Path(where).is_relative_to(venv):
        raise RuntimeError(f"the installed copy is not the one imported: {where}")
    return Installed(str(python), str(venv / "bin" / "qwtimer"), env)
