"""Building the PyInstaller bundle from this checkout, for the end-to-end tests and the
benchmarks: the same spec as ``make bundle``, into a folder of the caller's."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build_spec" / "qwtimer.spec"


def build_bundle(work: Path) -> Path:
    """Build the bundle under ``work`` (``work/dist/qwtimer``) and return its executable.
    Raises ``RuntimeError`` with PyInstaller's output when the build fails."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    exe = work / "dist" / "qwtimer" / "qwtimer"
    if out.returncode != 0 or not exe.is_file():
        raise RuntimeError(f"the bundle did not build:\n{out.stdout}{out.stderr}")
    return exe


def _build_module(name: str) -> ModuleType:
    """``build_spec/NAME.py``, imported by path."""
    spec = importlib.util.spec_from_file_location(f"qwtimer_{name}", SPEC.parent / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def packaging() -> ModuleType:
    """``build_spec/package.py`` (the archive and the Debian package)."""
    return _build_module("package")


def icu_data() -> ModuleType:
    """``build_spec/icu_data.py`` (the ICU data the bundle carries)."""
    return _build_module("icu_data")


def one_copy() -> ModuleType:
    """``build_spec/one_copy.py`` (one copy of each shared library)."""
    return _build_module("one_copy")
