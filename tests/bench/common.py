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
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


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


@functools.cache
def installed() -> dict[str, str]:
    """The environment that runs qwtimer as a user does: this checkout installed as a package
    (not the editable source) into a folder of its own, its bytecode compiled, so that no start
    compiles the source (this environment may set PYTHONDONTWRITEBYTECODE, which would make
    every start of the checkout compile it). Built once per source state, kept in the cache.
    References run in the same environment, so both read compiled bytecode."""
    target = CACHE / f"installed-{_source_digest()}"
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
             str(target), str(ROOT)],
            check=True, capture_output=True, cwd=CACHE,
        )  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(target)], check=True, capture_output=True
        )
        (target / ".complete").touch()
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    where = subprocess.run(
        [sys.executable, "-c", "import qwtimer; print(qwtimer.__file__)"],
        env=env, capture_output=True, text=True, check=True, cwd=CACHE,
    ).stdout.strip()  # fmt: skip
    if not Path(where).is_relative_to(target):
        raise RuntimeError(f"the installed copy is not the one imported: {where}")
    return env
