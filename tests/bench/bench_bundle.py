"""Bundle figures (``python -m tests.bench bundle``), measured as a user runs each:

- the PyInstaller bundle's start to its window shown and taking input, vs qwtimer installed
  from its wheel in a virtual environment with its bytecode compiled, started by its
  ``qwtimer`` command (target <= 1.15x); both on the offscreen platform, interleaved;
- the bundle's size on disk (target <= 120 MiB) and its archive's.

``QWTIMER_BUNDLE`` names a bundle already built from this checkout; otherwise one is built.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from tests.bench.bench_gui import make_customers
from tests.bench.common import Row
from tests.bundle import ROOT, build_bundle, packaging

STARTS = 7
CUSTOMERS = 1_000


def _env() -> dict[str, str]:
    """A user's environment: no checkout on the path, bytecode used and kept as Python does."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_TECHNICIAN": "bench"}
    for name in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "QWTIMER_DATA_DIR", "PYTHONSAFEPATH"):
        env.pop(name, None)
    # QWTIMER_NO_DESKTOP_INSTALL: a benchmark never touches the home folder's desktop entries
    return {**env, "QWTIMER_EXIT_WHEN_READY": "1", "QWTIMER_NO_DESKTOP_INSTALL": "1"}


def install(work: Path) -> Path:
    """qwtimer installed from a wheel of this checkout into a new virtual environment (its
    dependencies are this interpreter's), bytecode compiled; returns its ``qwtimer`` command."""
    source = work / "source"
    for folder in ("qwtimer", "resources"):
        shutil.copytree(ROOT / folder, source / folder)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    run = {"check": True, "capture_output": True, "cwd": work}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source)], **run)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], **run)
    python = venv / "bin" / "python"
    (wheel,) = work.glob("qwtimer-*.whl")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run([*pip, "install", "--no-deps", "-q", str(wheel)], **run)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        **run,
        text=True,
    ).stdout.strip()
    # The dependencies already installed here (a plain path: its .pth files stay unread).
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([str(python), "-m", "compileall", "-q", site], **run)
    return venv / "bin" / "qwtimer"


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
        installed = install(work)
        data = work / "data"
        make_customers(data, CUSTOMERS)
        bundle_cmd = [str(bundle), "--data-dir", str(data)]
        installed_cmd = [str(installed), "--data-dir", str(data)]
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
