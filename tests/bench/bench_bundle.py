"""Bundle figures (``python -m tests.bench bundle``), measured as a user runs each:

- the PyInstaller bundle's start to its window shown and taking input, vs qwtimer installed
  from its wheel in a virtual environment with its bytecode compiled, started by its
  ``qwtimer`` command (target <= 1.15x); both on the offscreen platform, interleaved;
- the bundle's size on disk (target <= 120 MiB) and its archive's.

``QWTIMER_BUNDLE`` names a bundle already built from this checkout; otherwise one is built.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.bench.bench_gui import make_customers
from tests.bench.common import Row, installed, user_env
from tests.bundle import build_bundle, packaging

STARTS = 7
CUSTOMERS = 1_000


def _env() -> dict[str, str]:
    """A user's environment, on the offscreen platform, quitting once the window is usable."""
    return {**user_env(), "QT_QPA_PLATFORM": "offscreen", "QWTIMER_TECHNICIAN": "bench",
            "QWTIMER_EXIT_WHEN_READY": "1"}  # fmt: skip


def _shown(cmd: list[str]) -> float:
    """Seconds from spawning ``cmd`` to its "shown" line (the window on screen, taking input)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    shown = None
    for line in proc.stdout:
        if line.strip() == "shown" and shown is None:
            shown = time.perf_counter() - t0
    _out, err = proc.communicate(timeout=120)
    if proc.returncode != 0 or shown is None:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {err}")
    return shown


def _mib(folder: Path) -> float:
    return sum(p.lstat().st_size for p in folder.rglob("*")) / 2**20


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        built = os.environ.get("QWTIMER_BUNDLE")
        bundle = Path(built).resolve() if built else build_bundle(work / "bundle")
        data = work / "data"
        make_customers(data, CUSTOMERS)
        bundle_cmd = [str(bundle), "--data-dir", str(data)]
        installed_cmd = [installed().qwtimer, "--data-dir", str(data)]
        _shown(bundle_cmd), _shown(installed_cmd)  # warm the file cache
        bundled, reference = [], []
        for _ in range(STARTS):  # interleaved, so both see the same machine
            bundled.append(_shown(bundle_cmd))
            reference.append(_shown(installed_cmd))
        archive = packaging().tarball(bundle.parent, work / "qwtimer.tar.gz")
        return [
            Row(
                "bundle: start to window shown, taking input (median)",
                statistics.median(bundled) * 1000,
                "ms",
                "installed wheel, bytecode compiled, started by its command",
                statistics.median(reference) * 1000,
                "<= 1.15x",
            ),
            Row("bundle: size of dist/qwtimer", _mib(bundle.parent), "MiB", target="<= 120 MiB"),
            Row("bundle: its .tar.gz", archive.stat().st_size / 2**20, "MiB"),
        ]
