"""qwtimer installed from its wheel, away from any checkout, finds its own resources."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from qwtimer import __version__
from tests.bundle import ROOT

pytestmark = pytest.mark.slow


def test_an_installed_wheel_carries_its_policy_files_and_bills_with_them(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: building leaves its work files beside the sources
    shutil.copytree(
        ROOT / "qwtimer", source / "qwtimer", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("qwtimer-*.whl")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path / "site")  # what pip install does with a pure-Python wheel
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "PYTHONSAFEPATH": "1"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "qwtimer",
            "--data-dir",
            str(tmp_path / "d"),
            "policy",
            "show",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["version"] == "2026-11"
    probe = (
        "import importlib.metadata as m, qwtimer, qwtimer.paths as p\n"
        "print(p.resource('policies'))\n"
        "print(m.version('qwtimer'), qwtimer.__version__)"
    )
    where = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.splitlines()
    assert where[0] == str(tmp_path / "site" / "qwtimer" / "resources" / "policies")
    assert where[1] == f"{__version__} {__version__}"  # the wheel's metadata says the same
